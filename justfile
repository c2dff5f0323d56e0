# balcao tasks. `just --list` shows them.

# Run the server (HTTP and an embedded worker); creates and migrates the database.
run:
    cargo run -p balcao-gateway

# Run every test (PostgreSQL and Redis must be running; see README).
test:
    cargo test --workspace

# Line coverage per crate over the unit tests and the end-to-end suites (cargo-tarpaulin; needs what `test` needs).
coverage:
    bash scripts/coverage.sh

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Format the code.
fmt:
    cargo fmt --all

# Regenerate the committed OpenAPI document.
openapi:
    cargo run -q -p balcao-gateway -- openapi > openapi/openapi.json

# Pin another release of the /docs viewer (@scalar/api-reference from npm) into apps/gateway/assets.
docs-viewer VERSION:
    apps/gateway/assets/refresh-scalar.sh {{VERSION}}

# Seed a demo user, store and API key.
demo:
    cargo run -p balcao-gateway -- demo

# Drop and recreate the local database (the default DATABASE_URL's `balcao`).
db-reset:
    psql -d postgres -c "DROP DATABASE IF EXISTS balcao WITH (FORCE)"
    cargo run -p balcao-gateway -- migrate

# Everything CI runs.
ci:
    bash .ci/run

# Lint the committed spec with Redocly, generate TypeScript types and type-check the client in tests/client.
spec-check:
    bash tests/client/check.sh

# Fuzz the running API from its spec with schemathesis (see tests/fuzz/README.md).
fuzz:
    bash tests/fuzz/run.sh
