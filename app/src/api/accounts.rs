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
    // Longer than any name, nothing starts with it: only the user's own
    // account and the selected one are offered.
    let too_long = search
        .as_deref()
        .is_some_and(|s| s.trim().chars().count() > crate::domain::CUSTOMER_SEARCH_MAX);
    let limit = if too_long { 0 } else { ACCOUNT_CHOICES };
    let search = search.filter(|_| !too_long);
    let mut conn = state.db.read().await?;
    let (accounts, more) =
        crate::repo::accounts::list_accounts_visible_to(&mut conn, &user, search.as_deref(), selected, limit)
            .await?;
    let more = more && !too_long;
    Ok(AccountChoices { accounts, more })
}

/// The Entitlements view of one account, if the user may see it.
#[server(prefix = "/api", endpoint = "account_entitlements")]
pub async fn account_entitlements(account: AccountId) -> Result<EntitlementsView, AppError> {
    use crate::domain::{may_view_account, AccountKind};
    use crate::repo::{accounts, entitlements, orders};

    let (user, state) = crate::auth::require_caller().await?;
    let mut conn = state.db.read().await?;
    // A missing account and one outside the user's reach get the same
    // answer, so ids cannot be probed.
    let account = accounts::find_account(&mut conn, account)
        .await?
        .filter(|a| may_view_account(&user, a))
        .ok_or(AppError::Forbidden)?;
    let holdings = entitlements::list_holdings(&mut conn, account.id).await?;
    let order_lines = if account.kind == AccountKind::Partner {
        orders::list_order_line_balances(&mut conn, account.id).await?
    } else {
        Vec::new()
    };
    Ok(EntitlementsView {
        account,
        holdings,
        order_lines,
    })
}
