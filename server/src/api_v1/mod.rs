//! The partner API, `/api/v1` (SPEC, "Partner API and webhooks"): JSON over
//! the same services and the same checks as the browser. A call carries
//! `Authorization: Bearer lcp_…`, a token a partner admin made on the API
//! tokens tab; it acts as its maker with a partner user's rights at most
//! (a read-only token makes GETs only), within its per-minute rate, and is
//! recorded in the audit log. Errors are the browser's stable codes with
//! their HTTP statuses. Every POST may carry an `Idempotency-Key`.

pub mod accounts;
pub mod docs;
pub mod drawdown_import;
pub mod drawdowns;
pub mod schema;
pub mod statements;

use app::error::AppError;
use app::repo::api_tokens::{StoredAnswer, TokenHolder};
use app::services::api_tokens::scope_allows;
use app::services::idempotency::{IdempotencyKey, Keyed, KeyedError};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;

/// Where the API lives.
pub const API_V1_PREFIX: &str = "/api/v1";

/// The routes under [`API_V1_PREFIX`], each behind the token check.
pub fn routes(state: AppState) -> Router<AppState> {
    documented_routes()
        .0
        .fallback(|| async { failure(&AppError::NotFound) })
        .layer(axum::middleware::from_fn_with_state(state, authenticate))
}

/// The operations and the OpenAPI document describing them, from the same
/// registrations: an operation cannot be served undocumented, nor
/// documented and not served.
pub fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use utoipa::OpenApi as _;
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::list))
        .routes(routes!(accounts::entitlements))
        .routes(routes!(drawdowns::list, drawdowns::create))
        .routes(routes!(drawdown_import::import))
        .routes(routes!(drawdowns::get_one))
        .routes(routes!(drawdowns::accept))
        .routes(routes!(drawdowns::cancel))
        .routes(routes!(drawdowns::clone))
        .routes(routes!(statements::line))
        .split_for_parts()
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Licenses & Cloud portal API",
        version = "1",
        description = "The portal's partner API: the accounts a partner manages, their entitlements, its orders' line balances and its drawdown requests, with the same rules as the portal's screens.\n\nAuthenticate with `Authorization: Bearer lcp_…`, a token a partner admin creates on the API tokens tab: it acts as a partner user of that partner (read-only tokens make GET calls only), within a rate per minute (429 with Retry-After past it). Every call is recorded in the audit log.\n\nErrors are JSON `{\"error\": CODE, …}` with the portal's stable codes and HTTP statuses: 400 malformed, 401 no live token, 403 not allowed, 404 not found, 409 the request changed meanwhile, 422 invalid (the field named), 429 throttled, 503 the database is unavailable.\n\nEvery POST takes an `Idempotency-Key` header (1 to 255 visible ASCII characters): the same key with the same request within 24 hours answers the first answer again (with `Idempotent-Replayed: true`) without doing the work again; with another request, 422."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "accounts", description = "The partner's account and the customers it manages"),
        (name = "drawdowns", description = "Partner drawdown requests"),
        (name = "statements", description = "Ledger statements")
    )
)]
struct ApiDoc;

/// The one way to authenticate: a bearer token of the API tokens tab.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token (`lcp_…`) from the API tokens tab"))
                    .build(),
            ),
        );
    }
}

/// Who calls: the token and its maker, from which address.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub holder: TokenHolder,
    pub address: String,
}

impl ApiCaller {
    pub fn user(&self) -> &app::domain::CurrentUser {
        &self.holder.maker
    }

    /// The services acting for this token, as the audit log names them.
    pub fn services<'a>(&'a self, state: &'a AppState) -> app::services::Services<'a> {
        state.services_for_token(&self.address, &self.holder.name)
    }
}

/// The token check every call passes: 401 without a live token (with
/// `WWW-Authenticate: Bearer`), 403 for a write with a read-only token, 429
/// with `Retry-After` past the token's rate. The call is then recorded.
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let address = app::auth::client_address(&parts, &state.settings);
    let mut request = Request::from_parts(parts, body);
    let secret = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| s.starts_with(app::domain::API_TOKEN_PREFIX))
        .map(str::to_owned);
    let holder = match secret {
        None => None,
        Some(secret) => match state.services().token_holder(&secret).await {
            Ok(holder) => holder,
            Err(error) => return failure(&error.into()),
        },
    };
    let Some(holder) = holder else {
        tracing::warn!(path = request.uri().path(), %address, "API call refused: no live token");
        let mut refused = failure(&AppError::NotSignedIn);
        refused
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return refused;
    };
    let method = request.method().clone();
    let path = format!("{API_V1_PREFIX}{}", request.uri().path());
    let now = std::time::Instant::now();
    let key = holder.token.to_string();
    let answer = if let Some(wait) = state.api_limit.wait(&key, now) {
        failure(&AppError::Throttled {
            retry_after: app::throttle::retry_after_seconds(wait),
        })
    } else if !scope_allows(holder.scope, &method) {
        failure(&AppError::Forbidden)
    } else {
        state.api_limit.record(&key, now);
        request.extensions_mut().insert(ApiCaller {
            holder: holder.clone(),
            address: address.clone(),
        });
        next.run(request).await
    };
    // Every call is recorded, whatever it answered; a failure to record is
    // logged, not made the caller's failure once the work is done.
    let recorded = state
        .services_from(&address)
        .record_api_call(&holder, method.as_str(), &path, answer.status().as_u16())
        .await;
    if let Err(error) = recorded {
        tracing::error!(%error, "API call not recorded in the audit log");
    }
    answer
}

/// An answer of `status` with `value` as JSON.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(error) => {
            tracing::error!(%error, "API answer not serialized");
            failure(&AppError::Internal)
        }
    }
}

/// 429 `too_many_saves` (with `Retry-After`) when `partner` has made its
/// hourly Saves: the limit of the screens holds for the partner's systems.
pub fn saves_exhausted(state: &AppState, partner: &str, now: std::time::Instant) -> Option<Response> {
    let wait = state.save_limit.wait(partner, now)?;
    Some(failure(&AppError::TooManySaves {
        retry_after: app::throttle::retry_after_seconds(wait),
    }))
}

/// An answer as a keyed call stores it, `(status, JSON body)`, given now
/// to a call without a key.
pub fn answer_json((status, body): (u16, String)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A refusal or a failure, as the browser gets it: its code, its status.
pub fn failure(error: &AppError) -> Response {
    crate::security::error_response(error)
}

/// A stored answer (fresh or replayed) as it was first given; a replay
/// says so in `Idempotent-Replayed: true`.
pub fn keyed_answer(result: Result<Keyed, KeyedError>) -> Response {
    let (stored, replayed) = match result {
        Ok(Keyed::Fresh(stored)) => (stored, false),
        Ok(Keyed::Replayed(stored)) => (stored, true),
        Err(KeyedError::KeyReused) => {
            return failure(&AppError::InvalidInput {
                field: "idempotency_key".into(),
            })
        }
        Err(KeyedError::Work(error)) => return failure(&error.into()),
    };
    let StoredAnswer { status, body, .. } = stored;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut answer = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if replayed {
        answer
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    answer
}

/// The `Idempotency-Key` of a POST, bound to its account and the request
/// (method, path, body): `Ok(None)` without one, 400 for one that is not a
/// key (empty, over 255 characters, not visible ASCII).
pub fn idempotency_key(
    caller: &ApiCaller,
    headers: &HeaderMap,
    path: &str,
    body: &Bytes,
) -> Result<Option<IdempotencyKey>, AppError> {
    let Some(given) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let request_hash = {
        use sha2::{Digest as _, Sha256};
        let mut hash = Sha256::new();
        hash.update(b"POST ");
        hash.update(path.as_bytes());
        hash.update(b"\n");
        hash.update(body);
        hash.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    given
        .to_str()
        .ok()
        .and_then(|key| IdempotencyKey::parse(caller.user().account_id, key, request_hash))
        .map(Some)
        .ok_or_else(|| AppError::InvalidInput {
            field: "idempotency_key".into(),
        })
}

/// A JSON body read into `T`, or 400 `malformed` (its cause logged).
pub fn read_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|error| {
        tracing::info!(%error, "API body refused");
        AppError::Malformed
    })
}
