//! The budget of a drawdown cycle and of each screen's read, in a test
//! binary of its own (it listens to every statement the process runs): on a
//! SQLite database with history, Save → approve → accept and each screen's
//! read (Partner drawdowns with Load more and search, Approvals, a request's
//! page, Entitlements, the account selector, the three license tabs,
//! Administration's lists) run no
//! more statements than their budget, and none of them scans a table.
//! Statement counts and query plans do not depend on how busy the machine
//! is, so this catches a new query or a lost index on a noisy CI machine,
//! where a timing would not.

use std::sync::{Arc, Mutex};

use app::domain::{DrawdownForm, ListRows, PageRequest, Transition};
use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::settings::Settings;
use tokio::sync::Notify;
use tracing_subscriber::layer::SubscriberExt;

#[path = "../../benches/support/history.rs"]
mod history;

/// Statements one cycle may run, BEGIN, COMMIT and a new connection's
/// pragmas not counted: 37 today, of which one audit entry per step (Save,
/// approve, accept; issue 15) and one webhook queueing per event (submitted,
/// approved, accepted, entitlement.changed; issue 17), an indexed
/// INSERT … SELECT whatever the number of endpoints.
const STATEMENTS_PER_CYCLE: usize = 37;

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
            // A connection's set-up (its pragmas) is not the work of a step.
            let counted =
                !sql.is_empty() && !["BEGIN", "COMMIT", "PRAGMA"].iter().any(|s| sql.starts_with(s));
            if counted {
                self.0.lock().expect("statements").push(sql);
            }
        }
    }
}

#[tokio::test]
async fn a_drawdown_cycle_and_each_screen_on_a_ledger_with_history_run_their_budget_of_statements_and_scan_no_table(
) {
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
        webhooks_queued: &notify,
        address: None,
        token: None,
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
    let mut conn = db.read().await.expect("conn");
    assert_budget(&mut conn, "one drawdown cycle", &ran, STATEMENTS_PER_CYCLE).await;

    // Each screen's read, on the same history, by who uses it.
    let customer: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE name = 'History customer 7'")
        .fetch_one(&mut *conn)
        .await
        .expect("the customer of the cycle");
    let customer = app::domain::AccountId(customer);
    let take = || std::mem::take(&mut *statements.0.lock().expect("statements"));
    let _ = take();
    let page = services
        .list_drawdowns(&partner, partner.account_id, None, None, PageRequest::first(0))
        .await
        .expect("partner drawdowns");
    assert_eq!(page.rows.len(), 50);
    let after = page.next.expect("a second page");
    services
        .list_drawdowns(&partner, partner.account_id, None, None, Some(after))
        .await
        .expect("load more");
    services
        .list_drawdowns(
            &partner,
            partner.account_id,
            None,
            Some("history customer 12".into()),
            PageRequest::first(0),
        )
        .await
        .expect("customer search");
    let screens = [(
        "Partner drawdowns: first page, Load more, customer search",
        take(),
        3 * SCREEN_STATEMENTS,
    )];
    let mut checked = Vec::from(screens);
    services
        .list_approvals(&accounting, None, PageRequest::first(0))
        .await
        .expect("approvals");
    checked.push(("Approvals", take(), SCREEN_STATEMENTS));
    services.drawdown(&partner, saved.id).await.expect("request page");
    checked.push(("a request's page", take(), SCREEN_STATEMENTS));
    // Accounting's workspace (issue 16): the Decision panel in one snapshot,
    // the queue of one partner, the line's statement and its second page.
    services
        .decision_panel(&accounting, saved.id)
        .await
        .expect("decision panel");
    checked.push(("the Decision panel", take(), SCREEN_STATEMENTS + 1));
    services
        .approvals_queue(&accounting, Some(partner.account_id), None, PageRequest::first(0))
        .await
        .expect("approvals queue");
    checked.push(("Approvals of one partner", take(), SCREEN_STATEMENTS));
    let statement = services
        .line_statement(&accounting, line, None)
        .await
        .expect("statement");
    services
        .line_statement(&accounting, line, statement.next)
        .await
        .expect("statement, page 2");
    checked.push((
        "a line's Statement and its second page",
        take(),
        2 * SCREEN_STATEMENTS,
    ));
    services
        .entitlements(&partner, partner.account_id)
        .await
        .expect("partner entitlements");
    services
        .entitlements(&partner, customer)
        .await
        .expect("customer entitlements");
    checked.push((
        "Entitlements of the partner and of a customer",
        take(),
        2 * SCREEN_STATEMENTS,
    ));
    // The statement of what the cycle's customer holds of the line's
    // product, and a chunk of each export (issue 16).
    let product: i64 = sqlx::query_scalar("SELECT product_id FROM order_lines WHERE id = $1")
        .bind(line.0)
        .fetch_one(&mut *conn)
        .await
        .expect("the line's product");
    let product = app::domain::ProductId(product);
    services
        .holding_statement(&partner, customer, product, None)
        .await
        .expect("holding statement");
    checked.push(("a customer's holding Statement", take(), SCREEN_STATEMENTS));
    let everything = app::services::exports::ExportRange::default();
    let export = services
        .start_drawdowns_export(&partner, partner.account_id, None, None, everything)
        .await
        .expect("drawdowns export");
    let (rows, _) = services
        .requests_export_chunk(&export, None, 500)
        .await
        .expect("a chunk");
    assert_eq!(rows.len(), 500);
    checked.push((
        "Partner drawdowns CSV: a chunk of 500 requests with their lines and histories",
        take(),
        6,
    ));
    let export = services
        .start_approvals_export(&accounting, None, None, everything)
        .expect("approvals export");
    services
        .requests_export_chunk(&export, None, 500)
        .await
        .expect("a chunk");
    checked.push(("Approvals CSV: a chunk", take(), 5));
    let (_, export) = services
        .start_entitlements_export(&partner, partner.account_id, everything)
        .await
        .expect("entitlements export");
    services
        .entitlements_export_chunk(export, 0, 2_000)
        .await
        .expect("a chunk");
    checked.push(("Entitlements CSV: a chunk", take(), 2));
    let (_, _, cursor) = services
        .start_holding_export(&partner, customer, product, None, None)
        .await
        .expect("holding export");
    services
        .holding_export_chunk(cursor.expect("movements"), 2_000)
        .await
        .expect("a chunk");
    checked.push((
        "a holding Statement's CSV: its start and a chunk",
        take(),
        SCREEN_STATEMENTS + 1,
    ));
    services
        .account_choices(&partner, None, Some(customer))
        .await
        .expect("account selector");
    services
        .account_choices(&partner, Some("History customer 4"), None)
        .await
        .expect("find an account");
    checked.push((
        "Select an account, Find an account",
        take(),
        2 * SCREEN_STATEMENTS,
    ));
    services
        .cloud_licenses(&partner, customer)
        .await
        .expect("cloud licenses");
    services
        .file_licenses(&partner, customer, ListRows::FIRST)
        .await
        .expect("file licenses");
    services
        .cloud_services(&partner, customer, ListRows::FIRST)
        .await
        .expect("cloud services");
    checked.push((
        "Cloud licenses, File licenses, Cloud services",
        take(),
        3 * SCREEN_STATEMENTS,
    ));
    // Administration's lists (issue 15), by a vendor admin: a page, the
    // next one, a search.
    let admin = history::demo_user(&db, "admin@example.com").await;
    let by = app::services::Caller::User(&admin);
    for i in 0..60 {
        services
            .create_account(
                by,
                app::domain::AccountKind::Partner,
                &app::domain::AccountForm {
                    name: format!("Listed partner {i:02}"),
                    ..Default::default()
                },
            )
            .await
            .expect("partner");
    }
    let _ = take();
    let partners = services
        .account_rows(by, app::domain::AccountKind::Partner, "", None)
        .await
        .expect("partners");
    services
        .account_rows(by, app::domain::AccountKind::Partner, "", partners.next)
        .await
        .expect("more partners");
    services
        .account_rows(by, app::domain::AccountKind::Customer, "history customer 1", None)
        .await
        .expect("customers");
    checked.push((
        "Administration: Partners, Load more, Customers searched",
        take(),
        3,
    ));
    let orders = services.order_rows(by, "", None).await.expect("orders");
    services
        .order_rows(by, "", orders.next)
        .await
        .expect("more orders");
    services
        .order_rows(by, "so-2026", None)
        .await
        .expect("orders searched");
    checked.push(("Administration: Orders, Load more, a search", take(), 6));
    services.user_rows(&admin, "", None).await.expect("users");
    services
        .user_rows(&admin, "part", None)
        .await
        .expect("users searched");
    services.product_rows(by, "", None).await.expect("products");
    checked.push(("Administration: Users, a search, Products", take(), 3));
    // Every process runs these each minute, with nothing due nearly always.
    services.expire_due().await.expect("expiry");
    services.send_due_reminders().await.expect("reminders");
    services
        .release_lapsed_license_files(app::clock::Clock::system().now())
        .await
        .expect("license leases");
    checked.push((
        "the minute's sweeps: approvals due, reminders due (4 kinds), license files lapsed",
        take(),
        6,
    ));
    for (screen, ran, budget) in &checked {
        assert_budget(&mut conn, screen, ran, *budget).await;
    }
}

/// Statements one screen's read may run: a handful, whatever the history.
const SCREEN_STATEMENTS: usize = 6;

/// `ran` is within `budget` statements and none of their plans scans a table.
async fn assert_budget(conn: &mut sqlx::AnyConnection, what: &str, ran: &[String], budget: usize) {
    assert!(
        ran.len() <= budget,
        "{} statements for {what}, budget {budget}:\n{}",
        ran.len(),
        ran.join("\n")
    );
    let mut scans = Vec::new();
    for sql in ran.iter().filter(|sql| !sql.trim().is_empty()) {
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
        // The one row a statement without FROM makes is no table, nor is a
        // subquery's result (its own steps are checked above it).
        let subqueries: Vec<String> = plan
            .iter()
            .filter_map(|step| {
                step.strip_prefix("CO-ROUTINE ")
                    .or_else(|| step.strip_prefix("MATERIALIZE "))
                    .map(|name| format!("SCAN {}", name.trim()))
            })
            .collect();
        let grows = |step: &String| {
            step.starts_with("SCAN") && !step.contains("CONSTANT ROW") && !subqueries.contains(step)
        };
        if plan.iter().any(grows) {
            scans.push(format!("{sql}\n    {}", plan.join("\n    ")));
        }
    }
    assert!(
        scans.is_empty(),
        "statements of {what} that scan a table:\n{}",
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

/// Without the query planner stability guarantee, SQLite (built with STAT4)
/// prepares a statement again at every new binding once the database has
/// statistics, which cost the drawdown cycle a fifth of its speed; the
/// workspace's `.cargo/config.toml` builds it in.
#[tokio::test]
async fn sqlite_keeps_the_plan_each_statement_was_prepared_with() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("portal.db").display()))
        .await
        .expect("connect");
    let mut conn = db.read().await.expect("conn");
    let options: Vec<String> = sqlx::query_scalar("SELECT compile_options FROM pragma_compile_options")
        .fetch_all(&mut *conn)
        .await
        .expect("compile options");
    assert!(
        options.iter().any(|o| o == "ENABLE_QPSG"),
        "SQLite built without ENABLE_QPSG (LIBSQLITE3_FLAGS in .cargo/config.toml): {options:?}"
    );
}
