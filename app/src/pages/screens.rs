//! The screens that are lazily loaded routes: the tabs of the licenses area,
//! and the account screens (Your account, Forgot your password?, Set your
//! password), each group one chunk. The tabs of the licenses area: built with
//! `cargo leptos --split`, they are one WebAssembly chunk besides the main
//! module, fetched the first time a tab is shown (Entitlements, File
//! licenses, Cloud licenses, Cloud services, the drawdown list, the New
//! form, Import requests (CSV), one request, Approvals, the statements, API tokens). The sign-in page loads the
//! main module only. (Approvals and the statements as a chunk of their own
//! measured worse: 535,713 bytes for all a partner loads against 506,572 in
//! one, the license tabs 459,758 against 478,460.)
//!
//! One chunk and not one per tab: with eight, every tab loaded 22 to 41
//! chunks (shared code goes to chunks of its own), each compressed alone,
//! and the tabs' blocking time grew by about 100 ms; with two (license tabs,
//! drawdown screens) all of it was 451,931 bytes brotli against 425,053 with
//! one, and a partner loads both (issue 13's notes).
//!
//! A page that opens on a tab hydrates only once its chunk is there
//! ([`Screen::load`] before `hydrate_body`, in the `frontend` crate): the
//! router then finds the code loaded and hydrates synchronously, so no view
//! needs the asynchronous hydration code tachys leaves out here
//! (vendor/README.md).

use leptos::prelude::*;
use leptos_router::LazyRoute;

/// Every tab of the licenses area: one chunk (they share most of their code).
#[leptos::lazy]
fn license_tab(screen: Screen) -> AnyView {
    use super::licenses::{
        api_tokens, approvals, cloud_licenses, cloud_services, drawdowns, entitlements, file_licenses,
        holding_statement, statement, users, webhooks,
    };
    match screen {
        Screen::Drawdowns => view! { <drawdowns::DrawdownsPage /> }.into_any(),
        Screen::NewDrawdown => view! { <drawdowns::new::NewDrawdownPage /> }.into_any(),
        Screen::ImportDrawdowns => view! { <drawdowns::import::ImportDrawdownsPage /> }.into_any(),
        Screen::Drawdown => view! { <drawdowns::request::DrawdownPage /> }.into_any(),
        Screen::FileLicenses => view! { <file_licenses::FileLicensesPage /> }.into_any(),
        Screen::CloudLicenses => view! { <cloud_licenses::CloudLicensesPage /> }.into_any(),
        Screen::CloudServices => view! { <cloud_services::CloudServicesPage /> }.into_any(),
        Screen::Approvals => view! { <approvals::ApprovalsPage /> }.into_any(),
        Screen::Users => view! { <users::UsersPage /> }.into_any(),
        Screen::Statement => view! { <statement::StatementPage /> }.into_any(),
        Screen::HoldingStatement => view! { <holding_statement::HoldingStatementPage /> }.into_any(),
        Screen::ApiTokens => view! { <api_tokens::ApiTokensPage /> }.into_any(),
        Screen::Webhooks => view! { <webhooks::WebhooksPage /> }.into_any(),
        _ => view! { <entitlements::EntitlementsPage /> }.into_any(),
    }
}

/// The account screens: one chunk, which the sign-in page does not load.
#[leptos::lazy]
fn account_screen(screen: Screen) -> AnyView {
    use super::account;
    match screen {
        Screen::ForgotPassword => view! { <account::forgot_password::ForgotPasswordPage /> }.into_any(),
        Screen::SetPassword => view! { <account::set_password::SetPasswordPage /> }.into_any(),
        _ => view! { <account::YourAccountPage /> }.into_any(),
    }
}

/// The sections of Administration: one chunk, for vendor admins only.
#[leptos::lazy]
fn administration_screen(screen: Screen) -> AnyView {
    use super::administration::{accounts, audit_log, orders, products, users};
    use crate::domain::AccountKind;
    match screen {
        Screen::AdminPartners => view! { <accounts::AccountsPage kind=AccountKind::Partner /> }.into_any(),
        Screen::AdminCustomers => view! { <accounts::AccountsPage kind=AccountKind::Customer /> }.into_any(),
        Screen::AdminUsers => view! { <users::UsersPage /> }.into_any(),
        Screen::AdminProducts => view! { <products::ProductsPage /> }.into_any(),
        Screen::AdminOrders => view! { <orders::OrdersPage /> }.into_any(),
        _ => view! { <audit_log::AuditLogPage /> }.into_any(),
    }
}

macro_rules! lazy_screens {
    ($($(#[$doc:meta])* $route:ident in $chunk:ident, $preload:ident;)*) => {
        $(
            $(#[$doc])*
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }

                async fn view(_this: Self) -> AnyView {
                    $chunk(Screen::$route).await
                }

                async fn preload() {
                    // The loader `#[lazy]` makes in the browser build only.
                    #[cfg(all(target_arch = "wasm32", feature = "hydrate"))]
                    $preload().await;
                }
            }
        )*
    };
}

lazy_screens! {
    /// `entitlements`
    Entitlements in license_tab, __preload_license_tab;
    /// `file-licenses`
    FileLicenses in license_tab, __preload_license_tab;
    /// `cloud-licenses`
    CloudLicenses in license_tab, __preload_license_tab;
    /// `cloud-services`
    CloudServices in license_tab, __preload_license_tab;
    /// `drawdowns`
    Drawdowns in license_tab, __preload_license_tab;
    /// `drawdowns/new`
    NewDrawdown in license_tab, __preload_license_tab;
    /// `drawdowns/import`
    ImportDrawdowns in license_tab, __preload_license_tab;
    /// `drawdowns/:request`
    Drawdown in license_tab, __preload_license_tab;
    /// `approvals`
    Approvals in license_tab, __preload_license_tab;
    /// `users`
    Users in license_tab, __preload_license_tab;
    /// `statements/:line`
    Statement in license_tab, __preload_license_tab;
    /// `statements/products/:product`
    HoldingStatement in license_tab, __preload_license_tab;
    /// `api-tokens`
    ApiTokens in license_tab, __preload_license_tab;
    /// `webhooks`
    Webhooks in license_tab, __preload_license_tab;
    /// `/account`
    YourAccount in account_screen, __preload_account_screen;
    /// `/forgot-password`
    ForgotPassword in account_screen, __preload_account_screen;
    /// `/set-password`
    SetPassword in account_screen, __preload_account_screen;
    /// `/administration/partners`
    AdminPartners in administration_screen, __preload_administration_screen;
    /// `/administration/customers`
    AdminCustomers in administration_screen, __preload_administration_screen;
    /// `/administration/users`
    AdminUsers in administration_screen, __preload_administration_screen;
    /// `/administration/products`
    AdminProducts in administration_screen, __preload_administration_screen;
    /// `/administration/orders`
    AdminOrders in administration_screen, __preload_administration_screen;
    /// `/administration/audit-log`
    AuditLog in administration_screen, __preload_administration_screen;
}

/// The lazily loaded tab a path opens, by the routes of `App`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Entitlements,
    FileLicenses,
    CloudLicenses,
    CloudServices,
    Drawdowns,
    NewDrawdown,
    ImportDrawdowns,
    Drawdown,
    Approvals,
    Users,
    Statement,
    HoldingStatement,
    ApiTokens,
    Webhooks,
    YourAccount,
    ForgotPassword,
    SetPassword,
    AdminPartners,
    AdminCustomers,
    AdminUsers,
    AdminProducts,
    AdminOrders,
    AuditLog,
}

impl Screen {
    /// The lazily loaded screen `path` opens, if it opens one.
    pub fn of_path(path: &str) -> Option<Self> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["licenses", _, "entitlements"] => Some(Self::Entitlements),
            ["licenses", _, "file-licenses"] => Some(Self::FileLicenses),
            ["licenses", _, "cloud-licenses"] => Some(Self::CloudLicenses),
            ["licenses", _, "cloud-services"] => Some(Self::CloudServices),
            ["licenses", _, "drawdowns"] => Some(Self::Drawdowns),
            ["licenses", _, "drawdowns", "new"] => Some(Self::NewDrawdown),
            ["licenses", _, "drawdowns", "import"] => Some(Self::ImportDrawdowns),
            ["licenses", _, "drawdowns", _] => Some(Self::Drawdown),
            ["licenses", _, "approvals"] => Some(Self::Approvals),
            ["licenses", _, "users"] => Some(Self::Users),
            ["licenses", _, "statements", _] => Some(Self::Statement),
            ["licenses", _, "statements", "products", _] => Some(Self::HoldingStatement),
            ["licenses", _, "api-tokens"] => Some(Self::ApiTokens),
            ["licenses", _, "webhooks"] => Some(Self::Webhooks),
            ["account"] => Some(Self::YourAccount),
            ["forgot-password"] => Some(Self::ForgotPassword),
            ["set-password"] => Some(Self::SetPassword),
            ["administration", "partners"] => Some(Self::AdminPartners),
            ["administration", "customers"] => Some(Self::AdminCustomers),
            ["administration", "users"] => Some(Self::AdminUsers),
            ["administration", "products"] => Some(Self::AdminProducts),
            ["administration", "orders"] => Some(Self::AdminOrders),
            ["administration", "audit-log"] => Some(Self::AuditLog),
            _ => None,
        }
    }

    /// Fetches and instantiates the tab's chunk (at once if it is there).
    pub async fn load(self) {
        match self {
            Self::Entitlements => Entitlements::preload().await,
            Self::FileLicenses => FileLicenses::preload().await,
            Self::CloudLicenses => CloudLicenses::preload().await,
            Self::CloudServices => CloudServices::preload().await,
            Self::Drawdowns => Drawdowns::preload().await,
            Self::NewDrawdown => NewDrawdown::preload().await,
            Self::ImportDrawdowns => ImportDrawdowns::preload().await,
            Self::Drawdown => Drawdown::preload().await,
            Self::Approvals => Approvals::preload().await,
            Self::Users => Users::preload().await,
            Self::Statement => Statement::preload().await,
            Self::HoldingStatement => HoldingStatement::preload().await,
            Self::ApiTokens => ApiTokens::preload().await,
            Self::Webhooks => Webhooks::preload().await,
            Self::YourAccount => YourAccount::preload().await,
            Self::ForgotPassword => ForgotPassword::preload().await,
            Self::SetPassword => SetPassword::preload().await,
            Self::AdminPartners => AdminPartners::preload().await,
            Self::AdminCustomers => AdminCustomers::preload().await,
            Self::AdminUsers => AdminUsers::preload().await,
            Self::AdminProducts => AdminProducts::preload().await,
            Self::AdminOrders => AdminOrders::preload().await,
            Self::AuditLog => AuditLog::preload().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn each_tab_of_an_account_is_its_screen() {
        assert_eq!(
            Screen::of_path("/licenses/12/entitlements"),
            Some(Screen::Entitlements)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/file-licenses"),
            Some(Screen::FileLicenses)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/cloud-licenses"),
            Some(Screen::CloudLicenses)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/cloud-services"),
            Some(Screen::CloudServices)
        );
        assert_eq!(Screen::of_path("/licenses/12/drawdowns"), Some(Screen::Drawdowns));
        assert_eq!(
            Screen::of_path("/licenses/12/drawdowns/new"),
            Some(Screen::NewDrawdown)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/drawdowns/345"),
            Some(Screen::Drawdown)
        );
        assert_eq!(Screen::of_path("/licenses/12/approvals"), Some(Screen::Approvals));
        assert_eq!(
            Screen::of_path("/licenses/12/statements/40"),
            Some(Screen::Statement)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/statements/products/3"),
            Some(Screen::HoldingStatement)
        );
    }

    #[test]
    fn the_account_screens_are_screens_and_a_link_token_does_not_change_that() {
        assert_eq!(Screen::of_path("/account"), Some(Screen::YourAccount));
        assert_eq!(
            Screen::of_path("/administration/audit-log?kind=sign_in"),
            Some(Screen::AuditLog)
        );
        assert_eq!(
            Screen::of_path("/administration/orders"),
            Some(Screen::AdminOrders)
        );
        assert_eq!(Screen::of_path("/forgot-password"), Some(Screen::ForgotPassword));
        assert_eq!(
            Screen::of_path("/set-password?token=abc"),
            Some(Screen::SetPassword)
        );
    }

    #[test]
    fn queries_fragments_and_trailing_slashes_do_not_change_the_screen() {
        assert_eq!(
            Screen::of_path("/licenses/12/drawdowns/?status=submitted&page=2"),
            Some(Screen::Drawdowns)
        );
        assert_eq!(
            Screen::of_path("/licenses/12/approvals#top"),
            Some(Screen::Approvals)
        );
    }

    #[test]
    fn other_pages_load_no_screen() {
        for path in [
            "/",
            "/sign-in",
            "/licenses",
            "/licenses/12",
            "/licenses/12/unknown",
            "/nowhere",
        ] {
            assert_eq!(Screen::of_path(path), None, "{path}");
        }
    }
}
