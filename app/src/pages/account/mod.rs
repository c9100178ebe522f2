//! Your account (SPEC, "Your account"): Change password, the language, Sign
//! out of other sessions; and the two pages reached signed out, Forgot your
//! password? and Set your password.

pub mod forgot_password;
pub mod set_password;

use leptos::prelude::*;

use super::guard::RequireUser;
use crate::api::passwords::{ChangePassword, SignOutOtherSessions};
use crate::components::form::TextField;
use crate::components::i18n::{use_i18n, LanguageSelect};
use crate::error::AppError;
use crate::i18n::{password_error, AccountText, CommonText};

/// `/account`.
#[component]
pub fn YourAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <RequireUser children=move |user| {
            view! {
                <section class="card account">
                    <h1>{move || i18n.t(AccountText::YourAccount)}</h1>
                    <p>{user.display_name} " · " {user.email} " · " {user.account_name}</p>
                    <ChangePasswordForm />
                    <section aria-labelledby="language-heading">
                        <h2 id="language-heading">{move || i18n.t(CommonText::Language)}</h2>
                        <LanguageSelect id="account-language" />
                    </section>
                    <SignOutOthers />
                </section>
            }
        } />
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let action = ServerAction::<ChangePassword>::new();
    let error = move || action.value().get().and_then(Result::err);
    let current_problem = Signal::derive(move || {
        matches!(error(), Some(AppError::WrongCurrentPassword))
            .then(|| i18n.t(AccountText::WrongCurrentPassword).to_string())
    });
    let password_problem = Signal::derive(move || match error() {
        Some(AppError::InvalidPassword { problem }) => Some(password_error(i18n.locale(), &problem)),
        _ => None,
    });
    let other = move || {
        error()
            .filter(|e| {
                !matches!(
                    e,
                    AppError::WrongCurrentPassword | AppError::InvalidPassword { .. }
                )
            })
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    let done = move || {
        matches!(action.value().get(), Some(Ok(()))).then(
            || view! { <p class="status" role="status">{move || i18n.t(AccountText::PasswordChanged)}</p> },
        )
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(ChangePassword {
            current: current.get_untracked(),
            password: password.get_untracked(),
            confirmation: confirmation.get_untracked(),
        });
    };
    // Cleared once changed, so the typed passwords do not stay on screen.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            for field in [current, password, confirmation] {
                field.set(String::new());
            }
        }
    });
    view! {
        <section aria-labelledby="change-password-heading">
            <h2 id="change-password-heading">{move || i18n.t(AccountText::ChangePassword)}</h2>
            <form on:submit=submit>
                <TextField
                    id="current-password"
                    label=Signal::derive(move || i18n.t(AccountText::CurrentPassword).to_string())
                    value=current
                    error=current_problem
                    input_type="password"
                    autocomplete="current-password"
                />
                <TextField
                    id="new-password"
                    label=Signal::derive(move || i18n.t(AccountText::NewPassword).to_string())
                    value=password
                    error=password_problem
                    hint=Signal::derive(move || i18n.t(AccountText::PasswordHint).to_string())
                    input_type="password"
                    autocomplete="new-password"
                />
                <TextField
                    id="confirm-password"
                    label=Signal::derive(move || i18n.t(AccountText::ConfirmPassword).to_string())
                    value=confirmation
                    error=Signal::derive(|| None::<String>)
                    input_type="password"
                    autocomplete="new-password"
                />
                {other}
                {done}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(AccountText::ChangePassword)}
                </button>
            </form>
        </section>
    }
}

#[component]
fn SignOutOthers() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOutOtherSessions>::new();
    let outcome = move || {
        match action.value().get() {
        Some(Ok(_)) => Some(
            view! { <p class="status" role="status">{move || i18n.t(AccountText::OtherSessionsSignedOut)}</p> }
                .into_any(),
        ),
        Some(Err(e)) => Some(view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> }.into_any()),
        None => None,
    }
    };
    view! {
        <section>
            <button
                type="button"
                class="button"
                disabled=move || action.pending().get()
                on:click=move |_| {
                    action.dispatch(SignOutOtherSessions {});
                }
            >
                {move || i18n.t(AccountText::SignOutOtherSessions)}
            </button>
            {outcome}
        </section>
    }
}
