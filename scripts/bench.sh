#!/usr/bin/env bash
# The drawdown cycle benchmark on SQLite and on PostgreSQL, in one run:
#   bash scripts/bench.sh [CLIENTS SECONDS]
# PostgreSQL is the server in PORTAL_TEST_POSTGRES_URL, or a cluster of its
# own started as for the tests.
source "$(dirname "$0")/setup.sh"
# Durable as SQLite in WAL mode with synchronous=NORMAL is: the WAL reaches
# the disk at checkpoints, not at every commit.
PG_DURABILITY="-c synchronous_commit=off"
source "$ROOT/scripts/postgres.sh"
PORTAL_BENCH_POSTGRES_URL="$PORTAL_TEST_POSTGRES_URL" cargo bench -p server --features app/ssr --bench drawdown_cycle -- "$@"
