//! Bulk drawdowns through the API: the file the Import requests (CSV)
//! screen takes, checked (`dry_run=true`) or submitted whole.

use app::domain::{OrderId, MAX_IMPORT_BYTES};
use app::error::AppError;
use app::services::drawdowns::Saved;
use app::services::idempotency::KeyedError;
use app::services::DrawdownError;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::{answer_json, failure, idempotency_key, json, keyed_answer, saves_exhausted, schema, ApiCaller};

/// The import's parameters.
#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    order: Option<String>,
    dry_run: Option<String>,
}

fn created(saved: &[Saved]) -> (u16, String) {
    let body = schema::ImportedRequests {
        data: saved
            .iter()
            .map(|s| schema::Created {
                id: s.id.0,
                number: s.number.to_string(),
                state: app::domain::DrawdownState::Submitted.as_str().into(),
            })
            .collect(),
    };
    (201, serde_json::to_string(&body).unwrap_or_default())
}

/// 422 with the dry run of a file that has problems.
fn refused(check: &app::domain::ImportCheck) -> Response {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &schema::ImportRefused {
            error: "invalid_drawdown_import".into(),
            check: check.into(),
        },
    )
}

fn answer_error(error: DrawdownError) -> Response {
    match error {
        DrawdownError::InvalidImport { check } => refused(&check),
        other => failure(&other.into()),
    }
}

/// `POST /api/v1/drawdowns/import?order=ID`: the CSV file of one order, one
/// row per customer and product; 201 with every request submitted, or 422
/// with each row's problems and nothing submitted. With `dry_run=true`, 200
/// with the check and nothing written.
#[utoipa::path(
    post,
    path = "/drawdowns/import",
    operation_id = "import_drawdowns",
    tag = "drawdowns",
    summary = "Import drawdown requests from a CSV file",
    description = "The file of the Import requests (CSV) screen: a header row naming the columns `customer_account`, `website`, `contact_name`, `contact_email`, `product` and `quantity` (or their English or French titles), then one row per customer and product, at most 1,000 rows and 512 KiB. The rows of one customer make one request; each is checked as the New form checks it, and all of them together against what each order line has available. Without `dry_run`, every request is submitted in one transaction, or none. The import counts as one Save of the partner's hourly limit.",
    params(
        ("order" = i64, Query, description = "The partner's order the requests draw from"),
        ("dry_run" = Option<bool>, Query, description = "`true`: check the file and write nothing"),
        ("Idempotency-Key" = Option<String>, Header, description = "Answers a retry with the first answer"),
    ),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, UTF-8"),
    responses(
        (status = 200, description = "The dry run: each row with its problems, the effect on each order line", body = schema::ImportCheck),
        (status = 201, description = "Every request submitted", body = schema::ImportedRequests),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "A read-only token, or an order that is not the partner's (or no longer open)", body = schema::ApiError),
        (status = 413, description = "A file over 512 KiB", body = schema::ApiError),
        (status = 422, description = "The file has problems (`invalid_drawdown_import`, with the dry run); `order` or `dry_run` not given right (`invalid_input`)", body = schema::ImportRefused),
        (status = 429, description = "Past the token's rate or the partner's hourly Saves", body = schema::ApiError),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(order) = query
        .order
        .as_deref()
        .and_then(|o| o.trim().parse().ok())
        .map(OrderId)
    else {
        return failure(&AppError::InvalidInput {
            field: "order".into(),
        });
    };
    let dry_run = match query.dry_run.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return failure(&AppError::InvalidInput {
                field: "dry_run".into(),
            })
        }
    };
    if body.len() > MAX_IMPORT_BYTES {
        return failure(&AppError::TooLarge);
    }
    let Ok(file) = std::str::from_utf8(&body) else {
        return failure(&AppError::InvalidInput { field: "file".into() });
    };
    let services = caller.services(&state);
    let user = caller.user();
    if dry_run {
        return match services.check_drawdown_import(user, order, file).await {
            Ok(check) => json(StatusCode::OK, &schema::ImportCheck::from(&check)),
            Err(error) => answer_error(error),
        };
    }
    let path = format!("/api/v1/drawdowns/import?order={}", order.0);
    let key = match idempotency_key(&caller, &headers, &path, &body) {
        Ok(key) => key,
        Err(error) => return failure(&error),
    };
    // One Save of the partner's hourly limit, as on the screen.
    let partner = user.account_id.to_string();
    let now = std::time::Instant::now();
    if let Some(throttled) = saves_exhausted(&state, &partner, now) {
        return throttled;
    }
    match key {
        Some(key) => {
            let result = services
                .submit_import_keyed(user, &key, order, file, created)
                .await;
            match result {
                Err(KeyedError::Work(error)) => answer_error(error),
                result => {
                    if matches!(result, Ok(app::services::idempotency::Keyed::Fresh(_))) {
                        state.save_limit.record(&partner, now);
                    }
                    keyed_answer(result)
                }
            }
        }
        None => match services.submit_drawdown_import(user, order, file).await {
            Ok(saved) => {
                state.save_limit.record(&partner, now);
                answer_json(created(&saved))
            }
            Err(error) => answer_error(error),
        },
    }
}
