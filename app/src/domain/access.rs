//! Who may look at which account (SPEC, "Who uses it"). Pure rules, so the
//! server applies exactly what the tests check.

use super::{AccountId, AccountKind, AccountSummary, CurrentUser};

/// Whether `user` may view the account's entitlements, licenses and services.
///
/// Partners see their own account and the customers they manage; a customer
/// user sees only its own account; vendor staff see every account, because
/// approving a drawdown means checking the partner's order balances.
pub fn may_view_account(user: &CurrentUser, account: &AccountSummary) -> bool {
    if user.role.is_vendor_staff() {
        return account.kind != AccountKind::Vendor;
    }
    if account.id == user.account_id {
        return true;
    }
    user.role.is_partner()
        && account.kind == AccountKind::Customer
        && account.managed_by == Some(user.account_id)
}

/// Whether `user` may bind licenses, configure license files and provision
/// services for the account: partner users, for the customers they manage.
/// Customer users and vendor staff look without changing (SPEC, "Who uses
/// it"); a partner's own order stock is for drawing down, not for use.
pub fn may_manage_licenses_of(user: &CurrentUser, account: &AccountSummary) -> bool {
    user.role.is_partner()
        && account.kind == AccountKind::Customer
        && account.managed_by == Some(user.account_id)
}

/// Whether `user` may download the account's license files: what a Control
/// Room installs, so the account's own users and its managing partner only.
/// Vendor staff read the tab (accounting checks what is in use) but never
/// take a file that would license an installation.
pub fn may_download_license_files_of(user: &CurrentUser, account: &AccountSummary) -> bool {
    !user.role.is_vendor_staff() && may_view_account(user, account)
}

/// Whether `user` may see the drawdown requests of `partner`: vendor staff
/// see every partner's; partner users their own partner's. Customer users
/// see none (they see what reaches their account, in its Entitlements).
pub fn may_view_drawdowns_of(user: &CurrentUser, partner: AccountId) -> bool {
    user.role.is_vendor_staff() || (user.role.is_partner() && user.account_id == partner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, UserId};

    fn user(role: Role, account: i64) -> CurrentUser {
        CurrentUser {
            id: UserId(1),
            email: "u@example.com".into(),
            display_name: "U".into(),
            role,
            account_id: AccountId(account),
            account_name: "A".into(),
        }
    }

    fn account(id: i64, kind: AccountKind, managed_by: Option<i64>) -> AccountSummary {
        AccountSummary {
            id: AccountId(id),
            kind,
            name: format!("account {id}"),
            managed_by: managed_by.map(AccountId),
            managed_by_name: None,
        }
    }

    #[test]
    fn a_partner_sees_its_own_account_and_its_customers_only() {
        let partner = user(Role::PartnerUser, 10);
        assert!(may_view_account(
            &partner,
            &account(10, AccountKind::Partner, None)
        ));
        assert!(may_view_account(
            &partner,
            &account(11, AccountKind::Customer, Some(10))
        ));
        assert!(!may_view_account(
            &partner,
            &account(20, AccountKind::Partner, None)
        ));
        assert!(!may_view_account(
            &partner,
            &account(21, AccountKind::Customer, Some(20))
        ));
    }

    #[test]
    fn only_the_managing_partner_changes_a_customers_licenses() {
        let contoso = account(11, AccountKind::Customer, Some(10));
        assert!(may_manage_licenses_of(&user(Role::PartnerUser, 10), &contoso));
        assert!(may_manage_licenses_of(&user(Role::PartnerAdmin, 10), &contoso));
        assert!(!may_manage_licenses_of(&user(Role::PartnerAdmin, 20), &contoso));
        assert!(!may_manage_licenses_of(&user(Role::CustomerUser, 11), &contoso));
        assert!(!may_manage_licenses_of(&user(Role::Accounting, 1), &contoso));
        assert!(!may_manage_licenses_of(
            &user(Role::PartnerAdmin, 10),
            &account(10, AccountKind::Partner, None)
        ));
    }

    #[test]
    fn license_files_go_to_the_account_and_its_partner_not_to_vendor_staff() {
        let contoso = account(11, AccountKind::Customer, Some(10));
        assert!(may_download_license_files_of(
            &user(Role::PartnerUser, 10),
            &contoso
        ));
        assert!(may_download_license_files_of(
            &user(Role::CustomerUser, 11),
            &contoso
        ));
        assert!(!may_download_license_files_of(
            &user(Role::Accounting, 1),
            &contoso
        ));
        assert!(!may_download_license_files_of(
            &user(Role::VendorAdmin, 1),
            &contoso
        ));
        assert!(!may_download_license_files_of(
            &user(Role::PartnerUser, 20),
            &contoso
        ));
        assert!(!may_download_license_files_of(
            &user(Role::CustomerUser, 12),
            &contoso
        ));
    }

    #[test]
    fn a_customer_user_sees_only_its_own_account() {
        let customer = user(Role::CustomerUser, 11);
        assert!(may_view_account(
            &customer,
            &account(11, AccountKind::Customer, Some(10))
        ));
        assert!(!may_view_account(
            &customer,
            &account(12, AccountKind::Customer, Some(10))
        ));
        assert!(!may_view_account(
            &customer,
            &account(10, AccountKind::Partner, None)
        ));
    }

    #[test]
    fn vendor_staff_see_partners_and_customers_but_no_vendor_account() {
        let accounting = user(Role::Accounting, 1);
        assert!(may_view_account(
            &accounting,
            &account(10, AccountKind::Partner, None)
        ));
        assert!(may_view_account(
            &accounting,
            &account(21, AccountKind::Customer, Some(20))
        ));
        assert!(!may_view_account(
            &accounting,
            &account(1, AccountKind::Vendor, None)
        ));
    }
}
