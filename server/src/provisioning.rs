//! Provisioning of cloud service instances, behind an adapter (SPEC, "Cloud
//! services"):
//!
//! - **local**, the default: the instance becomes Active by itself after a
//!   short delay, with an address under a local domain;
//! - **webhook**: each job is POSTed to the vendor's provisioning system,
//!   signed with HMAC-SHA256, and retried with back-off until it answers
//!   2xx; the outcome comes back to [`CALLBACK_PATH`], signed the same way.
//!
//! Jobs are rows claimed with a lease, like the outbox, so a worker that dies
//! leaves its claim to expire and another one takes the job.
//!
//! Signature: `X-Portal-Signature: sha256=HEX(HMAC-SHA256(secret, TIMESTAMP + "." + BODY))`
//! with `X-Portal-Timestamp: TIMESTAMP` (Unix seconds). A receiver refuses a
//! timestamp more than [`MAX_SKEW_SECONDS`] away from its clock, so a
//! captured request cannot be replayed later.

use std::time::Duration;

use app::domain::ProvisioningJobId;
use app::repo::cloud_services::{self as jobs, ClaimedJob, JobOutcome};
use app::settings::Provisioner;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::watch;

/// Where the provisioning system reports how a job ended.
pub const CALLBACK_PATH: &str = "/api/provisioning/callback";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-portal-signature";
/// The header carrying the signing time.
pub const TIMESTAMP_HEADER: &str = "x-portal-timestamp";
/// How far a signed request's time may be from ours.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// After this many refused or failed hand-overs, the instance is Failed and
/// the partner can retry it.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claimed job stays with the worker that claimed it, unless
/// configured: above the webhook call's 20 s timeout, and how late a job
/// claimed by a process that was killed is taken up again.
pub const DEFAULT_LEASE_SECONDS: i64 = 60;
const BATCH: i64 = 20;

/// The signature of `body` sent at `timestamp`, as the header carries it.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `headers` carry a fresh, valid signature of `body`. The
/// comparison takes the same time whatever the bytes.
pub fn verify_signature(secret: &str, headers: &HeaderMap, body: &[u8], now: i64) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(given)) = (header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER)) else {
        return false;
    };
    let Ok(timestamp) = timestamp.parse::<i64>() else {
        return false;
    };
    // Checked arithmetic: a timestamp of i64::MIN must not overflow.
    let skew = now.checked_sub(timestamp).and_then(i64::checked_abs);
    if skew.is_none_or(|skew| skew > MAX_SKEW_SECONDS) {
        return false;
    }
    let Some(Ok(given)) = given.strip_prefix("sha256=").map(hex::decode) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// What the webhook sends for a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionRequest {
    pub job: i64,
    pub attempt: i64,
    pub instance: i64,
    pub license_guid: String,
    pub product: String,
    pub account: String,
    pub region: String,
    pub tenant: String,
    /// Where to report the outcome.
    pub callback_url: String,
}

/// What the provisioning system reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProvisionReport {
    Active { job: i64, url: String },
    Failed { job: i64, error: String },
}

/// Works off provisioning jobs for this process's adapter.
pub struct ProvisioningWorker {
    state: AppState,
    client: reqwest::Client,
    /// The first retry's delay; each next one doubles, up to an hour.
    retry_base: Duration,
    lease_seconds: i64,
}

impl ProvisioningWorker {
    pub fn new(state: AppState, retry_base: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client with default settings");
        Self {
            state,
            client,
            retry_base,
            lease_seconds: DEFAULT_LEASE_SECONDS,
        }
    }

    /// The same worker with claims held `seconds` (`DEFAULT_LEASE_SECONDS`).
    pub fn with_lease(self, seconds: i64) -> Self {
        Self {
            lease_seconds: seconds,
            ..self
        }
    }

    /// Runs until `shutting_down` turns true; a webhook call in hand is
    /// finished, and every other claimed job is handed back at once.
    pub async fn run(self, mut shutting_down: watch::Receiver<bool>) {
        loop {
            if *shutting_down.borrow() {
                return;
            }
            if let Err(err) = self.work_due_until(&shutting_down).await {
                tracing::warn!(%err, "provisioning jobs could not be claimed");
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = self.state.provisioning_queued.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutting_down.changed() => return,
            }
        }
    }

    /// Claims the due jobs and works each; returns how many were claimed.
    pub async fn work_due(&self) -> Result<usize, sqlx::Error> {
        self.work_due_until(&watch::channel(false).1).await
    }

    /// As `work_due`; once `stop` turns true, jobs not yet handed over (and
    /// local jobs still under way) are handed back for another process.
    pub async fn work_due_until(&self, stop: &watch::Receiver<bool>) -> Result<usize, sqlx::Error> {
        let adapter = self.state.settings.provisioner.adapter();
        let claimed = {
            let mut tx = self.state.db.begin().await?;
            let claimed = jobs::claim_due_jobs(
                &mut tx,
                adapter,
                BATCH,
                self.lease_seconds,
                self.state.settings.clock.now(),
            )
            .await?;
            tx.commit().await?;
            claimed
        };
        let n = claimed.len();
        for job in claimed {
            if *stop.borrow() {
                hand_back(&self.state, job.id).await;
                continue;
            }
            match &self.state.settings.provisioner {
                Provisioner::Local { delay, domain } => {
                    // Completes on its own, as a real system would later.
                    let state = self.state.clone();
                    let (delay, domain) = (*delay, domain.clone());
                    let mut stop = stop.clone();
                    tokio::spawn(async move {
                        // A dropped sender (no shutdown signal at all) never stops it.
                        let stopped = async move {
                            if stop.wait_for(|down| *down).await.is_err() {
                                std::future::pending::<()>().await;
                            }
                        };
                        tokio::select! {
                            _ = tokio::time::sleep(delay) => {
                                let url = format!("https://{}.{}.{domain}", job.tenant_name, job.region);
                                finish(&state, job.id, &JobOutcome::Active { url }).await;
                            }
                            _ = stopped => hand_back(&state, job.id).await,
                        }
                    });
                }
                Provisioner::Webhook { url, secret } => self.hand_over(job, url, secret).await,
            }
        }
        Ok(n)
    }

    async fn hand_over(&self, job: ClaimedJob, url: &str, secret: &str) {
        let request = ProvisionRequest {
            job: job.id.0,
            attempt: job.attempt,
            instance: job.instance.0,
            license_guid: job.license_guid.clone(),
            product: job.product_name.clone(),
            account: job.account_name.clone(),
            region: job.region.clone(),
            tenant: job.tenant_name.clone(),
            callback_url: format!(
                "{}{CALLBACK_PATH}",
                self.state.settings.public_url.trim_end_matches('/')
            ),
        };
        let body = serde_json::to_vec(&request).expect("a plain struct serialises");
        let timestamp = self.state.settings.clock.now();
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature(secret, timestamp, &body))
            .body(body)
            .send()
            .await;
        let outcome = match sent {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("the provisioning system answered {}", response.status())),
            Err(err) => Err(format!("the provisioning system could not be reached: {err}")),
        };
        let recorded = async {
            let mut tx = self.state.db.begin().await?;
            match &outcome {
                Ok(()) => jobs::mark_job_sent(&mut tx, job.id, self.state.settings.clock.now()).await?,
                Err(error) if job.attempt >= MAX_ATTEMPTS => {
                    tx.commit().await?;
                    let failed = JobOutcome::Failed {
                        error: format!("gave up after {} attempts: {error}", job.attempt),
                    };
                    finish(&self.state, job.id, &failed).await;
                    return Ok(());
                }
                Err(error) => {
                    let delay = self.retry_delay(job.attempt);
                    let at = self.state.settings.clock.now();
                    jobs::mark_job_retry(&mut tx, job.id, error, at + delay, at).await?;
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(())
        };
        match (&outcome, recorded.await) {
            (_, Err(err)) => tracing::warn!(job = %job.id, %err, "could not record a provisioning hand-over"),
            (Ok(()), Ok(())) => tracing::info!(job = %job.id, "provisioning job handed over"),
            (Err(error), Ok(())) => {
                tracing::warn!(job = %job.id, attempt = job.attempt, %error, "provisioning hand-over failed")
            }
        }
    }

    /// Seconds to wait after failed attempt `attempt` (1, 2, …).
    fn retry_delay(&self, attempt: i64) -> i64 {
        let base = i64::try_from(self.retry_base.as_secs()).unwrap_or(30).max(1);
        let doublings = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(16);
        (base * 2i64.pow(doublings)).min(3600)
    }

    /// How long to sleep: until the next job falls due, between 0.25 s and
    /// 30 s (the ceiling covers jobs queued by another process).
    async fn until_next_due(&self) -> Duration {
        let adapter = self.state.settings.provisioner.adapter();
        let next = match self.state.db.read().await {
            Ok(mut conn) => jobs::next_job_due(&mut conn, adapter).await.ok().flatten(),
            Err(_) => None,
        };
        let seconds = next.map_or(30, |due| (due - self.state.settings.clock.now()).clamp(0, 30));
        Duration::from_secs(u64::try_from(seconds).unwrap_or(30)).max(Duration::from_millis(250))
    }
}

/// Gives a claimed job back to the other processes, untried.
async fn hand_back(state: &AppState, job: ProvisioningJobId) {
    let released = async {
        let mut tx = state.db.begin().await?;
        jobs::release_job_claim(&mut tx, job, state.settings.clock.now()).await?;
        tx.commit().await
    };
    match released.await {
        Ok(()) => tracing::info!(%job, "stopping: provisioning job handed back"),
        Err(err) => {
            tracing::warn!(%job, %err, "could not hand a provisioning job back; its lease will run out")
        }
    }
}

async fn finish(state: &AppState, job: ProvisioningJobId, outcome: &JobOutcome) {
    match state.services().finish_provisioning(job, outcome).await {
        Ok(true) => tracing::info!(%job, ?outcome, "provisioning job finished"),
        Ok(false) => {}
        Err(err) => tracing::warn!(%job, %err, "could not record a provisioning outcome"),
    }
}

/// `POST /api/provisioning/callback`: the provisioning system reports how a
/// job ended. 401 without a valid, fresh signature; 404 when this portal
/// does not use the webhook adapter or the job is not a webhook job.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let Provisioner::Webhook { secret, .. } = &state.settings.provisioner else {
        return (StatusCode::NOT_FOUND, "no provisioning webhook configured\n");
    };
    if !verify_signature(secret, &headers, &body, state.settings.clock.now()) {
        tracing::warn!("provisioning callback refused: bad or stale signature");
        return (StatusCode::UNAUTHORIZED, "bad or stale signature\n");
    }
    let Ok(report) = serde_json::from_slice::<ProvisionReport>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            "expected {\"status\": \"active\"|\"failed\", \"job\": N, …}\n",
        );
    };
    let (job, outcome) = match report {
        ProvisionReport::Active { job, url } => {
            let usable = url::Url::parse(&url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if usable.is_none() {
                return (
                    StatusCode::BAD_REQUEST,
                    "url must be an absolute http or https URL\n",
                );
            }
            (job, JobOutcome::Active { url })
        }
        ProvisionReport::Failed { job, error } => {
            let error: String = error.chars().take(500).collect();
            tracing::warn!(job, %error, "provisioning failed");
            (job, JobOutcome::Failed { error })
        }
    };
    let job = ProvisioningJobId(job);
    let adapter = match state.db.read().await {
        Ok(mut conn) => jobs::find_job_adapter(&mut conn, job).await,
        Err(err) => Err(err),
    };
    match adapter {
        Ok(Some(a)) if a == "webhook" => {}
        Ok(_) => return (StatusCode::NOT_FOUND, "no such job\n"),
        Err(err) => {
            tracing::error!(%err, "provisioning callback: database error");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again\n");
        }
    }
    match state.services().finish_provisioning(job, &outcome).await {
        Ok(true) => (StatusCode::OK, "recorded\n"),
        // Told twice: the first one counted.
        Ok(false) => (StatusCode::OK, "already recorded\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "try again\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(timestamp: i64, signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(TIMESTAMP_HEADER, timestamp.to_string().parse().expect("header"));
        h.insert(SIGNATURE_HEADER, signature.parse().expect("header"));
        h
    }

    #[test]
    fn a_signature_holds_for_its_body_secret_and_time_only() {
        let body = br#"{"status":"active","job":1,"url":"https://a.example"}"#;
        let sig = signature("s3cret", 1_000, body);
        assert!(verify_signature("s3cret", &headers(1_000, &sig), body, 1_100));
        assert!(!verify_signature("other", &headers(1_000, &sig), body, 1_100));
        assert!(!verify_signature("s3cret", &headers(1_001, &sig), body, 1_100));
        assert!(!verify_signature("s3cret", &headers(1_000, &sig), b"{}", 1_100));
        // A timestamp at the end of the range neither overflows nor passes.
        assert!(!verify_signature("s3cret", &headers(i64::MIN, &sig), body, 1_100));
        assert!(!verify_signature(
            "s3cret",
            &headers(i64::MAX, &sig),
            body,
            -1_100
        ));
        // Replayed too late.
        assert!(!verify_signature(
            "s3cret",
            &headers(1_000, &sig),
            body,
            1_000 + MAX_SKEW_SECONDS + 1
        ));
        assert!(!verify_signature(
            "s3cret",
            &headers(1_000, "sha256=zz"),
            body,
            1_000
        ));
        assert!(!verify_signature("s3cret", &HeaderMap::new(), body, 1_000));
    }
}
