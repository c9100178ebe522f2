//! Drawdown requests through the API: list (newest change first, a cursor
//! to the next page, the screen's filters), get one, create, accept,
//! cancel. The same services as the Partner drawdowns screens.

use app::domain::{
    AccountId, DrawdownCursor, DrawdownForm, DrawdownId, DrawdownState, OrderId, OrderLineId, PageRequest,
    Transition, DRAWDOWN_PAGE_SIZE,
};
use app::error::AppError;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::{
    answer_json, failure, idempotency_key, json, keyed_answer, read_body, saves_exhausted, schema, ApiCaller,
};

/// The filters of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// The account whose requests to list: the partner's own (the default)
    /// or a customer it manages.
    account: Option<i64>,
    state: Option<String>,
    /// Customer name or website starting so.
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

/// A cursor as the API gives it: `CHANGED_AT.ID`, opaque to clients.
fn cursor_text(cursor: DrawdownCursor) -> String {
    format!("{}.{}", cursor.changed_at, cursor.id.0)
}

fn parse_cursor(text: &str) -> Option<DrawdownCursor> {
    let (at, id) = text.split_once('.')?;
    Some(DrawdownCursor {
        changed_at: at.parse().ok()?,
        id: DrawdownId(id.parse().ok()?),
    })
}

/// The most rows one page gives.
const LIST_LIMIT_MAX: u32 = 200;

fn invalid(field: &str) -> Response {
    failure(&AppError::InvalidInput { field: field.into() })
}

/// `GET /api/v1/drawdowns`: 200 with a page; 422 naming a filter that is
/// not one (`state`, `cursor`, `limit`); 403 for an account not the caller's.
#[utoipa::path(
    get,
    path = "/drawdowns",
    operation_id = "list_drawdowns",
    tag = "drawdowns",
    summary = "List drawdown requests",
    description = "The requests of an account, newest change first, a page at a time: pass `next_cursor` back as `cursor` until it is null.",
    params(
        ("account" = Option<i64>, Query, description = "The partner's own account (the default) or a customer it manages"),
        ("state" = Option<String>, Query, description = "submitted, approved, rejected, accepted, cancelled or expired"),
        ("q" = Option<String>, Query, description = "Customer name or website starting so"),
        ("cursor" = Option<String>, Query, description = "Where the previous page ended"),
        ("limit" = Option<u32>, Query, description = "Rows in the page, 1 to 200 (50 by default)"),
    ),
    responses(
        (status = 200, description = "A page of requests", body = schema::DrawdownList),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "Not the caller's account", body = schema::ApiError),
        (status = 422, description = "A filter that is not one (`field` names it)", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Query(query): Query<ListQuery>,
) -> Response {
    let account = query.account.map_or(caller.user().account_id, AccountId);
    let filter_state = match query.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(typed) => match DrawdownState::parse(typed) {
            Some(s) => Some(s),
            None => return invalid("state"),
        },
    };
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => match parse_cursor(text) {
            Some(cursor) => Some(cursor),
            None => return invalid("cursor"),
        },
    };
    let limit = query.limit.unwrap_or(DRAWDOWN_PAGE_SIZE as u32);
    if limit == 0 || limit > LIST_LIMIT_MAX {
        return invalid("limit");
    }
    let page = PageRequest {
        after,
        rows: Some(limit),
    };
    let search = query.q.filter(|q| !q.trim().is_empty());
    match caller
        .services(&state)
        .list_drawdowns(caller.user(), account, filter_state, search, page)
        .await
    {
        Ok(page) => json(
            StatusCode::OK,
            &schema::DrawdownList {
                next_cursor: page.next.map(cursor_text),
                data: page.rows.into_iter().map(Into::into).collect(),
            },
        ),
        Err(error) => failure(&error.into()),
    }
}

/// `GET /api/v1/drawdowns/{id}`: the request with its lines and history;
/// 403 for another partner's (as for one that does not exist).
#[utoipa::path(
    get,
    path = "/drawdowns/{id}",
    operation_id = "get_drawdown",
    tag = "drawdowns",
    summary = "Get a drawdown request",
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request with its lines and history", body = schema::DrawdownDetails),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "Another partner's request, or none", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse().map(DrawdownId) else {
        return failure(&AppError::NotFound);
    };
    match caller.services(&state).drawdown(caller.user(), id).await {
        Ok(detail) => json(StatusCode::OK, &schema::DrawdownDetails::from(detail)),
        Err(error) => failure(&error.into()),
    }
}

/// One line asked for: the order line and how many.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RequestedLine {
    order_line: i64,
    /// A whole number above 0 (as a JSON number or string), at most what
    /// the line has available.
    #[schema(value_type = u32)]
    quantity: serde_json::Value,
}

/// The body of a new request: the New form's fields.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    order: i64,
    customer_account: String,
    customer_website: String,
    contact_name: String,
    contact_email: String,
    lines: Vec<RequestedLine>,
    #[serde(default)]
    cloned_from: Option<i64>,
}

impl NewRequest {
    fn form(&self) -> DrawdownForm {
        DrawdownForm {
            customer_account: self.customer_account.clone(),
            customer_website: self.customer_website.clone(),
            customer_name: self.contact_name.clone(),
            customer_email: self.contact_email.clone(),
            quantities: self
                .lines
                .iter()
                .map(|line| {
                    let quantity = match &line.quantity {
                        serde_json::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (OrderLineId(line.order_line), quantity)
                })
                .collect(),
        }
    }
}

/// The answer to a create: the new request's id and number, Submitted.
fn created(id: DrawdownId, number: &app::domain::PdrNumber) -> (u16, String) {
    let body = schema::Created {
        id: id.0,
        number: number.to_string(),
        state: DrawdownState::Submitted.as_str().into(),
    };
    (201, serde_json::to_string(&body).unwrap_or_default())
}

/// `POST /api/v1/drawdowns`: 201 with `{id, number, state}`; 422 with
/// every problem by field, nothing saved; 429 past the partner's hourly
/// Saves. With an `Idempotency-Key`, a retry gets the first answer.
#[utoipa::path(
    post,
    path = "/drawdowns",
    operation_id = "create_drawdown",
    tag = "drawdowns",
    summary = "Create a drawdown request",
    description = "Checks it as the New form does, reserves each line's quantity on the order and submits it to accounting, in one transaction.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Answers a retry with the first answer")),
    request_body = NewRequest,
    responses(
        (status = 201, description = "Submitted", body = schema::Created),
        (status = 400, description = "Not the JSON of a request", body = schema::ApiError),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "A read-only token, or another partner's order", body = schema::ApiError),
        (status = 422, description = "Each field's problem (`invalid_drawdown`), or a key used with another request", body = schema::ApiError),
        (status = 429, description = "Past the token's rate or the partner's hourly Saves", body = schema::ApiError),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match idempotency_key(&caller, &headers, "/api/v1/drawdowns", &body) {
        Ok(key) => key,
        Err(error) => return failure(&error),
    };
    let request: NewRequest = match read_body(&body) {
        Ok(request) => request,
        Err(error) => return failure(&error),
    };
    let form = request.form();
    let order = Some(OrderId(request.order));
    let cloned_from = request.cloned_from.map(DrawdownId);
    save(&state, &caller, key, order, &form, cloned_from).await
}

/// `POST /api/v1/drawdowns/{id}/accept`: the customer receives the
/// entitlements; 200 with `{id, state}`; 409 if it is no longer Approved.
#[utoipa::path(
    post,
    path = "/drawdowns/{id}/accept",
    operation_id = "accept_drawdown",
    tag = "drawdowns",
    summary = "Accept an approved request",
    description = "The customer account receives the entitlements (an account is created for a customer the partner does not manage yet).",
    params(
        ("id" = i64, Path, description = "The request's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Answers a retry with the first answer"),
    ),
    responses(
        (status = 200, description = "Accepted", body = schema::Stepped),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "A read-only token, or another partner's request", body = schema::ApiError),
        (status = 409, description = "It is no longer approved", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn accept(
    state: State<AppState>,
    caller: Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    step(state, caller, id, Transition::Accept, headers, body).await
}

/// `POST /api/v1/drawdowns/{id}/cancel`: the quantities return to the
/// order; 200 with `{id, state}`; 409 from a state it cannot leave so.
#[utoipa::path(
    post,
    path = "/drawdowns/{id}/cancel",
    operation_id = "cancel_drawdown",
    tag = "drawdowns",
    summary = "Cancel a submitted or approved request",
    description = "Its quantities return to the order.",
    params(
        ("id" = i64, Path, description = "The request's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Answers a retry with the first answer"),
    ),
    responses(
        (status = 200, description = "Cancelled", body = schema::Stepped),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "A read-only token, or another partner's request", body = schema::ApiError),
        (status = 409, description = "It can no longer be cancelled", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn cancel(
    state: State<AppState>,
    caller: Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    step(state, caller, id, Transition::Cancel, headers, body).await
}

/// `POST /api/v1/drawdowns/{id}/clone`: a new request for the same
/// customer, contact and lines, submitted as if the New form had been
/// opened with Clone and saved as it was.
#[utoipa::path(
    post,
    path = "/drawdowns/{id}/clone",
    operation_id = "clone_drawdown",
    tag = "drawdowns",
    summary = "Clone a request",
    description = "Submits a new request with the same order, customer, contact and quantities, checked against what the order has available now.",
    params(
        ("id" = i64, Path, description = "The request to clone"),
        ("Idempotency-Key" = Option<String>, Header, description = "Answers a retry with the first answer"),
    ),
    responses(
        (status = 201, description = "Submitted", body = schema::Created),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "A read-only token, or another partner's request", body = schema::ApiError),
        (status = 422, description = "The order no longer has what it asked for (`invalid_drawdown`)", body = schema::ApiError),
        (status = 429, description = "Past the token's rate or the partner's hourly Saves", body = schema::ApiError),
    )
)]
pub async fn clone(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(source) = id.parse().map(DrawdownId) else {
        return failure(&AppError::NotFound);
    };
    let path = format!("/api/v1/drawdowns/{}/clone", source.0);
    let key = match idempotency_key(&caller, &headers, &path, &body) {
        Ok(key) => key,
        Err(error) => return failure(&error),
    };
    let user = caller.user();
    let prefilled = match caller
        .services(&state)
        .form_data(user, user.account_id, Some(source))
        .await
    {
        Ok(data) => data,
        Err(error) => return failure(&error.into()),
    };
    save(
        &state,
        &caller,
        key,
        prefilled.prefill_order,
        &prefilled.prefill,
        Some(source),
    )
    .await
}

/// Save, with its key if any, within the partner's hourly Saves.
async fn save(
    state: &AppState,
    caller: &ApiCaller,
    key: Option<app::services::idempotency::IdempotencyKey>,
    order: Option<OrderId>,
    form: &DrawdownForm,
    cloned_from: Option<DrawdownId>,
) -> Response {
    let user = caller.user();
    let partner = user.account_id.to_string();
    let now = std::time::Instant::now();
    if let Some(throttled) = saves_exhausted(state, &partner, now) {
        return throttled;
    }
    let services = caller.services(state);
    match &key {
        Some(key) => {
            let result = services
                .save_keyed(user, key, order, form, cloned_from, |saved| {
                    created(saved.id, &saved.number)
                })
                .await;
            if matches!(result, Ok(app::services::idempotency::Keyed::Fresh(_))) {
                state.save_limit.record(&partner, now);
            }
            keyed_answer(result)
        }
        None => match services.save(user, order, form, cloned_from).await {
            Ok(saved) => {
                state.save_limit.record(&partner, now);
                answer_json(created(saved.id, &saved.number))
            }
            Err(error) => failure(&error.into()),
        },
    }
}

async fn step(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    id: String,
    transition: Transition,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(id) = id.parse().map(DrawdownId) else {
        return failure(&AppError::NotFound);
    };
    let path = format!("/api/v1/drawdowns/{}/{transition}", id.0);
    let key = match idempotency_key(&caller, &headers, &path, &body) {
        Ok(key) => key,
        Err(error) => return failure(&error),
    };
    let answer = move |to: DrawdownState| {
        let body = schema::Stepped {
            id: id.0,
            state: to.as_str().into(),
        };
        (200, serde_json::to_string(&body).unwrap_or_default())
    };
    let services = caller.services(&state);
    match &key {
        Some(key) => keyed_answer(
            services
                .change_keyed(caller.user(), key, id, transition, None, answer)
                .await,
        ),
        None => match services.change(caller.user(), id, transition, None).await {
            Ok(to) => answer_json(answer(to)),
            Err(error) => failure(&error.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_is_one() {
        let cursor = DrawdownCursor {
            changed_at: 1_796_000_000,
            id: DrawdownId(42),
        };
        assert_eq!(parse_cursor(&cursor_text(cursor)), Some(cursor));
        for bad in ["", "1", "a.b", "1.2.3", "1.x"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
