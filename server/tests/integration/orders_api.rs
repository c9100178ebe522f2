//! The orders API through the real router: only the vendor's order system,
//! holding the token, gets in; a file goes in whole or not at all, and the
//! answer names every bad row by line and field.

use app::settings::{ApiToken, Settings};
use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{app_state, demo_db};
use crate::orders_import::{order_count, HEADER};

const TOKEN: &str = "order-system-7f3c9a1e5b2d4c6a8e0f1b3d";

fn portal(db: app::repo::Db, token: Option<&str>) -> axum::Router {
    let settings = Settings {
        orders_api_token: token.map(|t| ApiToken::new(t).expect("long enough")),
        ..Settings::default()
    };
    server::router(app_state(db, settings))
}

/// POSTs `csv` with `authorization`; the status, the WWW-Authenticate header and the JSON answer.
async fn post(
    app: &axum::Router,
    authorization: Option<&str>,
    csv: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut request =
        Request::post(server::orders_api::ORDERS_IMPORT_PATH).header(header::CONTENT_TYPE, "text/csv");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(csv.to_string())).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let challenge = response
        .headers()
        .get(header::WWW_AUTHENTICATE)
        .map(|v| v.to_str().expect("ascii").to_string());
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        challenge,
        serde_json::from_slice(&body).expect("a JSON answer"),
    )
}

#[tokio::test]
async fn the_order_system_imports_a_file_with_its_token_and_nobody_else_does() {
    let t = demo_db().await;
    let app = portal(t.db.clone(), Some(TOKEN));
    let before = order_count(&t.db).await;
    let file = format!(
        "{HEADER}SO-2026-0900,Northwind Partners,2026-11-27,Bot Creator,4,12\n\
         SO-2026-0900,Northwind Partners,2026-11-27,Control Room,1,12\n\
         SO-2026-0901,Tailspin Integrators,2026-11-28,IQ Bot pages,5000,36\n"
    );

    let bearer = format!("Bearer {TOKEN}");
    for refused in [
        None,
        Some("Bearer not-the-token"),
        Some(TOKEN),
        Some(&bearer[..bearer.len() - 1]),
    ] {
        let (status, challenge, answer) = post(&app, refused, &file).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused:?}");
        assert_eq!(challenge.as_deref(), Some("Bearer"));
        assert_eq!(answer["error"], "send Authorization: Bearer TOKEN");
    }
    assert_eq!(order_count(&t.db).await, before, "a refused call writes nothing");

    let (status, _, answer) = post(&app, Some(&bearer), &file).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer, json!({ "orders": 2, "lines": 3 }));
    assert_eq!(order_count(&t.db).await, (before.0 + 2, before.1 + 3));

    // Sent again (a retry after a lost answer, say): refused, not doubled.
    let (status, _, answer) = post(&app, Some(&bearer), &file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["problems"][0]["field"], "order_number");
    assert_eq!(answer["problems"][0]["rule"], "taken");
    assert_eq!(answer["problems"][0]["message"], "already exists");
    assert_eq!(order_count(&t.db).await, (before.0 + 2, before.1 + 3));
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_naming_each_row_and_field() {
    let t = demo_db().await;
    let app = portal(t.db.clone(), Some(TOKEN));
    let before = order_count(&t.db).await;
    let file = format!(
        "{HEADER}SO-2026-0910,Northwind Partners,2026-11-27,Bot Creator,4,12\n\
         SO-2026-0911,Nobody Inc,2026-11-27,Bot Creator,4,12\n\
         SO-2026-0912,Northwind Partners,2026-11-27,Bot Creator,0,12\n"
    );
    let (status, _, answer) = post(&app, Some(&format!("Bearer {TOKEN}")), &file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"], "nothing imported");
    let named: Vec<(u64, &str)> = answer["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().expect("line"),
                p["field"].as_str().expect("field"),
            )
        })
        .collect();
    assert_eq!(named, [(3, "partner"), (4, "quantity")]);
    assert_eq!(order_count(&t.db).await, before, "not even the good first row");
}

#[tokio::test]
async fn without_a_configured_token_the_api_is_off() {
    let t = demo_db().await;
    let app = portal(t.db.clone(), None);
    let (status, _, answer) = post(&app, Some(&format!("Bearer {TOKEN}")), HEADER).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["error"],
        "the orders API is off: set PORTAL_ORDERS_API_TOKEN or use a vendor admin's API token"
    );
    assert!(
        ApiToken::new("short").is_none(),
        "a short token is refused at start"
    );
}
