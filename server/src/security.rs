//! What every answer carries and every browser request must show (SPEC,
//! "Security promises"): the security headers, the origin of state-changing
//! requests, and the body type of server functions.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::state::AppState;

/// The endpoints that machines call with their own credentials (an HMAC
/// signature, a bearer token): no browser session rides on them, so no
/// origin applies.
const MACHINE_ENDPOINTS: [&str; 3] = [
    crate::provisioning::CALLBACK_PATH,
    crate::orders_api::ORDERS_IMPORT_PATH,
    CSP_REPORT_PATH,
];

/// Where browsers report what the policy blocked.
pub const CSP_REPORT_PATH: &str = "/csp-report";
/// A report is a small JSON document; anything larger is not one.
pub const CSP_REPORT_MAX_BYTES: usize = 16 * 1024;

/// The Content-Security-Policy of an HTML page whose scripts carry `nonce`.
/// WebAssembly needs `wasm-unsafe-eval` to compile; no inline script runs
/// without the nonce; styles may be inline (the views set none that matter
/// to an attacker, and no script can be injected through them).
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         report-uri {CSP_REPORT_PATH}"
    )
}

/// `POST /csp-report`: a browser reports something the policy blocked. It
/// is logged and counted (`portal_csp_violations_total`): a script the
/// portal itself serves without its nonce shows up here first.
pub async fn csp_report(body: axum::body::Bytes) -> StatusCode {
    let report: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let report = report.get("csp-report").unwrap_or(&report);
    let field = |name: &str| {
        report
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    tracing::warn!(
        directive = field("violated-directive"),
        blocked = field("blocked-uri"),
        page = field("document-uri"),
        "content security policy violation"
    );
    metrics::counter!("portal_csp_violations_total").increment(1);
    StatusCode::NO_CONTENT
}

/// Gives a page being rendered its policy, with the nonce its hydration
/// script carries (`leptos_axum` makes one per page). Server functions
/// have none and get the policy of answers that are not pages.
pub fn provide_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// The policy of answers that are not pages (JSON, files): nothing runs.
const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The largest body a server function takes: its arguments are a form's
/// worth of JSON (a drawdown request of 100 lines is under 10 KiB).
pub const SERVER_FUNCTION_MAX_BYTES: usize = 64 * 1024;

/// Administration's Import orders (CSV) sends the file's text: as much as
/// the orders API takes (about 100,000 order lines).
pub const IMPORT_ORDERS_PATH: &str = "/api/import_orders";

/// The server functions that take a file's text, with the body each takes:
/// Import orders (CSV) as much as the orders API, Import requests (CSV)
/// (its dry run and Submit all) the file size bulk drawdowns take, in JSON,
/// where a quote or a line end is escaped in two bytes.
const FILE_BODIES: [(&str, usize); 3] = [
    (IMPORT_ORDERS_PATH, crate::orders_api::MAX_FILE_BYTES),
    (
        "/api/check_drawdown_import",
        2 * app::domain::MAX_IMPORT_BYTES + 1024,
    ),
    (
        "/api/submit_drawdown_import",
        2 * app::domain::MAX_IMPORT_BYTES + 1024,
    ),
];

/// The largest body the server function at `path` takes.
fn server_function_limit(path: &str) -> usize {
    FILE_BODIES
        .iter()
        .find(|(file_path, _)| *file_path == path)
        .map_or(SERVER_FUNCTION_MAX_BYTES, |(_, limit)| *limit)
}

/// Refuses a cross-origin state change or an oversized server function
/// body, then adds the headers every answer carries.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let for_browser = app::codec::accepts(request.headers(), app::codec::MEDIA_TYPE);
    if let Err(refusal) = check_request(
        &state.settings.public_url,
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            origin = ?request.headers().get(header::ORIGIN),
            "refused: {refusal:?}"
        );
        return refusal.answer(for_browser);
    }
    let path = request.uri().path().to_owned();
    let request = if is_server_function(&path) && request.method() == Method::POST {
        match bounded(request, server_function_limit(&path)).await {
            Ok(request) => request,
            Err(refusal) => return refusal.answer(for_browser),
        }
    } else {
        request
    };
    let mut response = next.run(request).await;
    let cache = cache_control(&path, response.status(), state.leptos_options.hash_files);
    add_headers(
        response.headers_mut(),
        &path,
        cache,
        state.settings.public_url.starts_with("https://"),
    );
    response
}

fn is_server_function(path: &str) -> bool {
    path.starts_with("/api/") && !is_machine_endpoint(path) && path != app::events::EVENTS_PATH
}

/// The machine endpoints, and the partner API: calls with a bearer token,
/// never a session cookie, so no other site can make a browser send one.
fn is_machine_endpoint(path: &str) -> bool {
    MACHINE_ENDPOINTS.contains(&path)
        || path
            .strip_prefix(crate::api_v1::API_V1_PREFIX)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The request with its body read, if it is within `limit` bytes.
async fn bounded(request: Request, limit: usize) -> Result<Request, Refusal> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Refusal::TooLarge);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| Refusal::TooLarge)?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Why a request was refused before it reached its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A body larger than its endpoint takes.
    TooLarge,
    /// A state change from a page that is not the portal's.
    CrossOrigin,
    /// A server function called with a body type it does not take.
    WrongContentType,
}

impl Refusal {
    /// The refusal as a server function would answer it: in postcard to the
    /// WebAssembly (`for_browser`), in JSON to anyone else.
    fn answer(self, for_browser: bool) -> Response {
        let error = match self {
            Refusal::CrossOrigin => app::error::AppError::CrossOrigin,
            Refusal::WrongContentType => app::error::AppError::UnsupportedMediaType,
            Refusal::TooLarge => app::error::AppError::TooLarge,
        };
        answer_error(&error, for_browser)
    }
}

/// An error answered outside a server function (a download): its status
/// and its code, as server functions answer them.
pub fn error_response(error: &app::error::AppError) -> Response {
    answer_error(error, false)
}

/// The signed-in user of a request outside a server function (a download,
/// an export), or the answer to give instead: 401 without a session.
pub async fn signed_in_user(
    state: &app::state::AppState,
    headers: &axum::http::HeaderMap,
) -> Result<app::domain::CurrentUser, Response> {
    use axum::response::IntoResponse;
    match app::auth::user_from_headers(&state.db, &state.settings, headers, app::auth::Activity::User).await {
        Ok(user) => Ok(user),
        Err(app::error::AppError::NotSignedIn) => {
            Err((axum::http::StatusCode::UNAUTHORIZED, "sign in first\n").into_response())
        }
        Err(error) => Err(error_response(&error)),
    }
}

fn answer_error(error: &app::error::AppError, for_browser: bool) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, body) = app::codec::error_body(error, for_browser);
    let mut answer = (status, [(header::CONTENT_TYPE, content_type)], Body::from(body)).into_response();
    // A throttled caller is told when to come back, in the header proxies
    // and clients read as well as in the body.
    if let app::error::AppError::Throttled { retry_after }
    | app::error::AppError::TooManySaves { retry_after } = error
    {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
    }
    answer
}

/// A browser sends `Origin` on every POST (and `Sec-Fetch-Site` on every
/// request); either must say the portal's own origin. A request with
/// neither is not from a browser, so no other site can have forged it.
pub fn check_request(
    public_url: &str,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes_state || is_machine_endpoint(path) {
        return Ok(());
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let own_origin = public_url.trim_end_matches('/');
    match (origin, fetch_site) {
        (Some(origin), _) if origin == own_origin => {}
        (Some(_), _) => return Err(Refusal::CrossOrigin),
        (None, Some("same-origin" | "none")) | (None, None) => {}
        (None, Some(_)) => return Err(Refusal::CrossOrigin),
    }
    if is_server_function(path) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .unwrap_or_default();
        let expected = if app::api::FORM_ENDPOINTS.contains(&path) {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        if !content_type.eq_ignore_ascii_case(expected) {
            return Err(Refusal::WrongContentType);
        }
    }
    Ok(())
}

/// How a browser may keep an answer. Pages and server function answers may
/// hold what only the signed-in user may see: no cache keeps them. A built
/// asset whose name carries its content's hash (cargo-leptos `hash-files`)
/// never changes, so a browser keeps it a year without asking; with plain
/// names (a development build) it asks each time.
fn cache_control(path: &str, status: StatusCode, hashed_assets: bool) -> &'static str {
    if !status.is_success() {
        "no-store"
    } else if path.starts_with("/pkg/") {
        if hashed_assets {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }
    } else if path == "/favicon.svg" {
        "public, max-age=86400"
    } else {
        "no-store"
    }
}

fn add_headers(headers: &mut HeaderMap, path: &str, cache_control: &'static str, secure: bool) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CONTENT_SECURITY_POLICY, NON_PAGE_POLICY);
    set(
        headers,
        "cross-origin-opener-policy".parse().expect("header name"),
        "same-origin",
    );
    if secure {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    set(headers, header::CACHE_CONTROL, cache_control);
    if path.starts_with("/pkg/") {
        // An asset is answered brotli, gzip or plain by Accept-Encoding
        // (its .br and .gz files); a shared cache must key on it.
        set(headers, header::VARY, "accept-encoding");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().expect("name"), v.parse().expect("value")))
            .collect()
    }

    const URL: &str = "https://portal.example";
    const JSON: (&str, &str) = ("content-type", "application/json");

    #[test]
    fn a_state_change_must_come_from_the_portals_own_pages() {
        let post = |h: &[(&str, &str)]| check_request(URL, &Method::POST, "/api/save_drawdown", &headers(h));
        assert_eq!(post(&[("origin", URL), JSON]), Ok(()));
        assert_eq!(
            post(&[("origin", "https://evil.example"), JSON]),
            Err(Refusal::CrossOrigin)
        );
        assert_eq!(
            post(&[("origin", "https://app.portal.example"), JSON]),
            Err(Refusal::CrossOrigin),
            "a sibling subdomain"
        );
        assert_eq!(
            post(&[("origin", "https://portal.example:8443"), JSON]),
            Err(Refusal::CrossOrigin),
            "another port"
        );
        assert_eq!(post(&[("origin", "null"), JSON]), Err(Refusal::CrossOrigin));
        assert_eq!(
            post(&[("sec-fetch-site", "cross-site"), JSON]),
            Err(Refusal::CrossOrigin)
        );
        assert_eq!(
            post(&[("sec-fetch-site", "same-site"), JSON]),
            Err(Refusal::CrossOrigin)
        );
        assert_eq!(post(&[("sec-fetch-site", "same-origin"), JSON]), Ok(()));
        assert_eq!(post(&[JSON]), Ok(()), "not a browser: nothing to forge");
        // Reading is never refused; machines' own endpoints carry their own proof.
        assert_eq!(
            check_request(
                URL,
                &Method::GET,
                "/licenses",
                &headers(&[("origin", "https://evil.example")])
            ),
            Ok(())
        );
        assert_eq!(
            check_request(
                URL,
                &Method::POST,
                crate::provisioning::CALLBACK_PATH,
                &headers(&[("origin", "https://evil.example")])
            ),
            Ok(())
        );
    }

    #[test]
    fn a_server_function_takes_only_its_own_body_type() {
        let post = |path: &str, content_type: &str| {
            check_request(
                URL,
                &Method::POST,
                path,
                &headers(&[("origin", URL), ("content-type", content_type)]),
            )
        };
        assert_eq!(post("/api/save_drawdown", "application/json"), Ok(()));
        assert_eq!(
            post("/api/save_drawdown", "application/json; charset=utf-8"),
            Ok(())
        );
        assert_eq!(
            post("/api/save_drawdown", "text/plain"),
            Err(Refusal::WrongContentType)
        );
        assert_eq!(
            post("/api/save_drawdown", "application/x-www-form-urlencoded"),
            Err(Refusal::WrongContentType)
        );
        assert_eq!(post("/api/sign_in", "application/x-www-form-urlencoded"), Ok(()));
        assert_eq!(post("/api/sign_in", "text/plain"), Err(Refusal::WrongContentType));
    }

    #[test]
    fn pages_and_answers_are_not_cached_but_hashed_assets_are_kept_a_year() {
        let ok = StatusCode::OK;
        assert_eq!(cache_control("/licenses", ok, true), "no-store");
        assert_eq!(cache_control("/api/list_drawdowns", ok, true), "no-store");
        assert_eq!(
            cache_control("/pkg/portal.Xf3kq9.wasm", ok, true),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("/pkg/portal.wasm", ok, false), "no-cache");
        assert_eq!(
            cache_control("/pkg/portal.old.wasm", StatusCode::NOT_FOUND, true),
            "no-store",
            "a missing asset is not remembered"
        );
        let mut page = HeaderMap::new();
        add_headers(&mut page, "/licenses", cache_control("/licenses", ok, true), true);
        assert_eq!(page[header::CACHE_CONTROL], "no-store");
        assert_eq!(page[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(page[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .is_ok_and(|v| v.starts_with("max-age=")));
        let mut asset = HeaderMap::new();
        add_headers(
            &mut asset,
            "/pkg/portal.wasm",
            cache_control("/pkg/portal.wasm", ok, false),
            false,
        );
        assert!(
            asset.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "http: no HSTS"
        );
    }
}
