//! How many drawdown steps per second the portal sustains: each client runs
//! Save → approve → accept against the same order line, all at once.
//!
//!     cargo bench -p server --bench drawdown_cycle [-- CLIENTS SECONDS]
//!
//! Runs on a real SQLite file, then, when `PORTAL_BENCH_POSTGRES_URL` names
//! a PostgreSQL server, on a fresh database there (created and dropped by
//! the run), so both figures come from one run: `bash scripts/bench.sh`.
//! Goes through the same services the server functions call (validation,
//! ledger, history, outbox, events); no HTTP.

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
    // An internal error's cause is logged, not returned: show it.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::ERROR)
        .init();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let clients: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(8);
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    run("SQLite", &url, clients, seconds).await;

    if let Ok(server) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        let name = format!("portal_bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("PostgreSQL server");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
        url.set_path(&name);
        run("PostgreSQL", url.as_str(), clients, seconds).await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop database");
    } else {
        println!("(set PORTAL_BENCH_POSTGRES_URL to measure PostgreSQL too)");
    }
}

async fn run(engine: &str, url: &str, clients: usize, seconds: u64) {
    // One connection per client at most, as a server process would have.
    let db = Db::connect_with(url, clients as u32).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let (order, line): (i64, i64) = sqlx::query_as(
        "SELECT o.id, ol.id FROM order_lines ol JOIN orders o ON o.id = ol.order_id JOIN products p ON p.id = ol.product_id
         WHERE o.number = 'SO-2026-0101' AND p.name = 'IQ Bot pages'",
    )
    .fetch_one(&mut *db.read().await.expect("conn"))
    .await
    .expect("line");
    let partner = user(&db, "partner@example.com").await;
    let accounting = user(&db, "accounting@example.com").await;
    let shared = Arc::new(Shared {
        db,
        settings: Settings::default(),
        events: Events::new(),
        notify: Notify::new(),
    });

    println!(
        "\ndrawdown cycle on {engine}: {clients} clients, {seconds} s, one order line (50,000 IQ Bot pages)"
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
                        quantities: vec![(OrderLineId(line), "1".into())],
                    };
                    let s = shared.services();
                    let t = Instant::now();
                    let saved = s
                        .save(&partner, Some(OrderId(order)), &form, None)
                        .await
                        .expect("save");
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
    println!(
        "cycles (Save, approve, accept): {cycles} in {elapsed:.1} s = {:.0} cycles/s",
        cycles as f64 / elapsed
    );
    println!(
        "transitions: {} = {:.0} transitions/s",
        cycles * 3,
        (cycles * 3) as f64 / elapsed
    );
    println!(
        "latency per transition: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        pct(1.0)
    );
}
