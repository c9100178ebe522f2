//! The HTTP status of each kind of refusal, through the real router (SPEC,
//! "Security promises"): proxies, alerts and API clients read statuses, and
//! the body is a stable snake_case code with no parser or database text.

use http::StatusCode;

use crate::helpers::{count_rows, demo_db, line_of, order_id};
use crate::sessions::{call, portal, send};

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

    // 422 too: an order line given twice; a name with an invisible character.
    let twice = save("1").replace(
        &format!(r#"[[{},"1"]]"#, line.0),
        &format!(r#"[[{0},"1"],[{0},"2"]]"#, line.0),
    );
    let (status, _, body) = call(&app, "save_drawdown", &twice, Some(&partner)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(r#""error":"duplicate""#), "{body}");
    let hidden = save("1").replace("Status Test Ltd", "Status\\u202eTest Ltd");
    let (status, _, body) = call(&app, "save_drawdown", &hidden, Some(&partner)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains(r#"{"name":"characters"}"#), "{body}");
    assert_eq!(count_rows(&t.db, "drawdown_requests").await, before);

    // 413: a body far larger than any form; a long search is no error.
    let huge = save("1").replace("Robin", &"R".repeat(70_000));
    let (status, _, body) = call(&app, "save_drawdown", &huge, Some(&partner)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, r#"{"error":"too_large"}"#)
    );
    let partner_account = crate::helpers::account_id(&t.db, "Northwind Partners").await;
    let search = format!(
        r#"{{"account":{},"state":null,"search":"{}","page":{{"after":null,"rows":null}}}}"#,
        partner_account.0,
        "%_".repeat(30_000)
    );
    let (status, _, body) = call(&app, "list_drawdowns", &search, Some(&partner)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"rows":[],"next":null}"#)
    );

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

    // 503: the database is gone; the answer says so, not "internal".
    t.db.close().await;
    let (status, _, body) = call(&app, "list_accounts", "{}", Some(&partner)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"unavailable"}"#)
    );
}

#[tokio::test]
async fn only_the_portals_own_pages_can_act_and_every_answer_carries_the_security_headers() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let partner = signed_in(&app, "partner%40example.com").await;
    let order = order_id(&t.db, "SO-2026-0101").await;
    let line = line_of(&t.db, "SO-2026-0101", "Bot Creator").await;
    let body = format!(
        r#"{{"order":{},"form":{{"customer_account":"Origin Test Ltd","customer_website":"https://origin.example","customer_name":"Robin","customer_email":"robin@origin.example","quantities":[[{},"1"]]}},"cloned_from":null}}"#,
        order.0, line.0
    );
    let post = |origin: Option<&str>, content_type: &str| {
        let mut request = http::Request::post("/api/save_drawdown")
            .header(http::header::CONTENT_TYPE, content_type)
            .header(http::header::COOKIE, partner.as_str());
        if let Some(origin) = origin {
            request = request.header(http::header::ORIGIN, origin);
        }
        request
            .body(axum::body::Body::from(body.clone()))
            .expect("request")
    };
    let before = count_rows(&t.db, "drawdown_requests").await;
    for (origin, content_type, status, code) in [
        (
            Some("https://evil.example"),
            "application/json",
            StatusCode::FORBIDDEN,
            "cross_origin",
        ),
        (
            Some("http://127.0.0.1:3001"),
            "application/json",
            StatusCode::FORBIDDEN,
            "cross_origin",
        ),
        (
            Some("http://127.0.0.1:3000"),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
    ] {
        let (got, _, answer) = send(&app, post(origin, content_type)).await;
        assert_eq!(
            (got, answer),
            (status, format!(r#"{{"error":"{code}"}}"#)),
            "{origin:?} {content_type}"
        );
    }
    assert_eq!(
        count_rows(&t.db, "drawdown_requests").await,
        before,
        "nothing saved"
    );
    let (status, headers, answer) = send(&app, post(Some("http://127.0.0.1:3000"), "application/json")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(count_rows(&t.db, "drawdown_requests").await, before + 1);
    assert_eq!(headers[http::header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[http::header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // A login form posted from another site is refused too.
    let (status, headers, _) = send(
        &app,
        http::Request::post("/api/sign_in")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ORIGIN, "https://evil.example")
            .body(axum::body::Body::from(
                "email=partner%40example.com&password=demo",
            ))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.get(http::header::SET_COOKIE).is_none());

    // A page: a policy whose nonce is the one its scripts carry.
    let (status, headers, page) = send(
        &app,
        http::Request::get("/licenses")
            .header(http::header::COOKIE, partner.as_str())
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let policy = headers[http::header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("policy")
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(
        !policy.contains("unsafe-inline' 'wasm") && !policy.contains("script-src 'self' 'unsafe-inline'"),
        "{policy}"
    );
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(
        page.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the nonce"
    );
    let scripts: Vec<&str> = page
        .split("<script")
        .skip(1)
        .map(|tag| tag.split('>').next().unwrap_or_default())
        .collect();
    assert!(!scripts.is_empty());
    for tag in &scripts {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: <script{tag}>"
        );
    }
    assert_eq!(headers[http::header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[http::header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[http::header::X_FRAME_OPTIONS], "DENY");
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_with_the_time_to_wait() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let attempt = |email: &'static str, password: &'static str| {
        http::Request::post("/api/sign_in")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "application/json")
            .body(axum::body::Body::from(format!(
                "email={email}&password={password}"
            )))
            .expect("request")
    };
    for _ in 0..5 {
        let (status, _, body) = send(&app, attempt("partner%40example.com", "wrong")).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::UNAUTHORIZED, r#"{"error":"wrong_credentials"}"#)
        );
    }
    // The sixth is refused before any password is checked, the right one too.
    for password in ["wrong", "demo"] {
        let (status, headers, body) = send(&app, attempt("PARTNER%40example.com", password)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        let wait: u32 = headers[http::header::RETRY_AFTER]
            .to_str()
            .expect("header")
            .parse()
            .expect("seconds");
        assert!((840..=900).contains(&wait), "{wait}");
        assert_eq!(body, format!(r#"{{"error":"throttled","retry_after":{wait}}}"#));
        assert!(headers.get(http::header::SET_COOKIE).is_none(), "no session");
    }
    // Another account is not held back by this one's failures.
    let (status, cookie, _) = call(
        &app,
        "sign_in",
        "email=accounting%40example.com&password=demo",
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    assert!(cookie.is_some());
}

#[tokio::test]
async fn a_partner_saves_at_most_its_hourly_limit_and_others_are_not_held_back() {
    let t = demo_db().await;
    let settings = app::settings::Settings {
        saves_per_partner_per_hour: 2,
        ..app::settings::Settings::default()
    };
    let app = server::router(crate::helpers::app_state(t.db.clone(), settings));
    let partner = signed_in(&app, "partner%40example.com").await;
    let other = signed_in(&app, "other-partner%40example.com").await;
    let save = |order: i64, line: i64, n: usize| {
        format!(
            r#"{{"order":{order},"form":{{"customer_account":"Limit Test {n}","customer_website":"https://limit-{n}.example","customer_name":"Robin","customer_email":"robin@limit-{n}.example","quantities":[[{line},"1"]]}},"cloned_from":null}}"#
        )
    };
    let order = order_id(&t.db, "SO-2026-0101").await.0;
    let line = line_of(&t.db, "SO-2026-0101", "Bot Creator").await.0;
    for n in 0..2 {
        let (status, _, body) = call(&app, "save_drawdown", &save(order, line, n), Some(&partner)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let before = count_rows(&t.db, "drawdown_requests").await;
    let (status, _, body) = call(&app, "save_drawdown", &save(order, line, 2), Some(&partner)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(
        body.starts_with(r#"{"error":"too_many_saves","retry_after":"#),
        "{body}"
    );
    assert_eq!(
        count_rows(&t.db, "drawdown_requests").await,
        before,
        "nothing saved"
    );

    let tailspin_order = order_id(&t.db, "SO-2026-0150").await.0;
    let tailspin_line = line_of(&t.db, "SO-2026-0150", "Bot Creator").await.0;
    let (status, _, body) = call(
        &app,
        "save_drawdown",
        &save(tailspin_order, tailspin_line, 3),
        Some(&other),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "another partner saves: {body}");
}

/// Stops the database from storing anything more: on SQLite the writer's
/// file may not grow (`max_page_count`, a full disk as SQLite meets it); on
/// PostgreSQL the database turns read-only, as a server does when its disk
/// fills or it is a standby. `None` gives the room back.
async fn storage_full(t: &crate::helpers::TestDb, full: bool) -> app::repo::Db {
    match t.db.engine() {
        app::repo::Engine::Sqlite => {
            let mut tx = t.db.begin().await.expect("writer");
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                .fetch_one(&mut *tx)
                .await
                .expect("pages");
            let limit = if full { pages } else { 1 << 30 };
            sqlx::query(&format!("PRAGMA max_page_count = {limit}"))
                .execute(&mut *tx)
                .await
                .expect("limit");
            tx.commit().await.expect("commit");
            t.db.clone()
        }
        app::repo::Engine::Postgres => {
            let name = t.url.rsplit('/').next().expect("database name").to_string();
            let setting = if full {
                "SET default_transaction_read_only = on"
            } else {
                "RESET default_transaction_read_only"
            };
            let mut conn = t.db.read().await.expect("conn");
            sqlx::query(&format!("ALTER DATABASE {name} {setting}"))
                .execute(&mut *conn)
                .await
                .expect("alter database");
            drop(conn);
            // New connections, as after the server's restart, see it.
            app::repo::Db::connect(&t.url).await.expect("connect")
        }
    }
}

#[tokio::test]
async fn a_write_that_cannot_be_stored_is_a_503_with_nothing_half_written_and_reads_go_on() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let partner = signed_in(&app, "partner%40example.com").await;
    let order = order_id(&t.db, "SO-2026-0101").await;
    let line = line_of(&t.db, "SO-2026-0101", "IQ Bot pages").await;
    let save = |n: usize| {
        format!(
            r#"{{"order":{},"form":{{"customer_account":"Full Disk {n} Ltd","customer_website":"https://full-{n}.example","customer_name":"Robin","customer_email":"robin@full-{n}.example","quantities":[[{},"1"]]}},"cloned_from":null}}"#,
            order.0, line.0
        )
    };
    let footprint = |db: app::repo::Db| async move {
        let mut counts = Vec::new();
        for table in [
            "drawdown_requests",
            "ledger_entries",
            "drawdown_history",
            "outbox",
            "accounts",
        ] {
            counts.push(count_rows(&db, table).await);
        }
        counts
    };

    let db = storage_full(&t, true).await;
    let app = portal(db.clone());
    // Saves until one finds no room (on SQLite, the free pages fill first).
    let mut refused = None;
    for n in 0..500 {
        let before = footprint(db.clone()).await;
        let (status, _, body) = call(&app, "save_drawdown", &save(n), Some(&partner)).await;
        if status != StatusCode::OK {
            refused = Some((status, body, before));
            break;
        }
    }
    let (status, body, before) = refused.expect("a save is refused once nothing can be stored");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"unavailable"}"#)
    );
    assert_eq!(footprint(db.clone()).await, before, "nothing half-written");
    // Reads go on, the signed-in user's included.
    let (status, _, body) = call(&app, "list_accounts", "{}", Some(&partner)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Room again: writes resume without a restart of the portal (SQLite),
    // or on the connections opened after it (PostgreSQL).
    let db = storage_full(&t, false).await;
    let app = portal(db.clone());
    let (status, _, body) = call(&app, "save_drawdown", &save(1000), Some(&partner)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
