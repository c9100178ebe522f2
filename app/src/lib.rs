//! The Licenses & Cloud portal: screens, server functions, and the domain
//! they share. Compiled twice: with `ssr` into the server, with `hydrate`
//! into the browser's WebAssembly.

pub mod api;
pub mod codec;
pub mod components;
pub mod domain;
pub mod error;
pub mod events;
pub mod hydration;
pub mod i18n;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod license_file;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod throttle;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use crate::api::auth::{signed_in_user, SignIn, SignOut};
use crate::components::header::Header;
use crate::domain::CurrentUser;
use crate::i18n::CommonText;
use crate::pages::{administration, licenses, screens};
use crate::pages::{home::Home, not_found::NotFound, sign_in::SignInPage};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = components::i18n::request_locale().tag();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <hydration::Stylesheet options=options.clone() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <hydration::IdleHydration options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Who is signed in, and the actions that change it; in context for every screen.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user, refetched after signing in or out.
    pub user: codec::WireResource<Option<CurrentUser>>,
    /// Signs in (the sign-in form).
    pub sign_in: ServerAction<SignIn>,
    /// Signs out (the header's button).
    pub sign_out: ServerAction<SignOut>,
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = components::i18n::provide_i18n();
    let request_locale = i18n.locale.get_untracked();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = crate::codec::wire_resource(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| signed_in_user(),
    );
    provide_context(Session {
        user,
        sign_in,
        sign_out,
    });
    let signed_in = Signal::derive(move || matches!(user.get(), Some(Ok(Some(_)))));
    components::live::provide_live_changes(signed_in);

    // The deterministic "hydrated" signal end-to-end tests wait for: effects
    // run only in the browser, after hydration.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        // A plain text, no signal read: leptos_axum renders the title outside
        // the page's reactive arena, which under load panics (leptos#3729,
        // seen at 200 requests/s). The effect below follows the language.
        <Title text=CommonText::ProductName.text(request_locale) />
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t(CommonText::SkipToContent)}</a>
            <Header />
            <main id="main" class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<screens::ForgotPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/set-password") view={Lazy::<screens::SetPassword>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<screens::YourAccount>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/licenses") view=licenses::LicensesHome ssr=SsrMode::Async />
                    <ParentRoute path=path!("/licenses/:account") view=licenses::LicensesArea ssr=SsrMode::Async>
                        <Route path=path!("entitlements") view={Lazy::<screens::Entitlements>::new()} />
                        <Route path=path!("file-licenses") view={Lazy::<screens::FileLicenses>::new()} />
                        <Route path=path!("cloud-licenses") view={Lazy::<screens::CloudLicenses>::new()} />
                        <Route path=path!("cloud-services") view={Lazy::<screens::CloudServices>::new()} />
                        <Route path=path!("drawdowns") view={Lazy::<screens::Drawdowns>::new()} />
                        <Route path=path!("drawdowns/new") view={Lazy::<screens::NewDrawdown>::new()} />
                        <Route path=path!("drawdowns/import") view={Lazy::<screens::ImportDrawdowns>::new()} />
                        <Route path=path!("drawdowns/:request") view={Lazy::<screens::Drawdown>::new()} />
                        <Route path=path!("approvals") view={Lazy::<screens::Approvals>::new()} />
                        <Route path=path!("statements/:line") view={Lazy::<screens::Statement>::new()} />
                        <Route path=path!("statements/products/:product") view={Lazy::<screens::HoldingStatement>::new()} />
                        <Route path=path!("users") view={Lazy::<screens::Users>::new()} />
                        <Route path=path!("api-tokens") view={Lazy::<screens::ApiTokens>::new()} />
                        <Route path=path!("webhooks") view={Lazy::<screens::Webhooks>::new()} />
                    </ParentRoute>
                    <ParentRoute path=path!("/administration") view=administration::AdministrationArea ssr=SsrMode::Async>
                        <Route path=path!("") view=administration::AdministrationHome />
                        <Route path=path!("partners") view={Lazy::<screens::AdminPartners>::new()} />
                        <Route path=path!("customers") view={Lazy::<screens::AdminCustomers>::new()} />
                        <Route path=path!("users") view={Lazy::<screens::AdminUsers>::new()} />
                        <Route path=path!("products") view={Lazy::<screens::AdminProducts>::new()} />
                        <Route path=path!("orders") view={Lazy::<screens::AdminOrders>::new()} />
                        <Route path=path!("audit-log") view={Lazy::<screens::AuditLog>::new()} />
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}
