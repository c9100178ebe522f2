//! How many drawdown steps per second the portal sustains, and how that
//! figure holds as the ledger grows: each client runs Save → approve → accept
//! against the same order line, all at once, on databases whose ledger was
//! seeded beforehand with 0, 100,000 and 1,000,000 entries.
//!
//!     cargo bench -p server --bench drawdown_cycle -- [CLIENTS SECONDS] [--sizes=0,100000,1000000] [--rounds=3]
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
//!
//! `PORTAL_BENCH_LOG=sqlx::query=debug` logs every statement each step runs;
//! `PORTAL_BENCH_KEEP=1` keeps the databases for reading their query plans
//! (`scripts/query_plans.py`); `PORTAL_BENCH_SKIP_SQLITE=1` measures
//! PostgreSQL only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::{DrawdownForm, OrderLineId, Transition};
use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::settings::Settings;
use sqlx::Connection;
use tokio::sync::Notify;

#[path = "support/history.rs"]
mod history;
use history::{bench_line, demo_user as user, seed_history};

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
            webhooks_queued: &self.notify,
            address: None,
            token: None,
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

    let rounds: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("--rounds="))
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);

    let mut report = Vec::new();
    // Kept until the end of the run, so their databases are.
    let mut dirs = Vec::new();
    if std::env::var_os("PORTAL_BENCH_SKIP_SQLITE").is_none() {
        let mut benches = Vec::new();
        for &size in &sizes {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            benches.push(prepare("SQLite", &url, size, clients).await);
            dirs.push(dir);
        }
        report.extend(measure_rounds(benches, clients, seconds, rounds).await);
    }
    if let Ok(server) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("PostgreSQL server");
        let mut benches = Vec::new();
        let mut names = Vec::new();
        for &size in &sizes {
            let name = format!("portal_bench_{}_{size}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create database");
            let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
            url.set_path(&name);
            benches.push(prepare("PostgreSQL", url.as_str(), size, clients).await);
            names.push((name, url));
        }
        report.extend(measure_rounds(benches, clients, seconds, rounds).await);
        for (name, url) in names {
            if std::env::var_os("PORTAL_BENCH_KEEP").is_some() {
                println!("kept {url}");
                continue;
            }
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop database");
        }
    } else {
        println!("(set PORTAL_BENCH_POSTGRES_URL to measure PostgreSQL too)");
    }
    // To read the query plans on the databases the run left.
    for dir in dirs {
        if std::env::var_os("PORTAL_BENCH_KEEP").is_some() {
            println!("kept {}", dir.keep().join("bench.db").display());
        }
    }

    println!(
        "\n{clients} clients, {seconds} s a run, one order line, median of {rounds} rounds taking the sizes in turn; \
         raw = bare guarded UPDATE + ledger INSERT per transaction\n"
    );
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

/// One engine's database at one ledger size, seeded and checked, ready to
/// be measured.
struct Bench {
    engine: &'static str,
    ledger_entries: i64,
    seed_seconds: f64,
    check_seconds: f64,
    shared: Arc<Shared>,
    partner: app::domain::CurrentUser,
    accounting: app::domain::CurrentUser,
    order: app::domain::OrderId,
    line: OrderLineId,
}

async fn prepare(engine: &'static str, url: &str, size: i64, clients: usize) -> Bench {
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
    Bench {
        engine,
        ledger_entries,
        seed_seconds,
        check_seconds,
        shared: Arc::new(Shared {
            db,
            settings: Settings::default(),
            events: Events::new(),
            notify: Notify::new(),
        }),
        partner,
        accounting,
        order,
        line,
    }
}

/// One run of the cycle on each database in turn, `rounds` times, so that
/// the machine's drift over the run falls on every size alike; then the
/// raw limit on each. Figures are the medians of the rounds.
async fn measure_rounds(benches: Vec<Bench>, clients: usize, seconds: u64, rounds: usize) -> Vec<Figures> {
    let mut runs: Vec<Vec<Run>> = benches.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for (bench, runs) in benches.iter().zip(&mut runs) {
            println!(
                "\nround {round}/{rounds}: drawdown cycle on {}, ledger of {} entries at the start: {clients} clients, {seconds} s",
                bench.engine, bench.ledger_entries
            );
            runs.push(cycles(bench, clients, seconds).await);
        }
    }
    let mut report = Vec::new();
    for (bench, mut runs) in benches.into_iter().zip(runs) {
        let raw_per_second = raw_limit(&bench.shared.db, bench.line, clients, seconds).await;
        println!(
            "raw limit on {} at {}: {raw_per_second:.0} transactions/s",
            bench.engine, bench.ledger_entries
        );
        runs.sort_by(|a, b| a.transitions_per_second.total_cmp(&b.transitions_per_second));
        let median = &runs[runs.len() / 2];
        report.push(Figures {
            engine: bench.engine,
            ledger_entries: bench.ledger_entries,
            seed_seconds: bench.seed_seconds,
            check_seconds: bench.check_seconds,
            cycles_per_second: median.cycles_per_second,
            transitions_per_second: median.transitions_per_second,
            p50_ms: median.p50_ms,
            p99_ms: median.p99_ms,
            raw_per_second,
        });
        bench.shared.db.close().await;
    }
    report
}

/// What one run of the cycle measured.
struct Run {
    cycles_per_second: f64,
    transitions_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

async fn cycles(bench: &Bench, clients: usize, seconds: u64) -> Run {
    let (order, line) = (bench.order, bench.line);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let shared = Arc::clone(&bench.shared);
            let (partner, accounting) = (bench.partner.clone(), bench.accounting.clone());
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
    check(&bench.shared.db, "after the cycles").await;
    Run {
        cycles_per_second: cycles as f64 / elapsed,
        transitions_per_second,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    }
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
                    .bind(app::clock::Clock::system().now())
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
