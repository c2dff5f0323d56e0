#!/usr/bin/env bash
# The limiter's cost: the staff single-product read with an API key, on two release servers over
# one seeded database and one Redis, one with rate limits on (every request checked and metered
# in Redis, at rates the load stays under) and one with BALCAO_RATE_LIMITS=off, under wrk in
# alternating rounds so machine noise cancels in the ratio. Prints each round and the median
# ratio on/off.
#
#   scripts/bench-ratelimit.sh [ROUNDS]      (SECS per round, default 6; needs wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
db_server=${BENCH_DATABASE:-postgres://postgres@127.0.0.1:5432}
db=balcao_bench_limits_$$
work=$(mktemp -d /tmp/balcao-bench-limits.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    psql "$db_server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

cargo build --release --locked -q -p balcao-gateway
bin=${CARGO_TARGET_DIR:-target}/release/balcao
export DATABASE_URL=$db_server/$db REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/6}
export BALCAO_LOG_FORMAT=json RUST_LOG=warn BALCAO_MAIL_DIR=$work/mail
"$bin" demo --ids-json "$work/ids.json" >/dev/null
# Rates far above what the load reaches: the limiter decides every request and never refuses.
psql "$DATABASE_URL" -qc "UPDATE plans SET requests_per_second = 1000000, request_burst = 1000000, monthly_api_calls = NULL"
ids() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/ids.json" "$1"; }
key=$(ids api_key)
store=$(ids store_id)
product=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['ids']['products'][0])" "$work/ids.json")
path=/v1/stores/$store/products/$product

start() {
    local port=$1; shift
    env "$@" BALCAO_BIND=127.0.0.1:$port "$bin" serve --no-worker >"$work/server-$port.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && return; sleep 0.2; done
    echo "server on $port did not start" >&2; cat "$work/server-$port.log" >&2; exit 1
}
start 18101 BALCAO_RATE_LIMITS=on
start 18102 BALCAO_RATE_LIMITS=off
curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:18101$path" -D - -o /dev/null | grep -i '^ratelimit' || {
    echo "the limited server answers without RateLimit headers" >&2; exit 1; }

rps() { wrk -t1 -c32 -d"${SECS:-6}"s --latency -H "Authorization: Bearer $key" "$1" |
    awk '/Requests\/sec/ {print $2} / 99%/ {p=$2} END {print p}' | paste -sd' '; }
rps "http://127.0.0.1:18101$path" >/dev/null; rps "http://127.0.0.1:18102$path" >/dev/null
ratios=()
for r in $(seq "$rounds"); do
    read -r on onp <<<"$(rps "http://127.0.0.1:18101$path")"
    read -r off offp <<<"$(rps "http://127.0.0.1:18102$path")"
    ratio=$(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a/b}'); ratios+=("$ratio")
    echo "round $r: limits on $on rps (p99 $onp)  limits off $off rps (p99 $offp)  ratio $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print "median ratio on/off: " v[int((NR+1)/2)]}'
