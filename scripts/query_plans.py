#!/usr/bin/env python3
"""The query plan of every distinct statement in a statement log, on a
database with history, flagging each full scan of a table.

    PORTAL_BENCH_LOG=sqlx::query=debug PORTAL_BENCH_KEEP=1 \\
        cargo bench -p server --features app/ssr --bench drawdown_cycle -- 1 2 --sizes=1000000 > log.txt 2>&1
    python3 scripts/query_plans.py log.txt DATABASE

DATABASE is the SQLite file or the postgres:// URL the run printed as kept.
Placeholders are bound to 1: a plan shows which index serves a condition,
whatever the value.
"""
import collections
import re
import subprocess
import sys


def statements(log_path):
    log = re.sub(r"\x1b\[[0-9;]*m", "", open(log_path, errors="replace").read())
    found = collections.OrderedDict()
    pattern = r'db\.statement="((?:[^"\\]|\\.)*)" rows_affected=(\d+) rows_returned=(\d+)'
    for m in re.finditer(pattern, log):
        sql = " ".join(m.group(1).encode().decode("unicode_escape").split())
        if sql.startswith(("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "ANALYZE", "SELECT 1", "CREATE", "DROP")):
            continue
        if "_sqlx_migrations" in sql or "RECURSIVE" in sql:
            continue
        seen = found.setdefault(sql, [0, 0])
        seen[0] += 1
        seen[1] = max(seen[1], int(m.group(3)))
    return found


def sqlite_plan(db, sql):
    params = {str(i): 1 for i in range(1, 30) if f"${i}" in sql}
    return [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def postgres_plan(url, sql):
    literal = re.sub(r"\$\d+", "'1'", sql)
    out = subprocess.run(["psql", url, "-XAtqc", "EXPLAIN " + literal], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()


def main():
    log_path, database = sys.argv[1], sys.argv[2]
    if database.startswith("postgres"):
        plan = lambda sql: postgres_plan(database, sql)
        scan = lambda line: "Seq Scan" in line
    else:
        import sqlite3
        db = sqlite3.connect(database)
        plan = lambda sql: sqlite_plan(db, sql)
        scan = lambda line: line.startswith("SCAN") and "CONSTANT ROW" not in line
    for sql, (runs, rows) in statements(log_path).items():
        try:
            lines = plan(sql)
        except Exception as error:  # a statement this engine cannot explain
            lines = [f"cannot explain: {error}"]
        mark = "SCAN" if any(scan(line) for line in lines) else "ok"
        print(f"[{mark}] ran {runs}x, at most {rows} rows: {sql}")
        for line in lines:
            print(f"        {line}")


if __name__ == "__main__":
    main()
