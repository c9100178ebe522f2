# Makes a PostgreSQL server available to the tests and exports its URL as
# PORTAL_TEST_POSTGRES_URL; sourced by test.sh after setup.sh.
#
# A URL already in PORTAL_TEST_POSTGRES_URL is used as it is (each test makes
# a database of its own there and drops it). Otherwise Debian's postgresql is
# installed if missing and a throw-away cluster of our own is started on
# loopback, in a folder of its own, and stopped and removed when the calling
# script exits.

if [ -n "${PORTAL_TEST_POSTGRES_URL:-}" ]; then
  say "PostgreSQL: using $PORTAL_TEST_POSTGRES_URL"
  stop_postgres() { :; }
  return 0
fi

# The newest server's programs; none on a fresh machine (where ls fails, and
# under pipefail that failure must not end the script).
newest_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true; }
pg_bin="$(newest_pg_bin)"
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/postgres" ]; then
  say "installing postgresql"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  pg_bin="$(newest_pg_bin)"
fi

# PostgreSQL refuses to run as root: run it as Debian's postgres user then.
pg_as=()
if [ "$(id -u)" = 0 ]; then
  pg_as=(runuser -u postgres --)
fi
PG_DIR="$(mktemp -d /tmp/portal-postgres.XXXXXX)"
[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop_postgres() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT

say "starting a PostgreSQL cluster for the tests on 127.0.0.1:$PG_PORT"
"${pg_as[@]}" "$pg_bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# Test data is thrown away: no need to wait for the disk (the benchmark
# chooses its own settings through PG_DURABILITY).
PG_DURABILITY="${PG_DURABILITY:--c fsync=off -c synchronous_commit=off -c full_page_writes=off}"
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=400 $PG_DURABILITY" \
  start >/dev/null
export PORTAL_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
# The outage test (server/tests/integration/crash.rs) stops and starts it.
export PORTAL_TEST_POSTGRES_STOP="${pg_as[*]} $pg_bin/pg_ctl -D $PG_DIR/data -m fast -w stop"
export PORTAL_TEST_POSTGRES_START="${pg_as[*]} $pg_bin/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=400 $PG_DURABILITY' start"
