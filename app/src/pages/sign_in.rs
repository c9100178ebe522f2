//! `/sign-in`.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::i18n::use_i18n;
use crate::components::status::Loading;
use crate::i18n::{AccountText, SignInText};
use crate::Session;

/// The sign-in screen; a signed-in user goes straight on.
#[component]
pub fn SignInPage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => view! { <Redirect path="/licenses" /> }.into_any(),
                    _ => view! { <SignInForm /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<Session>();
    let action = session.sign_in;
    // Only a sign-in made on this form moves on; an older result does not.
    let seen_version = action.version().get_untracked();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if action.version().get() > seen_version && matches!(action.value().get(), Some(Ok(()))) {
            navigate("/licenses", Default::default());
        }
    });
    let error = move || {
        action.value().get().and_then(Result::err).map(|e| {
            view! {
                <p class="form-error" role="alert">
                    {move || e.message(i18n.locale())}
                </p>
            }
        })
    };
    view! {
        <section class="card sign-in">
            <h1>{move || i18n.t(SignInText::SignInHeading)}</h1>
            <p class="sign-in__intro">{move || i18n.t(SignInText::SignInIntro)}</p>
            <ActionForm action>
                <div class="field">
                    <label for="email">{move || i18n.t(SignInText::Email)}</label>
                    <input id="email" name="email" type="email" autocomplete="username" required />
                </div>
                <div class="field">
                    <label for="password">{move || i18n.t(SignInText::Password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                </div>
                {error}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || {
                        if action.pending().get() { i18n.t(SignInText::SigningIn) } else { i18n.t(SignInText::SignIn) }
                    }}
                </button>
            </ActionForm>
            <p><a href="/forgot-password">{move || i18n.t(AccountText::ForgotPassword)}</a></p>
        </section>
    }
}
