//! Provisioning of cloud service instances: one job per instance whatever
//! the races, the local provisioner, and the webhook adapter against a real
//! HTTP receiver started by the test, with its signed callback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::domain::{
    AccountId, CurrentUser, InstanceState, ListRows, ProvisioningError, ServiceInstance, TenantNameError,
};
use app::repo::cloud_services::count_jobs;
use app::services::LicensingError;
use app::settings::{Provisioner, Settings};
use app::state::AppState;
use axum::body::{Body, Bytes};
use http::{HeaderMap, Request, StatusCode};
use server::provisioning::{
    signature, ProvisionRequest, ProvisioningWorker, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use tokio::sync::mpsc;
use tower::ServiceExt;

use crate::helpers::{account_id, demo_db, user};

const SECRET: &str = "a-shared-secret-of-the-test";

async fn state_with(provisioner: Provisioner) -> (crate::helpers::TestDb, AppState) {
    let t = demo_db().await;
    let settings = Settings {
        provisioner,
        public_url: "http://portal.test".into(),
        ..Settings::default()
    };
    let state = crate::helpers::app_state(t.db.clone(), settings);
    server::demo::walk_history(state.services())
        .await
        .expect("demo history");
    (t, state)
}

async fn contoso_control_room(state: &AppState) -> (AccountId, CurrentUser, ServiceInstance) {
    let contoso = account_id(&state.db, "Contoso Pharma").await;
    let partner = user(&state.db, "partner@example.com").await;
    let view = state
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("services");
    let control_room = view
        .instances
        .into_iter()
        .find(|i| i.product_name == "Control Room")
        .expect("a Control Room");
    (contoso, partner, control_room)
}

async fn instance(
    state: &AppState,
    account: AccountId,
    who: &CurrentUser,
    id: app::domain::ServiceInstanceId,
) -> ServiceInstance {
    state
        .services()
        .cloud_services(who, account, ListRows::FIRST)
        .await
        .expect("services")
        .instances
        .into_iter()
        .find(|i| i.id == id)
        .expect("instance")
}

#[tokio::test]
async fn concurrent_provisioning_requests_for_one_instance_start_one_job() {
    let local = Provisioner::Local {
        delay: Duration::ZERO,
        domain: "cloud.test".into(),
    };
    let (_t, state) = state_with(local).await;
    let (contoso, partner, control_room) = contoso_control_room(&state).await;
    assert_eq!(control_room.state, InstanceState::Ready);

    let attempts = (0..12).map(|i| {
        let (state, partner) = (&state, partner.clone());
        async move {
            state
                .services()
                .provision(
                    &partner,
                    contoso,
                    control_room.id,
                    "eu-central",
                    &format!("contoso-{i}"),
                )
                .await
        }
    });
    let results = futures::future::join_all(attempts).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for lost in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(
            lost,
            &LicensingError::InvalidProvisioning {
                problem: ProvisioningError::NotReady(InstanceState::Provisioning)
            }
        );
    }
    let mut conn = state.db.read().await.expect("conn");
    assert_eq!(count_jobs(&mut conn, control_room.id).await.expect("jobs"), 1);
    drop(conn);

    // The tenant name is checked for format and for uniqueness.
    let iq_server = state
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("services")
        .instances
        .into_iter()
        .find(|i| i.product_name == "IQ Bot server")
        .expect("IQ Bot server");
    let taken = instance(&state, contoso, &partner, control_room.id)
        .await
        .tenant_name
        .expect("tenant");
    assert_eq!(
        state
            .services()
            .provision(
                &partner,
                contoso,
                iq_server.id,
                "eu-central",
                &taken.to_uppercase()
            )
            .await,
        Err(LicensingError::InvalidProvisioning {
            problem: TenantNameError::Taken.into()
        })
    );
    assert_eq!(
        state
            .services()
            .provision(&partner, contoso, iq_server.id, "eu-central", "Bad name")
            .await,
        Err(LicensingError::InvalidProvisioning {
            problem: TenantNameError::Characters.into()
        })
    );
    assert_eq!(
        state
            .services()
            .provision(&partner, contoso, iq_server.id, "mars-north", "contoso-iq")
            .await,
        Err(LicensingError::InvalidProvisioning {
            problem: ProvisioningError::NoRegion
        })
    );
    let customer = user(&state.db, "customer@example.com").await;
    assert_eq!(
        state
            .services()
            .provision(&customer, contoso, iq_server.id, "eu-central", "contoso-iq")
            .await,
        Err(LicensingError::Forbidden),
        "a customer user looks, the partner provisions"
    );
    assert_eq!(
        instance(&state, contoso, &partner, iq_server.id).await.state,
        InstanceState::Ready
    );

    // The local provisioner brings the Control Room up by itself.
    let worker = ProvisioningWorker::new(state.clone(), Duration::from_secs(1));
    assert_eq!(worker.work_due().await.expect("work"), 1);
    let mut events = state.events.subscribe();
    let active = wait_for(
        &state,
        contoso,
        &partner,
        control_room.id,
        InstanceState::Active,
        &mut events,
    )
    .await;
    assert_eq!(active.url, Some(format!("https://{taken}.eu-central.cloud.test")));
}

/// Waits, on live events, until the instance reaches `target`.
async fn wait_for(
    state: &AppState,
    account: AccountId,
    who: &CurrentUser,
    id: app::domain::ServiceInstanceId,
    target: InstanceState,
    events: &mut tokio::sync::broadcast::Receiver<app::events::PortalEvent>,
) -> ServiceInstance {
    loop {
        let now = instance(state, account, who, id).await;
        if now.state == target {
            return now;
        }
        tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("a change within 10 s")
            .expect("events open");
    }
}

/// The vendor's provisioning system, as a real HTTP server: refuses the
/// first `failures` calls with 503, then accepts; passes each call on.
async fn start_receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<(HeaderMap, Bytes)>) {
    let (calls, received) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/provision",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (calls, seen) = (calls.clone(), seen.clone());
            async move {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let _ = calls.send((headers, body));
                if n < failures {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::ACCEPTED
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/provision"), received)
}

async fn post_callback(state: &AppState, body: &str, timestamp: i64, secret: &str) -> StatusCode {
    let request = Request::post(server::provisioning::CALLBACK_PATH)
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature(secret, timestamp, body.as_bytes()))
        .body(Body::from(body.to_string()))
        .expect("request");
    server::router(state.clone())
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

#[tokio::test]
async fn the_webhook_is_signed_retried_until_taken_and_only_a_signed_callback_finishes_the_job() {
    let (url, mut calls) = start_receiver(2).await;
    let webhook = Provisioner::Webhook {
        url,
        secret: SECRET.into(),
    };
    let (_t, state) = state_with(webhook).await;
    let (contoso, partner, control_room) = contoso_control_room(&state).await;
    state
        .services()
        .provision(&partner, contoso, control_room.id, "us-east", "contoso-prod")
        .await
        .expect("started");

    let (shutdown, watch) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(ProvisioningWorker::new(state.clone(), Duration::from_secs(1)).run(watch));

    // Refused twice, then taken: three calls, each signed, the same job.
    let mut jobs = Vec::new();
    for attempt in 1..=3 {
        let (headers, body) = tokio::time::timeout(Duration::from_secs(15), calls.recv())
            .await
            .expect("a call within 15 s")
            .expect("receiver open");
        let now = state.settings.clock.now();
        assert!(
            server::provisioning::verify_signature(SECRET, &headers, &body, now),
            "call {attempt} is signed with the shared secret"
        );
        assert!(!server::provisioning::verify_signature(
            "another secret",
            &headers,
            &body,
            now
        ));
        let request: ProvisionRequest = serde_json::from_slice(&body).expect("json");
        assert_eq!(request.attempt, attempt);
        assert_eq!(
            (request.tenant.as_str(), request.region.as_str()),
            ("contoso-prod", "us-east")
        );
        assert_eq!(request.license_guid, control_room.license_guid);
        assert_eq!(
            request.callback_url,
            "http://portal.test/api/provisioning/callback"
        );
        jobs.push(request.job);
    }
    assert!(jobs.iter().all(|j| *j == jobs[0]));
    // Taken: no fourth call, and the instance waits for the callback.
    assert!(
        tokio::time::timeout(Duration::from_secs(3), calls.recv())
            .await
            .is_err(),
        "no call after the system took the job"
    );
    assert_eq!(
        instance(&state, contoso, &partner, control_room.id).await.state,
        InstanceState::Provisioning
    );

    let job = jobs[0];
    let active =
        format!(r#"{{"status":"active","job":{job},"url":"https://contoso-prod.us-east.vendor.example"}}"#);
    let now = state.settings.clock.now();
    // Forged: signed with another secret; stale: signed ten minutes ago.
    assert_eq!(
        post_callback(&state, &active, now, "not the secret").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_callback(&state, &active, now - 600, SECRET).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        instance(&state, contoso, &partner, control_room.id).await.state,
        InstanceState::Provisioning,
        "a refused callback changes nothing"
    );
    assert_eq!(post_callback(&state, &active, now, SECRET).await, StatusCode::OK);
    let done = instance(&state, contoso, &partner, control_room.id).await;
    assert_eq!(done.state, InstanceState::Active);
    assert_eq!(
        done.url.as_deref(),
        Some("https://contoso-prod.us-east.vendor.example")
    );
    // Told twice: the second changes nothing.
    let failed = format!(r#"{{"status":"failed","job":{job},"error":"late"}}"#);
    assert_eq!(post_callback(&state, &failed, now, SECRET).await, StatusCode::OK);
    assert_eq!(
        instance(&state, contoso, &partner, control_room.id).await.state,
        InstanceState::Active
    );

    let _ = shutdown.send(true);
    worker.await.expect("worker stops");
}

#[tokio::test]
async fn a_failed_instance_is_retried_with_a_new_job() {
    let (url, mut calls) = start_receiver(0).await;
    let webhook = Provisioner::Webhook {
        url,
        secret: SECRET.into(),
    };
    let (_t, state) = state_with(webhook).await;
    let (contoso, partner, control_room) = contoso_control_room(&state).await;
    let first = state
        .services()
        .provision(&partner, contoso, control_room.id, "eu-central", "contoso-eu")
        .await
        .expect("started");
    let worker = ProvisioningWorker::new(state.clone(), Duration::from_secs(1));
    assert_eq!(worker.work_due().await.expect("work"), 1);
    calls.recv().await.expect("the call");
    let failed = format!(
        r#"{{"status":"failed","job":{},"error":"no capacity in eu-central"}}"#,
        first.0
    );
    assert_eq!(
        post_callback(&state, &failed, state.settings.clock.now(), SECRET).await,
        StatusCode::OK
    );
    let now = instance(&state, contoso, &partner, control_room.id).await;
    assert_eq!(now.state, InstanceState::Failed);
    // The provisioner's words are for the operators, not on the wire.
    let wire = serde_json::to_string(&now).expect("json");
    assert!(!wire.contains("no capacity"), "{wire}");
    let kept: Option<String> = sqlx::query_scalar("SELECT last_error FROM service_instances WHERE id = $1")
        .bind(control_room.id.0)
        .fetch_one(&mut *state.db.read().await.expect("conn"))
        .await
        .expect("row");
    assert_eq!(kept.as_deref(), Some("no capacity in eu-central"));

    let second = state
        .services()
        .retry_provisioning(&partner, contoso, control_room.id)
        .await
        .expect("retried");
    assert_ne!(first, second);
    assert_eq!(
        state
            .services()
            .retry_provisioning(&partner, contoso, control_room.id)
            .await,
        Err(LicensingError::InvalidProvisioning {
            problem: ProvisioningError::NotReady(InstanceState::Provisioning)
        })
    );
    assert_eq!(worker.work_due().await.expect("work"), 1);
    let (_, body) = calls.recv().await.expect("the retry's call");
    let request: ProvisionRequest = serde_json::from_slice(&body).expect("json");
    assert_eq!((request.job, request.tenant.as_str()), (second.0, "contoso-eu"));
}

#[tokio::test]
async fn a_stopping_worker_hands_its_local_job_back_and_another_process_finishes_it() {
    let slow = Provisioner::Local {
        delay: Duration::from_secs(600),
        domain: "cloud.test".into(),
    };
    let (t, state) = state_with(slow).await;
    let (contoso, partner, control_room) = contoso_control_room(&state).await;
    state
        .services()
        .provision(&partner, contoso, control_room.id, "us-east", "contoso-us")
        .await
        .expect("started");
    let worker = ProvisioningWorker::new(state.clone(), Duration::from_secs(1));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    assert_eq!(worker.work_due_until(&stopping).await.expect("work"), 1);
    let claim = || async {
        sqlx::query_as::<_, (Option<i64>, i64)>("SELECT claimed_until, attempts FROM provisioning_jobs")
            .fetch_one(&mut *state.db.read().await.expect("conn"))
            .await
            .expect("job")
    };
    assert!(claim().await.0.is_some(), "claimed while it runs");

    // The process stops: the job is given back untried, not left to its lease.
    stop.send(true).expect("stop");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while claim().await != (None, 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "handed back: {:?}",
            claim().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Another process's worker takes it at once and brings the instance up.
    let settings = Settings {
        provisioner: Provisioner::Local {
            delay: Duration::ZERO,
            domain: "cloud.test".into(),
        },
        ..Settings::default()
    };
    let other = crate::helpers::app_state(t.reopen().await, settings);
    let mut events = other.events.subscribe();
    let worker = ProvisioningWorker::new(other.clone(), Duration::from_secs(1));
    assert_eq!(worker.work_due().await.expect("work"), 1);
    let active = wait_for(
        &other,
        contoso,
        &partner,
        control_room.id,
        InstanceState::Active,
        &mut events,
    )
    .await;
    assert_eq!(
        active.url.as_deref(),
        Some("https://contoso-us.us-east.cloud.test")
    );
}

#[tokio::test]
#[ignore = "PostgreSQL only (SQLite serves one process); scripts/test.sh runs it with PORTAL_TEST_POSTGRES_URL and --include-ignored"]
async fn two_processes_working_at_once_hand_each_job_over_once() {
    let (url, mut calls) = start_receiver(0).await;
    let webhook = Provisioner::Webhook {
        url,
        secret: SECRET.into(),
    };
    let (t, state) = state_with(webhook.clone()).await;
    let (contoso, partner, control_room) = contoso_control_room(&state).await;
    // Thirty more Control Rooms, as if Contoso had bought them.
    {
        let mut tx = state.db.begin().await.expect("tx");
        let (entitlement, product): (i64, i64) =
            sqlx::query_as("SELECT entitlement_id, product_id FROM service_instances WHERE id = $1")
                .bind(control_room.id.0)
                .fetch_one(&mut *tx)
                .await
                .expect("instance");
        app::repo::cloud_services::insert_ready_instances(
            &mut tx,
            contoso,
            app::domain::EntitlementId(entitlement),
            app::domain::ProductId(product),
            30,
            state.settings.clock.now(),
        )
        .await
        .expect("instances");
        tx.commit().await.expect("commit");
    }
    let ready: Vec<_> = state
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("services")
        .instances
        .into_iter()
        .filter(|i| i.state == InstanceState::Ready)
        .collect();
    assert!(ready.len() > 30, "{}", ready.len());
    for (n, instance) in ready.iter().enumerate() {
        state
            .services()
            .provision(
                &partner,
                contoso,
                instance.id,
                "eu-central",
                &format!("contoso-{n}"),
            )
            .await
            .expect("started");
    }

    let settings = Settings {
        provisioner: webhook,
        public_url: "http://portal.test".into(),
        ..Settings::default()
    };
    let other = crate::helpers::app_state(t.reopen().await, settings);
    let here = ProvisioningWorker::new(state.clone(), Duration::from_secs(1));
    let there = ProvisioningWorker::new(other, Duration::from_secs(1));
    let mut claimed = 0;
    while claimed < ready.len() {
        let (a, b) = tokio::join!(here.work_due(), there.work_due());
        let (a, b) = (a.expect("here"), b.expect("there"));
        assert!(a + b > 0, "jobs left unclaimed: {claimed} of {}", ready.len());
        claimed += a + b;
    }
    assert_eq!(claimed, ready.len(), "each job claimed by one worker");

    // Each call is made before work_due returns: all are in.
    let mut jobs = std::collections::HashMap::new();
    while let Ok((_, body)) = calls.try_recv() {
        let request: ProvisionRequest = serde_json::from_slice(&body).expect("json");
        *jobs.entry(request.job).or_insert(0) += 1;
    }
    assert_eq!(jobs.len(), ready.len(), "every job handed over");
    assert!(
        jobs.values().all(|n| *n == 1),
        "a job handed over twice: {jobs:?}"
    );
}
