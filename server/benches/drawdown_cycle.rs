//! How many drawdown steps per second the portal sustains, and how that
//! figure holds as the ledger grows: each client runs Save → approve → accept
//! against the same order line, all at once, on databases whose ledger was
//! seeded beforehand with 0, 100,000 and 1,000,000 entries.
//!
//!     cargo bench -p server --bench drawdown_cycle -- [CLIENTS SECONDS] [--sizes=0,100000,1000000]
//!
//! Runs on a real SQLite file, then, when `PORTAL_BENCH_POSTGRES_URL` names
//! a PostgreSQL server, on fresh databases there (created and dropped by the
//! run), so every figure comes from one run: `bash scripts/bench.sh`. Goes
//! through the same services the server functions call (validation, ledger,
//! history, outbox, events); no HTTP.
//!
//! Beside each figure, the raw limit of the engine in the same run: the bare
//! hot-row transaction (the conditional UPDATE of one order line and one
//! ledger insert, through the same pools, pragmas and durability, with as
//! many clients) with no portal code. The portal's transitions per second
//! are reported as a share of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::{DrawdownForm, OrderId, OrderLineId, Transition};
use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::state::Settings;
use sqlx::Connection;
use tokio::sync::Notify;

struct Shared {
    db: Db,
    settings: Settings,
    events: Events,
    notify: Notify,
}

impl Shared {
    fn services(&self) -> Services<'_> {
        Services {
            db: &self.db,
            settings: &self.settings,
            events: &self.events,
            mail_queued: &self.notify,
            provisioning_queued: &self.notify,
        }
    }
}

/// One row of the report.
struct Figures {
    engine: &'static str,
    ledger_entries: i64,
    seed_seconds: f64,
    check_seconds: f64,
    cycles_per_second: f64,
    transitions_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    raw_per_second: f64,
}

async fn user(db: &Db, email: &str) -> app::domain::CurrentUser {
    let mut conn = db.read().await.expect("conn");
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .expect("user");
    app::repo::users::find_user(&mut conn, app::domain::UserId(id))
        .await
        .expect("query")
        .expect("user")
}

#[tokio::main]
async fn main() {
    // An internal error's cause is logged, not returned: show it. Set
    // PORTAL_BENCH_LOG=sqlx::query=debug to see every statement a step runs.
    let filter = std::env::var("PORTAL_BENCH_LOG").unwrap_or_else(|_| "error".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<u64> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = numbers.first().map_or(8, |n| *n as usize);
    let seconds = numbers.get(1).copied().unwrap_or(10);
    let sizes: Vec<i64> = args
        .iter()
        .find_map(|a| a.strip_prefix("--sizes="))
        .unwrap_or("0,100000,1000000")
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect();

    let mut report = Vec::new();
    for &size in &sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        report.push(run("SQLite", &url, size, clients, seconds).await);
        // To read the query plans on the database the run left.
        if std::env::var_os("PORTAL_BENCH_KEEP").is_some() {
            println!("kept {}", dir.keep().join("bench.db").display());
        }
    }
    if let Ok(server) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("PostgreSQL server");
        for &size in &sizes {
            let name = format!("portal_bench_{}_{size}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create database");
            let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
            url.set_path(&name);
            report.push(run("PostgreSQL", url.as_str(), size, clients, seconds).await);
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop database");
        }
    } else {
        println!("(set PORTAL_BENCH_POSTGRES_URL to measure PostgreSQL too)");
    }

    println!("\n{clients} clients, {seconds} s a run, one order line; raw = bare guarded UPDATE + ledger INSERT per transaction\n");
    println!("| engine | ledger entries | cycles/s | transitions/s | p50 / p99 ms | raw tx/s | portal / raw | vs empty | seed s | check s |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for f in &report {
        // The first size measured on the same engine (the empty ledger by default).
        let empty = report
            .iter()
            .find(|e| e.engine == f.engine)
            .map_or(f.transitions_per_second, |e| e.transitions_per_second);
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.2} / {:.2} | {:.0} | {:.1} % | {:+.1} % | {:.1} | {:.1} |",
            f.engine,
            f.ledger_entries,
            f.cycles_per_second,
            f.transitions_per_second,
            f.p50_ms,
            f.p99_ms,
            f.raw_per_second,
            100.0 * f.transitions_per_second / f.raw_per_second,
            100.0 * (f.transitions_per_second / empty - 1.0),
            f.seed_seconds,
            f.check_seconds,
        );
    }
}

async fn run(engine: &'static str, url: &str, size: i64, clients: usize, seconds: u64) -> Figures {
    // One connection per client at most, as a server process would have.
    let db = Db::connect_with(url, clients as u32).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let partner = user(&db, "partner@example.com").await;
    let accounting = user(&db, "accounting@example.com").await;
    let (order, line) = bench_line(&db, &partner).await;

    let started = Instant::now();
    seed_history(&db, &partner, order, line, size / 2).await;
    let seed_seconds = started.elapsed().as_secs_f64();
    let ledger_entries: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("count");
    let started = Instant::now();
    check(&db, "after seeding").await;
    let check_seconds = started.elapsed().as_secs_f64();

    let shared = Arc::new(Shared {
        db,
        settings: Settings::default(),
        events: Events::new(),
        notify: Notify::new(),
    });
    println!(
        "\ndrawdown cycle on {engine}, ledger of {ledger_entries} entries: {clients} clients, {seconds} s"
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let shared = Arc::clone(&shared);
            let (partner, accounting) = (partner.clone(), accounting.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut cycle = 0;
                while Instant::now() < deadline {
                    let form = DrawdownForm {
                        customer_account: format!("Bench customer {}", (client * 7 + cycle) % 50),
                        customer_website: format!("https://bench-{}.example", (client * 7 + cycle) % 50),
                        customer_name: "Bench Contact".into(),
                        customer_email: "bench@customer.example".into(),
                        quantities: vec![(line, "1".into())],
                    };
                    let s = shared.services();
                    let t = Instant::now();
                    let saved = s.save(&partner, Some(order), &form, None).await.expect("save");
                    latencies.push(t.elapsed());
                    let t = Instant::now();
                    s.change(&accounting, saved.id, Transition::Approve, None)
                        .await
                        .expect("approve");
                    latencies.push(t.elapsed());
                    let t = Instant::now();
                    s.change(&partner, saved.id, Transition::Accept, None)
                        .await
                        .expect("accept");
                    latencies.push(t.elapsed());
                    cycle += 1;
                }
                (cycle, latencies)
            })
        })
        .collect();
    let mut cycles = 0;
    let mut latencies = Vec::new();
    for task in tasks {
        let (c, l) = task.await.expect("client");
        cycles += c;
        latencies.extend(l);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    };
    let transitions_per_second = (cycles * 3) as f64 / elapsed;
    println!(
        "cycles (Save, approve, accept): {cycles} in {elapsed:.1} s = {:.0} cycles/s, {transitions_per_second:.0} transitions/s",
        cycles as f64 / elapsed
    );
    println!(
        "latency per transition: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
    check(&shared.db, "after the cycles").await;

    let raw_per_second = raw_limit(&shared.db, line, clients, seconds).await;
    println!("raw limit: {raw_per_second:.0} transactions/s");
    shared.db.close().await;
    Figures {
        engine,
        ledger_entries,
        seed_seconds,
        check_seconds,
        cycles_per_second: cycles as f64 / elapsed,
        transitions_per_second,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        raw_per_second,
    }
}

/// An order of the demo partner with one line large enough for any run:
/// the history and the benchmark's own cycles all draw from it, the worst
/// case for a balance summed from the ledger.
async fn bench_line(db: &Db, partner: &app::domain::CurrentUser) -> (OrderId, OrderLineId) {
    let mut tx = db.begin().await.expect("tx");
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at) VALUES ('SO-BENCH', $1, '2026-01-01', 0) RETURNING id",
    )
    .bind(partner.account_id.0)
    .fetch_one(&mut *tx)
    .await
    .expect("order");
    let line: i64 = sqlx::query_scalar(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, term_months)
         SELECT $1, 1, id, 1000000000000, 12 FROM products WHERE name = 'IQ Bot pages' RETURNING id",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("line");
    sqlx::query(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, order_line_id, created_at)
         SELECT $1, product_id, quantity, term_months, id, 0 FROM order_lines WHERE id = $2",
    )
    .bind(partner.account_id.0)
    .bind(line)
    .execute(&mut *tx)
    .await
    .expect("entitlement");
    tx.commit().await.expect("commit");
    (OrderId(order), OrderLineId(line))
}

/// Seeds `requests` accepted drawdowns of one unit each on `line`, spread
/// over customers of the partner (one per 100 requests, at most 5,000):
/// two ledger entries each (reserve, draw), with their request rows, lines,
/// history and the customers' entitlements, and the line's stored balance
/// moved to match, so `server ledger check` is clean. Bulk SQL, in one
/// transaction; both engines take it as it is.
async fn seed_history(
    db: &Db,
    partner: &app::domain::CurrentUser,
    order: OrderId,
    line: OrderLineId,
    requests: i64,
) {
    if requests == 0 {
        return;
    }
    let customers = (requests / 100).clamp(1, 5000);
    let (p, o, l, u) = (partner.account_id.0, order.0, line.0, partner.id.0);
    let series =
        |n: i64| format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})");
    let mut tx = db.begin().await.expect("tx");
    let base: i64 = sqlx::query_scalar("SELECT next FROM drawdown_numbers WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .expect("numbers");
    let after: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM accounts")
        .fetch_one(&mut *tx)
        .await
        .expect("accounts");
    sqlx::query(&format!(
        "{} INSERT INTO accounts (kind, name, website, contact_name, contact_email, managed_by, created_at)
         SELECT 'customer', 'History customer ' || i, 'https://history-' || i || '.example/', 'Contact',
                'contact@history.example', {p}, 0 FROM s",
        series(customers)
    ))
    .execute(&mut *tx)
    .await
    .expect("customers");
    // Ids of one INSERT are consecutive on both engines (a sequence's cache
    // of 1 on PostgreSQL); the request of number base + i - 1 goes to the
    // (i mod customers)-th of them.
    let first_customer: i64 = sqlx::query_scalar("SELECT min(id) FROM accounts WHERE id > $1")
        .bind(after)
        .fetch_one(&mut *tx)
        .await
        .expect("first customer");
    let t0 = app::repo::now() - 10 * requests;
    let statements = [
        format!(
            "{} INSERT INTO drawdown_requests (number, partner_id, order_id, customer_account_id, customer_name,
                 customer_website, contact_name, contact_email, state, requested_by, created_at, changed_at, customer_key)
             SELECT {base} - 1 + i, {p}, {o}, c.id, c.name, c.website, 'Contact', 'contact@history.example',
                    'accepted', {u}, {t0} + 10 * i, {t0} + 10 * i, lower(c.name)
             FROM s JOIN accounts c ON c.id = {first_customer} + (i % {customers})",
            series(requests)
        ),
        format!(
            "INSERT INTO drawdown_request_lines (drawdown_request_id, order_line_id, quantity)
             SELECT id, {l}, 1 FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, created_at)
             SELECT {l}, 'reserve', 1, id, created_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, to_account_id, created_at)
             SELECT {l}, 'draw', 1, id, customer_account_id, changed_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, NULL, 'submitted', {u}, created_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, 'submitted', 'approved', {u}, created_at + 5 FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, 'approved', 'accepted', {u}, changed_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO entitlements (account_id, product_id, quantity, term_months, drawdown_request_id, created_at)
             SELECT d.customer_account_id, ol.product_id, 1, ol.term_months, d.id, d.changed_at
             FROM drawdown_requests d JOIN order_lines ol ON ol.id = {l} WHERE d.number >= {base}"
        ),
        format!("UPDATE order_lines SET drawn = drawn + {requests} WHERE id = {l}"),
        format!("UPDATE drawdown_numbers SET next = {base} + {requests} WHERE id = 1"),
    ];
    for sql in &statements {
        sqlx::query(sql)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    tx.commit().await.expect("commit");
    // Fresh statistics, as a database that grew over years has.
    let mut conn = db.read().await.expect("conn");
    sqlx::query("ANALYZE").execute(&mut *conn).await.expect("analyze");
}

/// `server ledger check`'s comparison, which must find nothing.
async fn check(db: &Db, when: &str) {
    let mut conn = db.read().await.expect("conn");
    let (checked, mismatches) = app::repo::reconciliation::find_mismatches(&mut conn)
        .await
        .expect("ledger check");
    assert!(mismatches.is_empty(), "ledger check {when}: {mismatches:?}");
    println!(
        "ledger check {when}: clean ({} ledger entries, {} order lines)",
        checked.ledger_entries, checked.order_lines
    );
}

/// Transactions per second of the bare hot-row transaction: the guarded
/// UPDATE of the line and one ledger INSERT, `clients` at once, through the
/// portal's own pools.
async fn raw_limit(db: &Db, line: OrderLineId, clients: usize, seconds: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let mut tx = db.begin().await.expect("tx");
                    let moved = sqlx::query(
                        "UPDATE order_lines SET reserved = reserved + 1 WHERE id = $1 AND quantity - reserved - drawn >= 1",
                    )
                    .bind(line.0)
                    .execute(&mut *tx)
                    .await
                    .expect("update");
                    assert_eq!(moved.rows_affected(), 1);
                    sqlx::query(
                        "INSERT INTO ledger_entries (order_line_id, kind, quantity, created_at) VALUES ($1, 'reserve', 1, $2)",
                    )
                    .bind(line.0)
                    .bind(app::repo::now())
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
                    tx.commit().await.expect("commit");
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut done = 0;
    for task in tasks {
        done += task.await.expect("client");
    }
    done as f64 / started.elapsed().as_secs_f64()
}
