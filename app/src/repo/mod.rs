//! Storage. All SQL lives in these modules, one per aggregate; functions are
//! `verb_noun`, take a connection or a transaction, and leave committing to
//! the caller, so one state change is one transaction.
//!
//! The engine is chosen at run time from the database URL through sqlx's
//! `Any` driver. Queries use `$N` placeholders and SQL both SQLite and
//! PostgreSQL accept; what differs between engines (DDL) lives in the
//! engine's own migrations folder (`migrations/sqlite`, `migrations/postgres`),
//! and the few statements that differ (row locks, claims) ask `Engine::of`.
//! Callers never learn which engine runs.

pub mod accounting;
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod cloud_services;
pub mod drawdowns;
pub mod entitlements;
pub mod exports;
pub mod ledger;
pub mod license_files;
pub mod notifications;
pub mod orders;
pub mod outbox;
pub mod products;
pub mod reconciliation;
pub mod reminders;
pub mod sessions;
pub mod statements;
pub mod usage;
pub mod user_links;
pub mod users;
pub mod webhooks;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A connection borrowed from the pool, for reads.
pub type Conn = sqlx::pool::PoolConnection<Any>;
/// A write transaction.
pub type Tx = Transaction<'static, Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The database engines the portal runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file, one server process.
    Sqlite,
    /// For production: several server processes share one database.
    Postgres,
}

impl Engine {
    /// The engine a database URL names, if the portal runs on it.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// The engine behind an open connection.
    pub(crate) fn of(conn: &AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL (expected sqlite:… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The portal's database: a pool for reads and one for writes.
///
/// SQLite allows one writer at a time. A deferred transaction that reads and
/// then writes can fail at once with "database is locked" when another writer
/// got in between, whatever the busy timeout. Routing every write through a
/// pool of exactly one connection serialises writers inside the process, so
/// that cannot happen; readers use their own pool and, with WAL, never wait.
/// PostgreSQL takes concurrent writers, so both pools are one there, and the
/// repositories lock the rows a check-then-write depends on.
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
}

/// How many connections one server process opens to PostgreSQL, unless
/// `PORTAL_DATABASE_CONNECTIONS` says otherwise.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 10;

impl Db {
    /// Opens the database at `url`: `sqlite://data/portal.db` (the file is
    /// created if missing) or `postgres://user@host/name` (the database must
    /// exist). Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        Self::connect_with(url, DEFAULT_POSTGRES_CONNECTIONS).await
    }

    /// As `connect`, with at most `postgres_connections` connections to
    /// PostgreSQL (SQLite's pools are fixed).
    pub async fn connect_with(url: &str, postgres_connections: u32) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        match Engine::of_url(url) {
            Some(Engine::Sqlite) => Self::connect_sqlite(url).await,
            Some(Engine::Postgres) => {
                // While the server is away a request fails (503) after this
                // long instead of hanging; the pool reconnects on its own.
                let pool = AnyPoolOptions::new()
                    .max_connections(postgres_connections.max(1))
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(url)
                    .await?;
                Ok(Self {
                    read: pool.clone(),
                    write: pool,
                    engine: Engine::Postgres,
                })
            }
            None => Err(OpenError::UnsupportedUrl(url.to_string())),
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Self, OpenError> {
        let url = if url.contains("mode=") {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let sqlite_pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        prepare_sqlite_connection(conn).await?;
                        Ok(())
                    })
                })
        };
        // The writer first: it switches the file to WAL before readers open it.
        let write = sqlite_pool(1).connect_with(options.clone()).await?;
        let read = sqlite_pool(8).connect_with(options).await?;
        Ok(Self {
            read,
            write,
            engine: Engine::Sqlite,
        })
    }

    /// Which engine this is.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Brings the schema up to date. Several processes may start at once:
    /// sqlx holds an advisory lock on PostgreSQL while it migrates.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.write).await?,
        }
        let mut conn = self.write.acquire().await?;
        accounts::backfill_website_domains(&mut conn).await?;
        Ok(())
    }

    /// Applies the migrations up to and including `last_version` only: what
    /// an older release left, for tests that upgrade a populated database.
    pub async fn migrate_until(&self, last_version: i64) -> Result<(), OpenError> {
        let all = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        let older = sqlx::migrate::Migrator {
            migrations: all
                .iter()
                .filter(|m| m.version <= last_version)
                .cloned()
                .collect(),
            ignore_missing: all.ignore_missing,
            locking: all.locking,
            no_tx: all.no_tx,
        };
        older.run(&self.write).await?;
        Ok(())
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Conn, sqlx::Error> {
        self.read.acquire().await
    }

    /// A read transaction: the statements of one screen see the database as
    /// of one moment (PostgreSQL's repeatable read; SQLite's snapshot of a
    /// read transaction in WAL mode).
    pub async fn snapshot(&self) -> Result<Tx, sqlx::Error> {
        let mut tx = self.read.begin().await?;
        if self.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Starts the transaction of one state change.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// True when the database answers a query now.
    pub async fn is_ready(&self) -> bool {
        match self.read.acquire().await {
            Ok(mut conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
            Err(_) => false,
        }
    }

    /// Writes a consistent copy of a SQLite database to the new file `path`
    /// while the portal serves: `VACUUM INTO` reads in one transaction, so
    /// writers carry on and the copy is the database as of its start.
    /// PostgreSQL is copied with its own tools (`pg_dump`), never here.
    pub async fn backup_sqlite_to(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        if self.engine != Engine::Sqlite {
            return Err(sqlx::Error::Configuration(
                "only a SQLite database is backed up by the portal; use pg_dump for PostgreSQL".into(),
            ));
        }
        let mut conn = self.read.acquire().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections in use.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// Tables whose rows a check-then-write locks first.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Locked {
    /// A partner's account, while its customers are looked up and created.
    Account,
}

/// Locks one row until the transaction ends, so that transactions checking
/// the same balance take turns. On SQLite this is already so (one writer at a
/// time), so it does nothing there. `NO KEY UPDATE` rather than `UPDATE`:
/// it still excludes other lockers, but not the key-share locks foreign key
/// checks take, which would otherwise deadlock a Save (whose new request
/// refers to the partner) with an acceptance (which locks the partner).
pub(crate) async fn lock_row(conn: &mut AnyConnection, table: Locked, id: i64) -> Result<(), sqlx::Error> {
    if Engine::of(conn) == Engine::Sqlite {
        return Ok(());
    }
    let sql = match table {
        Locked::Account => "SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE",
    };
    sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// What a claim query adds to its inner SELECT so that workers in several
/// processes pass over rows another worker is claiming instead of waiting
/// for them (and then claiming them again). SQLite has one writer at a time.
pub(crate) fn skip_locked(conn: &AnyConnection) -> &'static str {
    match Engine::of(conn) {
        Engine::Sqlite => "",
        Engine::Postgres => "FOR UPDATE SKIP LOCKED",
    }
}

async fn prepare_sqlite_connection(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // WAL lets readers run beside the writer; NORMAL sync is durable in WAL
    // mode except for the last commits on power loss; foreign keys are off
    // by default in SQLite; the busy timeout covers other processes (an admin
    // command next to the server). A page cache of 32 MiB a connection
    // (SQLite's default is 2 MiB) keeps the upper levels of every index of a
    // database with years of history in memory.
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
        "PRAGMA cache_size = -32768",
        "PRAGMA mmap_size = 1073741824",
    ] {
        conn.execute(pragma).await?;
    }
    Ok(())
}

/// Reads a stored enum value (a role, a kind, a license model) back, or says
/// which column held something the code does not know.
pub(crate) fn decode_stored<T>(
    row: &sqlx::any::AnyRow,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    use sqlx::Row;
    let value: String = row.try_get(column)?;
    parse(&value).ok_or_else(|| sqlx::Error::Decode(format!("unknown {column} {value:?}").into()))
}

/// A request number, stored as its sequence, or which column held a bad one.
pub(crate) fn decode_number(
    row: &sqlx::any::AnyRow,
    column: &str,
) -> Result<crate::domain::PdrNumber, sqlx::Error> {
    use sqlx::Row;
    let number: i64 = row.try_get(column)?;
    crate::domain::PdrNumber::from_sequence(number)
        .ok_or_else(|| sqlx::Error::Decode(format!("bad request number {number} in {column}").into()))
}

/// The request a row refers to through its `id_column` and
/// `number_column`, if it refers to one.
pub(crate) fn decode_request_ref(
    row: &sqlx::any::AnyRow,
    id_column: &str,
    number_column: &str,
) -> Result<Option<(crate::domain::DrawdownId, crate::domain::PdrNumber)>, sqlx::Error> {
    use sqlx::Row;
    match row.try_get::<Option<i64>, _>(id_column)? {
        Some(id) if row.try_get::<Option<i64>, _>(number_column)?.is_some() => Ok(Some((
            crate::domain::DrawdownId(id),
            decode_number(row, number_column)?,
        ))),
        _ => Ok(None),
    }
}

/// The tables whose rows are deactivated rather than deleted (the ledger
/// and the history refer to them).
#[derive(Debug, Clone, Copy)]
pub enum Deactivatable {
    Accounts,
    Products,
    Orders,
}

/// Deactivates a row at `at` (`Some`) or reactivates it (`None`); false
/// when it already was, so that a repeated click records nothing.
#[tracing::instrument(skip(conn))]
pub async fn set_deactivated(
    conn: &mut AnyConnection,
    table: Deactivatable,
    id: i64,
    at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let table = match table {
        Deactivatable::Accounts => "accounts",
        Deactivatable::Products => "products",
        Deactivatable::Orders => "orders",
    };
    let was = if at.is_some() { "IS NULL" } else { "IS NOT NULL" };
    let done = sqlx::query(&format!(
        "UPDATE {table} SET deactivated_at = $1 WHERE id = $2 AND deactivated_at {was}"
    ))
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A unique constraint, as each engine reports it.
pub(crate) struct UniqueKey {
    /// The constraint's name, as PostgreSQL reports it.
    pub constraint: &'static str,
    /// The columns, as SQLite reports them ("UNIQUE constraint failed: users.email"),
    /// since SQLite does not report constraint names.
    pub sqlite_columns: &'static str,
}

/// True when `err` is a violation of `key`; never judged by message text alone.
pub(crate) fn is_unique_violation(err: &sqlx::Error, key: &UniqueKey) -> bool {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            db.constraint() == Some(key.constraint)
                || db.message().ends_with(&format!(": {}", key.sqlite_columns))
        }
        _ => false,
    }
}
