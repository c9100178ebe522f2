//! `/forgot-password`: the address, and a link by email (SPEC, "Your account").

use leptos::prelude::*;

use crate::api::passwords::RequestPasswordReset;
use crate::components::i18n::use_i18n;
use crate::i18n::{AccountText, SignInText};

/// Forgot your password?: one answer whether the address is known or not.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let outcome = move || match action.value().get() {
        Some(Ok(())) => Some(
            view! { <p class="status" role="status">{move || i18n.t(AccountText::ResetLinkSent)}</p> }
                .into_any(),
        ),
        Some(Err(e)) => Some(
            view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> }.into_any(),
        ),
        None => None,
    };
    view! {
        <section class="card sign-in">
            <h1>{move || i18n.t(AccountText::ForgotPassword)}</h1>
            <p class="sign-in__intro">{move || i18n.t(AccountText::ForgotPasswordIntro)}</p>
            <ActionForm action>
                <div class="field">
                    <label for="email">{move || i18n.t(SignInText::Email)}</label>
                    <input id="email" name="email" type="email" autocomplete="username" maxlength="254" required />
                </div>
                {outcome}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(AccountText::SendResetLink)}
                </button>
            </ActionForm>
            <p><a href="/sign-in">{move || i18n.t(AccountText::GoToSignIn)}</a></p>
        </section>
    }
}
