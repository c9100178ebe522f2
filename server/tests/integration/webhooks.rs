//! Webhooks (SPEC, "Partner API and webhooks"), delivered to a real HTTP
//! receiver that checks each delivery with PyPI's `standardwebhooks` (not
//! the portal's code): every committed step announced, a rolled-back one
//! never, retried after the receiver's 500 with the same message id,
//! dead after the last attempt, sent again by Redeliver; endpoints on
//! internal addresses refused unless the operator allows them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use app::domain::{DeliveryState, Transition, WebhookEvent, WebhookProblem};
use app::services::webhooks::WebhookError;
use serde_json::Value;

use crate::drawdowns::{save, ACCOUNTING, PARTNER};
use crate::helpers::{user, Portal};

/// The receiver, answering 500 to the first `fail_first`, verifying the
/// rest with the secret it is told.
struct Receiver {
    child: Child,
    folder: tempfile::TempDir,
    port: u16,
}

impl Receiver {
    fn start(fail_first: u32) -> Self {
        let folder = tempfile::tempdir().expect("folder");
        let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/webhook_receiver.py");
        let packages = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/python");
        let mut child = Command::new("python3")
            .arg(support)
            .arg("0")
            .arg(folder.path())
            .arg(fail_first.to_string())
            .env("PYTHONPATH", packages)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the receiver (scripts/setup.sh installs standardwebhooks)");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut ready)
            .expect("read");
        let port = ready
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!("the receiver started (is standardwebhooks in tools/python?): {ready:?}")
            });
        Self { child, folder, port }
    }

    /// The endpoint's secret, which it verifies deliveries with.
    fn verify_with(&self, secret: &str) {
        std::fs::write(self.folder.path().join("secret"), secret).expect("secret");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hooks", self.port)
    }

    /// Every verified delivery, in arrival order.
    fn received(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json"))
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn worker(p: &Portal) -> server::webhooks::WebhookWorker {
    server::webhooks::WebhookWorker {
        db: p.db().clone(),
        clock: p.clock().clone(),
        queued: std::sync::Arc::new(tokio::sync::Notify::new()),
        allow_internal: true,
        timeout: std::time::Duration::from_secs(5),
    }
}

/// A portal whose endpoints may be on loopback (the receiver is).
async fn portal() -> Portal {
    let mut p = Portal::demo().await;
    p.settings.webhooks_to_internal_addresses = true;
    p
}

fn names(events: &[WebhookEvent]) -> Vec<String> {
    events.iter().map(|e| e.as_str().to_owned()).collect()
}

#[tokio::test]
async fn each_step_is_delivered_signed_verified_by_standard_webhooks_and_retried_after_a_500() {
    let p = portal().await;
    let admin = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    // The receiver fails the first delivery, then verifies with the endpoint's secret.
    let receiver = Receiver::start(1);
    let endpoint = p
        .services()
        .create_webhook_endpoint(
            &admin,
            admin.account_id,
            &receiver.url(),
            &names(&WebhookEvent::ALL),
        )
        .await
        .expect("registered");
    assert!(endpoint.secret.starts_with("whsec_"));
    receiver.verify_with(&endpoint.secret);

    // Save, approve, accept: four events (accept brings entitlement.changed).
    let id = save(&p, &admin, "Hooked Customer", "1").await.expect("saved");
    p.services()
        .change(&accounting, id, Transition::Approve, None)
        .await
        .expect("approved");
    p.services()
        .change(&admin, id, Transition::Accept, None)
        .await
        .expect("accepted");
    // A Save that fails (nothing available) is rolled back: nothing queued.
    assert!(save(&p, &admin, "Too Much", "100000").await.is_err());

    let w = worker(&p);
    let delivered = w.deliver_due().await.expect("round");
    // The first attempt of the first event met the 500: three delivered.
    assert_eq!(delivered, 3);
    let logs = p
        .services()
        .webhook_endpoints(&admin, admin.account_id)
        .await
        .expect("logs");
    let deliveries = &logs[0].deliveries;
    assert_eq!(deliveries.len(), 4, "{deliveries:?}");
    // One of them (they go at once) met the 500 and waits for its retry.
    let waiting: Vec<_> = deliveries
        .iter()
        .filter(|d| d.state == DeliveryState::Pending)
        .collect();
    assert_eq!(waiting.len(), 1, "{deliveries:?}");
    let first = waiting[0].clone();
    assert_eq!((first.last_status, first.attempts), (Some(500), 1));
    // Not before its retry is due; then delivered, under the same message id.
    assert_eq!(w.deliver_due().await.expect("round"), 0);
    p.clock().advance(server::webhooks::RETRY_SCHEDULE[0]);
    assert_eq!(w.deliver_due().await.expect("round"), 1);

    let received = receiver.received();
    let mut types: Vec<&str> = received
        .iter()
        .map(|r| r["payload"]["type"].as_str().unwrap_or_default())
        .collect();
    // The retried one arrives last.
    assert_eq!(types.last().copied(), Some(first.event_type.as_str()));
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "drawdown.accepted",
            "drawdown.approved",
            "drawdown.submitted",
            "entitlement.changed"
        ]
    );
    for r in &received {
        assert_eq!(
            r["payload"]["data"]
                .get("id")
                .or(r["payload"]["data"].get("drawdown_id")),
            Some(&Value::from(id.0))
        );
    }
    let logs = p
        .services()
        .webhook_endpoints(&admin, admin.account_id)
        .await
        .expect("logs");
    assert!(logs[0]
        .deliveries
        .iter()
        .all(|d| d.state == DeliveryState::Delivered));
    let first = logs[0]
        .deliveries
        .iter()
        .find(|d| d.id == first.id)
        .expect("the retried one")
        .clone();
    assert_eq!((first.last_status, first.attempts), (Some(204), 2));
    assert_eq!(
        received[3]["id"],
        Value::from(first.message_id.clone()),
        "the retry kept its webhook-id"
    );

    // Redeliver sends it once more, with the same id.
    p.services()
        .redeliver_webhook(&admin, admin.account_id, endpoint.id, first.id)
        .await
        .expect("redelivered");
    assert_eq!(w.deliver_due().await.expect("round"), 1);
    let received = receiver.received();
    assert_eq!(received.len(), 5);
    assert_eq!(received[4]["id"], received[3]["id"]);

    // Another partner cannot see nor redeliver them.
    let other = user(p.db(), "other-partner@example.com").await;
    assert!(matches!(
        p.services()
            .redeliver_webhook(&other, other.account_id, endpoint.id, first.id)
            .await,
        Err(WebhookError::NotFound)
    ));
    assert!(matches!(
        p.services().webhook_endpoints(&other, admin.account_id).await,
        Err(WebhookError::Forbidden)
    ));
}

#[tokio::test]
async fn a_delivery_failing_every_attempt_dies_and_a_removed_endpoint_receives_nothing() {
    let p = portal().await;
    let admin = user(p.db(), PARTNER).await;
    // Nothing listens on this port: every attempt fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let url = format!(
        "http://127.0.0.1:{}/hooks",
        closed.local_addr().expect("addr").port()
    );
    drop(closed);
    let endpoint = p
        .services()
        .create_webhook_endpoint(
            &admin,
            admin.account_id,
            &url,
            &names(&[WebhookEvent::DrawdownSubmitted]),
        )
        .await
        .expect("registered");
    save(&p, &admin, "Dead Letter Customer", "1")
        .await
        .expect("saved");
    let w = worker(&p);
    for delay in server::webhooks::RETRY_SCHEDULE {
        assert_eq!(w.deliver_due().await.expect("round"), 0);
        p.clock().advance(delay);
    }
    assert_eq!(w.deliver_due().await.expect("round"), 0);
    let logs = p
        .services()
        .webhook_endpoints(&admin, admin.account_id)
        .await
        .expect("logs");
    let delivery = &logs[0].deliveries[0];
    assert_eq!(delivery.state, DeliveryState::Dead);
    assert_eq!(
        delivery.attempts,
        1 + server::webhooks::RETRY_SCHEDULE.len() as i64
    );
    assert!(
        delivery
            .last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("not sent")),
        "{delivery:?}"
    );

    // Removed: its next events are not queued.
    p.services()
        .disable_webhook_endpoint(&admin, admin.account_id, endpoint.id)
        .await
        .expect("removed");
    save(&p, &admin, "After Removal", "1").await.expect("saved");
    let logs = p
        .services()
        .webhook_endpoints(&admin, admin.account_id)
        .await
        .expect("logs");
    assert_eq!(logs[0].deliveries.len(), 1);
    assert!(logs[0].endpoint.disabled_at.is_some());
}

#[tokio::test]
async fn an_endpoint_on_an_internal_address_is_refused_unless_the_operator_allows_it() {
    let p = Portal::demo().await;
    let admin = user(p.db(), PARTNER).await;
    let events = names(&[WebhookEvent::DrawdownApproved]);
    for internal in [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.0.0.5/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://192.168.1.10:3000/",
    ] {
        let refused = p
            .services()
            .create_webhook_endpoint(&admin, admin.account_id, internal, &events)
            .await;
        assert!(
            matches!(refused, Err(WebhookError::PrivateAddress)),
            "{internal}: {refused:?}"
        );
    }
    for bad in ["ftp://x.example/", "not a url", "https://user:pw@x.example/"] {
        let refused = p
            .services()
            .create_webhook_endpoint(&admin, admin.account_id, bad, &events)
            .await;
        assert!(
            matches!(refused, Err(WebhookError::Invalid(_))),
            "{bad}: {refused:?}"
        );
    }
    let no_events = p
        .services()
        .create_webhook_endpoint(
            &admin,
            admin.account_id,
            "http://10.0.0.5/",
            &["drawdown.lost".into()],
        )
        .await;
    assert!(matches!(no_events, Err(WebhookError::Invalid(_))));
    assert_eq!(crate::helpers::count_rows(p.db(), "webhook_endpoints").await, 0);
    // A partner user does not manage them.
    let colleague = user(p.db(), "partner-user@example.com").await;
    let refused = p
        .services()
        .create_webhook_endpoint(&colleague, colleague.account_id, "http://10.0.0.5/", &events)
        .await;
    assert!(matches!(refused, Err(WebhookError::Forbidden)));
}

#[tokio::test]
async fn an_account_has_at_most_ten_endpoints_in_use_and_a_disabled_one_frees_a_place() {
    let p = portal().await;
    let admin = user(p.db(), PARTNER).await;
    let events = names(&[WebhookEvent::DrawdownApproved]);
    let mut made = Vec::new();
    for n in 0..app::services::webhooks::MAX_ENDPOINTS_IN_USE {
        let endpoint = p
            .services()
            .create_webhook_endpoint(
                &admin,
                admin.account_id,
                &format!("http://127.0.0.1:9/hooks/{n}"),
                &events,
            )
            .await
            .expect("within the limit");
        made.push(endpoint.id);
    }
    let refused = p
        .services()
        .create_webhook_endpoint(
            &admin,
            admin.account_id,
            "http://127.0.0.1:9/hooks/extra",
            &events,
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(WebhookError::Invalid(WebhookProblem::TooManyEndpoints {
                max: 10
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(
        app::error::AppError::from(refused.expect_err("refused")).status(),
        422
    );
    p.services()
        .disable_webhook_endpoint(&admin, admin.account_id, made[0])
        .await
        .expect("disabled");
    p.services()
        .create_webhook_endpoint(
            &admin,
            admin.account_id,
            "http://127.0.0.1:9/hooks/extra",
            &events,
        )
        .await
        .expect("a place again");
}
