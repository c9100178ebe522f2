//! The partner API over HTTP (SPEC, "Partner API and webhooks"): tokens
//! made on the API tokens tab's service, each resource through the real
//! router, what a token may not do, Idempotency-Key replays (one after
//! another and racing), and the rate per token.

use app::domain::{AccountId, ApiScope, DrawdownState, NewApiToken, TokenLifetime, TokenName, Transition};
use app::services::api_tokens::ApiTokenError;
use http::{header, Request};
use serde_json::{json, Value};

use crate::drawdowns::{save, ACCOUNTING, PARTNER};
use crate::helpers::{account_id, count_rows, line_of, order_id, user, Portal};
use crate::sessions::send;

const PARTNER_USER: &str = "partner-user@example.com";
const OTHER_PARTNER: &str = "other-partner@example.com";
const ORDER: &str = "SO-2026-0101";

fn router(p: &Portal) -> axum::Router {
    server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()))
}

/// A token of `email`'s own account.
async fn token(p: &Portal, email: &str, scope: ApiScope, days: Option<u32>) -> String {
    let maker = user(p.db(), email).await;
    let new = NewApiToken {
        name: TokenName::parse("ERP sync").expect("name"),
        scope,
        lifetime: TokenLifetime::parse(days).expect("lifetime"),
    };
    p.services()
        .create_api_token(&maker, maker.account_id, &new)
        .await
        .expect("token made")
        .secret
}

/// A call: the status, the headers and the body as JSON (null if none).
async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    secret: Option<&str>,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, http::HeaderMap, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(secret) = secret {
        request = request.header(header::AUTHORIZATION, format!("Bearer {secret}"));
    }
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            axum::body::Body::from(body.to_string())
        }
        None => axum::body::Body::empty(),
    };
    let (status, headers, text) = send(app, request.body(body).expect("request")).await;
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status.as_u16(), headers, json)
}

/// A new request's body for a new customer asking `quantity` Bot Creators.
async fn new_request(p: &Portal, customer: &str, quantity: u32) -> Value {
    json!({
        "order": order_id(p.db(), ORDER).await,
        "customer_account": customer,
        "customer_website": format!("https://{}.example", customer.to_lowercase().replace(' ', "-")),
        "contact_name": "Jordan Lee",
        "contact_email": "jordan@customer.example",
        "lines": [{ "order_line": line_of(p.db(), ORDER, "Bot Creator").await, "quantity": quantity }],
    })
}

#[tokio::test]
async fn a_partner_admins_token_lists_reads_and_creates_as_its_partner_and_every_call_is_audited() {
    let p = Portal::demo().await;
    let admin = user(p.db(), PARTNER).await;
    let secret = token(&p, PARTNER, ApiScope::ReadWrite, Some(90)).await;
    assert!(secret.starts_with("lcp_"));
    let app = router(&p);

    // The tab lists it without its secret.
    let listed = p
        .services()
        .list_api_tokens(&admin, admin.account_id)
        .await
        .expect("listed")
        .tokens;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "ERP sync");
    assert!(secret.starts_with(&listed[0].prefix) && listed[0].prefix.len() < 20);
    assert_eq!(listed[0].last_used_at, None);

    // Accounts: the partner and the customers it manages, no other partner's.
    let (status, _, accounts) = call(&app, "GET", "/api/v1/accounts", Some(&secret), None, None).await;
    assert_eq!(status, 200, "{accounts}");
    let names: Vec<&str> = accounts["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default())
        .collect();
    assert!(
        names.contains(&"Northwind Partners") && names.contains(&"Contoso Pharma"),
        "{names:?}"
    );
    assert!(!names.contains(&"Tailspin Integrators"), "{names:?}");

    // Entitlements of the partner: its order lines with their balances.
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let (status, _, view) = call(
        &app,
        "GET",
        &format!("/api/v1/accounts/{northwind}/entitlements"),
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert!(!view["order_lines"].as_array().expect("lines").is_empty());

    // Create, then read it back.
    let before = count_rows(p.db(), "drawdown_requests").await;
    let body = new_request(&p, "Api Customer", 2).await;
    let (status, _, created) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        None,
        Some(&body),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "submitted");
    assert!(
        created["number"].as_str().is_some_and(|n| n.starts_with("PDR-")),
        "{created}"
    );
    assert_eq!(count_rows(p.db(), "drawdown_requests").await, before + 1);
    let id = created["id"].as_i64().expect("id");
    let (status, _, detail) = call(
        &app,
        "GET",
        &format!("/api/v1/drawdowns/{id}"),
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["customer_name"], "Api Customer");
    assert_eq!(detail["state"], "submitted");
    assert_eq!(detail["lines"][0]["quantity"], 2);
    assert_eq!(detail["history"][0]["to"], "submitted");
    // Made in the name of the token's maker.
    assert_eq!(detail["requested_by"], json!(admin.id));

    // Clone it: a new request for the same customer and lines.
    let (status, _, cloned) = call(
        &app,
        "POST",
        &format!("/api/v1/drawdowns/{id}/clone"),
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(status, 201, "{cloned}");
    let (_, _, clone_detail) = call(
        &app,
        "GET",
        &format!("/api/v1/drawdowns/{}", cloned["id"]),
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(clone_detail["cloned_from"], json!(id));
    assert_eq!(clone_detail["customer_name"], "Api Customer");
    assert_eq!(clone_detail["lines"], detail["lines"]);

    // The line's statement: the clone's reservation first, the balance after it as the line stands.
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let (status, _, statement) = call(
        &app,
        "GET",
        &format!("/api/v1/order-lines/{line}/statement"),
        Some(&secret),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{statement}");
    assert_eq!(statement["data"][0]["kind"], "reserve");
    assert_eq!(statement["data"][0]["request_id"], cloned["id"]);
    assert_eq!(statement["data"][0]["available_after"], statement["available"]);
    assert_eq!(statement["data"][0]["actor_name"], json!(admin.display_name));
    let listed_line = view["order_lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["order_line_id"] == json!(line))
        .expect("line")
        .clone();
    assert_eq!(
        statement["available"].as_i64(),
        listed_line["available"].as_i64().map(|a| a - 4),
        "two requests of 2 since"
    );

    // The list, a page of one at a time, newest change first, to the end.
    for n in 0..3 {
        p.clock().advance(1);
        save(&p, &admin, &format!("Paged Customer {n}"), "1")
            .await
            .expect("saved");
    }
    p.clock().advance(1);
    let (status, _, created) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        None,
        Some(&new_request(&p, "Newest Customer", 1).await),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let newest = created["id"].as_i64().expect("id");
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let path = format!("/api/v1/drawdowns?limit=1&cursor={cursor}");
        let (status, _, page) = call(&app, "GET", &path, Some(&secret), None, None).await;
        assert_eq!(status, 200, "{page}");
        let rows = page["data"].as_array().expect("data");
        assert!(rows.len() <= 1);
        seen.extend(rows.iter().map(|r| r["id"].as_i64().expect("id")));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.first(), Some(&newest), "newest first");
    assert!(seen.len() >= 5 && seen.contains(&id), "{seen:?}");
    let partner_requests = p
        .services()
        .list_drawdowns(
            &admin,
            admin.account_id,
            None,
            None,
            app::domain::PageRequest::first(500),
        )
        .await
        .expect("list")
        .rows
        .len();
    assert_eq!(seen.len(), partner_requests, "every request once");
    // Filtered by state.
    let (_, _, submitted) = call(
        &app,
        "GET",
        "/api/v1/drawdowns?state=submitted",
        Some(&secret),
        None,
        None,
    )
    .await;
    assert!(submitted["data"]
        .as_array()
        .expect("data")
        .iter()
        .all(|r| r["state"] == "submitted"));

    // Every call is in the audit log, naming the token; the Save too.
    let mut conn = p.db().read().await.expect("conn");
    let calls: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, actor FROM audit_log WHERE actor LIKE '%ERP sync%' ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("audit");
    let api_calls = calls.iter().filter(|(k, _)| k == "api_call").count();
    // accounts, entitlements, two creates, get, clone, its get, statement, the pages, the filtered list
    assert_eq!(api_calls, 9 + pages, "{calls:?}");
    assert!(
        calls
            .iter()
            .any(|(k, a)| k == "drawdown_saved" && a == "API token \"ERP sync\" of partner@example.com"),
        "{calls:?}"
    );
    drop(conn);
    let listed = p
        .services()
        .list_api_tokens(&admin, admin.account_id)
        .await
        .expect("listed")
        .tokens;
    assert_eq!(listed[0].last_used_at, Some(p.clock().now()));
}

#[tokio::test]
async fn a_token_is_refused_when_read_only_revoked_expired_missing_or_reaching_past_its_partner() {
    let p = Portal::demo().await;
    let app = router(&p);
    let admin = user(p.db(), PARTNER).await;
    let read_only = token(&p, PARTNER, ApiScope::Read, None).await;
    let body = new_request(&p, "Refused Customer", 1).await;
    let before = count_rows(p.db(), "drawdown_requests").await;

    // Read-only: reads yes, writes 403 and nothing saved.
    assert_eq!(
        call(&app, "GET", "/api/v1/drawdowns", Some(&read_only), None, None)
            .await
            .0,
        200
    );
    let (status, _, refused) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&read_only),
        None,
        Some(&body),
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (403, Some("forbidden")));
    assert_eq!(count_rows(p.db(), "drawdown_requests").await, before);

    // No token, a wrong one, a session cookie instead: 401, Bearer asked for.
    for secret in [None, Some("lcp_0000"), Some("not-a-token")] {
        let (status, headers, refused) = call(&app, "GET", "/api/v1/accounts", secret, None, None).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (401, Some("not_signed_in")),
            "{secret:?}"
        );
        assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    }

    // Another partner's request and account: 403, as for none.
    let other = user(p.db(), OTHER_PARTNER).await;
    let theirs = crate::drawdowns::save_on(
        &p,
        &other,
        order_id(p.db(), "SO-2026-0150").await,
        line_of(p.db(), "SO-2026-0150", "Bot Creator").await,
        "Their Customer",
        "1",
    )
    .await
    .expect("their request");
    let writer = token(&p, PARTNER, ApiScope::ReadWrite, Some(1)).await;
    let (status, _, _) = call(
        &app,
        "GET",
        &format!("/api/v1/drawdowns/{}", theirs.0),
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = call(
        &app,
        "POST",
        &format!("/api/v1/drawdowns/{}/cancel", theirs.0),
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let tailspin = account_id(p.db(), "Tailspin Integrators").await;
    for path in [
        format!("/api/v1/accounts/{tailspin}/entitlements"),
        format!("/api/v1/drawdowns?account={tailspin}"),
    ] {
        assert_eq!(
            call(&app, "GET", &path, Some(&writer), None, None).await.0,
            403,
            "{path}"
        );
    }
    // Their request is as it was.
    let detail = p.services().drawdown(&other, theirs).await.expect("theirs");
    assert_eq!(detail.summary.state, DrawdownState::Submitted);

    // Bad input: named, nothing saved.
    let (status, _, refused) = call(
        &app,
        "GET",
        "/api/v1/drawdowns?state=lost",
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_eq!((status, refused["field"].as_str()), (422, Some("state")));
    let (status, _, refused) = call(
        &app,
        "GET",
        "/api/v1/drawdowns?cursor=x",
        Some(&writer),
        None,
        None,
    )
    .await;
    assert_eq!((status, refused["field"].as_str()), (422, Some("cursor")));
    let mut bad = body.clone();
    bad["lines"][0]["quantity"] = json!(100_000);
    bad["contact_email"] = json!("not an email");
    let (status, _, refused) = call(&app, "POST", "/api/v1/drawdowns", Some(&writer), None, Some(&bad)).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (422, Some("invalid_drawdown")),
        "{refused}"
    );
    assert_eq!(refused["problems"].as_array().map(Vec::len), Some(2), "{refused}");
    let (status, _, refused) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&writer),
        None,
        Some(&json!({"order": "x"})),
    )
    .await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("malformed")));
    assert_eq!(
        call(&app, "GET", "/api/v1/nothing", Some(&writer), None, None)
            .await
            .0,
        404
    );
    assert_eq!(
        count_rows(p.db(), "drawdown_requests").await,
        before + 1,
        "theirs only"
    );

    // Revoked: refused from the next call on.
    let listed = p
        .services()
        .list_api_tokens(&admin, admin.account_id)
        .await
        .expect("listed")
        .tokens;
    let read_only_id = listed
        .iter()
        .find(|t| t.scope == ApiScope::Read)
        .expect("read-only")
        .id;
    p.services()
        .revoke_api_token(&admin, admin.account_id, read_only_id)
        .await
        .expect("revoked");
    assert_eq!(
        call(&app, "GET", "/api/v1/drawdowns", Some(&read_only), None, None)
            .await
            .0,
        401
    );

    // Expired: a day-long token, a day later.
    assert_eq!(
        call(&app, "GET", "/api/v1/accounts", Some(&writer), None, None)
            .await
            .0,
        200
    );
    p.clock().advance(86_400);
    assert_eq!(
        call(&app, "GET", "/api/v1/accounts", Some(&writer), None, None)
            .await
            .0,
        401
    );

    // Only a partner admin manages its partner's tokens.
    let partner_user = user(p.db(), PARTNER_USER).await;
    assert!(matches!(
        p.services()
            .list_api_tokens(&partner_user, partner_user.account_id)
            .await,
        Err(ApiTokenError::Forbidden)
    ));
    assert!(matches!(
        p.services().list_api_tokens(&admin, tailspin).await,
        Err(ApiTokenError::Forbidden)
    ));
    assert!(matches!(
        p.services()
            .revoke_api_token(&other, other.account_id, read_only_id)
            .await,
        Err(ApiTokenError::NotFound)
    ));
}

#[tokio::test]
async fn an_idempotency_key_gives_the_first_answer_again_and_does_the_work_once_even_when_retries_race() {
    let p = Portal::demo().await;
    let app = router(&p);
    let secret = token(&p, PARTNER, ApiScope::ReadWrite, None).await;
    let body = new_request(&p, "Keyed Customer", 1).await;
    let before = count_rows(p.db(), "drawdown_requests").await;
    let entries = count_rows(p.db(), "ledger_entries").await;

    let (status, headers, first) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        Some("key-1"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, headers, again) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        Some("key-1"),
        Some(&body),
    )
    .await;
    assert_eq!((status, &again), (201, &first));
    assert_eq!(headers["idempotent-replayed"], "true");
    assert_eq!(count_rows(p.db(), "drawdown_requests").await, before + 1);
    assert_eq!(
        count_rows(p.db(), "ledger_entries").await,
        entries + 1,
        "one reservation"
    );

    // The same key with another body: refused, nothing done.
    let other_body = new_request(&p, "Keyed Customer", 2).await;
    let (status, _, refused) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        Some("key-1"),
        Some(&other_body),
    )
    .await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("idempotency_key"))
    );
    assert_eq!(count_rows(p.db(), "drawdown_requests").await, before + 1);
    let (status, _, _) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        Some("has space"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 422);

    // Eight retries of one key at once: one request, eight equal answers.
    let racing = new_request(&p, "Racing Customer", 1).await;
    let answers = futures::future::join_all((0..8).map(|_| {
        call(
            &app,
            "POST",
            "/api/v1/drawdowns",
            Some(&secret),
            Some("key-race"),
            Some(&racing),
        )
    }))
    .await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(status, _, body)| {
            assert_eq!(*status, 201, "{body}");
            body["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(count_rows(p.db(), "drawdown_requests").await, before + 2);
    let replays = answers
        .iter()
        .filter(|(_, h, _)| h.get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replays, 7);

    // Accept with a key, twice: accepted once, the same answer twice.
    let id = first["id"].as_i64().expect("id");
    let accounting = user(p.db(), ACCOUNTING).await;
    p.services()
        .change(
            &accounting,
            app::domain::DrawdownId(id),
            Transition::Approve,
            None,
        )
        .await
        .expect("approved");
    let path = format!("/api/v1/drawdowns/{id}/accept");
    let entries = count_rows(p.db(), "ledger_entries").await;
    let (status, _, accepted) = call(&app, "POST", &path, Some(&secret), Some("accept-1"), None).await;
    assert_eq!(
        (status, accepted["state"].as_str()),
        (200, Some("accepted")),
        "{accepted}"
    );
    let (status, headers, again) = call(&app, "POST", &path, Some(&secret), Some("accept-1"), None).await;
    assert_eq!(
        (status, &again, &headers["idempotent-replayed"]),
        (200, &accepted, &"true".parse().expect("value"))
    );
    assert_eq!(
        count_rows(p.db(), "ledger_entries").await,
        entries + 1,
        "drawn once"
    );
    // Without the key, a second accept is a lost race: 409.
    let (status, _, refused) = call(&app, "POST", &path, Some(&secret), None, None).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (409, Some("transition_refused")),
        "{refused}"
    );

    // A day later the key is free again.
    p.clock().advance(25 * 3_600);
    let (status, headers, _) = call(
        &app,
        "POST",
        "/api/v1/drawdowns",
        Some(&secret),
        Some("key-1"),
        Some(&other_body),
    )
    .await;
    assert_eq!(status, 201);
    assert!(headers.get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn past_its_rate_a_token_is_answered_429_with_retry_after_and_another_token_is_not_held_back() {
    let p = Portal::demo().await;
    let settings = app::settings::Settings {
        api_calls_per_token_per_minute: 3,
        ..p.settings.clone()
    };
    let app = server::router(crate::helpers::app_state(p.db().clone(), settings));
    let first = token(&p, PARTNER, ApiScope::Read, None).await;
    let second = token(&p, PARTNER, ApiScope::Read, None).await;
    for _ in 0..3 {
        assert_eq!(
            call(&app, "GET", "/api/v1/accounts", Some(&first), None, None)
                .await
                .0,
            200
        );
    }
    let (status, headers, refused) = call(&app, "GET", "/api/v1/accounts", Some(&first), None, None).await;
    assert_eq!((status, refused["error"].as_str()), (429, Some("throttled")));
    let wait: u32 = headers[header::RETRY_AFTER]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        call(&app, "GET", "/api/v1/accounts", Some(&second), None, None)
            .await
            .0,
        200
    );
    let _ = AccountId(0);
}

#[tokio::test]
async fn the_vendors_order_system_imports_orders_with_a_vendor_admins_token_and_no_partner_token_does() {
    let p = Portal::demo().await;
    // The deprecated operator token is not set: tokens alone.
    let app = router(&p);
    let vendor = token(&p, "admin@example.com", ApiScope::ReadWrite, None).await;
    let vendor_read = token(&p, "admin@example.com", ApiScope::Read, None).await;
    let partner = token(&p, PARTNER, ApiScope::ReadWrite, None).await;
    let file = format!(
        "{}SO-2026-0990,Northwind Partners,2026-11-27,Bot Creator,4,12\n",
        crate::orders_import::HEADER
    );
    let post = |secret: String| {
        let (app, file) = (app.clone(), file.clone());
        async move {
            let request = Request::post(server::orders_api::ORDERS_IMPORT_PATH)
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(axum::body::Body::from(file))
                .expect("request");
            let (status, _, body) = send(&app, request).await;
            (status.as_u16(), body)
        }
    };
    let before = count_rows(p.db(), "orders").await;
    for refused in [partner, vendor_read] {
        assert_eq!(post(refused).await.0, 403);
    }
    assert_eq!(post("lcp_not-a-token".into()).await.0, 401);
    assert_eq!(count_rows(p.db(), "orders").await, before);
    let (status, body) = post(vendor).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(count_rows(p.db(), "orders").await, before + 1);
    let mut conn = p.db().read().await.expect("conn");
    let (actor,): (String,) =
        sqlx::query_as("SELECT actor FROM audit_log WHERE kind = 'order_created' ORDER BY id DESC LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("audited");
    assert_eq!(actor, "API token \"ERP sync\" of admin@example.com");
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_operations_served_and_its_page_reads_it() {
    let p = Portal::demo().await;
    let app = router(&p);
    // Public: it says what exists, not what anyone holds.
    let (status, headers, document) = call(&app, "GET", "/api/v1/openapi.json", None, None, None).await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert!(
        document["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")),
        "{}",
        document["openapi"]
    );
    assert_eq!(document["servers"][0]["url"], "/api/v1");
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    assert_eq!(
        operations,
        [
            "GET /accounts",
            "GET /accounts/{account}/entitlements",
            "GET /drawdowns",
            "GET /drawdowns/{id}",
            "GET /order-lines/{line}/statement",
            "POST /drawdowns",
            "POST /drawdowns/import",
            "POST /drawdowns/{id}/accept",
            "POST /drawdowns/{id}/cancel",
            "POST /drawdowns/{id}/clone",
        ]
    );
    // Each documented operation is served (401 without a token, not 404),
    // and its refusals are documented with the error schema.
    for operation in &operations {
        let (method, path) = operation.split_once(' ').expect("method and path");
        let path = format!(
            "/api/v1{}",
            path.replace("{account}", "1")
                .replace("{id}", "1")
                .replace("{line}", "1")
        );
        let (status, _, refused) = call(&app, method, &path, None, None, None).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (401, Some("not_signed_in")),
            "{operation}"
        );
        let (method, path) = operation.split_once(' ').expect("method and path");
        let documented = &document["paths"][path][method.to_lowercase()]["responses"]["401"];
        assert!(documented.is_object(), "{operation}: 401 undocumented");
    }
    // What is not documented is not served.
    let secret = token(&p, PARTNER, ApiScope::Read, None).await;
    for undocumented in [
        "/api/v1/orders",
        "/api/v1/drawdowns/1/approve",
        "/api/v1/accounts/1",
    ] {
        assert_eq!(
            call(&app, "GET", undocumented, Some(&secret), None, None).await.0,
            404,
            "{undocumented}"
        );
    }
    assert!(document["components"]["securitySchemes"]["token"]["scheme"] == "bearer");

    // The reference page: every operation, served by the portal, no script.
    let request = Request::get("/api/docs")
        .body(axum::body::Body::empty())
        .expect("request");
    let (status, headers, page) = send(&app, request).await;
    assert_eq!(status.as_u16(), 200);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("text")
        .starts_with("text/html"));
    assert!(headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("text")
        .contains("default-src 'none'"));
    for operation in &operations {
        assert!(
            page.contains(&format!(
                "{} /api/v1{}",
                &operation[..operation.find(' ').expect("space")],
                &operation[operation.find(' ').expect("space") + 1..]
            )),
            "{operation}"
        );
    }
    assert!(!page.contains("<script"));
    assert!(page.contains("DrawdownDetails") && page.contains("Idempotency-Key"));
}

#[tokio::test]
async fn an_idempotency_answer_is_forgotten_after_24_hours_and_the_key_then_does_new_work() {
    let p = Portal::demo().await;
    let secret = token(&p, PARTNER, ApiScope::ReadWrite, None).await;
    let app = router(&p);
    let body = new_request(&p, "Sweep Customer", 1).await;
    let post = |key: &'static str| {
        let (app, secret, body) = (app.clone(), secret.clone(), body.clone());
        async move {
            call(
                &app,
                "POST",
                "/api/v1/drawdowns",
                Some(&secret),
                Some(key),
                Some(&body),
            )
            .await
        }
    };
    let (status, _, first) = post("sweep-1").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(count_rows(p.db(), "idempotency_keys").await, 1);

    // Within the day nothing is forgotten.
    p.clock().advance(23 * 3600);
    assert_eq!(
        p.services().forget_idempotent_answers(100).await.expect("swept"),
        0
    );
    let (_, headers, again) = post("sweep-1").await;
    assert_eq!(
        (headers["idempotent-replayed"].to_str().ok(), &again),
        (Some("true"), &first)
    );

    // Past it, the answer goes; the same key is then a new request.
    p.clock().advance(3600 + 1);
    assert_eq!(
        p.services().forget_idempotent_answers(100).await.expect("swept"),
        1
    );
    assert_eq!(count_rows(p.db(), "idempotency_keys").await, 0);
    let (status, headers, fresh) = post("sweep-1").await;
    assert_eq!(status, 201, "{fresh}");
    assert!(headers.get("idempotent-replayed").is_none());
    assert_ne!(fresh["id"], first["id"]);
}
