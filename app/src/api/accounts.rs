//! Accounts a user may select, and what each holds.

use leptos::prelude::*;
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

/// The accounts the signed-in user may choose in "Select an account".
#[server(prefix = "/api", endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<AccountSummary>, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let mut conn = state.db.read().await?;
    Ok(crate::repo::accounts::list_accounts_visible_to(&mut conn, &user).await?)
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
