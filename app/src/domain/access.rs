//! Who may look at which account (SPEC, "Who uses it"). Pure rules, so the
//! server applies exactly what the tests check.

use super::{AccountId, AccountKind, AccountSummary, CurrentUser, Role};

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

/// Whether `user` may give `role` to someone of `account`: invite them,
/// deactivate or reactivate them (SPEC, "Users of a partner"). Vendor admins
/// manage everyone; a partner admin the partner's own people; any partner
/// user the customer users of the customers its partner manages. The role
/// must be one the account's kind holds.
pub fn may_manage_people_of(user: &CurrentUser, role: Role, account: &AccountSummary) -> bool {
    if role.account_kind() != account.kind {
        return false;
    }
    match user.role {
        Role::VendorAdmin => true,
        Role::PartnerAdmin if account.id == user.account_id => role.is_partner(),
        Role::PartnerAdmin | Role::PartnerUser => {
            role == Role::CustomerUser
                && account.kind == AccountKind::Customer
                && account.managed_by == Some(user.account_id)
        }
        Role::Accounting | Role::CustomerUser => false,
    }
}

/// Whether `user` may see the list of the account's people: whoever may
/// manage someone there.
pub fn may_list_people_of(user: &CurrentUser, account: &AccountSummary) -> bool {
    Role::ALL
        .iter()
        .any(|role| may_manage_people_of(user, *role, account))
}

/// Whether `user` reads accounting's workspace: the Decision panel of any
/// request, the Approvals queue. Vendor admins see what accounting sees;
/// only accounting approves or rejects (`Actor::Accounting`).
pub fn may_weigh_drawdowns(user: &CurrentUser) -> bool {
    user.role.is_vendor_staff()
}

/// Whether `user` makes, lists and revokes the API tokens of `account`
/// (SPEC, "Partner API and webhooks"): a partner admin of its own partner,
/// a vendor admin of the vendor's account (the vendor's systems).
pub fn may_manage_api_tokens_of(user: &CurrentUser, account: AccountId) -> bool {
    matches!(user.role, Role::PartnerAdmin | Role::VendorAdmin) && user.account_id == account
}

/// Whether `user` registers and watches the webhook endpoints of `account`:
/// a partner admin of its own partner (the events are partners').
pub fn may_manage_webhooks_of(user: &CurrentUser, account: AccountId) -> bool {
    user.role == Role::PartnerAdmin && user.account_id == account
}

/// Whether `user` works in Administration (SPEC, "Administration").
pub fn may_administer(user: &CurrentUser) -> bool {
    user.role == Role::VendorAdmin
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

    #[test]
    fn who_may_manage_whose_people() {
        let northwind = account(10, AccountKind::Partner, None);
        let contoso = account(20, AccountKind::Customer, Some(10));
        let tailspin = account(11, AccountKind::Partner, None);
        let fabrikam = account(21, AccountKind::Customer, Some(11));
        let vendor = account(1, AccountKind::Vendor, None);
        let admin = user(Role::PartnerAdmin, 10);
        let partner_user = user(Role::PartnerUser, 10);
        // A partner admin: its own partner's people, and customer users of its customers.
        assert!(may_manage_people_of(&admin, Role::PartnerUser, &northwind));
        assert!(may_manage_people_of(&admin, Role::PartnerAdmin, &northwind));
        assert!(may_manage_people_of(&admin, Role::CustomerUser, &contoso));
        assert!(!may_manage_people_of(&admin, Role::PartnerUser, &tailspin));
        assert!(!may_manage_people_of(&admin, Role::CustomerUser, &fabrikam));
        assert!(!may_manage_people_of(&admin, Role::Accounting, &vendor));
        // The role must fit the account.
        assert!(!may_manage_people_of(&admin, Role::CustomerUser, &northwind));
        assert!(!may_manage_people_of(&admin, Role::PartnerUser, &contoso));
        // A partner user: customer users of its customers only.
        assert!(!may_manage_people_of(
            &partner_user,
            Role::PartnerUser,
            &northwind
        ));
        assert!(may_manage_people_of(&partner_user, Role::CustomerUser, &contoso));
        assert!(!may_manage_people_of(
            &partner_user,
            Role::CustomerUser,
            &fabrikam
        ));
        assert!(may_list_people_of(&partner_user, &contoso));
        assert!(!may_list_people_of(&partner_user, &northwind));
        // Vendor admins: everyone; accounting and customers: no one.
        let vendor_admin = user(Role::VendorAdmin, 1);
        assert!(may_manage_people_of(&vendor_admin, Role::Accounting, &vendor));
        assert!(may_manage_people_of(&vendor_admin, Role::PartnerUser, &tailspin));
        for nobody in [user(Role::Accounting, 1), user(Role::CustomerUser, 20)] {
            for (role, acc) in [
                (Role::CustomerUser, &contoso),
                (Role::PartnerUser, &northwind),
                (Role::Accounting, &vendor),
            ] {
                assert!(!may_manage_people_of(&nobody, role, acc));
            }
        }
        assert!(may_administer(&vendor_admin));
        assert!(!may_administer(&admin));
    }
}
