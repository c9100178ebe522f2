#!/usr/bin/env bash
# The portal over HTTP at fixed rates against a release server whose ledger
# holds 1,000,000 entries (SPEC, "Scale"), on SQLite and then on PostgreSQL:
#   bash scripts/load.sh [RATE SECONDS] [--ledger=N]
# Prints throughput and p50 / p99 per kind of request.
source "$(dirname "$0")/setup.sh"
cargo bench -p server --features app/ssr --bench http_mix -- "$@"
# PostgreSQL as durable as SQLite in WAL mode with synchronous=NORMAL.
PG_DURABILITY="-c synchronous_commit=off"
source "$ROOT/scripts/postgres.sh"
PORTAL_BENCH_POSTGRES_URL="$PORTAL_TEST_POSTGRES_URL" cargo bench -p server --features app/ssr --bench http_mix -- "$@"
