//! Server functions of the drawdown procedure: who is calling, then the
//! service (`services::drawdowns`), which checks what they may touch.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{
    AccountId, DrawdownDetail, DrawdownForm, DrawdownFormData, DrawdownId, DrawdownPage, DrawdownState,
    ImportCheck, OrderId, PageRequest, PdrNumber, Transition,
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
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    let partner = within_hourly_saves(&app, &user)?;
    let saved = app
        .services_from(&address)
        .save(&user, order, &form, cloned_from)
        .await
        .map_err(AppError::from)?;
    app.save_limit.record(&partner, std::time::Instant::now());
    Ok((saved.id, saved.number))
}

/// The partner's key in the hourly limit on Saves, or 429 once it is
/// reached: Save and Submit all count against it alike.
#[cfg(feature = "ssr")]
fn within_hourly_saves(
    app: &crate::state::AppState,
    user: &crate::domain::CurrentUser,
) -> Result<String, AppError> {
    let partner = user.account_id.to_string();
    match app.save_limit.wait(&partner, std::time::Instant::now()) {
        None => Ok(partner),
        Some(wait) => {
            tracing::warn!(user = %user.id, partner = %user.account_id, "save refused: the partner's hourly limit is reached");
            Err(AppError::TooManySaves {
                retry_after: crate::throttle::retry_after_seconds(wait),
            })
        }
    }
}

/// Import requests (CSV), the dry run: each row's problems and what the
/// file takes from each line of `order`. Nothing is written.
#[server(prefix = "/api", endpoint = "check_drawdown_import", input = Json, output = Wire)]
pub async fn check_drawdown_import(order: OrderId, file: String) -> Result<ImportCheck, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    app.services()
        .check_drawdown_import(&user, order, &file)
        .await
        .map_err(AppError::from)
}

/// Import requests (CSV), Submit all: every request of the file in one
/// transaction, or none. One Save of the partner's hourly limit: the file
/// was reviewed whole in the dry run.
#[server(prefix = "/api", endpoint = "submit_drawdown_import", input = Json, output = Wire)]
pub async fn submit_drawdown_import(
    order: OrderId,
    file: String,
) -> Result<Vec<(DrawdownId, PdrNumber)>, AppError> {
    let (user, app) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&app)?;
    let partner = within_hourly_saves(&app, &user)?;
    let saved = app
        .services_from(&address)
        .submit_drawdown_import(&user, order, &file)
        .await
        .map_err(AppError::from)?;
    app.save_limit.record(&partner, std::time::Instant::now());
    Ok(saved.into_iter().map(|s| (s.id, s.number)).collect())
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
