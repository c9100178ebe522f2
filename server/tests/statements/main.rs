//! The budget of a drawdown cycle, in a test binary of its own (it listens to
//! every statement the process runs): on a SQLite database with history,
//! Save → approve → accept runs no more statements than the budget, and none
//! of them scans a table. Statement counts and query plans do not depend on
//! how busy the machine is, so this catches a new query or a lost index on a
//! noisy CI machine, where a timing would not.

use std::sync::{Arc, Mutex};

use app::domain::{DrawdownForm, Transition};
use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::state::Settings;
use tokio::sync::Notify;
use tracing_subscriber::layer::SubscriberExt;

#[path = "../../benches/support/history.rs"]
mod history;

/// Statements one cycle may run, BEGIN and COMMIT not counted: 30 today.
const STATEMENTS_PER_CYCLE: usize = 30;

/// Collects the text of every statement sqlx logs.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Visit(Option<String>);
        impl tracing::field::Visit for Visit {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "db.statement" {
                    self.0 = Some(value.to_string());
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "db.statement" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let mut visit = Visit(None);
        event.record(&mut visit);
        if let Some(sql) = visit.0 {
            let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            if !sql.starts_with("BEGIN") && !sql.starts_with("COMMIT") {
                self.0.lock().expect("statements").push(sql);
            }
        }
    }
}

#[tokio::test]
async fn a_drawdown_cycle_on_a_ledger_with_history_runs_its_budget_of_statements_and_scans_no_table() {
    let statements = Statements::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(statements.clone()))
        .expect("the only subscriber of this test binary");

    // Arrange: 20,000 ledger entries of history on the line the cycle uses.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("portal.db").display()))
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let partner = history::demo_user(&db, "partner@example.com").await;
    let accounting = history::demo_user(&db, "accounting@example.com").await;
    let (order, line) = history::bench_line(&db, &partner).await;
    history::seed_history(&db, &partner, order, line, 10_000).await;
    let (settings, events, notify) = (Settings::default(), Events::new(), Notify::new());
    let services = Services {
        db: &db,
        settings: &settings,
        events: &events,
        mail_queued: &notify,
        provisioning_queued: &notify,
    };
    let form = DrawdownForm {
        customer_account: "History customer 7".into(),
        customer_website: "https://history-7.example/".into(),
        customer_name: "Contact".into(),
        customer_email: "contact@history.example".into(),
        quantities: vec![(line, "1".into())],
    };

    // Act: one cycle, every statement it runs recorded.
    statements.0.lock().expect("statements").clear();
    let saved = services
        .save(&partner, Some(order), &form, None)
        .await
        .expect("save");
    services
        .change(&accounting, saved.id, Transition::Approve, None)
        .await
        .expect("approve");
    services
        .change(&partner, saved.id, Transition::Accept, None)
        .await
        .expect("accept");
    let ran = std::mem::take(&mut *statements.0.lock().expect("statements"));

    // Assert: within the budget, and each statement's plan searches.
    assert!(
        ran.len() <= STATEMENTS_PER_CYCLE,
        "{} statements for one cycle, budget {STATEMENTS_PER_CYCLE}:\n{}",
        ran.len(),
        ran.join("\n")
    );
    let mut conn = db.read().await.expect("conn");
    let mut scans = Vec::new();
    for sql in &ran {
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query(&explain);
        for _ in 0..highest_placeholder(sql) {
            query = query.bind(1_i64);
        }
        let plan: Vec<String> = query
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| sqlx::Row::try_get::<String, _>(r, 3).unwrap_or_default())
            .collect();
        if plan
            .iter()
            .any(|step| step.starts_with("SCAN") && !step.contains("CONSTANT ROW"))
        {
            scans.push(format!("{sql}\n    {}", plan.join("\n    ")));
        }
    }
    assert!(
        scans.is_empty(),
        "statements of a cycle that scan a table:\n{}",
        scans.join("\n")
    );
}

/// The highest `$N` in a statement: how many values it binds.
fn highest_placeholder(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .max()
        .unwrap_or(0)
}
