//! What a user may choose in "Select an account", and what an account holds
//! (the Entitlements tab).

use super::Services;
use super::{service_error_faults, Fault};
use crate::domain::{
    may_view_account, search_can_match_a_name, AccountChoices, AccountId, AccountKind, CurrentUser,
    EntitlementsView, ACCOUNT_CHOICES,
};
use crate::repo::{accounts, entitlements, orders};

/// Why an account could not be read. Mapped to the wire (`AppError`) at the
/// `api` edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Outside what the user may see; a missing account gets the same answer.
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(AccountError);

impl Services<'_> {
    /// The accounts `user` may choose, those whose name starts with `search`
    /// when there is one, and always `selected` if the user may see it.
    pub async fn account_choices(
        &self,
        user: &CurrentUser,
        search: Option<&str>,
        selected: Option<AccountId>,
    ) -> Result<AccountChoices, AccountError> {
        // No name starts with it: only the user's own account and the
        // selected one are offered.
        let matches_nothing = search.is_some_and(|s| !search_can_match_a_name(s));
        let limit = if matches_nothing { 0 } else { ACCOUNT_CHOICES };
        let search = search.filter(|_| !matches_nothing);
        let mut conn = self.db.read().await?;
        let (accounts, more) =
            accounts::list_accounts_visible_to(&mut conn, user, search, selected, limit).await?;
        Ok(AccountChoices {
            accounts,
            more: more && !matches_nothing,
        })
    }

    /// The Entitlements tab of one account, if `user` may see it.
    pub async fn entitlements(
        &self,
        user: &CurrentUser,
        account: AccountId,
    ) -> Result<EntitlementsView, AccountError> {
        let mut conn = self.db.read().await?;
        // A missing account and one outside the user's reach get the same
        // answer, so ids cannot be probed.
        let account = accounts::find_account(&mut conn, account)
            .await?
            .filter(|a| may_view_account(user, a))
            .ok_or(AccountError::Forbidden)?;
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
}
