//! `POST /api/orders/import`: the vendor's order system sends its orders as
//! the CSV file `server orders import` takes, with `Authorization: Bearer
//! TOKEN`: an API token a vendor admin made (read and write) on the vendor's
//! API tokens tab, recorded in the audit log as that token; or, deprecated,
//! the one operator token of `PORTAL_ORDERS_API_TOKEN`. The file goes in
//! whole or not at all, exactly as with the command.

use app::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use app::services::{AdminError, Caller};

/// The path of the orders API.
pub const ORDERS_IMPORT_PATH: &str = "/api/orders/import";

/// The largest file taken in one call: about 100,000 order lines.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// 201 with `{"orders": N, "lines": M}`; 422 with every problem by line and
/// field and nothing imported; 401 without the token; 404 when the API is off.
pub async fn import(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(secret) = given.filter(|g| g.starts_with(app::domain::API_TOKEN_PREFIX)) {
        return import_with_token(&state, secret, &body).await;
    }
    let Some(token) = &state.settings.orders_api_token else {
        return error(
            StatusCode::NOT_FOUND,
            "the orders API is off: set PORTAL_ORDERS_API_TOKEN or use a vendor admin's API token",
        );
    };
    if !given.is_some_and(|given| token.matches(given)) {
        tracing::warn!("orders API call refused: missing or wrong token");
        let mut refused = error(StatusCode::UNAUTHORIZED, "send Authorization: Bearer TOKEN");
        refused.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return refused;
    }
    // The vendor's order system acts as an operator does at the command line.
    tracing::warn!(
        "orders imported with PORTAL_ORDERS_API_TOKEN, which is deprecated: use a vendor admin's API token"
    );
    answer(state.services().import_orders(Caller::Operator, &body[..]).await)
}

/// The import with an API token: a live read-and-write token of a vendor
/// admin, who imports as at Administration's Import orders (CSV).
async fn import_with_token(state: &AppState, secret: &str, body: &Bytes) -> Response {
    let holder = match state.services().token_holder(secret).await {
        Ok(holder) => holder,
        Err(err) => return crate::security::error_response(&err.into()),
    };
    let Some(holder) = holder else {
        let mut refused = error(StatusCode::UNAUTHORIZED, "send Authorization: Bearer TOKEN");
        refused.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return refused;
    };
    if holder.maker.role != app::domain::Role::VendorAdmin || holder.scope != app::domain::ApiScope::ReadWrite
    {
        return error(
            StatusCode::FORBIDDEN,
            "only a vendor admin's read and write token imports orders",
        );
    }
    let services = app::services::Services {
        token: Some(&holder.name),
        ..state.services()
    };
    let answer = answer(
        services
            .import_orders(Caller::User(&holder.maker), &body[..])
            .await,
    );
    if let Err(err) = services
        .record_api_call(&holder, "POST", ORDERS_IMPORT_PATH, answer.status().as_u16())
        .await
    {
        tracing::error!(%err, "API call not recorded in the audit log");
    }
    answer
}

/// The import's outcome as the API answers it.
fn answer(result: Result<app::domain::ImportSummary, AdminError>) -> Response {
    match result {
        Ok(summary) => {
            tracing::info!(
                orders = summary.orders,
                lines = summary.lines,
                "orders imported through the API"
            );
            (StatusCode::CREATED, Json(summary)).into_response()
        }
        Err(AdminError::InvalidImport { problems }) => {
            let problems: Vec<_> = problems
                .iter()
                .map(|p| json!({ "line": p.line, "field": p.column, "rule": p.rule, "message": p.rule.to_string() }))
                .collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "error": "nothing imported", "problems": problems })),
            )
                .into_response()
        }
        Err(AdminError::Fault(app::services::Fault::Unavailable)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "nothing imported: the database is unavailable",
        ),
        Err(err) => {
            tracing::error!(%err, "orders API: nothing imported");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "nothing imported: internal error",
            )
        }
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
