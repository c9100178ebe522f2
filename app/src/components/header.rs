//! The bar at the top of every page.

use leptos::prelude::*;
use leptos_router::components::A;

use super::i18n::{use_i18n, LanguageSelect};
use crate::i18n::{AccountText, CommonText, SectionText};
use crate::Session;

/// Brand, main navigation and the signed-in user (once signed in), language.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let seen_sign_outs = session.sign_out.version().get_untracked();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if session.sign_out.version().get() > seen_sign_outs {
            navigate("/sign-in", Default::default());
        }
    });
    let signed_in = move || {
        Suspend::new(async move {
            let user = session.user.await.ok().flatten()?;
            Some(view! {
                <nav class="main-nav" aria-label=move || i18n.t(CommonText::MainNavigation)>
                    <A href="/licenses">{move || i18n.t(CommonText::LicensesAndCloudServices)}</A>
                    {(user.role == crate::domain::Role::VendorAdmin)
                        .then(|| view! { <A href="/administration">{move || i18n.t(SectionText::Administration)}</A> })}
                </nav>
                <div class="user-box">
                    <span class="user-box__name">
                        <span class="visually-hidden">{move || i18n.t(CommonText::SignedInAs)} " "</span>
                        {user.display_name}
                        <span class="user-box__account">{user.account_name}</span>
                    </span>
                    <A href="/account">{move || i18n.t(AccountText::YourAccount)}</A>
                    <ActionForm action=session.sign_out>
                        <button type="submit" class="button button--quiet">
                            {move || i18n.t(CommonText::SignOut)}
                        </button>
                    </ActionForm>
                </div>
            })
        })
    };
    view! {
        <header class="top-bar">
            <a class="brand" href="/">
                <span class="brand__mark" aria-hidden="true"></span>
                {move || i18n.t(CommonText::ProductName)}
            </a>
            <Transition>{signed_in}</Transition>
            <LanguageSelect />
        </header>
    }
}
