//! The webhook worker (SPEC, "Partner API and webhooks"): sends each queued
//! delivery to its endpoint as the Standard Webhooks specification says
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…`, an
//! HMAC-SHA256 of `id.timestamp.body` with the endpoint's `whsec_` secret),
//! retries with backoff, and marks it dead after the last attempt. Requests
//! go only to the registered URL, to an address checked again now (no
//! loopback or private address unless the operator allows it), pinned for
//! the request so the name cannot be re-pointed meanwhile, with a timeout,
//! following no redirect.

use std::sync::Arc;
use std::time::Duration;

use app::clock::Clock;
use app::domain::DeliveryState;
use app::repo::webhooks::{self as hooks, ClaimedDelivery};
use app::repo::Db;
use tokio::sync::{watch, Notify};

/// Seconds after each failed attempt before the next (Standard Webhooks'
/// schedule); past the last, the delivery is dead.
pub const RETRY_SCHEDULE: [i64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

/// How long a receiver has to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends deliveries; one per process, any number of processes.
#[derive(Clone)]
pub struct WebhookWorker {
    pub db: Db,
    pub clock: Clock,
    pub queued: Arc<Notify>,
    pub allow_internal: bool,
    pub timeout: Duration,
}

/// Seconds a claimed delivery stays with the worker that claimed it.
const LEASE_SECONDS: i64 = 60;
/// The longest the worker waits without a wake-up.
const MAX_IDLE: Duration = Duration::from_secs(5);

/// The `webhook-signature` value of `body` sent as message `id` at `timestamp`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_")?)
        .ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

impl WebhookWorker {
    /// Delivers until `shutting_down` turns true.
    pub async fn run(self, mut shutting_down: watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.deliver_due().await {
                tracing::warn!(%err, "webhook delivery round failed");
            }
            let idle = self
                .until_next_due()
                .await
                .unwrap_or(MAX_IDLE)
                .clamp(Duration::from_millis(100), MAX_IDLE);
            tokio::select! {
                _ = self.queued.notified() => {}
                // The next retry falls due (a wake-up, not a wait for luck).
                _ = tokio::time::sleep(idle) => {}
                Ok(_) = shutting_down.wait_for(|down| *down) => return,
            }
        }
    }

    /// Sends every delivery due now; how many were delivered.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let mut delivered = 0;
        loop {
            let claimed = {
                let mut tx = self.db.begin().await?;
                let claimed =
                    hooks::claim_due_deliveries(&mut tx, 20, LEASE_SECONDS, self.clock.now()).await?;
                tx.commit().await?;
                claimed
            };
            if claimed.is_empty() {
                return Ok(delivered);
            }
            // Each endpoint is its own; a slow one holds up only its own.
            let outcomes = futures::future::join_all(claimed.iter().map(|d| self.attempt(d))).await;
            let mut tx = self.db.begin().await?;
            for (delivery, (status, error)) in claimed.iter().zip(outcomes) {
                let now = self.clock.now();
                let delay = usize::try_from(delivery.attempt - 1)
                    .ok()
                    .and_then(|i| RETRY_SCHEDULE.get(i));
                let state = match (&error, delay) {
                    (None, _) => {
                        delivered += 1;
                        tracing::info!(delivery = delivery.id, message = %delivery.message_id, status, "webhook delivered");
                        DeliveryState::Delivered
                    }
                    (Some(error), Some(delay)) => {
                        tracing::warn!(delivery = delivery.id, attempt = delivery.attempt, retry_in_s = delay, %error, "webhook not delivered");
                        DeliveryState::Pending
                    }
                    (Some(error), None) => {
                        tracing::error!(delivery = delivery.id, attempt = delivery.attempt, %error, "webhook dead after its last attempt");
                        DeliveryState::Dead
                    }
                };
                let retry_at = now + delay.copied().unwrap_or(0);
                hooks::record_attempt(
                    &mut tx,
                    delivery.id,
                    state,
                    status,
                    error.as_deref(),
                    now,
                    retry_at,
                )
                .await?;
            }
            tx.commit().await?;
        }
    }

    /// One attempt: the status the receiver answered, and what went wrong
    /// (`None`: a 2xx).
    async fn attempt(&self, delivery: &ClaimedDelivery) -> (Option<u16>, Option<String>) {
        let addresses =
            match app::services::webhooks::resolve_allowed(&delivery.url, self.allow_internal).await {
                Ok(addresses) => addresses,
                Err(err) => return (None, Some(err.to_string())),
            };
        let Ok(url) = url::Url::parse(&delivery.url) else {
            return (None, Some("the URL is not one".into()));
        };
        let host = url.host_str().unwrap_or_default().to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .resolve_to_addrs(&host, &addresses)
            .build();
        let client = match client {
            Ok(client) => client,
            Err(err) => return (None, Some(format!("no HTTP client: {err}"))),
        };
        let timestamp = self.clock.now();
        let Some(signature) = sign(
            &delivery.secret,
            &delivery.message_id,
            timestamp,
            &delivery.payload,
        ) else {
            return (None, Some("the endpoint's secret is not a whsec_ key".into()));
        };
        let sent = client
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "licenses-cloud-portal-webhooks")
            .header("webhook-id", &delivery.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None),
            Ok(response) => {
                let status = response.status();
                (
                    Some(status.as_u16()),
                    Some(format!("the receiver answered {status}")),
                )
            }
            Err(err) if err.is_timeout() => (
                None,
                Some(format!("no answer within {} s", self.timeout.as_secs())),
            ),
            Err(err) => (None, Some(format!("not sent: {}", err.without_url()))),
        }
    }

    async fn until_next_due(&self) -> Option<Duration> {
        let mut conn = self.db.read().await.ok()?;
        let due = hooks::next_delivery_due(&mut conn).await.ok()??;
        Some(Duration::from_secs(
            u64::try_from(due - self.clock.now()).unwrap_or(0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_standard_webhooks_v1() {
        // The example of the Standard Webhooks specification's test vectors.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let signature = sign(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("not-a-secret", "m", 1, ""), None);
    }
}
