//! Reminders and escalations of drawdown requests (SPEC, "Reminders"):
//! which are due, and the record of each sent, whose key (request, kind,
//! deadline) lets one process alone send it.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use crate::domain::{DrawdownId, ReminderKind};

/// A request a reminder of some kind is due for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueReminder {
    pub request: DrawdownId,
    pub kind: ReminderKind,
    /// When the request entered the state the reminder is about.
    pub since: i64,
    /// When the reminder became due.
    pub deadline: i64,
}

/// The requests in `kind`'s state since `delay` seconds before `now` or
/// longer, with no such reminder sent for this stay in the state; oldest
/// first, at most `limit`. Read in the order of `drawdown_requests_state`.
#[tracing::instrument(skip(conn))]
pub async fn list_due_reminders(
    conn: &mut AnyConnection,
    kind: ReminderKind,
    delay: i64,
    now: i64,
    limit: i64,
) -> Result<Vec<DueReminder>, sqlx::Error> {
    sqlx::query(
        "SELECT d.id, d.changed_at FROM drawdown_requests d
         WHERE d.state = $1 AND d.changed_at <= $2
           AND NOT EXISTS (SELECT 1 FROM drawdown_reminders r
                           WHERE r.drawdown_request_id = d.id AND r.kind = $3 AND r.deadline = d.changed_at + $4)
         ORDER BY d.changed_at, d.id
         LIMIT $5",
    )
    .bind(kind.state().as_str())
    .bind(now - delay)
    .bind(kind.as_str())
    .bind(delay)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let since: i64 = r.try_get("changed_at")?;
        Ok(DueReminder {
            request: DrawdownId(r.try_get("id")?),
            kind,
            since,
            deadline: since + delay,
        })
    })
    .collect()
}

/// Records `due` as sent at `at` if the request is still where it was
/// (same state, same moment it entered it) and nobody recorded it yet;
/// `false` otherwise. On PostgreSQL a second process inserting the same key
/// waits for the first to commit, then records nothing.
#[tracing::instrument(skip(conn))]
pub async fn record_reminder(
    conn: &mut AnyConnection,
    due: &DueReminder,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let recorded = sqlx::query(
        "INSERT INTO drawdown_reminders (drawdown_request_id, kind, deadline, sent_at)
         SELECT $1, $2, $3, $4 WHERE EXISTS
             (SELECT 1 FROM drawdown_requests WHERE id = $1 AND state = $5 AND changed_at = $6)
         ON CONFLICT DO NOTHING",
    )
    .bind(due.request.0)
    .bind(due.kind.as_str())
    .bind(due.deadline)
    .bind(at)
    .bind(due.kind.state().as_str())
    .bind(due.since)
    .execute(&mut *conn)
    .await?;
    Ok(recorded.rows_affected() == 1)
}

/// The reminders sent about a request, oldest first: its history lists them.
#[tracing::instrument(skip(conn))]
pub async fn list_reminders_of(
    conn: &mut AnyConnection,
    request: DrawdownId,
) -> Result<Vec<(ReminderKind, i64)>, sqlx::Error> {
    sqlx::query(
        "SELECT kind, sent_at FROM drawdown_reminders WHERE drawdown_request_id = $1 ORDER BY sent_at, kind",
    )
    .bind(request.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok((
            decode_stored(r, "kind", ReminderKind::parse)?,
            r.try_get("sent_at")?,
        ))
    })
    .collect()
}
