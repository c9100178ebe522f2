//! Reminders and escalation (SPEC, "Reminders"): a Submitted request that
//! waited past the target reminds accounting, longer still it is escalated;
//! an Approved request the partner has not accepted is reminded to the
//! partner 7 days and 1 day before it expires. Each at most once per
//! request, kind and deadline, whichever process runs first; sent through
//! the outbox in the transaction that records it.

use super::{DrawdownError, Fault, Services};
use crate::domain::ReminderKind;
use crate::mail::{compose, Notice};
use crate::repo::reminders::{self, DueReminder};
use crate::repo::{drawdowns as requests, outbox, users};

/// How many reminders of a kind one pass sends at most; the next pass
/// (a minute later) goes on.
const PER_PASS: i64 = 500;

const DAY: i64 = 86_400;

impl Services<'_> {
    /// Sends every reminder due by the services' clock; returns how many.
    pub async fn send_due_reminders(&self) -> Result<usize, DrawdownError> {
        let now = self.settings.clock.now();
        let mut sent = 0;
        for kind in ReminderKind::ALL {
            let Some(delay) = kind.due_after(
                self.settings.approval_target.whole_seconds(),
                self.settings.escalation_after.whole_seconds(),
                self.settings.approval_lifetime.whole_seconds(),
            ) else {
                continue;
            };
            let due = {
                let mut conn = self.db.read().await?;
                reminders::list_due_reminders(&mut conn, kind, delay, now, PER_PASS).await?
            };
            for reminder in due {
                if self.send_reminder(&reminder, now).await? {
                    sent += 1;
                }
            }
        }
        if sent > 0 {
            self.mail_queued.notify_one();
        }
        Ok(sent)
    }

    /// One reminder: recorded and its emails queued in one transaction, or
    /// nothing if another process sent it or the request moved on.
    async fn send_reminder(&self, due: &DueReminder, now: i64) -> Result<bool, DrawdownError> {
        let mut tx = self.db.begin().await?;
        if !reminders::record_reminder(&mut tx, due, now).await? {
            return Ok(false);
        }
        let request = requests::find_drawdown_without_history(&mut tx, due.request)
            .await?
            .ok_or(DrawdownError::Fault(Fault::Internal))?;
        let facts = self.facts(&request);
        let waiting_days = (now - due.since) / DAY;
        let (notice, recipients) = match due.kind {
            ReminderKind::Accounting => (
                Notice::WaitingReminder { waiting_days },
                self.accounting_recipients(&mut tx).await?,
            ),
            ReminderKind::Escalation => (
                Notice::Escalation { waiting_days },
                self.escalation_recipients(&mut tx).await?,
            ),
            ReminderKind::ExpiresIn7Days | ReminderKind::ExpiresIn1Day => {
                let expires_at = due.since + self.settings.approval_lifetime.whole_seconds();
                // Rounded up: 23 hours left is "1 day".
                let days_left = ((expires_at - now).max(0) + DAY - 1) / DAY;
                let partner = users::find_mail_address(&mut tx, request.requested_by)
                    .await?
                    .ok_or(DrawdownError::Fault(Fault::Internal))?;
                (Notice::ExpiresSoon { days_left }, vec![partner])
            }
        };
        for (address, locale) in &recipients {
            outbox::enqueue_email(&mut tx, &compose(notice, &facts, *locale, address), now).await?;
        }
        tx.commit().await?;
        tracing::info!(request = %due.request, kind = due.kind.as_str(), recipients = recipients.len(), "reminder sent");
        Ok(true)
    }
}
