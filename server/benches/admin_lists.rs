//! Administration's lists at a vendor's volume (issue 15): each list's
//! first page, a page deep in it (after a cursor), and a search, through the
//! services a vendor admin's screen calls, on a database with thousands of
//! partners, tens of thousands of customers, users and orders. Beside each
//! figure, the raw engine's round trip (`SELECT 1` on the same pool) measured
//! in the same run, since these machines are noisy.
//!
//!     cargo bench -p server --features app/ssr --bench admin_lists -- [PARTNERS]
//!
//! PARTNERS (default 5,000) each get 5 customers, 4 users and 2 orders of 3
//! lines: 25,000 customers, 20,000 users, 10,000 orders at the default.
//! Runs on a real SQLite file, then on PostgreSQL when
//! `PORTAL_BENCH_POSTGRES_URL` names a server (a database of its own is
//! created and dropped).

use std::time::{Duration, Instant};

use app::domain::{AccountKind, AdminCursor};
use app::events::Events;
use app::repo::Db;
use app::services::{Caller, Services};
use app::settings::Settings;
use tokio::sync::Notify;

#[path = "support/engines.rs"]
mod engines;
#[path = "support/history.rs"]
#[expect(dead_code, reason = "this benchmark reads the demo users only")]
mod history;

use engines::{median, ms, report};

#[tokio::main]
async fn main() {
    let partners: i64 = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(5_000);
    engines::on_each_engine("admin", |engine, url| async move {
        measure(engine, &url, partners).await
    })
    .await;
}

/// Seeds `partners` and their people, customers and orders in bulk (one
/// statement a table), then times each list.
async fn measure(engine: &str, url: &str, partners: i64) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let started = Instant::now();
    seed(&db, partners).await;
    let counts = counts(&db).await;
    println!(
        "{engine}: seeded {} partners, {} customers, {} users, {} orders, {} order lines in {:.1} s",
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
        started.elapsed().as_secs_f64()
    );
    let admin = history::demo_user(&db, "admin@example.com").await;
    let (settings, events, notify) = (Settings::default(), Events::new(), Notify::new());
    let services = Services {
        db: &db,
        settings: &settings,
        events: &events,
        mail_queued: &notify,
        provisioning_queued: &notify,
        webhooks_queued: &notify,
        address: None,
        token: None,
    };
    let by = Caller::User(&admin);
    // A cursor half-way down each list: a deep page costs what the first does.
    let deep = |key: String, id: i64| Some(AdminCursor { key, id });
    let middle = 1_000_000 + partners / 2;
    let baseline = engines::round_trip(&db).await;
    println!(
        "  {:<46} {:>8.3} ms",
        "raw engine round trip (SELECT 1)",
        ms(baseline)
    );
    let reads: Vec<(&str, Duration)> = vec![
        (
            "Partners, first page",
            median(|| async {
                services
                    .account_rows(by, AccountKind::Partner, "", None)
                    .await
                    .expect("partners");
            })
            .await,
        ),
        (
            "Partners, a page half-way",
            median(|| async {
                let after = deep(format!("bench partner {middle}"), 0);
                services
                    .account_rows(by, AccountKind::Partner, "", after)
                    .await
                    .expect("partners");
            })
            .await,
        ),
        (
            "Customers, first page",
            median(|| async {
                services
                    .account_rows(by, AccountKind::Customer, "", None)
                    .await
                    .expect("customers");
            })
            .await,
        ),
        (
            "Customers, search \"bench customer 1000042\"",
            median(|| async {
                services
                    .account_rows(by, AccountKind::Customer, "bench customer 1000042", None)
                    .await
                    .expect("customers");
            })
            .await,
        ),
        (
            "Users, first page",
            median(|| async {
                services.user_rows(&admin, "", None).await.expect("users");
            })
            .await,
        ),
        (
            "Users, a page half-way",
            median(|| async {
                let after = deep(format!("user-{middle}"), 0);
                services.user_rows(&admin, "", after).await.expect("users");
            })
            .await,
        ),
        (
            "Orders (with their lines), first page",
            median(|| async {
                services.order_rows(by, "", None).await.expect("orders");
            })
            .await,
        ),
        (
            "Orders, a page half-way",
            median(|| async {
                let after = deep(format!("SO-BENCH-{middle}-1"), 0);
                services.order_rows(by, "", after).await.expect("orders");
            })
            .await,
        ),
        (
            "Orders, search \"so-bench-1000042\"",
            median(|| async {
                services
                    .order_rows(by, "so-bench-1000042", None)
                    .await
                    .expect("orders");
            })
            .await,
        ),
        (
            "Products",
            median(|| async {
                services.product_rows(by, "", None).await.expect("products");
            })
            .await,
        ),
    ];
    for (read, took) in reads {
        report(read, took, baseline);
    }
}

/// Bulk rows, one statement a table, numbered by a recursive CTE (both engines).
async fn seed(db: &Db, partners: i64) {
    let mut tx = db.begin().await.expect("tx");
    let numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)";
    let statements = [
        format!(
            "{numbers} INSERT INTO accounts (kind, name, created_at)
             SELECT 'partner', 'Bench Partner ' || (1000000 + i), 0 FROM n"
        ),
        format!(
            "{numbers}, c(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM c WHERE j < 5)
             INSERT INTO accounts (kind, name, managed_by, created_at)
             SELECT 'customer', 'Bench Customer ' || (1000000 + i) || '-' || j, p.id, 0
             FROM n, c, accounts p WHERE p.kind = 'partner' AND p.name = 'Bench Partner ' || (1000000 + i)"
        ),
        format!(
            "{numbers}, u(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM u WHERE j < 4)
             INSERT INTO users (email, display_name, role, account_id, password_hash, created_at)
             SELECT 'user-' || (1000000 + i) || '-' || j || '@bench.example', 'Bench User', 'partner_user', p.id, '', 0
             FROM n, u, accounts p WHERE p.kind = 'partner' AND p.name = 'Bench Partner ' || (1000000 + i)"
        ),
        format!(
            "{numbers}, o(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM o WHERE j < 2)
             INSERT INTO orders (number, partner_id, ordered_on, created_at)
             SELECT 'SO-BENCH-' || (1000000 + i) || '-' || j, p.id, '2026-01-01', 0
             FROM n, o, accounts p WHERE p.kind = 'partner' AND p.name = 'Bench Partner ' || (1000000 + i)"
        ),
    ];
    for sql in &statements {
        sqlx::query(sql)
            .bind(partners)
            .execute(&mut *tx)
            .await
            .expect(sql);
    }
    sqlx::query(
        "WITH RECURSIVE l(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM l WHERE k < 3)
         INSERT INTO order_lines (order_id, line_no, product_id, quantity, term_months)
         SELECT o.id, l.k, p.id, 100, 12
         FROM orders o, l, (SELECT id, row_number() OVER (ORDER BY id) AS k FROM products) p
         WHERE o.number LIKE 'SO-BENCH-%' AND p.k = l.k",
    )
    .execute(&mut *tx)
    .await
    .expect("order lines");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("tx");
    sqlx::query("ANALYZE").execute(&mut *tx).await.expect("analyze");
    tx.commit().await.expect("commit");
}

async fn counts(db: &Db) -> Vec<i64> {
    let mut conn = db.read().await.expect("conn");
    let mut out = Vec::new();
    for sql in [
        "SELECT count(*) FROM accounts WHERE kind = 'partner'",
        "SELECT count(*) FROM accounts WHERE kind = 'customer'",
        "SELECT count(*) FROM users",
        "SELECT count(*) FROM orders",
        "SELECT count(*) FROM order_lines",
    ] {
        out.push(sqlx::query_scalar(sql).fetch_one(&mut *conn).await.expect(sql));
    }
    out
}
