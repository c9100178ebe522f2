//! `/set-password?token=…`: the page an invitation or a reset link opens.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::passwords::{password_link_status, SetPassword};
use crate::components::form::FieldError;
use crate::components::i18n::use_i18n;
use crate::components::status::Loading;
use crate::error::AppError;
use crate::i18n::{password_error, AccountText, CommonText};

/// Set your password: New password and Confirm password, once per link.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let token = move || use_query_map().with(|q| q.get("token")).unwrap_or_default();
    let token = token();
    let status = {
        let token = token.clone();
        crate::codec::wire_resource(move || token.clone(), password_link_status)
    };
    let action = ServerAction::<SetPassword>::new();
    let unusable = move || {
        view! {
            <p class="form-error" role="alert">{move || i18n.t(AccountText::LinkUnusable)}</p>
            <p><a href="/forgot-password">{move || i18n.t(AccountText::ForgotPassword)}</a></p>
        }
    };
    let password_problem = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidPassword { problem })) => Some(password_error(i18n.locale(), &problem)),
        _ => None,
    });
    let form = move |token: String| {
        view! {
            <ActionForm action>
                <input type="hidden" name="token" value=token />
                <div class="field">
                    <label for="password">{move || i18n.t(AccountText::NewPassword)}</label>
                    <p class="field__hint" id="password-hint">{move || i18n.t(AccountText::PasswordHint)}</p>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="new-password"
                        minlength="12"
                        maxlength="256"
                        required
                        aria-describedby="password-hint password-error"
                        aria-invalid=move || password_problem.get().is_some().then_some("true")
                    />
                    <FieldError id="password-error".into() message=password_problem />
                </div>
                <div class="field">
                    <label for="confirmation">{move || i18n.t(AccountText::ConfirmPassword)}</label>
                    <input
                        id="confirmation"
                        name="confirmation"
                        type="password"
                        autocomplete="new-password"
                        maxlength="256"
                        required
                    />
                </div>
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(CommonText::Save)}
                </button>
            </ActionForm>
        }
    };
    let body = move || {
        let token = token.clone();
        Suspend::new(async move {
            match (action.value().get(), status.await) {
                (Some(Ok(())), _) => view! {
                    <p class="status" role="status">{move || i18n.t(AccountText::PasswordSet)}</p>
                    <p><a href="/sign-in">{move || i18n.t(AccountText::GoToSignIn)}</a></p>
                }
                .into_any(),
                (Some(Err(AppError::LinkUnusable)), _) | (_, Ok(false)) => unusable().into_any(),
                (Some(Err(AppError::InvalidPassword { .. })), _) | (None, Ok(true)) => form(token).into_any(),
                (Some(Err(e)), _) | (None, Err(e)) => view! {
                    <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p>
                    {form(token)}
                }
                .into_any(),
            }
        })
    };
    view! {
        <section class="card sign-in">
            <h1>{move || i18n.t(AccountText::SetYourPassword)}</h1>
            <Suspense fallback=Loading>{body}</Suspense>
        </section>
    }
}
