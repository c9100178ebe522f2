//! Server functions of the drawdown procedure: who is calling, then the
//! service (`services::drawdowns`), which checks what they may touch.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{
    AccountId, DrawdownDetail, DrawdownForm, DrawdownFormData, DrawdownId, DrawdownPage, DrawdownState,
    OrderId, PageRequest, PdrNumber, Transition,
};
use crate::error::AppError;

/// The Partner drawdowns list of the selected account.
#[server(prefix = "/api", endpoint = "list_drawdowns", input = Json, output = Wire)]
pub async fn list_drawdowns(
    account: AccountId,
    state: Option<DrawdownState>,
    search: Option<String>,
    page: PageRequest,
) -> Result<DrawdownPage, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .list_drawdowns(&user, account, state, search, page)
        .await
        .map_err(AppError::from)
}

/// One request's page.
#[server(prefix = "/api", endpoint = "drawdown", input = Json, output = Wire)]
pub async fn drawdown(id: DrawdownId) -> Result<DrawdownDetail, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services().drawdown(&user, id).await.map_err(AppError::from)
}

/// What the New form offers, prefilled for the selected customer or a clone.
#[server(prefix = "/api", endpoint = "new_drawdown_form", input = Json, output = Wire)]
pub async fn new_drawdown_form(
    account: AccountId,
    clone: Option<DrawdownId>,
) -> Result<DrawdownFormData, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .form_data(&user, account, clone)
        .await
        .map_err(AppError::from)
}

/// Save: the server checks the whole form again, then records, reserves and
/// notifies in one transaction.
#[server(prefix = "/api", endpoint = "save_drawdown", input = Json, output = Wire)]
pub async fn save_drawdown(
    order: Option<OrderId>,
    form: DrawdownForm,
    cloned_from: Option<DrawdownId>,
) -> Result<(DrawdownId, PdrNumber), AppError> {
    use crate::throttle::retry_after_seconds;
    use std::time::Instant;
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    let partner = user.account_id.to_string();
    if let Some(wait) = app.save_limit.wait(&partner, Instant::now()) {
        tracing::warn!(user = %user.id, partner = %user.account_id, "save refused: the partner's hourly limit is reached");
        return Err(AppError::TooManySaves {
            retry_after: retry_after_seconds(wait),
        });
    }
    let saved = app
        .services_from(&address)
        .save(&user, order, &form, cloned_from)
        .await
        .map_err(AppError::from)?;
    app.save_limit.record(&partner, Instant::now());
    Ok((saved.id, saved.number))
}

/// Approve, reject, accept or cancel a request.
#[server(prefix = "/api", endpoint = "change_drawdown", input = Json, output = Wire)]
pub async fn change_drawdown(
    id: DrawdownId,
    transition: Transition,
    reason: Option<String>,
) -> Result<DrawdownState, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    app.services_from(&address)
        .change(&user, id, transition, reason.as_deref())
        .await
        .map_err(AppError::from)
}
