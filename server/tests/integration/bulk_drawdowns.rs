//! Bulk drawdowns over HTTP (SPEC, "Bulk drawdowns"): the partner API takes
//! the file of Import requests (CSV); its dry run names each bad row and
//! writes nothing; Submit all creates every request in one transaction or,
//! with one bad row, none; a retry with its Idempotency-Key creates nothing.

use app::domain::{ApiScope, NewApiToken, TokenLifetime, TokenName};
use http::{header, Request};
use serde_json::Value;

use crate::drawdowns::PARTNER;
use crate::helpers::{assert_ledger_invariant, count_rows, order_id, user, Portal};
use crate::sessions::send;

const ORDER: &str = "SO-2026-0101";
const HEADER: &str = "Customer account,Website,Contact name,Contact email,Product,Quantity\n";

async fn token(p: &Portal, scope: ApiScope) -> String {
    let maker = user(p.db(), PARTNER).await;
    let new = NewApiToken {
        name: TokenName::parse("CRM import").expect("name"),
        scope,
        lifetime: TokenLifetime::parse(Some(30)).expect("lifetime"),
    };
    p.services()
        .create_api_token(&maker, maker.account_id, &new)
        .await
        .expect("token")
        .secret
}

/// POSTs `file` to the import; the status and the JSON answer.
async fn import(app: &axum::Router, secret: &str, path: &str, key: Option<&str>, file: &str) -> (u16, Value) {
    let mut request = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "text/csv");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let (status, _, text) = send(
        app,
        request
            .body(axum::body::Body::from(file.to_owned()))
            .expect("request"),
    )
    .await;
    (
        status.as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// What the database holds of the procedure: requests, their lines, ledger
/// entries, queued emails.
async fn footprint(p: &Portal) -> [i64; 4] {
    [
        count_rows(p.db(), "drawdown_requests").await,
        count_rows(p.db(), "drawdown_request_lines").await,
        count_rows(p.db(), "ledger_entries").await,
        count_rows(p.db(), "outbox").await,
    ]
}

fn good_file() -> String {
    format!(
        "{HEADER}\
         Bulk Alpha,https://alpha.example,Ana Alves,ana@alpha.example,Bot Creator,2\n\
         Bulk Alpha,https://alpha.example,Ana Alves,ana@alpha.example,Unattended Bot Runner,3\n\
         \"Bulk Beta, Ltd\",https://beta.example,Ben Brun,ben@beta.example,bot creator,1\n"
    )
}

#[tokio::test]
async fn a_file_with_one_bad_row_submits_nothing_and_the_mended_file_submits_every_request() {
    let p = Portal::demo().await;
    let app = server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()));
    let secret = token(&p, ApiScope::ReadWrite).await;
    let order = order_id(p.db(), ORDER).await.0;
    let path = format!("/api/v1/drawdowns/import?order={order}");
    let bad = good_file().replace("ben@beta.example", "ben@");
    let before = footprint(&p).await;

    // The dry run names the bad row and its column, and writes nothing.
    let (status, check) = import(&app, &secret, &format!("{path}&dry_run=true"), None, &bad).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["clean"], false);
    assert_eq!(check["requests"], 2);
    let rows = check["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["problems"].as_array().expect("problems").is_empty());
    let problems = rows[2]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["line"], 4);
    assert_eq!(problems[0]["column"], "contact_email");
    let bot_creator = check["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["product"] == "Bot Creator")
        .expect("the Bot Creator line")
        .clone();
    assert_eq!(bot_creator["requested"], 3);
    let available = bot_creator["available"].as_i64().expect("available");
    assert_eq!(bot_creator["available_after"], available - 3);
    assert_eq!(footprint(&p).await, before);

    // Submit all with the bad row: 422 with the same check, nothing saved.
    let (status, refused) = import(&app, &secret, &path, None, &bad).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"], "invalid_drawdown_import");
    assert_eq!(
        refused["check"]["rows"][2]["problems"][0]["column"],
        "contact_email"
    );
    assert_eq!(footprint(&p).await, before, "nothing of the file was written");

    // The mended file: one request per customer, in one go.
    let (status, created) = import(&app, &secret, &path, Some("bulk-1"), &good_file()).await;
    assert_eq!(status, 201, "{created}");
    let data = created["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert!(data.iter().all(|r| r["state"] == "submitted"));
    let after = footprint(&p).await;
    assert_eq!(after[0] - before[0], 2, "two requests");
    assert_eq!(after[1] - before[1], 3, "three request lines");
    assert_eq!(after[2] - before[2], 3, "a reservation per line");
    assert!(after[3] > before[3], "accounting is told");

    // The Bot Creator line now has 3 fewer available.
    let (_, recheck) = import(&app, &secret, &format!("{path}&dry_run=true"), None, &good_file()).await;
    let line = recheck["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["product"] == "Bot Creator")
        .expect("line")
        .clone();
    assert_eq!(line["available"].as_i64(), Some(available - 3));

    // A retry with the same key answers the same requests and creates none.
    let (status, replayed) = import(&app, &secret, &path, Some("bulk-1"), &good_file()).await;
    assert_eq!(status, 201);
    assert_eq!(replayed, created);
    assert_eq!(footprint(&p).await, after);
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn requests_that_fit_alone_but_not_together_are_refused_whole() {
    let p = Portal::demo().await;
    let app = server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()));
    let secret = token(&p, ApiScope::ReadWrite).await;
    let order = order_id(p.db(), ORDER).await.0;
    let path = format!("/api/v1/drawdowns/import?order={order}");
    let (_, check) = import(&app, &secret, &format!("{path}&dry_run=true"), None, &good_file()).await;
    let available = check["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["product"] == "Bot Creator")
        .and_then(|l| l["available"].as_i64())
        .expect("available");
    assert!(available >= 2, "the demo order has Bot Creators left");
    // Each customer asks for all of it: alone each would pass.
    let file = format!(
        "{HEADER}\
         One,https://one.example,Ana,ana@one.example,Bot Creator,{available}\n\
         Two,https://two.example,Ben,ben@two.example,Bot Creator,{available}\n"
    );
    let before = footprint(&p).await;
    let (status, refused) = import(&app, &secret, &path, None, &file).await;
    assert_eq!(status, 422, "{refused}");
    for row in refused["check"]["rows"].as_array().expect("rows") {
        assert!(
            row["problems"][0]["rule"]["together_above_available"].is_object(),
            "{row}"
        );
    }
    assert_eq!(footprint(&p).await, before);
}

#[tokio::test]
async fn the_import_checks_who_calls_the_order_and_the_file() {
    let p = Portal::demo().await;
    let app = server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()));
    let order = order_id(p.db(), ORDER).await.0;
    let path = format!("/api/v1/drawdowns/import?order={order}");
    let read_only = token(&p, ApiScope::Read).await;
    let (status, answer) = import(&app, &read_only, &path, None, &good_file()).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some("forbidden")));

    let secret = token(&p, ApiScope::ReadWrite).await;
    // Another partner's order is unknown to this one.
    let other = order_id(p.db(), "SO-2026-0150").await.0;
    let (status, _) = import(
        &app,
        &secret,
        &format!("/api/v1/drawdowns/import?order={other}"),
        None,
        &good_file(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, answer) = import(&app, &secret, "/api/v1/drawdowns/import", None, &good_file()).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("order")));
    let (status, answer) = import(
        &app,
        &secret,
        &format!("{path}&dry_run=maybe"),
        None,
        &good_file(),
    )
    .await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("dry_run")));

    // A file without its columns, and one too large.
    let (status, answer) = import(&app, &secret, &path, None, "Product,Quantity\nBot Creator,1\n").await;
    assert_eq!(status, 422);
    assert_eq!(answer["check"]["file_problems"].as_array().map(Vec::len), Some(4));
    let huge = format!("{HEADER}{}", "x".repeat(app::domain::MAX_IMPORT_BYTES));
    let (status, _) = import(&app, &secret, &path, None, &huge).await;
    assert_eq!(status, 413);
    let mut too_many = HEADER.to_owned();
    for n in 0..=app::domain::MAX_IMPORT_ROWS {
        too_many.push_str(&format!(
            "C{n},https://c{n}.example,Ann,ann@c{n}.example,Bot Creator,1\n"
        ));
    }
    let (status, answer) = import(&app, &secret, &path, None, &too_many).await;
    assert_eq!(status, 422);
    assert!(
        answer["check"]["file_problems"][0]["rule"]["too_many_rows"].is_object(),
        "{answer}"
    );
}

#[tokio::test]
async fn the_screens_dry_run_takes_a_file_of_a_thousand_rows_and_refuses_a_larger_body_with_413() {
    let p = Portal::demo().await;
    let app = server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()));
    let cookie = crate::matrix::session_of(&app, crate::matrix::Caller::Partner)
        .await
        .expect("signed in");
    let order = order_id(p.db(), ORDER).await.0;
    let mut file = HEADER.to_owned();
    for n in 0..app::domain::MAX_IMPORT_ROWS {
        file.push_str(&format!(
            "Customer number {n:04},https://customer-{n:04}.example,Contact person {n:04},contact-{n:04}@customer-{n:04}.example,IQ Bot pages,1\n"
        ));
    }
    assert!(file.len() > 64 * 1024, "larger than other server functions take");
    let body = serde_json::json!({ "order": order, "file": file }).to_string();
    let (status, _, answer) =
        crate::sessions::call(&app, "check_drawdown_import", &body, Some(&cookie)).await;
    assert_eq!(status, 200, "{}", answer.chars().take(300).collect::<String>());
    let check: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(
        check["rows"].as_array().map(Vec::len),
        Some(app::domain::MAX_IMPORT_ROWS)
    );
    assert_eq!(check["requests"], 1000);

    let huge =
        serde_json::json!({ "order": order, "file": "x".repeat(2 * app::domain::MAX_IMPORT_BYTES + 2048) })
            .to_string();
    let (status, _, _) = crate::sessions::call(&app, "check_drawdown_import", &huge, Some(&cookie)).await;
    assert_eq!(status, 413);
}
