//! Accounts through the API: the partner's own and the customers it
//! manages, and each one's entitlements (for the partner, its order lines
//! with their balances). The same services as the account selector and the
//! Entitlements tab.

use app::domain::AccountId;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::{failure, json, schema, ApiCaller};

#[derive(Debug, Default, Deserialize)]
pub struct AccountsQuery {
    /// Names starting so.
    q: Option<String>,
}

/// `GET /api/v1/accounts?q=`: the partner's own account and the customers
/// it manages, by name (at most 100; `has_more` says to narrow with `q`).
#[utoipa::path(
    get,
    path = "/accounts",
    operation_id = "list_accounts",
    tag = "accounts",
    summary = "List accounts",
    description = "The partner's own account first, then the customers it manages by name, at most 100.",
    params(("q" = Option<String>, Query, description = "Names starting so")),
    responses(
        (status = 200, description = "The accounts", body = schema::AccountList),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Query(query): Query<AccountsQuery>,
) -> Response {
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    match caller
        .services(&state)
        .account_choices(caller.user(), search, None)
        .await
    {
        Ok(choices) => json(
            StatusCode::OK,
            &schema::AccountList {
                data: choices.accounts.into_iter().map(Into::into).collect(),
                has_more: choices.more,
            },
        ),
        Err(error) => failure(&error.into()),
    }
}

/// `GET /api/v1/accounts/{account}/entitlements`: what the account holds by
/// product and, for the partner itself, its order lines with quantity,
/// available, reserved and drawn; 403 for an account not the caller's.
#[utoipa::path(
    get,
    path = "/accounts/{account}/entitlements",
    operation_id = "get_entitlements",
    tag = "accounts",
    summary = "An account's entitlements and order lines",
    description = "What the account holds by product; for the partner's own account, each order line with its quantity, reserved, drawn and available.",
    params(("account" = i64, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The entitlements", body = schema::Entitlements),
        (status = 401, description = "No live token", body = schema::ApiError),
        (status = 403, description = "Not the partner's account nor one it manages", body = schema::ApiError),
        (status = 429, description = "Past the token's rate", body = schema::ApiError),
    )
)]
pub async fn entitlements(
    State(state): State<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(account): Path<String>,
) -> Response {
    let Ok(account) = account.parse().map(AccountId) else {
        return failure(&AppError::NotFound);
    };
    match caller.services(&state).entitlements(caller.user(), account).await {
        Ok(view) => json(StatusCode::OK, &schema::Entitlements::from(view)),
        Err(error) => failure(&error.into()),
    }
}
