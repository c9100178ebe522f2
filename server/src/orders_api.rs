//! `POST /api/orders/import`: the vendor's order system sends its orders as
//! the CSV file `server orders import` takes, with
//! `Authorization: Bearer TOKEN` (`PORTAL_ORDERS_API_TOKEN`). The file goes
//! in whole or not at all, exactly as with the command.

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
    let Some(token) = &state.settings.orders_api_token else {
        return error(
            StatusCode::NOT_FOUND,
            "the orders API is off: set PORTAL_ORDERS_API_TOKEN",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|given| token.matches(given.trim())) {
        tracing::warn!("orders API call refused: missing or wrong token");
        let mut refused = error(StatusCode::UNAUTHORIZED, "send Authorization: Bearer TOKEN");
        refused.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return refused;
    }
    // The vendor's order system acts as an operator does at the command line.
    match state.services().import_orders(Caller::Operator, &body[..]).await {
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
