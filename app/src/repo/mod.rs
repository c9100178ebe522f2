//! Storage. All SQL lives in these modules, one per aggregate; functions are
//! `verb_noun`, take a connection or a transaction, and leave committing to
//! the caller, so one state change is one transaction.
//!
//! The engine is chosen at run time from the database URL through sqlx's
//! `Any` driver. Queries use `$N` placeholders and SQL both SQLite and
//! PostgreSQL accept; what differs between engines (DDL) lives in the
//! engine's own migrations folder. Callers never learn which engine runs.

pub mod accounts;
pub mod cloud_services;
pub mod drawdowns;
pub mod entitlements;
pub mod ledger;
pub mod license_files;
pub mod orders;
pub mod outbox;
pub mod products;
pub mod sessions;
pub mod usage;
pub mod users;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A connection borrowed from the pool, for reads.
pub type Conn = sqlx::pool::PoolConnection<Any>;
/// A write transaction.
pub type Tx = Transaction<'static, Any>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The database engines the portal runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL (expected sqlite:…): {0}")]
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
#[derive(Clone, Debug)]
pub struct Db {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
}

impl Db {
    /// Opens the database at `url` (e.g. `sqlite://data/portal.db`), creating
    /// a SQLite file if it is missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        if !url.starts_with("sqlite:") {
            return Err(OpenError::UnsupportedUrl(url.to_string()));
        }
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

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.write).await?,
        }
        Ok(())
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<Conn, sqlx::Error> {
        self.read.acquire().await
    }

    /// Starts the transaction of one state change.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await
    }

    /// Closes both pools, waiting for connections in use.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

async fn prepare_sqlite_connection(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    // WAL lets readers run beside the writer; NORMAL sync is durable in WAL
    // mode except for the last commits on power loss; foreign keys are off
    // by default in SQLite; the busy timeout covers other processes (an admin
    // command next to the server).
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
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

/// Seconds since the Unix epoch: how every timestamp is stored.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
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
