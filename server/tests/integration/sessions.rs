//! Sign-in through the real HTTP router: sessions live in the database, so
//! they survive a restart; sign-out ends them.

use app::settings::Settings;
use axum::body::Body;
use axum::Router;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::demo_db;

pub fn portal(db: app::repo::Db) -> Router {
    server::router(crate::helpers::app_state(db, Settings::default()))
}

/// Calls a server function as the browser does, with JSON wanted back.
pub async fn call(
    app: &Router,
    endpoint: &str,
    form: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    // A JSON body for the server functions that take JSON, else a form.
    let content_type = if form.starts_with('{') {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let (status, headers, body) =
        send(app, request.body(Body::from(form.to_string())).expect("request")).await;
    let set_cookie = headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_string());
    (status, set_cookie, body)
}

/// Sends one request through the router: its status, headers and body.
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_session_survives_a_server_restart_and_ends_at_sign_out() {
    let t = demo_db().await;
    let first = portal(t.db.clone());
    let (status, cookie, _) = call(
        &first,
        "sign_in",
        "email=partner%40example.com&password=demo",
        None,
    )
    .await;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    let cookie = cookie.expect("session cookie");
    assert!(cookie.starts_with("portal_session="));

    // Restart: a new router on a new connection to the same file.
    t.db.close().await;
    let second = portal(t.reopen().await);
    let (_, _, body) = call(&second, "signed_in_user", "", Some(&cookie)).await;
    assert!(body.contains("\"email\":\"partner@example.com\""), "{body}");
    assert!(body.contains("\"role\":\"partner_admin\""), "{body}");

    call(&second, "sign_out", "", Some(&cookie)).await;
    let (_, _, body) = call(&second, "signed_in_user", "", Some(&cookie)).await;
    assert_eq!(body, "null");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer_and_no_cookie() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let (_, cookie_a, wrong_password) =
        call(&app, "sign_in", "email=partner%40example.com&password=nope", None).await;
    let (_, cookie_b, unknown_email) =
        call(&app, "sign_in", "email=nobody%40example.com&password=demo", None).await;
    // What was typed goes into the audit log; a NUL in it (which
    // PostgreSQL's text refuses) is the same "no" and not a 500.
    let (_, cookie_c, control_characters) = call(
        &app,
        "sign_in",
        "email=no%00body%07%40example.com&password=demo",
        None,
    )
    .await;
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, control_characters);
    assert!(wrong_password.contains("wrong_credentials"), "{wrong_password}");
    assert_eq!((cookie_a, cookie_b, cookie_c), (None, None, None));
}

#[tokio::test]
async fn server_functions_refuse_callers_without_a_session() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let (_, _, body) = call(&app, "list_accounts", "{}", None).await;
    assert!(body.contains("not_signed_in"), "{body}");
    let (_, _, body) = call(
        &app,
        "account_entitlements",
        "account=2",
        Some("portal_session=forged"),
    )
    .await;
    assert!(body.contains("not_signed_in"), "{body}");
}

#[tokio::test]
async fn a_partner_is_refused_an_account_it_does_not_manage() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let (_, cookie, _) = call(
        &app,
        "sign_in",
        "email=other-partner%40example.com&password=demo",
        None,
    )
    .await;
    let cookie = cookie.expect("cookie");
    let northwind = crate::helpers::account_id(&t.db, "Northwind Partners").await;
    let contoso = crate::helpers::account_id(&t.db, "Contoso Pharma").await;
    for account in [northwind, contoso] {
        let (_, _, body) = call(
            &app,
            "account_entitlements",
            &format!("account={account}"),
            Some(&cookie),
        )
        .await;
        assert!(body.contains("forbidden"), "{body}");
        assert!(!body.contains("Bot Creator"), "{body}");
    }
    let (_, _, body) = call(&app, "list_accounts", "{}", Some(&cookie)).await;
    assert!(
        body.contains("Tailspin Integrators") && body.contains("Wingtip Toys"),
        "{body}"
    );
    assert!(!body.contains("Northwind") && !body.contains("Contoso"), "{body}");
}

#[tokio::test]
async fn signing_in_again_ends_the_session_the_browser_brought() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let form = "email=partner%40example.com&password=demo";
    let (_, first, _) = call(&app, "sign_in", form, None).await;
    let first = first.expect("first session");
    // The same browser signs in again, sending the cookie it has.
    let (_, second, _) = call(&app, "sign_in", form, Some(&first)).await;
    let second = second.expect("second session");
    assert_ne!(first, second, "a new session id");
    let (_, _, body) = call(&app, "signed_in_user", "", Some(&first)).await;
    assert_eq!(body, "null", "the session it brought has ended");
    let (_, _, body) = call(&app, "signed_in_user", "", Some(&second)).await;
    assert!(body.contains("\"email\":\"partner@example.com\""), "{body}");
}

#[tokio::test]
async fn a_session_ends_after_its_idle_timeout_and_only_the_users_own_requests_keep_it() {
    let t = demo_db().await;
    let clock = app::clock::Clock::stopped_at(app::clock::Clock::system().now());
    let settings = Settings {
        clock: clock.clone(),
        ..Settings::default()
    };
    let app = server::router(crate::helpers::app_state(t.db.clone(), settings.clone()));
    let (_, cookie, _) = call(&app, "sign_in", "email=partner%40example.com&password=demo", None).await;
    let cookie = cookie.expect("session cookie");
    let idle = settings.session_idle_timeout.whole_seconds();
    let last_seen = || {
        let db = t.db.clone();
        async move {
            let mut conn = db.read().await.expect("conn");
            sqlx::query_scalar::<_, i64>("SELECT last_seen_at FROM sessions")
                .fetch_one(&mut *conn)
                .await
                .expect("session")
        }
    };
    let accounts = |cookie: String| {
        let app = app.clone();
        async move { call(&app, "list_accounts", "{}", Some(&cookie)).await.0 }
    };

    // Used a minute short of the timeout: still signed in, and the use counts.
    clock.advance(idle - 60);
    assert_eq!(accounts(cookie.clone()).await, StatusCode::OK);
    assert_eq!(last_seen().await, clock.now());

    // The live stream's checks are not the user's use: they keep nothing.
    clock.advance(idle - 60);
    let mut headers = http::HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().expect("header"));
    let background =
        app::auth::user_from_headers(&t.db, &settings, &headers, app::auth::Activity::Background).await;
    assert!(background.is_ok(), "{background:?}");
    assert_eq!(last_seen().await, clock.now() - (idle - 60));

    // Idle past the timeout: signed out, on every path.
    clock.advance(61);
    assert_eq!(accounts(cookie.clone()).await, StatusCode::UNAUTHORIZED);
    let (_, _, body) = call(&app, "signed_in_user", "", Some(&cookie)).await;
    assert_eq!(body, "null");
}
