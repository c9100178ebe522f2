//! Accounts a user may select, and what each holds.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::{AccountId, AccountSummary, Holding, OrderLineBalance};
use crate::error::AppError;

/// Everything the Entitlements view shows for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementsView {
    pub account: AccountSummary,
    pub holdings: Vec<Holding>,
    /// The partner's order lines; empty for a customer account.
    pub order_lines: Vec<OrderLineBalance>,
}

/// What "Select an account" offers: the user's own account first, then the
/// others by name, at most `ACCOUNT_CHOICES` of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoices {
    pub accounts: Vec<AccountSummary>,
    /// More accounts matched than are offered: "Find an account" narrows them.
    pub more: bool,
}

/// How many accounts "Select an account" offers at once.
pub const ACCOUNT_CHOICES: usize = 100;

/// The accounts the signed-in user may choose in "Select an account", those
/// whose name starts with `search` when there is one, and always `selected`
/// (the account in the URL) if the user may see it.
#[server(prefix = "/api", endpoint = "list_accounts", input = Json)]
pub async fn list_accounts(
    search: Option<String>,
    selected: Option<AccountId>,
) -> Result<AccountChoices, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .account_choices(&user, search.as_deref(), selected)
        .await
}

/// The Entitlements view of one account, if the user may see it.
#[server(prefix = "/api", endpoint = "account_entitlements")]
pub async fn account_entitlements(account: AccountId) -> Result<EntitlementsView, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state.services().entitlements(&user, account).await
}
