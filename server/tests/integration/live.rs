//! The live-update stream through the real router: each signed-in user gets
//! the changes they may see, and nobody else's.

use std::time::Duration;

use app::domain::{DrawdownForm, DrawdownId, OrderId};
use app::events::PortalEvent;
use app::settings::Settings;
use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::{app_state, demo_db, line_of, order_id, user};
use crate::sessions::call;

async fn sign_in(app: &axum::Router, email: &str) -> String {
    let form = format!("email={}&password=demo", email.replace('@', "%40"));
    call(app, "sign_in", &form, None).await.1.expect("session cookie")
}

/// Opens the stream as the browser does; returns its body.
async fn open_stream(app: &axum::Router, cookie: Option<&str>) -> (StatusCode, Body) {
    let mut request = Request::get(app::events::EVENTS_PATH).header(header::ACCEPT, "text/event-stream");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    (response.status(), response.into_body())
}

/// The request the next event on the stream tells of, read as the browser
/// reads it (keep-alive comments skipped).
async fn next_event(body: &mut Body) -> DrawdownId {
    let data = next_event_or_end(body).await.expect("stream open");
    match PortalEvent::from_wire(&data) {
        Some(PortalEvent::DrawdownChanged { id, .. }) => id,
        other => panic!("not a request's change: {data:?} reads as {other:?}"),
    }
}

/// The data of the next event, or `None` when the stream ends first.
async fn next_event_or_end(body: &mut Body) -> Option<String> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an event or the end within 5 s")?
            .expect("frame");
        let Ok(data) = frame.into_data() else { continue };
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(line) = text.lines().find(|l| l.starts_with("data:")) {
            return Some(line.trim_start_matches("data:").trim().to_string());
        }
    }
}

async fn form(db: &app::repo::Db, order: &str, customer: &str) -> (Option<OrderId>, DrawdownForm) {
    (
        Some(order_id(db, order).await),
        DrawdownForm {
            customer_account: customer.into(),
            customer_website: "https://customer.example".into(),
            customer_name: "Jordan Lee".into(),
            customer_email: "jordan@customer.example".into(),
            quantities: vec![(line_of(db, order, "Bot Creator").await, "1".into())],
        },
    )
}

#[tokio::test]
async fn each_user_hears_only_of_the_requests_they_may_see() {
    let t = demo_db().await;
    let state = app_state(t.db.clone(), Settings::default());
    let app = server::router(state.clone());

    assert_eq!(open_stream(&app, None).await.0, StatusCode::UNAUTHORIZED);
    let (status, mut northwind) = open_stream(&app, Some(&sign_in(&app, "partner@example.com").await)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, mut tailspin) = open_stream(&app, Some(&sign_in(&app, "other-partner@example.com").await)).await;
    let (_, mut accounting) = open_stream(&app, Some(&sign_in(&app, "accounting@example.com").await)).await;

    let (order, request) = form(&t.db, "SO-2026-0101", "Adventure Works").await;
    let ours = state
        .services()
        .save(&user(&t.db, "partner@example.com").await, order, &request, None)
        .await;
    let (order, request) = form(&t.db, "SO-2026-0150", "Litware").await;
    let theirs = state
        .services()
        .save(
            &user(&t.db, "other-partner@example.com").await,
            order,
            &request,
            None,
        )
        .await;
    let (ours, theirs) = (ours.expect("saved").id, theirs.expect("saved").id);

    // Each partner's first event is its own request, never the other's.
    assert_eq!(next_event(&mut northwind).await, ours);
    assert_eq!(next_event(&mut tailspin).await, theirs);
    // Accounting hears of both, in order.
    assert_eq!(next_event(&mut accounting).await, ours);
    assert_eq!(next_event(&mut accounting).await, theirs);
}

#[tokio::test]
async fn a_customer_user_cannot_act_on_a_request_through_the_api() {
    let t = demo_db().await;
    let app = crate::sessions::portal(t.db.clone());
    let partner = user(&t.db, "partner@example.com").await;
    let state = app_state(t.db.clone(), Settings::default());
    let (order, request) = form(&t.db, "SO-2026-0101", "Adventure Works").await;
    let id = state
        .services()
        .save(&partner, order, &request, None)
        .await
        .expect("saved")
        .id;

    let customer = sign_in(&app, "customer@example.com").await;
    let json = format!("{{\"id\":{id},\"transition\":\"cancel\",\"reason\":null}}");
    let response = app
        .clone()
        .oneshot(
            Request::post("/api/change_drawdown")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &customer)
                .body(Body::from(json))
                .expect("request"),
        )
        .await
        .expect("response");
    let body =
        String::from_utf8_lossy(&response.into_body().collect().await.expect("body").to_bytes()).into_owned();
    assert!(body.contains("\"error\":\"forbidden\""), "{body}");
    let state_now: String = sqlx::query_scalar("SELECT state FROM drawdown_requests WHERE id = $1")
        .bind(id.0)
        .fetch_one(&mut *t.db.read().await.expect("conn"))
        .await
        .expect("state");
    assert_eq!(state_now, "submitted");
}

#[tokio::test]
async fn a_stream_ends_with_its_session_and_carries_nothing_after_sign_out() {
    let t = demo_db().await;
    let state = app_state(t.db.clone(), Settings::default());
    let app = server::router(state.clone());

    // The same partner in two browsers; it signs out in the first.
    let first = sign_in(&app, "partner@example.com").await;
    let second = sign_in(&app, "partner@example.com").await;
    let (_, mut signed_out) = open_stream(&app, Some(&first)).await;
    let (_, mut still_in) = open_stream(&app, Some(&second)).await;
    call(&app, "sign_out", "", Some(&first)).await;

    let (order, request) = form(&t.db, "SO-2026-0101", "Adventure Works").await;
    let saved = state
        .services()
        .save(&user(&t.db, "partner@example.com").await, order, &request, None)
        .await
        .expect("saved")
        .id;
    assert_eq!(next_event(&mut still_in).await, saved);
    assert_eq!(
        next_event_or_end(&mut signed_out).await,
        None,
        "the signed-out stream ends, empty"
    );
}

#[tokio::test]
async fn a_deactivated_users_stream_ends_at_once_with_nothing_more_on_it() {
    let t = demo_db().await;
    let state = app_state(t.db.clone(), Settings::default());
    let app = server::router(state.clone());
    let colleague = sign_in(&app, "partner-user@example.com").await;
    let admin = sign_in(&app, "partner@example.com").await;
    let (_, mut deactivated) = open_stream(&app, Some(&colleague)).await;
    let (_, mut admins) = open_stream(&app, Some(&admin)).await;
    let partner_user = user(&t.db, "partner-user@example.com").await;
    state
        .services()
        .set_user_active(
            &user(&t.db, "partner@example.com").await,
            None,
            partner_user.id,
            false,
        )
        .await
        .expect("deactivated");
    // Ended by the deactivation itself, before any other change comes along.
    assert_eq!(
        next_event_or_end(&mut deactivated).await,
        None,
        "the deactivated user's stream ends, empty"
    );
    // Nobody else's stream heard of it, and they go on.
    let (order, request) = form(&t.db, "SO-2026-0101", "Adventure Works").await;
    let saved = state
        .services()
        .save(&user(&t.db, "partner@example.com").await, order, &request, None)
        .await
        .expect("saved")
        .id;
    assert_eq!(next_event(&mut admins).await, saved);
}
