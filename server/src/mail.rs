//! Email delivery: the worker that empties the outbox, and its transports
//! (a folder of `.eml` files, the default; SMTP through lettre).
//!
//! Each queued row is delivered at least once and, as far as this side can
//! tell, never twice: a worker claims a row for a lease before sending, marks
//! it sent after, and retries failures with a growing delay. The message id
//! is derived from the row, so a receiver can drop a duplicate caused by a
//! crash between sending and marking; the folder transport never writes a
//! row's file twice.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::clock::Clock;
use app::repo::outbox::{self, ClaimedEmail};
use app::repo::Db;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{watch, Notify};

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// One `.eml` file per message in a folder.
    Folder(PathBuf),
    /// An SMTP relay.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Why a mail URL is refused.
#[derive(Debug, thiserror::Error)]
pub enum MailUrlError {
    #[error("PORTAL_MAIL_URL must start with smtp://, smtps:// or file:// (got {0:?})")]
    Scheme(String),
    #[error("cannot use the SMTP URL: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl Transport {
    /// `file://PATH` (relative paths are relative to the working folder),
    /// `smtp://[user:password@]host[:port][?tls=required]` or `smtps://…`, as
    /// lettre reads them.
    pub fn from_url(url: &str) -> Result<Self, MailUrlError> {
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(Self::Folder(PathBuf::from(path)));
        }
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?
                .timeout(Some(Duration::from_secs(20)))
                .build();
            return Ok(Self::Smtp(transport));
        }
        Err(MailUrlError::Scheme(url.to_string()))
    }

    async fn send(&self, outbox_id: i64, message: Message) -> Result<(), SendFailure> {
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| SendFailure {
                // A 5xx answer: this message will not go through as it is.
                // A 4xx, a refused connection or a timeout may pass later.
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
            Self::Folder(folder) => {
                let path = folder.join(format!("{outbox_id:08}.eml"));
                if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                    return Ok(());
                }
                tokio::fs::create_dir_all(folder)
                    .await
                    .map_err(SendFailure::temporary)?;
                // Written aside, then renamed: a reader never sees half a message.
                let partial = folder.join(format!(".{outbox_id:08}.eml.partial"));
                tokio::fs::write(&partial, message.formatted())
                    .await
                    .map_err(SendFailure::temporary)?;
                tokio::fs::rename(&partial, &path)
                    .await
                    .map_err(SendFailure::temporary)
            }
        }
    }
}

/// Why a message was not sent, as far as trying again goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// Trying the same message again cannot help (a 5xx, an unusable address).
    pub permanent: bool,
    pub reason: String,
}

impl SendFailure {
    fn temporary(err: impl std::fmt::Display) -> Self {
        Self {
            permanent: false,
            reason: err.to_string(),
        }
    }

    fn permanent(reason: String) -> Self {
        Self {
            permanent: true,
            reason,
        }
    }
}

/// The outbox worker of one process.
#[derive(Clone)]
pub struct MailWorker {
    pub db: Db,
    pub transport: Transport,
    pub from: Mailbox,
    /// The first retry waits this long; each next one twice as long, up to an hour.
    pub retry_base: Duration,
    /// Woken when a change queued messages.
    pub queued: Arc<Notify>,
    /// The longest it waits without a wake-up (`DEFAULT_MAX_IDLE`).
    pub max_idle: Duration,
    /// How many times a message that fails for good is tried before it is
    /// marked dead (`DEFAULT_MAX_ATTEMPTS`). A temporary failure is tried
    /// until it passes, at most an hour apart, and counted in `/metrics`.
    pub max_attempts: i64,
    /// Seconds a claimed message stays with this worker (`DEFAULT_LEASE_SECONDS`).
    pub lease_seconds: i64,
    /// Where due times and delivery times are read.
    pub clock: Clock,
}

/// Tries of a message refused for good before it is dead: a 5xx can come
/// of a relay's passing misconfiguration, so a few, backing off.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 5;

/// How long a claimed row stays with the worker that claimed it, unless
/// configured: a process killed in the middle of a round leaves its claimed
/// messages to the others (or to itself, restarted) after this long.
pub const DEFAULT_LEASE_SECONDS: i64 = 60;
/// The longest the worker waits without a wake-up, unless configured:
/// messages queued by another process without a wake-up (SQLite), or a
/// lost wake-up, are picked up within this time.
pub const DEFAULT_MAX_IDLE: Duration = Duration::from_secs(30);

impl MailWorker {
    /// Delivers until `shutting_down` turns true; finishes the batch in hand.
    pub async fn run(self, mut shutting_down: watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.deliver_due_until(&shutting_down).await {
                tracing::warn!(%err, "email delivery round failed");
            }
            // At least a moment: a due time is a whole second, and a claim
            // that ends this second is only taken the next.
            let idle = self.until_next_due().await.unwrap_or(self.max_idle).clamp(
                Duration::from_millis(250),
                self.max_idle.max(Duration::from_millis(250)),
            );
            tokio::select! {
                _ = self.queued.notified() => {}
                // The next retry falls due.
                _ = tokio::time::sleep(idle) => {}
                // Ends on the signal; a dropped sender means nobody will ever send it.
                Ok(_) = shutting_down.wait_for(|down| *down) => return,
            }
        }
    }

    /// Delivers every message that is due now; returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        self.deliver_due_until(&watch::channel(false).1).await
    }

    /// As `deliver_due`, but once `stop` turns true the message being sent
    /// is finished and the rest of the batch is handed back at once, for
    /// another process's worker to send.
    pub async fn deliver_due_until(&self, stop: &watch::Receiver<bool>) -> Result<usize, sqlx::Error> {
        let mut sent = 0;
        loop {
            let claimed = {
                let mut tx = self.db.begin().await?;
                let claimed =
                    outbox::claim_due_emails(&mut tx, 20, self.lease_seconds, self.clock.now()).await?;
                tx.commit().await?;
                claimed
            };
            if claimed.is_empty() {
                return Ok(sent);
            }
            for (n, email) in claimed.iter().enumerate() {
                if *stop.borrow() {
                    let rest: Vec<i64> = claimed[n..].iter().map(|c| c.id).collect();
                    let mut tx = self.db.begin().await?;
                    outbox::release_email_claims(&mut tx, &rest).await?;
                    tx.commit().await?;
                    tracing::info!(messages = rest.len(), "stopping: claimed emails handed back");
                    return Ok(sent);
                }
                let id = email.id;
                let result = match self.message(email) {
                    Ok(message) => self.transport.send(id, message).await,
                    Err(err) => Err(SendFailure::permanent(err)),
                };
                // Marked at once, message by message: a crash between the
                // mail server's acceptance and this commit can send one
                // message twice (under the same Message-ID), never a batch.
                let mut tx = self.db.begin().await?;
                match result {
                    Ok(()) => {
                        outbox::mark_email_sent(&mut tx, id, self.clock.now()).await?;
                        sent += 1;
                        tracing::info!(outbox_id = id, recipient = %email.email.recipient, "email sent");
                    }
                    Err(failure) if failure.permanent && email.attempt >= self.max_attempts => {
                        tracing::error!(outbox_id = id, attempt = email.attempt, err = %failure.reason, "email refused for good: dead (server mail dead)");
                        outbox::mark_email_dead(&mut tx, id, &failure.reason, self.clock.now()).await?;
                    }
                    Err(failure) => {
                        let delay = self.retry_delay(email.attempt);
                        tracing::warn!(outbox_id = id, attempt = email.attempt, err = %failure.reason, permanent = failure.permanent, retry_in_s = delay, "email not sent");
                        outbox::mark_email_failed(&mut tx, id, &failure.reason, self.clock.now() + delay)
                            .await?;
                    }
                }
                tx.commit().await?;
            }
        }
    }

    /// How long until the next queued message falls due; `None` when
    /// nothing waits or the outbox cannot be read.
    pub async fn until_next_due(&self) -> Option<Duration> {
        let mut conn = self.db.read().await.ok()?;
        let due = outbox::next_email_due(&mut conn).await.ok()??;
        Some(Duration::from_secs(
            u64::try_from(due - self.clock.now()).unwrap_or(0),
        ))
    }

    fn retry_delay(&self, attempt: i64) -> i64 {
        let base = i64::try_from(self.retry_base.as_secs()).unwrap_or(30).max(1);
        let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
        base.saturating_mul(1 << doublings).min(3600)
    }

    fn message(&self, claimed: &ClaimedEmail) -> Result<Message, String> {
        let email = &claimed.email;
        let to: Mailbox = email
            .recipient
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        let domain = self.from.email.domain().to_string();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!("<outbox-{}@{domain}>", claimed.id)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.text_body.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(email.html_body.clone()),
                    ),
            )
            .map_err(|e| format!("cannot build the message: {e}"))
    }
}
