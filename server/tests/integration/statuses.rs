//! The HTTP status of each kind of refusal, through the real router (SPEC,
//! "Security promises"): proxies, alerts and API clients read statuses, and
//! the body is a stable snake_case code with no parser or database text.

use http::StatusCode;

use crate::helpers::{count_rows, demo_db, line_of, order_id};
use crate::sessions::{call, portal};

async fn signed_in(app: &axum::Router, email: &str) -> String {
    let (status, cookie, body) = call(app, "sign_in", &format!("email={email}&password=demo"), None).await;
    assert!(status.is_success() || status.is_redirection(), "{status} {body}");
    cookie.expect("session cookie")
}

#[tokio::test]
async fn each_refusal_answers_its_own_status_with_a_stable_code() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let partner = signed_in(&app, "partner%40example.com").await;
    let accounting = signed_in(&app, "accounting%40example.com").await;
    let other = signed_in(&app, "other-partner%40example.com").await;
    let order = order_id(&t.db, "SO-2026-0101").await;
    let line = line_of(&t.db, "SO-2026-0101", "Bot Creator").await;
    let save = |quantity: &str| {
        format!(
            r#"{{"order":{},"form":{{"customer_account":"Status Test Ltd","customer_website":"https://status.example","customer_name":"Robin","customer_email":"robin@status.example","quantities":[[{},"{quantity}"]]}},"cloned_from":null}}"#,
            order.0, line.0
        )
    };

    // 401: not signed in; a wrong password.
    let (status, _, body) = call(&app, "save_drawdown", &save("1"), None).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::UNAUTHORIZED, r#"{"error":"not_signed_in"}"#)
    );
    let (status, _, body) = call(
        &app,
        "sign_in",
        "email=partner%40example.com&password=wrong",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A plain HTML form post (before hydration) still goes back to its form.
    {
        use tower::ServiceExt;
        let request = http::Request::post("/api/sign_in")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "text/html")
            .header(http::header::REFERER, "http://127.0.0.1:3000/sign-in")
            .body(axum::body::Body::from(
                "email=partner%40example.com&password=wrong",
            ))
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()[http::header::LOCATION]
            .to_str()
            .expect("location");
        assert!(
            location.starts_with("http://127.0.0.1:3000/sign-in"),
            "{location}"
        );
    }

    // 422: a form with a problem, named with its field; nothing saved.
    let before = count_rows(&t.db, "drawdown_requests").await;
    let (status, _, body) = call(&app, "save_drawdown", &save("x"), Some(&partner)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.starts_with(r#"{"error":"invalid_drawdown","problems":[{"field":{"field":"quantity""#),
        "{body}"
    );
    assert!(body.contains(r#""not_whole_number""#), "{body}");
    assert_eq!(count_rows(&t.db, "drawdown_requests").await, before);

    // 400: a body that is not the function's JSON, without the parser's words.
    for (endpoint, malformed) in [
        ("save_drawdown", r#"{"order":"one"}"#),
        ("save_drawdown", "{"),
        (
            "change_drawdown",
            r#"{"id":1,"transition":"explode","reason":null}"#,
        ),
    ] {
        let (status, _, body) = call(&app, endpoint, malformed, Some(&partner)).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::BAD_REQUEST, r#"{"error":"malformed"}"#),
            "{malformed}"
        );
    }

    let (status, _, body) = call(&app, "save_drawdown", &save("1"), Some(&partner)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id: i64 = body
        .trim_start_matches('[')
        .split(',')
        .next()
        .expect("id")
        .parse()
        .expect("id");
    let change = |transition: &str| format!(r#"{{"id":{id},"transition":"{transition}","reason":null}}"#);

    // 403: a step that is not the caller's to take; another partner's request.
    let (status, _, body) = call(&app, "change_drawdown", &change("approve"), Some(&partner)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains(r#""refusal":{"not_permitted""#), "{body}");
    let (status, _, body) = call(&app, "change_drawdown", &change("cancel"), Some(&other)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, r#"{"error":"forbidden"}"#)
    );

    // 409: the request's state changed meanwhile (approved twice).
    let (status, _, body) = call(&app, "change_drawdown", &change("approve"), Some(&accounting)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = call(&app, "change_drawdown", &change("approve"), Some(&accounting)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains(r#""refusal":{"not_allowed_from""#), "{body}");

    // 404: a request that does not exist.
    let (status, _, body) = call(&app, "drawdown", r#"{"id":999999}"#, Some(&partner)).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{status} {body}"
    );
}
