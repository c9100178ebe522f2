//! What operators rely on: liveness and readiness probes, a request id on
//! every response, Prometheus metrics with the database's figures, and a
//! stopping worker handing its claimed emails back.

use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use server::mail::Transport;
use tower::ServiceExt;

use crate::drawdowns::{save, PARTNER};
use crate::email::worker;
use crate::helpers::{count_rows, user, Portal};
use crate::sessions::portal;

async fn get(
    app: &axum::Router,
    path: &str,
    request_id: Option<&str>,
) -> (StatusCode, http::HeaderMap, String) {
    let mut request = Request::get(path);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

#[tokio::test]
async fn probes_say_up_and_ready_and_not_ready_once_the_database_is_gone() {
    let p = Portal::demo().await;
    let app = portal(p.db().clone());
    assert_eq!(get(&app, server::HEALTH_PATH, None).await.0, StatusCode::OK);
    assert_eq!(get(&app, server::READY_PATH, None).await.0, StatusCode::OK);
    p.db().close().await;
    assert_eq!(get(&app, server::HEALTH_PATH, None).await.0, StatusCode::OK);
    let (status, _, body) = get(&app, server::READY_PATH, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "the database does not answer\n");
}

#[tokio::test]
async fn every_response_carries_the_callers_request_id_or_a_new_one() {
    let p = Portal::demo().await;
    let app = portal(p.db().clone());
    let (_, headers, _) = get(&app, "/sign-in", Some("trace-42")).await;
    assert_eq!(headers["x-request-id"], "trace-42");
    let (_, first, _) = get(&app, "/sign-in", None).await;
    let (_, second, _) = get(&app, "/no-such-page", None).await;
    let (first, second) = (&first["x-request-id"], &second["x-request-id"]);
    assert_eq!(first.len(), 36, "a UUID: {first:?}");
    assert_ne!(first, second);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_read_the_database() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    save(&p, &partner, "Litware", "1").await.expect("saved");
    let app = portal(p.db().clone());
    assert_eq!(get(&app, "/sign-in", None).await.0, StatusCode::OK);

    // Not on the portal's listener: on the operators' own.
    assert_eq!(
        get(&app, server::ops::METRICS_PATH, None).await.0,
        StatusCode::NOT_FOUND
    );
    let operators = server::metrics_router(crate::helpers::app_state(
        p.db().clone(),
        app::settings::Settings::default(),
    ));
    let (status, headers, text) = get(&operators, server::ops::METRICS_PATH, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/plain"));
    assert!(
        text.contains(r#"portal_http_requests_total{method="GET",route="/sign-in",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"portal_http_request_duration_seconds_bucket{method="GET",route="/sign-in",le="0.005"}"#
        ),
        "{text}"
    );
    // The gauges are this database's figures, read at the scrape.
    let submitted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM drawdown_requests WHERE state = 'submitted'")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("count");
    assert_eq!(submitted, 2);
    assert!(
        text.contains("portal_drawdown_requests{state=\"submitted\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("portal_drawdown_requests{state=\"rejected\"} 0\n"),
        "{text}"
    );
    let backlog = count_rows(p.db(), "outbox").await;
    assert!(backlog > 0);
    assert!(
        text.contains(&format!("portal_outbox_backlog {backlog}\n")),
        "{text}"
    );
}

#[tokio::test]
async fn a_stopping_worker_hands_its_claimed_emails_back_unsent_and_uncounted() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    let queued = count_rows(p.db(), "outbox").await;
    assert!(queued > 0);
    let folder = tempfile::tempdir().expect("folder");
    let worker = worker(
        &p,
        Transport::from_url(&format!("file://{}", folder.path().display())).expect("url"),
    );

    let (_stop, stopping) = tokio::sync::watch::channel(true);
    let sent = worker.deliver_due_until(&stopping).await.expect("round");
    assert_eq!(sent, 0);
    let (claimed, attempted): (i64, i64) =
        sqlx::query_as("SELECT count(claimed_until), CAST(coalesce(sum(attempts), 0) AS BIGINT) FROM outbox")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("outbox");
    assert_eq!((claimed, attempted), (0, 0), "nothing stays claimed or counted");
    // Another worker sends them all at once, not after a lease.
    let sent = worker.deliver_due().await.expect("round");
    assert_eq!(sent as i64, queued);
}
