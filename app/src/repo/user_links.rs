//! One-time links sent by email (an invitation, a password reset). Only the
//! SHA-256 of a link's token is stored; a link is taken once, atomically.

use sqlx::AnyConnection;

use crate::domain::UserId;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The invitee sets a first password (valid 72 hours).
    Invitation,
    /// A user who forgot their password sets a new one (valid 1 hour).
    PasswordReset,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
        }
    }
}

/// Stores a new link.
#[tracing::instrument(skip(conn, token_hash))]
pub async fn insert_link(
    conn: &mut AnyConnection,
    user: UserId,
    purpose: LinkPurpose,
    token_hash: &str,
    created_at: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_links (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.0)
    .bind(purpose.as_str())
    .bind(token_hash)
    .bind(created_at)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the link hashed `token_hash` if it is unused and unexpired at `now`
/// and belongs to a user who is not deactivated: marks it used and returns its
/// user and purpose. Two requests with one link: one gets it.
#[tracing::instrument(skip(conn, token_hash))]
pub async fn take_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<(UserId, LinkPurpose)>, sqlx::Error> {
    let taken: Option<(i64, String)> = sqlx::query_as(
        "UPDATE user_links SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
           AND user_id IN (SELECT id FROM users WHERE deactivated_at IS NULL)
         RETURNING user_id, purpose",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(taken.and_then(|(user, purpose)| {
        let purpose = match purpose.as_str() {
            "invitation" => LinkPurpose::Invitation,
            "password_reset" => LinkPurpose::PasswordReset,
            _ => return None,
        };
        Some((UserId(user), purpose))
    }))
}

/// Whether the link would be taken now, without taking it (the Set your
/// password page says at once that a link is spent or expired).
#[tracing::instrument(skip(conn, token_hash))]
pub async fn link_is_usable(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT l.id FROM user_links l JOIN users u ON u.id = l.user_id
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND u.deactivated_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Spends every open link of a user (a new password makes older links void).
#[tracing::instrument(skip(conn))]
pub async fn spend_links_of(conn: &mut AnyConnection, user: UserId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE user_links SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
