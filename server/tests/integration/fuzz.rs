//! The fuzz test of every server function and endpoint (issue 12): through
//! the real router, on the database of the authorization matrix, each
//! function's real body with one value replaced by something hostile (huge,
//! Unicode-hostile, of the wrong type, out of range) or one key dropped, any
//! JSON at all, bytes that are not JSON, and the wrong content types, from
//! each kind of caller. No answer may be a 5xx (nor a panic), and a refused
//! call (4xx) leaves the database as it was: the row count of every table
//! and a checksum of every stored balance and state.
//!
//! `PORTAL_FUZZ_CASES` cases per function: 1,000 in the test command,
//! 10,000 for the long run (`PORTAL_FUZZ_CASES=10000 cargo test -p server
//! --features app/ssr --test integration fuzz -- --nocapture`). A failure
//! prints the smallest input proptest shrank it to. The live-update stream
//! takes no input but the cookie (the matrix covers it), so it is not fuzzed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

use axum::body::Body;
use http::{header, Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use sqlx::Row as _;

use crate::matrix::{arrange, rows, session_of, Call, Ids, EVERYONE};
use crate::sessions::send;

/// The orders API's token in the fuzzed portal, so the import's parser is reached.
const ORDERS_TOKEN: &str = "fuzz-orders-token-0123456789abcdef0123456789";

fn cases() -> u32 {
    std::env::var("PORTAL_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000)
}

/// One fuzzed call.
#[derive(Debug, Clone)]
struct Input {
    /// Index into `EVERYONE`.
    caller: usize,
    /// `None`: the content type the endpoint takes.
    content_type: Option<&'static str>,
    payload: Payload,
}

#[derive(Debug, Clone)]
enum Payload {
    /// The real body with the value at one of its places replaced (or
    /// removed, with `drop`).
    Mutated { at: usize, with: Value, drop: bool },
    /// The real body with one of its values replaced by another of the same
    /// type (a hostile text for a text, an edge number for a number), so the
    /// call gets past the parser to the rules, the access checks and the
    /// database.
    Typed { at: usize, text: String, number: i64 },
    /// Any JSON document.
    Json(Value),
    /// Bytes that are most likely not JSON.
    Bytes(Vec<u8>),
    /// One hostile text as the whole body (or the path's last segment).
    Text(String),
}

fn hostile_text() -> BoxedStrategy<String> {
    let nasty = vec![
        '\u{202E}',
        '\u{2066}',
        '\u{200B}',
        '\u{200D}',
        '\u{FEFF}',
        '\u{0000}',
        '\u{0007}',
        '\u{0301}',
        '\u{1F600}',
        '\u{10FFFF}',
        '\u{FFFD}',
        '\n',
        '\r',
        '\t',
        '"',
        '\\',
        '%',
        '_',
        '\'',
        ';',
        '<',
        'a',
        'Z',
        '0',
        'é',
        'İ',
        'ß',
        '-',
        ':',
        '/',
        '@',
        '.',
    ];
    prop_oneof![
        4 => any::<String>(),
        2 => "[a-z0-9 @.:/-]{0,24}",
        3 => prop::collection::vec(prop::sample::select(nasty), 0..80).prop_map(|c| c.into_iter().collect()),
        1 => (1usize..100_000).prop_map(|n| "x".repeat(n)),
        1 => (1usize..3_000).prop_map(|n| "%_\u{1F600}".repeat(n)),
        2 => prop::sample::select(vec![
            "-----END LICENSE-----\n",
            "'; DROP TABLE accounts; --",
            "PDR-999999",
            "PDR-1000000",
            "https://127.0.0.1:0/",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "0",
            "-1",
            "1e309",
            "NaN",
            "null",
            "partner@example.com",
        ])
        .prop_map(String::from),
    ]
    .boxed()
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            2,
            i64::MAX,
            i64::MIN,
            1 << 31,
            999_999,
            1_000_000
        ])
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        any::<f64>().prop_filter_map("a finite number", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        hostile_text().prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(prop_oneof!["[a-z_]{1,12}", hostile_text()], inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn input() -> impl Strategy<Value = Input> {
    let payload = prop_oneof![
        6 => (any::<usize>(), hostile_text(), prop_oneof![
            any::<i64>(),
            prop::sample::select(vec![0i64, -1, 1, 2, 3, 7, i64::MAX, i64::MIN, 999_999, 1_000_000]),
        ])
            .prop_map(|(at, text, number)| Payload::Typed { at, text, number }),
        3 => (any::<usize>(), json(), prop::bool::weighted(0.15))
            .prop_map(|(at, with, drop)| Payload::Mutated { at, with, drop }),
        2 => json().prop_map(Payload::Json),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(Payload::Bytes),
        1 => hostile_text().prop_map(Payload::Text),
    ];
    let content_type = prop_oneof![
        8 => Just(None),
        1 => prop::sample::select(vec![
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=utf-16",
            "application/xml",
            "",
        ])
        .prop_map(Some),
    ];
    (0..EVERYONE.len(), content_type, payload).prop_map(|(caller, content_type, payload)| Input {
        caller,
        content_type,
        payload,
    })
}

/// JSON pointers to every value of `v`, the whole document included.
fn places(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                places(
                    child,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                places(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The body with the `at`-th of its texts or numbers replaced by one of the same type.
fn retype(valid: &Value, at: usize, text: &str, number: i64) -> Value {
    let mut doc = valid.clone();
    let mut all = Vec::new();
    places(&doc, String::new(), &mut all);
    let leaves: Vec<&String> = all
        .iter()
        .filter(|p| matches!(doc.pointer(p), Some(Value::String(_) | Value::Number(_))))
        .collect();
    let Some(place) = leaves.get(at % leaves.len().max(1)).map(|p| (*p).clone()) else {
        return doc;
    };
    if let Some(target) = doc.pointer_mut(&place) {
        *target = match target {
            Value::String(_) => Value::String(text.to_string()),
            _ => Value::from(number),
        };
    }
    doc
}

fn mutate(valid: &Value, at: usize, with: &Value, drop: bool) -> Value {
    let mut doc = valid.clone();
    let mut all = Vec::new();
    places(&doc, String::new(), &mut all);
    let place = &all[at % all.len()];
    if drop {
        if let Some((parent, last)) = place.rsplit_once('/') {
            match doc.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&last.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = last.parse::<usize>() {
                        items.remove(i);
                    }
                }
                _ => {}
            }
            return doc;
        }
    }
    if let Some(target) = doc.pointer_mut(place) {
        *target = with.clone();
    }
    doc
}

/// A form body as a JSON object of its fields, and back.
fn form_to_json(form: &str) -> Value {
    Value::Object(
        url::form_urlencoded::parse(form.as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

fn json_to_form(v: &Value) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) => out.append_pair(k, s),
                    other => out.append_pair(k, &other.to_string()),
                };
            }
        }
        other => {
            out.append_pair("value", &other.to_string());
        }
    }
    out.finish()
}

fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The request one input makes of one row, or `None` for a row that takes no input.
fn request_for(how: &Call, ids: &Ids, input: &Input, cookie: Option<&str>) -> Option<Request<Body>> {
    let (method_path, default_type, valid): (Result<String, String>, &str, Option<String>) = match how {
        Call::Json(endpoint, body) => (
            Ok(format!("/api/{endpoint}")),
            "application/json",
            Some(body(ids)),
        ),
        Call::Form(endpoint, body) => (
            Ok(format!("/api/{endpoint}")),
            "application/x-www-form-urlencoded",
            Some(body(ids)),
        ),
        Call::Post(path, body) => (
            Ok((*path).to_string()),
            "application/json",
            Some((*body).to_string()),
        ),
        Call::Get(path) => (Err(path(ids)), "", None),
        Call::GetStream(_) => return None,
    };
    let form = default_type == "application/x-www-form-urlencoded";
    let mut request = match method_path {
        Ok(path) => Request::post(path),
        Err(path) => {
            // A GET's input is its path and query.
            let text = match &input.payload {
                Payload::Text(s) | Payload::Typed { text: s, .. } => s.clone(),
                Payload::Mutated { with, .. } | Payload::Json(with) => with.to_string(),
                Payload::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            };
            let base = path.rsplit_once('/').map_or(path.as_str(), |(b, _)| b);
            let fuzzed = format!("{base}/{}?q={}", encode_segment(&text), encode_segment(&text));
            Request::get(if input.caller.is_multiple_of(2) {
                fuzzed
            } else {
                path.clone()
            })
        }
    };
    request = request.header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let Some(valid) = valid else {
        return request.body(Body::empty()).ok();
    };
    let parsed = || {
        if form {
            form_to_json(&valid)
        } else {
            serde_json::from_str(&valid).unwrap_or(Value::String(valid.clone()))
        }
    };
    let encode = |changed: Value| {
        if form {
            json_to_form(&changed).into_bytes()
        } else {
            changed.to_string().into_bytes()
        }
    };
    let csv = valid.starts_with("order_number,");
    if csv {
        // The orders import reads CSV: the header, then a row of hostile fields.
        request = request.header(
            header::AUTHORIZATION,
            format!(
                "Bearer {}",
                if input.caller.is_multiple_of(2) {
                    ORDERS_TOKEN
                } else {
                    "wrong"
                }
            ),
        );
    }
    let body: Vec<u8> = match &input.payload {
        _ if csv => {
            let field = match &input.payload {
                Payload::Text(s) | Payload::Typed { text: s, .. } => s.clone(),
                Payload::Mutated { with, .. } | Payload::Json(with) => with.to_string(),
                Payload::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            };
            format!("{valid}SO-FUZZ,Northwind Partners,2026-11-01,{field},{field},12\n{field}\n").into_bytes()
        }
        Payload::Mutated { at, with, drop } => encode(mutate(&parsed(), *at, with, *drop)),
        Payload::Typed { at, text, number } => encode(retype(&parsed(), *at, text, *number)),
        Payload::Json(v) if form => json_to_form(v).into_bytes(),
        Payload::Json(v) => v.to_string().into_bytes(),
        Payload::Bytes(b) => b.clone(),
        Payload::Text(s) => s.clone().into_bytes(),
    };
    let content_type = input.content_type.unwrap_or(default_type);
    if !content_type.is_empty() {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(Body::from(body)).ok()
}

/// The row count of every table and a checksum of every stored balance
/// and state, in one statement.
async fn snapshot(db: &app::repo::Db, tables: &[String]) -> Vec<i64> {
    let mut figures: Vec<String> = tables
        .iter()
        .map(|t| match t.as_str() {
            // A failed sign-in is refused and recorded: SPEC's audit log
            // keeps failed sign-ins, and every API call. Every other
            // entry is a change's.
            "audit_log" => "(SELECT CAST(count(*) AS BIGINT) FROM audit_log WHERE kind NOT IN ('sign_in_failed', 'api_call'))"
                .to_string(),
            t => format!("(SELECT CAST(count(*) AS BIGINT) FROM {t})"),
        })
        .collect();
    figures.extend(
        [
            "SELECT sum(id * 31 + reserved * 7 + drawn * 13) FROM order_lines",
            "SELECT sum(id * 31 + in_use * 7 + quantity) FROM entitlements",
            "SELECT sum(id * 31 + quantity) FROM usage_holdings",
            "SELECT sum(id * 31 + length(state) + changed_at % 1000) FROM drawdown_requests",
            "SELECT sum(id * 31 + length(state) + not_after % 1000) FROM license_files",
            "SELECT sum(id * 31 + length(state)) FROM service_instances",
            "SELECT sum(id * 31 + length(locale)) FROM users WHERE locale IS NOT NULL",
            "SELECT next FROM drawdown_numbers",
        ]
        .iter()
        .map(|sql| format!("(SELECT CAST(coalesce(({sql}), 0) AS BIGINT))")),
    );
    let sql = format!("SELECT {}", figures.join(", "));
    let mut conn = db.read().await.expect("conn");
    let row = sqlx::query(&sql).fetch_one(&mut *conn).await.expect("snapshot");
    (0..figures.len())
        .map(|i| row.try_get::<i64, _>(i).expect("a figure"))
        .collect()
}

async fn tables(db: &app::repo::Db) -> Vec<String> {
    let sql = match db.engine() {
        app::repo::Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name"
        }
        app::repo::Engine::Postgres => {
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '_sqlx%' ORDER BY 1"
        }
    };
    let mut conn = db.read().await.expect("conn");
    sqlx::query_scalar(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("tables")
}

#[test]
fn no_input_to_any_server_function_or_endpoint_answers_5xx_and_a_refused_one_changes_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (p, ids, app, cookies, tables) = runtime.block_on(async {
        let (p, ids) = arrange().await;
        let settings = app::settings::Settings {
            orders_api_token: app::settings::ApiToken::new(ORDERS_TOKEN),
            ..app::settings::Settings::default()
        };
        let app = server::router(crate::helpers::app_state(p.db().clone(), settings));
        let mut cookies = Vec::new();
        for caller in EVERYONE {
            cookies.push(session_of(&app, caller).await);
        }
        let tables = tables(p.db()).await;
        (p, ids, app, cookies, tables)
    });
    let cases = cases();
    let mut report = Vec::new();
    let mut statuses_seen: BTreeMap<u16, u64> = BTreeMap::new();
    let started = Instant::now();
    for row in rows() {
        if matches!(row.call, Call::GetStream(_)) {
            continue;
        }
        // Signing in or out with a fuzzer's session would end it.
        let session_less = matches!(row.call, Call::Form(..));
        let row_started = Instant::now();
        let before = RefCell::new(runtime.block_on(snapshot(p.db(), &tables)));
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            // Shrinking a failure sends a request per step: unbounded, one
            // failing row can keep the run going for very long before it
            // reports anything. The failure is reported as far as it was
            // shrunk by then.
            max_shrink_time: 60_000,
            ..Config::default()
        });
        let statuses: RefCell<BTreeMap<u16, u64>> = RefCell::default();
        let result = runner.run(&input(), |input| {
            let cookie = if session_less {
                None
            } else {
                cookies[input.caller].as_deref()
            };
            let Some(request) = request_for(&row.call, &ids, &input, cookie) else {
                return Ok(());
            };
            let (status, body) = runtime.block_on(async {
                let (status, _, body) = send(&app, request).await;
                (status, body)
            });
            *statuses.borrow_mut().entry(status.as_u16()).or_default() += 1;
            if status.is_server_error() {
                return Err(TestCaseError::fail(format!(
                    "{}: {status} {}",
                    row.name,
                    body.chars().take(300).collect::<String>()
                )));
            }
            let after = runtime.block_on(snapshot(p.db(), &tables));
            let mut before = before.borrow_mut();
            if status.is_client_error() && after != *before {
                let changed: Vec<String> = tables
                    .iter()
                    .map(String::as_str)
                    .chain(std::iter::repeat("a stored balance or state"))
                    .zip(before.iter().zip(&after))
                    .filter(|(_, (b, a))| b != a)
                    .map(|(what, (b, a))| format!("{what}: {b} → {a}"))
                    .collect();
                return Err(TestCaseError::fail(format!(
                    "{}: refused with {status} but changed {}",
                    row.name,
                    changed.join(", ")
                )));
            }
            *before = after;
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
        let statuses = statuses.into_inner();
        for (status, n) in &statuses {
            *statuses_seen.entry(*status).or_default() += n;
        }
        report.push(format!(
            "{:<34} {:>6} cases in {:>5.1} s: {}",
            row.name,
            statuses.values().sum::<u64>(),
            row_started.elapsed().as_secs_f64(),
            statuses
                .iter()
                .map(|(s, n)| format!("{s} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let total: u64 = statuses_seen.values().sum();
    println!(
        "fuzz: {total} calls over {} functions and endpoints ({cases} each) in {:.1} s, on {:?}",
        report.len(),
        started.elapsed().as_secs_f64(),
        p.db().engine()
    );
    println!("{}", report.join("\n"));
    assert_eq!(
        report.len(),
        rows().len() - 1,
        "every function and endpoint but the stream is fuzzed"
    );
    assert!(
        !statuses_seen.keys().any(|s| *s >= 500),
        "no 5xx: {statuses_seen:?}"
    );
    // The inputs reach past the parser: some are taken, some refused as invalid.
    assert!(
        statuses_seen.contains_key(&(StatusCode::OK.as_u16())),
        "{statuses_seen:?}"
    );
    assert!(
        statuses_seen.contains_key(&(StatusCode::UNPROCESSABLE_ENTITY.as_u16())),
        "{statuses_seen:?}"
    );
    runtime.block_on(async move { drop(p) });
}

/// One fuzzed call of the partner API.
#[derive(Debug, Clone)]
struct ApiInput {
    /// Index into the tokens: read and write, read-only, another partner's, revoked, none.
    token: usize,
    /// The path's id: a real one, or hostile text.
    id: Option<String>,
    query: Vec<(String, String)>,
    body: Payload,
    key: Option<String>,
}

fn api_input() -> impl Strategy<Value = ApiInput> {
    let query_key = prop::sample::select(vec!["account", "state", "q", "cursor", "limit", "dry_run", "x"])
        .prop_map(String::from);
    (
        0usize..5,
        prop::option::of(hostile_text()),
        prop::collection::vec((query_key, hostile_text()), 0..3),
        prop_oneof![
            4 => (any::<usize>(), json(), any::<bool>()).prop_map(|(at, with, drop)| Payload::Mutated { at, with, drop }),
            3 => (any::<usize>(), hostile_text(), any::<i64>()).prop_map(|(at, text, number)| Payload::Typed { at, text, number }),
            1 => json().prop_map(Payload::Json),
            1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Payload::Bytes),
        ],
        prop::option::of(hostile_text()),
    )
        .prop_map(|(token, id, query, body, key)| ApiInput { token, id, query, body, key })
}

#[test]
fn no_input_to_the_partner_api_answers_5xx_and_a_refused_one_changes_nothing() {
    use app::domain::{ApiScope, NewApiToken, TokenLifetime, TokenName};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (p, ids, app, tokens, tables) = runtime.block_on(async {
        let (p, ids) = arrange().await;
        // No rate in the way: the inputs are to reach the handlers.
        let settings = app::settings::Settings {
            api_calls_per_token_per_minute: u32::MAX,
            saves_per_partner_per_hour: u32::MAX,
            ..p.settings.clone()
        };
        let app = server::router(crate::helpers::app_state(p.db().clone(), settings));
        let mut tokens = Vec::new();
        for (email, scope) in [
            ("partner@example.com", ApiScope::ReadWrite),
            ("partner@example.com", ApiScope::Read),
            ("other-partner@example.com", ApiScope::ReadWrite),
            ("partner@example.com", ApiScope::ReadWrite),
        ] {
            let maker = crate::helpers::user(p.db(), email).await;
            let new = NewApiToken {
                name: TokenName::parse("fuzz").expect("name"),
                scope,
                lifetime: TokenLifetime::parse(None).expect("lifetime"),
            };
            let made = p
                .services()
                .create_api_token(&maker, maker.account_id, &new)
                .await
                .expect("token");
            tokens.push(Some((made.secret, made.token.id, maker)));
        }
        // The fourth is revoked; the fifth caller has none.
        if let Some((_, id, maker)) = &tokens[3] {
            p.services()
                .revoke_api_token(maker, maker.account_id, *id)
                .await
                .expect("revoked");
        }
        tokens.push(None);
        let tables = tables(p.db()).await;
        (p, ids, app, tokens, tables)
    });
    let valid_body = serde_json::json!({
        "order": ids.order,
        "customer_account": "Fuzz Customer",
        "customer_website": "https://fuzz.example",
        "contact_name": "Fuzz Contact",
        "contact_email": "fuzz@customer.example",
        "lines": [{ "order_line": ids.line, "quantity": 1 }],
    });
    // The bulk import takes CSV: the same fields as a row, hostile or not.
    let as_csv = |body: &serde_json::Value| -> Vec<u8> {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let mut out = csv::Writer::from_writer(Vec::new());
        let fields = [
            "customer_account",
            "customer_website",
            "contact_name",
            "contact_email",
        ];
        let _ = out.write_record([
            "customer_account",
            "website",
            "contact_name",
            "contact_email",
            "product",
            "quantity",
        ]);
        let mut row: Vec<String> = fields.iter().map(|f| text(&body[*f])).collect();
        row.push("Bot Creator".into());
        row.push(text(&body["lines"][0]["quantity"]));
        let _ = out.write_record(&row);
        out.into_inner().unwrap_or_default()
    };
    let import_path = format!("/api/v1/drawdowns/import?order={}", ids.order);
    let operations: [(&str, &str); 11] = [
        ("GET", "/api/v1/accounts"),
        ("GET", "/api/v1/accounts/{account}/entitlements"),
        ("GET", "/api/v1/drawdowns"),
        ("GET", "/api/v1/drawdowns/{id}"),
        ("GET", "/api/v1/order-lines/{line}/statement"),
        ("POST", "/api/v1/drawdowns"),
        ("POST", "/api/v1/drawdowns/{id}/accept"),
        ("POST", "/api/v1/drawdowns/{id}/cancel"),
        ("POST", "/api/v1/drawdowns/{id}/clone"),
        ("POST", import_path.as_str()),
        ("POST", "/api/orders/import"),
    ];
    let cases = (cases() / 2).max(1);
    let seen: RefCell<BTreeMap<u16, u64>> = RefCell::default();
    for (method, template) in operations {
        let before = RefCell::new(runtime.block_on(snapshot(p.db(), &tables)));
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            max_shrink_time: 60_000,
            ..Config::default()
        });
        let result = runner.run(&api_input(), |input| {
            let real = |name: &str| match name {
                "account" => ids.northwind.to_string(),
                "line" => ids.line.to_string(),
                _ => ids.request.to_string(),
            };
            let mut path = template.to_string();
            for name in ["account", "id", "line"] {
                let value = input.id.as_deref().map_or_else(|| real(name), encode_segment);
                path = path.replace(&format!("{{{name}}}"), &value);
            }
            if !input.query.is_empty() {
                let query: Vec<String> = input
                    .query
                    .iter()
                    .map(|(k, v)| format!("{k}={}", encode_segment(v)))
                    .collect();
                let joint = if path.contains('?') { '&' } else { '?' };
                path = format!("{path}{joint}{}", query.join("&"));
            }
            let mut request = Request::builder().method(method).uri(&path);
            if let Some((secret, _, _)) = &tokens[input.token] {
                request = request.header(header::AUTHORIZATION, format!("Bearer {secret}"));
            }
            if let Some(key) = input
                .key
                .as_deref()
                .and_then(|k| http::HeaderValue::from_str(k).ok())
            {
                request = request.header("idempotency-key", key);
            }
            let csv = template.contains("/import?");
            let body = match &input.body {
                Payload::Mutated { at, with, drop } if csv => as_csv(&mutate(&valid_body, *at, with, *drop)),
                Payload::Typed { at, text, number } if csv => {
                    as_csv(&retype(&valid_body, *at, text, *number))
                }
                Payload::Mutated { at, with, drop } => {
                    mutate(&valid_body, *at, with, *drop).to_string().into_bytes()
                }
                Payload::Typed { at, text, number } => {
                    retype(&valid_body, *at, text, *number).to_string().into_bytes()
                }
                Payload::Json(v) => v.to_string().into_bytes(),
                Payload::Bytes(b) => b.clone(),
                Payload::Text(s) => s.clone().into_bytes(),
            };
            let Ok(request) = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
            else {
                return Ok(());
            };
            let (status, body) = runtime.block_on(async {
                let (status, _, body) = send(&app, request).await;
                (status, body)
            });
            *seen.borrow_mut().entry(status.as_u16()).or_default() += 1;
            if status.is_server_error() {
                return Err(TestCaseError::fail(format!(
                    "{method} {path}: {status} {}",
                    body.chars().take(300).collect::<String>()
                )));
            }
            let after = runtime.block_on(snapshot(p.db(), &tables));
            let mut before = before.borrow_mut();
            if status.is_client_error() && after != *before {
                return Err(TestCaseError::fail(format!(
                    "{method} {path}: refused with {status} but changed the database"
                )));
            }
            *before = after;
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
    }
    // The inputs reached past each check: answers, refusals of each kind.
    let seen = seen.into_inner();
    println!("partner API fuzz, answers by status: {seen:?}");
    for status in [200, 201, 400, 401, 403, 404, 422] {
        assert!(seen.contains_key(&status), "no {status} among {seen:?}");
    }
}
