//! A fresh, migrated database for every test: a SQLite file in its own
//! folder, or, when `PORTAL_TEST_POSTGRES_URL` names a PostgreSQL server
//! (`scripts/test.sh` starts one), a database of its own on that server.

use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::settings::Settings;
use sqlx::Connection;
use tempfile::TempDir;
use tokio::sync::Notify;

/// The server's state over `db` with `settings`, as `serve` builds it (no
/// site files: the tests call routes and services, not pages).
pub fn app_state(db: Db, settings: Settings) -> app::state::AppState {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("portal")
        .build();
    server::app_state(db, settings, options)
}

/// The variable that switches the suite to PostgreSQL: the URL of a database
/// on the server that test databases are created from.
pub const POSTGRES_URL_VAR: &str = "PORTAL_TEST_POSTGRES_URL";

/// A database that lives as long as the value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    // Dropped last: removes the folder or the database.
    _place: Place,
}

enum Place {
    Folder(#[allow(dead_code)] TempDir),
    Postgres { server: String, name: String },
}

impl Drop for Place {
    fn drop(&mut self) {
        let Place::Postgres { server, name } = self else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on;
        // a thread of its own with a runtime of its own drops the database.
        let (server, name) = (server.clone(), name.clone());
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&server).await?;
                    sqlx::query(&sql).execute(&mut admin).await.map(drop)
                })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database {name}: {e}");
        }
    }
}

impl TestDb {
    /// Opens the same database again, as a restarted server would.
    pub async fn reopen(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("reopen");
        db.migrate().await.expect("migrate");
        db
    }
}

/// An empty, migrated database.
pub async fn fresh_db() -> TestDb {
    fresh_db_migrated(None).await
}

/// An empty database with the migrations up to `last_version` only: what an
/// older release left, to upgrade.
pub async fn fresh_db_at(last_version: i64) -> TestDb {
    fresh_db_migrated(Some(last_version)).await
}

async fn fresh_db_migrated(last_version: Option<i64>) -> TestDb {
    let (url, place) = match std::env::var(POSTGRES_URL_VAR) {
        Ok(server) if !server.is_empty() => fresh_postgres_database(server).await,
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("portal.db").display());
            (url, Place::Folder(dir))
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    match last_version {
        None => db.migrate().await.expect("migrate"),
        Some(version) => db.migrate_until(version).await.expect("migrate"),
    }
    TestDb {
        db,
        url,
        _place: place,
    }
}

/// Creates an empty database with a name no other test uses.
async fn fresh_postgres_database(server: String) -> (String, Place) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "portal_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={server}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
    url.set_path(&name);
    (url.to_string(), Place::Postgres { server, name })
}

/// A migrated database with the demo data.
pub async fn demo_db() -> TestDb {
    let t = fresh_db().await;
    assert!(server::demo::load_if_empty(&t.db).await.expect("demo data"));
    t
}

/// The id of the account with this name.
pub async fn account_id(db: &Db, name: &str) -> app::domain::AccountId {
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("account");
    app::domain::AccountId(id)
}

/// How many rows `table` holds (a fixed table name from the test itself).
pub async fn count_rows(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("count")
}

/// The line of `product` on order `order`.
pub async fn line_of(db: &Db, order: &str, product: &str) -> app::domain::OrderLineId {
    let id: i64 = sqlx::query_scalar(
        "SELECT ol.id FROM order_lines ol JOIN orders o ON o.id = ol.order_id JOIN products p ON p.id = ol.product_id
         WHERE o.number = $1 AND p.name = $2",
    )
    .bind(order)
    .bind(product)
    .fetch_one(&mut *db.read().await.expect("conn"))
    .await
    .expect("line");
    app::domain::OrderLineId(id)
}

/// The signed-in view of the user with this email.
pub async fn user(db: &Db, email: &str) -> app::domain::CurrentUser {
    let mut conn = db.read().await.expect("conn");
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .expect("user");
    app::repo::users::find_user(&mut conn, app::domain::UserId(id))
        .await
        .expect("query")
        .expect("user exists")
}

/// The order's id, by number.
pub async fn order_id(db: &Db, number: &str) -> app::domain::OrderId {
    let id: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE number = $1")
        .bind(number)
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("order");
    app::domain::OrderId(id)
}

/// Checks, from the raw tables, what must hold after any sequence of steps:
/// each order line's reserved part is what its Submitted and Approved
/// requests ask, its drawn part what its Accepted requests asked, none is
/// negative and together with what is available they make the line's
/// quantity; each accepted request's draws equal the entitlements it gave.
pub async fn assert_ledger_invariant(db: &Db) {
    let mut conn = db.read().await.expect("conn");
    let lines: Vec<(i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT ol.id, ol.quantity,
            CAST(coalesce((SELECT sum(CASE kind WHEN 'reserve' THEN quantity ELSE -quantity END)
                           FROM ledger_entries WHERE order_line_id = ol.id), 0) AS BIGINT),
            CAST(coalesce((SELECT sum(quantity) FROM ledger_entries
                           WHERE order_line_id = ol.id AND kind = 'draw'), 0) AS BIGINT),
            CAST(coalesce((SELECT sum(l.quantity) FROM drawdown_request_lines l
                           JOIN drawdown_requests d ON d.id = l.drawdown_request_id
                           WHERE l.order_line_id = ol.id AND d.state IN ('submitted', 'approved')), 0) AS BIGINT),
            CAST(coalesce((SELECT sum(l.quantity) FROM drawdown_request_lines l
                           JOIN drawdown_requests d ON d.id = l.drawdown_request_id
                           WHERE l.order_line_id = ol.id AND d.state = 'accepted'), 0) AS BIGINT)
         FROM order_lines ol",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("balances");
    for (line, quantity, reserved, drawn, held_by_requests, accepted) in lines {
        let available = quantity - reserved - drawn;
        assert!(
            reserved >= 0 && drawn >= 0 && available >= 0,
            "line {line}: quantity {quantity}, reserved {reserved}, drawn {drawn}"
        );
        assert_eq!(available + reserved + drawn, quantity, "line {line}");
        assert_eq!(
            reserved, held_by_requests,
            "line {line}: reserved vs open requests"
        );
        assert_eq!(drawn, accepted, "line {line}: drawn vs accepted requests");
    }
    let mismatched: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT d.id,
            CAST(coalesce((SELECT sum(quantity) FROM ledger_entries WHERE drawdown_request_id = d.id AND kind = 'draw'), 0) AS BIGINT) AS drawn,
            CAST(coalesce((SELECT sum(quantity) FROM entitlements WHERE drawdown_request_id = d.id), 0) AS BIGINT) AS given
         FROM drawdown_requests d",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("draws")
    .into_iter()
    .filter(|(_, drawn, given)| drawn != given)
    .collect();
    assert!(
        mismatched.is_empty(),
        "draws and entitlements disagree: {mismatched:?}"
    );
    assert_ledger_check_clean(db).await;
}

/// What `server ledger check` runs: every stored balance equals what its
/// ledger sums to.
pub async fn assert_ledger_check_clean(db: &Db) {
    let mut conn = db.read().await.expect("conn");
    let (_, mismatches) = app::repo::reconciliation::find_mismatches(&mut conn)
        .await
        .expect("ledger check");
    assert!(
        mismatches.is_empty(),
        "stored balances disagree with the ledgers: {}",
        mismatches
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    );
}

/// The services over one test database, as a server process holds them.
pub struct Portal {
    pub t: TestDb,
    pub settings: Settings,
    pub events: Events,
    pub notify: Notify,
    pub provisioning: Notify,
}

impl Portal {
    pub async fn demo() -> Self {
        Self {
            t: demo_db().await,
            // Time moves only when a test moves it (`clock().advance`).
            settings: Settings {
                clock: app::clock::Clock::stopped_at(app::clock::Clock::system().now()),
                ..Settings::default()
            },
            events: Events::new(),
            notify: Notify::new(),
            provisioning: Notify::new(),
        }
    }

    /// The services' clock, stopped: a test ages rows by moving it.
    pub fn clock(&self) -> &app::clock::Clock {
        &self.settings.clock
    }

    pub fn services(&self) -> Services<'_> {
        self.services_on(&self.t.db)
    }

    /// The same services over `db`, another pool on the same database: what
    /// a second server process runs.
    pub fn services_on<'a>(&'a self, db: &'a Db) -> Services<'a> {
        Services {
            db,
            settings: &self.settings,
            events: &self.events,
            mail_queued: &self.notify,
            provisioning_queued: &self.provisioning,
            webhooks_queued: &self.provisioning,
            address: None,
            token: None,
        }
    }

    /// The services of a request from `address`, as the audit log records it.
    pub fn services_from<'a>(&'a self, address: &'a str) -> Services<'a> {
        Services {
            address: Some(address),
            ..self.services()
        }
    }

    pub fn db(&self) -> &Db {
        &self.t.db
    }
}
