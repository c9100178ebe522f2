//! `server mail dead` and `server mail retry ID`: the emails that failed for
//! good, and putting one back in the queue once its cause is mended.

use app::clock::Clock;
use app::repo::outbox::{self, DeadEmail};
use app::repo::Db;

/// Why a command on the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum MailCommandError {
    #[error("no dead email has id {0} (`server mail dead` lists them)")]
    NotDead(i64),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Every dead email, oldest first.
pub async fn dead_emails(db: &Db) -> Result<Vec<DeadEmail>, MailCommandError> {
    let mut conn = db.read().await?;
    Ok(outbox::list_dead_emails(&mut conn).await?)
}

/// Queues dead email `id` again, due now; the workers are woken.
pub async fn retry_dead_email(db: &Db, id: i64, clock: &Clock) -> Result<(), MailCommandError> {
    let mut tx = db.begin().await?;
    if !outbox::retry_dead_email(&mut tx, id, clock.now()).await? {
        return Err(MailCommandError::NotDead(id));
    }
    tx.commit().await?;
    Ok(())
}

/// One line per dead email, as `server mail dead` prints it.
pub fn describe(email: &DeadEmail) -> String {
    let when = |at: i64| {
        time::OffsetDateTime::from_unix_timestamp(at)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| at.to_string())
    };
    format!(
        "{}\t{}\tqueued {}\tdead {}\t{} attempts\t{}\t{}",
        email.id,
        email.recipient,
        when(email.created_at),
        when(email.dead_at),
        email.attempts,
        email.subject,
        email.last_error.replace(['\r', '\n'], " ")
    )
}
