#!/usr/bin/env bash
# kill -9 under load, the long run (issue 14): a release build of the server,
# driven over HTTP by six clients doing the whole procedure and one
# provisioning, killed with SIGKILL KILLS times (20 unless given) and started
# again each time, its mail going to a real SMTP server; then the checks of
# server/tests/integration/crash.rs (ledger check clean, nothing
# half-applied, every message delivered, at most one copy more per kill,
# every provisioning job finished once). On SQLite, then on PostgreSQL,
# where the database server is also stopped and started under the portal.
#
#   bash scripts/crash.sh [KILLS]
source "$(dirname "$0")/setup.sh"
KILLS="${1:-20}"

say "release build of the server"
cargo build --release -p server --features app/ssr
export PORTAL_CRASH_KILLS="$KILLS" PORTAL_CRASH_SERVER="$ROOT/target/release/server"
crash_test() { cargo test -p app -p server --features app/ssr --test integration -- "$@" --nocapture; }

say "SQLite: $KILLS kills"
crash_test crash::killed

source "$ROOT/scripts/postgres.sh"
say "PostgreSQL: $KILLS kills"
crash_test crash::killed
say "PostgreSQL: the database server stopped and started under the portal"
crash_test --ignored crash::while_postgresql
