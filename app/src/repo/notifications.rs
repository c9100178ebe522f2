//! Messages between the server processes that share one PostgreSQL
//! database (`LISTEN`/`NOTIFY`). Each process listens with a connection of
//! its own (`server::relay`); this is the sending side.

use sqlx::AnyConnection;

use super::Engine;

/// The channel live-update events travel on.
pub const EVENTS_CHANNEL: &str = "portal_events";

/// Sends `payload` to every process listening on `channel`, this one
/// included. PostgreSQL only: SQLite has one server process.
pub async fn notify(conn: &mut AnyConnection, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The channel that wakes the background workers of every process.
pub const WORK_CHANNEL: &str = "portal_work";

/// Background work one process queues and any process's worker may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    Mail,
    Provisioning,
}

impl Work {
    pub fn as_str(self) -> &'static str {
        match self {
            Work::Mail => "mail",
            Work::Provisioning => "provisioning",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mail" => Some(Work::Mail),
            "provisioning" => Some(Work::Provisioning),
            _ => None,
        }
    }
}

/// Wakes the workers of every process for `work`, when the calling
/// transaction commits (PostgreSQL delivers a notification at commit, and
/// not at all on rollback). Does nothing on SQLite, whose single process
/// wakes its own workers.
pub async fn wake_workers(conn: &mut AnyConnection, work: Work) -> Result<(), sqlx::Error> {
    if Engine::of(conn) == Engine::Postgres {
        notify(conn, WORK_CHANNEL, work.as_str()).await?;
    }
    Ok(())
}
