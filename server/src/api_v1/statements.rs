//! Ledger statements through the API: an order line's movements with the
//! balance after each, the same service as the Statement screen.

use app::domain::OrderLineId;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::{failure, json, schema, ApiCaller};

#[derive(Debug, Default, Deserialize)]
pub struct StatementQuery {
    cursor: Option<String>,
}

/// `GET /api/v1/order-lines/{line}/statement?cursor=`.
#[utoipa::path(
    get,
    path = "/order-lines/{line}/statement",
    operation_id = "get_line_statement",
    tag = "statements",
    summary = "An order line's statement",
    description = "Every movement of the line (reserve, release, draw) with its request, who, when and the balance after it, newest first, 50 a page.",
    params(
        ("line" = i64, Path, description = "The order line's id"),
        ("cursor" = Option<String>, Query, description = "Where the previous page ended"),
    ),
    responses(
        (status = 200, description = "The statement's page", body = schema::LineStatement),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "Another partner's line, or none", body = schema::ApiError),
        (status = 422, description = "A cursor that is not one", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn line(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(line): Path<String>,
    Query(query): Query<StatementQuery>,
) -> Response {
    let Ok(line) = line.parse().map(OrderLineId) else {
        return failure(&AppError::NotFound);
    };
    let before = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                return failure(&AppError::InvalidInput {
                    field: "cursor".into(),
                })
            }
        },
    };
    match caller
        .services(&state)
        .line_statement(caller.user(), line, before)
        .await
    {
        Ok(statement) => json(StatusCode::OK, &schema::LineStatement::from(statement)),
        Err(error) => failure(&error.into()),
    }
}
