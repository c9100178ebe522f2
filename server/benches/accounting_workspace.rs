//! Accounting's workspace at a vendor's volume (issue 16): the Decision
//! panel, the Approvals queue (all partners, one partner, a page deep), an
//! order line's Statement (first page and one deep in its history), a
//! customer's holding Statement, and the Partner drawdowns export from end
//! to end, through the services the screens and the export call. Beside
//! each figure, the raw engine's round trip (`SELECT 1` on the same pool)
//! measured in the same run, since these machines are noisy.
//!
//!     cargo bench -p server --features app/ssr --bench accounting_workspace -- [REQUESTS]
//!
//! REQUESTS (default 100,000) accepted requests of one unit each on one
//! order line (two ledger entries each, one customer per 100 of them, one
//! other partner per 1,000), then 2,000 requests waiting for accounting.
//! Runs on a real SQLite file, then on PostgreSQL when
//! `PORTAL_BENCH_POSTGRES_URL` names a server (a database of its own is
//! created and dropped).

use std::time::{Duration, Instant};

use app::domain::{DrawdownCursor, DrawdownId, OrderLineId, PageRequest, ProductId};
use app::events::Events;
use app::repo::Db;
use app::services::exports::ExportRange;
use app::services::Services;
use app::settings::Settings;
use tokio::sync::Notify;

#[path = "support/engines.rs"]
mod engines;
#[path = "support/history.rs"]
mod history;

use engines::{median, ms, report};
/// Requests waiting for a decision.
const WAITING: i64 = 2_000;

#[tokio::main]
async fn main() {
    let requests: i64 = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    engines::on_each_engine("accounting", |engine, url| async move {
        measure(engine, &url, requests).await
    })
    .await;
}

async fn measure(engine: &str, url: &str, requests: i64) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let partner = history::demo_user(&db, "partner@example.com").await;
    let accounting = history::demo_user(&db, "accounting@example.com").await;
    let started = Instant::now();
    let (order, line) = history::bench_line(&db, &partner).await;
    history::seed_history(&db, &partner, order, line, requests).await;
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
    let waiting = seed_waiting(&services, &partner, order, line).await;
    let (ledger, accounts) = counts(&db).await;
    println!(
        "{engine}: seeded {} requests ({WAITING} waiting), {ledger} ledger entries, {accounts} accounts in {:.1} s",
        requests + WAITING,
        started.elapsed().as_secs_f64()
    );
    let baseline = engines::round_trip(&db).await;
    println!(
        "  {:<52} {:>8.3} ms",
        "raw engine round trip (SELECT 1)",
        ms(baseline)
    );
    let subject = waiting[WAITING as usize / 2];
    let queue = services
        .approvals_queue(&accounting, None, None, PageRequest::first(0))
        .await
        .expect("queue");
    let deep_queue = deep_cursor(&services, &accounting).await;
    let (customer, product) = holder(&db, line).await;
    let middle_entry = middle_ledger_entry(&db, line).await;
    let reads: Vec<(&str, Duration)> = vec![
        (
            "Decision panel of a waiting request",
            median(|| async {
                services
                    .decision_panel(&accounting, subject)
                    .await
                    .expect("panel");
            })
            .await,
        ),
        (
            "Approvals, first page (every partner)",
            median(|| async {
                services
                    .approvals_queue(&accounting, None, None, PageRequest::first(0))
                    .await
                    .expect("queue");
            })
            .await,
        ),
        (
            "Approvals of one partner",
            median(|| async {
                services
                    .approvals_queue(&accounting, Some(partner.account_id), None, PageRequest::first(0))
                    .await
                    .expect("queue");
            })
            .await,
        ),
        (
            "Approvals, a page 1,000 requests deep",
            median(|| async {
                services
                    .approvals_queue(&accounting, None, None, Some(deep_queue).into())
                    .await
                    .expect("queue");
            })
            .await,
        ),
        (
            "Statement of the line, first page",
            median(|| async {
                services
                    .line_statement(&accounting, line, None)
                    .await
                    .expect("statement");
            })
            .await,
        ),
        (
            "Statement of the line, a page half-way back",
            median(|| async {
                services
                    .line_statement(&accounting, line, Some(middle_entry))
                    .await
                    .expect("statement");
            })
            .await,
        ),
        (
            "Statement of a customer's holding",
            median(|| async {
                services
                    .holding_statement(&partner, customer, product, None)
                    .await
                    .expect("holding statement");
            })
            .await,
        ),
    ];
    assert_eq!(queue.rows.len(), 50);
    for (read, took) in reads {
        report(read, took, baseline);
    }
    // The Partner drawdowns export, every request, chunk after chunk as the
    // endpoint reads them (its CSV encoding apart).
    let started = Instant::now();
    let export = services
        .start_drawdowns_export(&partner, partner.account_id, None, None, ExportRange::default())
        .await
        .expect("export");
    let (mut rows, mut after) = (0usize, None::<DrawdownCursor>);
    loop {
        let (chunk, next) = services
            .requests_export_chunk(&export, after, 500)
            .await
            .expect("chunk");
        rows += chunk.len();
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "  {:<52} {rows} requests with lines and histories in {took:.2} s ({:.0} requests/s)",
        "Partner drawdowns export, read",
        rows as f64 / took
    );
}

/// `WAITING` submitted requests of one unit on `line`, saved through the
/// services as a partner does (each its own transaction, new customers).
async fn seed_waiting(
    services: &Services<'_>,
    partner: &app::domain::CurrentUser,
    order: app::domain::OrderId,
    line: OrderLineId,
) -> Vec<DrawdownId> {
    let mut ids = Vec::with_capacity(WAITING as usize);
    for i in 0..WAITING {
        let form = app::domain::DrawdownForm {
            customer_account: format!("Waiting customer {i}"),
            customer_website: format!("https://waiting-{i}.example/"),
            customer_name: "Contact".into(),
            customer_email: "contact@waiting.example".into(),
            quantities: vec![(line, "1".into())],
        };
        ids.push(
            services
                .save(partner, Some(order), &form, None)
                .await
                .expect("saved")
                .id,
        );
    }
    ids
}

async fn counts(db: &Db) -> (i64, i64) {
    let mut conn = db.read().await.expect("conn");
    let ledger = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(&mut *conn)
        .await
        .expect("ledger");
    let accounts = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&mut *conn)
        .await
        .expect("accounts");
    (ledger, accounts)
}

/// The queue's cursor after its first 1,000 requests.
async fn deep_cursor(services: &Services<'_>, accounting: &app::domain::CurrentUser) -> DrawdownCursor {
    let page = services
        .approvals_queue(accounting, None, None, PageRequest::first(500))
        .await
        .expect("queue");
    let page = services
        .approvals_queue(
            accounting,
            None,
            None,
            PageRequest {
                after: page.next,
                rows: Some(500),
            },
        )
        .await
        .expect("queue");
    page.next.expect("more than 1,000 waiting")
}

/// A customer of the history and the line's product.
async fn holder(db: &Db, line: OrderLineId) -> (app::domain::AccountId, ProductId) {
    let mut conn = db.read().await.expect("conn");
    let (customer, product): (i64, i64) = sqlx::query_as(
        "SELECT e.account_id, e.product_id FROM ledger_entries l
         JOIN entitlements e ON e.drawdown_request_id = l.drawdown_request_id
         WHERE l.order_line_id = $1 AND l.kind = 'draw' ORDER BY l.id LIMIT 1",
    )
    .bind(line.0)
    .fetch_one(&mut *conn)
    .await
    .expect("a customer of the history");
    (app::domain::AccountId(customer), ProductId(product))
}

/// The id of the ledger entry half-way through the line's history.
async fn middle_ledger_entry(db: &Db, line: OrderLineId) -> i64 {
    let mut conn = db.read().await.expect("conn");
    let (low, high): (i64, i64) =
        sqlx::query_as("SELECT min(id), max(id) FROM ledger_entries WHERE order_line_id = $1")
            .bind(line.0)
            .fetch_one(&mut *conn)
            .await
            .expect("the line's entries");
    (low + high) / 2
}
