//! Sign-in sessions, kept in the database so they survive a restart and work
//! on every server process.

use sqlx::{AnyConnection, Row};

use super::users::{current_user_from_row, CURRENT_USER_COLUMNS};
use crate::domain::{CurrentUser, UserId};

/// Records a new session under the hash of its token.
#[tracing::instrument(skip_all, fields(user = %user))]
pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: UserId,
    created_at: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
    )
        .bind(token_hash)
        .bind(user.0)
        .bind(created_at)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The user of a session that has not expired at `now` and was used after
/// `idle_since`, with when it was last used.
#[tracing::instrument(skip_all)]
pub async fn find_session_user(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
    idle_since: i64,
) -> Result<Option<(CurrentUser, i64)>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT s.last_seen_at, {CURRENT_USER_COLUMNS} JOIN sessions s ON s.user_id = u.id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3
           AND u.deactivated_at IS NULL AND a.deactivated_at IS NULL"
    ))
    .bind(token_hash)
    .bind(now)
    .bind(idle_since)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref()
        .map(|r| Ok((current_user_from_row(r)?, r.try_get("last_seen_at")?)))
        .transpose()
}

/// Records that the session was used at `now`.
#[tracing::instrument(skip_all)]
pub async fn touch_session(conn: &mut AnyConnection, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2")
        .bind(token_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends a session (sign-out).
#[tracing::instrument(skip_all)]
pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets sessions that expired before `now`; returns how many.
#[tracing::instrument(skip(conn))]
pub async fn delete_expired_sessions(conn: &mut AnyConnection, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of a user but the one hashed `keep` (if any): after a
/// password change, Sign out of other sessions, a deactivation.
#[tracing::instrument(skip(conn, keep))]
pub async fn delete_sessions_of(
    conn: &mut AnyConnection,
    user: UserId,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.0)
        .bind(keep.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
