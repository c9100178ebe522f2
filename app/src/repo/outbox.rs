//! Emails waiting to be delivered. A change writes its messages here in its
//! own transaction; the delivery worker claims, sends and marks them.

use sqlx::{AnyConnection, Row};

use crate::domain::DrawdownId;
use crate::i18n::Locale;

/// A message ready to queue: already in its recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub recipient: String,
    pub locale: Locale,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub drawdown_request: Option<DrawdownId>,
}

/// A queued message a worker has claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEmail {
    pub id: i64,
    /// How many times delivery has been tried, this one included.
    pub attempt: i64,
    pub email: OutgoingEmail,
}

/// Queues a message for delivery.
#[tracing::instrument(skip_all, fields(recipient = %email.recipient))]
pub async fn enqueue_email(
    conn: &mut AnyConnection,
    email: &OutgoingEmail,
    at: i64,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (recipient, locale, subject, text_body, html_body, drawdown_request_id, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&email.recipient)
    .bind(email.locale.tag())
    .bind(&email.subject)
    .bind(&email.text_body)
    .bind(&email.html_body)
    .bind(email.drawdown_request.map(|d| d.0))
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    super::notifications::wake_workers(conn, super::notifications::Work::Mail).await?;
    Ok(id)
}

/// Claims up to `limit` due messages for `lease_seconds`: no other worker
/// takes them until the lease runs out (a worker that died mid-delivery
/// leaves its claim to expire, and another one retries).
#[tracing::instrument(skip(conn))]
pub async fn claim_due_emails(
    conn: &mut AnyConnection,
    limit: i64,
    lease_seconds: i64,
    at: i64,
) -> Result<Vec<ClaimedEmail>, sqlx::Error> {
    let skip_locked = super::skip_locked(conn);
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2
                        AND (claimed_until IS NULL OR claimed_until < $2)
                      ORDER BY id LIMIT $3 {skip_locked})
         RETURNING id, attempts, recipient, locale, subject, text_body, html_body, drawdown_request_id"
    ))
    .bind(at + lease_seconds)
    .bind(at)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            Ok(ClaimedEmail {
                id: r.try_get("id")?,
                attempt: r.try_get("attempts")?,
                email: OutgoingEmail {
                    recipient: r.try_get("recipient")?,
                    locale: super::decode_stored(r, "locale", Locale::from_tag)?,
                    subject: r.try_get("subject")?,
                    text_body: r.try_get("text_body")?,
                    html_body: r.try_get("html_body")?,
                    drawdown_request: r
                        .try_get::<Option<i64>, _>("drawdown_request_id")?
                        .map(DrawdownId),
                },
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Records a delivery; a row already marked sent stays as it was.
pub async fn mark_email_sent(conn: &mut AnyConnection, id: i64, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET sent_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2 AND sent_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed attempt and when to try again.
pub async fn mark_email_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    retry_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET claimed_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3 AND sent_at IS NULL")
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When the next unsent message falls due (Unix seconds): its retry time,
/// or the end of another worker's claim on it. `None` when nothing waits.
pub async fn next_email_due(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS BIGINT)
         FROM outbox WHERE sent_at IS NULL AND dead_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await
}

/// The outbox's figures for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    /// Messages waiting for delivery: the backlog.
    pub unsent: i64,
    /// Of those, the ones whose last attempt failed and that will be tried again.
    pub retrying: i64,
    /// Messages that failed for good and wait for an operator.
    pub dead: i64,
}

/// Counts the backlog, the messages being retried and the dead ones.
pub async fn count_emails(conn: &mut AnyConnection) -> Result<OutboxCounts, sqlx::Error> {
    let (unsent, retrying, dead): (i64, i64, i64) = sqlx::query_as(
        "SELECT
            CAST(coalesce(sum(CASE WHEN dead_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
            CAST(coalesce(sum(CASE WHEN dead_at IS NULL AND last_error IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
            CAST(coalesce(sum(CASE WHEN dead_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM outbox WHERE sent_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(OutboxCounts {
        unsent,
        retrying,
        dead,
    })
}

/// How many messages wait for delivery: the outbox backlog (dead ones aside).
pub async fn count_unsent_emails(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    Ok(count_emails(conn).await?.unsent)
}

/// Gives up on a message that failed for good: it is no longer tried until
/// an operator retries it.
pub async fn mark_email_dead(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, last_error = $1, dead_at = $2 WHERE id = $3 AND sent_at IS NULL",
    )
    .bind(error)
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A message that failed for good, as `server mail dead` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadEmail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: i64,
    pub dead_at: i64,
}

/// Every dead message, oldest first.
pub async fn list_dead_emails(conn: &mut AnyConnection) -> Result<Vec<DeadEmail>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, recipient, subject, attempts, coalesce(last_error, '') AS last_error, created_at, dead_at
         FROM outbox WHERE dead_at IS NOT NULL AND sent_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DeadEmail {
                id: r.try_get("id")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
                dead_at: r.try_get("dead_at")?,
            })
        })
        .collect()
}

/// Puts a dead message back in the queue, due at `at`, with its attempts
/// counted afresh. False when `id` is no dead message.
pub async fn retry_dead_email(conn: &mut AnyConnection, id: i64, at: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1
         WHERE id = $2 AND dead_at IS NOT NULL AND sent_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        super::notifications::wake_workers(conn, super::notifications::Work::Mail).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Gives claimed messages back unsent, at once rather than when their lease
/// runs out: a worker that stops hands its batch to the others. The claim's
/// attempt did not happen, so it is not counted.
pub async fn release_email_claims(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query(
            "UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1
             WHERE id = $1 AND sent_at IS NULL AND claimed_until IS NOT NULL",
        )
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
