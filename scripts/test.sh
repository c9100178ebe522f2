#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests
# (the integration tests on SQLite, then again on PostgreSQL), and the
# Playwright suite against a release build with demo data on a fresh SQLite
# database. Installs what is missing first, PostgreSQL included.
source "$(dirname "$0")/setup.sh"

say "formatting and lints"
cargo fmt --all --check
cargo clippy -p app -p server --all-targets --features app/ssr -- -D warnings
cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

say "Rust unit and integration tests on SQLite"
cargo test -p app -p server --features app/ssr

say "the partner API's OpenAPI document, checked by an independent validator"
cargo run -q -p server --features app/ssr -- openapi > target/openapi.json
PYTHONPATH="$ROOT/tools/python" python3 -m openapi_spec_validator target/openapi.json

say "Rust integration tests on PostgreSQL"
source "$ROOT/scripts/postgres.sh"
# --include-ignored: the tests marked "PostgreSQL only" run here. The same
# packages as above, so cargo unifies the same features and reuses the binary
# instead of building the server a second time (minutes and gigabytes).
cargo test -p app -p server --features app/ssr --test integration -- --include-ignored --skip crash::while_postgresql
# The outage test stops and starts the PostgreSQL server: alone, after the
# others, and only on the cluster postgres.sh started (it knows how).
if [ -n "${PORTAL_TEST_POSTGRES_STOP:-}" ]; then
  cargo test -p app -p server --features app/ssr --test integration -- --ignored crash::while_postgresql
else
  say "not stopping a PostgreSQL server we did not start: the outage test runs with PORTAL_TEST_POSTGRES_STOP and _START set (scripts/postgres.sh)"
fi

say "end-to-end tests (release build, Chromium)"
rm -rf target/e2e && mkdir -p target/e2e
export PORTAL_DEMO=1
export PORTAL_DATABASE_URL="sqlite://$ROOT/target/e2e/portal.db"
# Everything the test server writes stays in target/e2e, not in ./data.
export PORTAL_MAIL_URL="file://$ROOT/target/e2e/mail"
export PORTAL_LICENSE_KEY_FILE="$ROOT/target/e2e/license-signing.key"
# The webhook test's receiver listens on loopback.
export PORTAL_WEBHOOKS_ALLOW_INTERNAL=true
cargo leptos end-to-end --release --precompress --split

say "budgets: WebAssembly size and Lighthouse scores of the release build"
LIGHTHOUSE_RUNS=5 bash scripts/budgets.sh

say "end-to-end: two server processes on one PostgreSQL database"
psql "$PORTAL_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS portal_e2e WITH (FORCE)" -c "CREATE DATABASE portal_e2e"
export PORTAL_DATABASE_URL="${PORTAL_TEST_POSTGRES_URL%/*}/portal_e2e"
export PORTAL_MAIL_URL="file://$ROOT/target/e2e/mail-postgres"
# The assets built above, by the hashed names in target/release/hash.txt.
export LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_OUTPUT_NAME=portal LEPTOS_HASH_FILES=true
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; stop_postgres' EXIT
# One after the other: the first loads the demo data, the second finds it there.
for port in 3000 3001; do
  # Each process is reached at its own address here (behind a load balancer
  # they would share one public URL): that address is the origin its pages post from.
  LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTAL_PUBLIC_URL="http://127.0.0.1:$port" \
    PORTAL_METRICS_ADDR="127.0.0.1:$((port + 6464))" \
    target/release/server >"target/e2e/server-$port.log" 2>&1 &
  servers+=("$!")
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" && break
    sleep 0.1
  done
  curl -fs -o /dev/null "http://127.0.0.1:$port/readyz" || { cat "target/e2e/server-$port.log"; exit 1; }
done
(cd end2end && npx playwright test --config playwright.processes.config.ts)
kill "${servers[@]}"
wait "${servers[@]}" 2>/dev/null || true
