//! Accounts a user may select, and what each holds.

use crate::codec::Wire;
use crate::domain::{AccountChoices, AccountId, EntitlementsView};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The accounts the signed-in user may choose in "Select an account", those
/// whose name starts with `search` when there is one, and always `selected`
/// (the account in the URL) if the user may see it.
#[server(prefix = "/api", endpoint = "list_accounts", input = Json, output = Wire)]
pub async fn list_accounts(
    search: Option<String>,
    selected: Option<AccountId>,
) -> Result<AccountChoices, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .account_choices(&user, search.as_deref(), selected)
        .await
        .map_err(AppError::from)
}

/// The Entitlements view of one account, if the user may see it.
#[server(prefix = "/api", endpoint = "account_entitlements", output = Wire)]
pub async fn account_entitlements(account: AccountId) -> Result<EntitlementsView, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .entitlements(&user, account)
        .await
        .map_err(AppError::from)
}
