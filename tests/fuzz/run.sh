#!/usr/bin/env bash
# Fuzz the API from its spec: a fresh database seeded by `balcao demo` (plus one of every other
# resource, tests/fuzz/prepare.py), the built server on a loopback port, then schemathesis with
# a real id for every path parameter. Any 5xx, undocumented status code, body outside its schema
# or wrong content type fails the run.
#
# Environment (all optional):
#   FUZZ_MAX_TIME      schemathesis time budget in seconds (default 180)
#   FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 20)
#   FUZZ_SPEC          the spec to test (default openapi/openapi.json)
#   FUZZ_DATABASE      PostgreSQL server URL without a database (default postgres://postgres@127.0.0.1:5432)
#   FUZZ_REDIS_URL     a Redis database for this run alone; it is flushed (default redis://127.0.0.1:6379/7)
#   FUZZ_VENV          where schemathesis is installed (default /tmp/balcao-fuzz-venv)
#   FUZZ_KEEP          keep the work directory and database when set
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
max_time=${FUZZ_MAX_TIME:-180}
max_examples=${FUZZ_MAX_EXAMPLES:-20}
spec=${FUZZ_SPEC:-$root/openapi/openapi.json}
db_server=${FUZZ_DATABASE:-postgres://postgres@127.0.0.1:5432}
redis_url=${FUZZ_REDIS_URL:-redis://127.0.0.1:6379/7}
venv=${FUZZ_VENV:-/tmp/balcao-fuzz-venv}
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d /tmp/balcao-fuzz.XXXXXX)
db=balcao_fuzz_$(date +%s)_$$
server_pid=

log() { printf '\n-- fuzz: %s\n' "$*"; }

cleanup() {
    local status=$?
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -z "${FUZZ_KEEP:-}" ]; then
        psql "$db_server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
        [ "$status" -eq 0 ] && rm -rf "$work"
    fi
    [ "$status" -ne 0 ] && echo "fuzz: failed; server log and reports in $work" >&2
    exit "$status"
}
trap cleanup EXIT

# schemathesis, pinned, in a virtualenv that is rebuilt when the requirements change.
if ! cmp -s tests/fuzz/requirements.txt "$venv/requirements.txt" 2>/dev/null; then
    log "installing schemathesis into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/fuzz/requirements.txt
    cp tests/fuzz/requirements.txt "$venv/requirements.txt"
fi

log "building the server"
cargo build --quiet --locked -p balcao-gateway
bin=$target/debug/balcao

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export DATABASE_URL=$db_server/$db REDIS_URL=$redis_url BALCAO_BIND=127.0.0.1:$port
export BALCAO_MAIL_DIR=$work/mail BALCAO_JOB_POLL_MS=200 BALCAO_HTTP_WORKERS=2 BALCAO_LOG_FORMAT=json
# Every request comes from loopback: per-address limits would stop the run's carts and checkouts
# early and keep it from the logic behind them (their 429 is documented and checked all the same).
export BALCAO_CARTS_PER_HOUR=1000000 BALCAO_CHECKOUTS_PER_HOUR=1000000 BALCAO_ACCOUNT_REQUESTS_PER_HOUR=1000000 \
    BALCAO_PASSKEY_LOGINS_PER_HOUR=1000000 BALCAO_LOGIN_IP_FAILURES=100000 \
    BALCAO_LOGIN_NETWORK_FAILURES=1000000
# The same for the rate limits: the limiter still runs on every request (its headers and 429 are
# documented on every limited route) but at rates one fuzzing client does not reach.
export BALCAO_AUTH_RATE=100000/100000 BALCAO_STOREFRONT_RATE=100000/100000 BALCAO_ANONYMOUS_RATE=100000/100000 \
    BALCAO_INBOUND_RATE=100000/100000
redis-cli -u "$redis_url" flushdb >/dev/null

log "seeding $db with balcao demo"
"$bin" demo --ids-json "$work/ids.json" >"$work/demo.txt" 2>"$work/demo.log" || { cat "$work/demo.log" >&2; exit 1; }
psql "$DATABASE_URL" -qc "UPDATE plans SET requests_per_second = 100000, request_burst = 100000, monthly_api_calls = NULL" >/dev/null
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "$base/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.2
done

log "seeding the rest and writing the schemathesis config"
"$venv/bin/python" tests/fuzz/prepare.py --base "$base" --ids "$work/ids.json" --spec "$spec" \
    --mail-dir "$work/mail" --bin "$bin" --out "$work/schemathesis.toml"

if [ -x tests/client/node_modules/.bin/tsc ] && [ -f tests/client/src/schema.d.ts ]; then
    log "the typed TypeScript client against the live server"
    ids() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/ids.json" "$1"; }
    (cd tests/client && npx tsc -p . && BALCAO_URL=$base BALCAO_API_KEY=$(ids api_key) \
        BALCAO_STORE_ID=$(ids store_id) BALCAO_SLUG=$(ids slug) node dist/run.js)
fi

log "schemathesis: ${max_time}s budget, $max_examples examples per operation"
# One worker: hypothesis' lambda descriptions are not thread-safe (spurious runtime errors with more).
cd "$work"  # schemathesis keeps a cache in the working directory
"$venv/bin/st" --no-color --config-file "$work/schemathesis.toml" run "$spec" --url "$base" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing --max-examples "$max_examples" --max-time "$max_time" --workers 1 \
    --request-timeout 10 --report junit --report-dir "$work/report" --seed "${FUZZ_SEED:-20261202}"
