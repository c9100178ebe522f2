//! The API tokens tab (SPEC, "Partner API and webhooks"): a partner admin's
//! own account (a vendor admin's, for the vendor's systems). Each token
//! with its access, when it was made, expires and was last used; Create a
//! token shows the secret once; Revoke ends it. The server decides who may.

use leptos::prelude::*;

use super::use_account_param;
use crate::api::api_tokens::{list_api_tokens, CreateApiToken, RevokeApiToken};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{AccountId, ApiScope, ApiTokenList, ApiTokenSummary, TokenLifetime};
use crate::error::AppError;
use crate::i18n::{
    date_time, lifetime_text, new_token_label, scope_text, token_state_text, AccountText, ApiText,
    CommonText, LicensesText,
};

/// The tab's content.
#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let changed = RwSignal::new(0u32);
    // The secret of the token just made: shown once, gone on reload. Here,
    // not in the form: the list's refresh renders the form again.
    let shown = RwSignal::new(None::<(String, String)>);
    let tokens = crate::codec::wire_resource(
        move || (account.get(), changed.get()),
        |(account, _)| async move {
            match account {
                Some(account) => list_api_tokens(account).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let body = move || {
        Suspend::new(async move {
            let listed = tokens.await;
            let Some(account) = account.get_untracked() else {
                return view! { <Loading /> }.into_any();
            };
            let content = match listed {
                Ok(list) => view! {
                    <TokenTable list account changed />
                    <CreateForm account changed shown />
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            };
            mark_live("api-tokens-tab".to_string());
            content
        })
    };
    view! {
        <section class="panel" id="api-tokens-tab" aria-labelledby="api-tokens-heading">
            <h2 id="api-tokens-heading">{move || i18n.t(AccountText::ApiTokens)}</h2>
            <p class="panel__hint">{move || i18n.t(ApiText::ApiTokensHint)}</p>
        {move || {
            shown
                .get()
                .map(|(token_name, secret)| {
                    view! {
                        <div class="status" role="status">
                            <p>{move || i18n.t(ApiText::CopyNow)}</p>
                            <input
                                class="secret"
                                type="text"
                                readonly
                                aria-label=move || new_token_label(i18n.locale(), &token_name)
                                prop:value=secret
                            />
                        </div>
                    }
                })
        }}
            <Transition fallback=Loading>{body}</Transition>
        </section>
    }
}

#[component]
fn TokenTable(list: ApiTokenList, account: AccountId, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let seen = revoke.version().get_untracked();
    Effect::new(move |_| {
        if revoke.version().get() > seen && matches!(revoke.value().get(), Some(Ok(()))) {
            changed.update(|n| *n += 1);
        }
    });
    if list.tokens.is_empty() {
        return view! { <EmptyState title=ApiText::NoApiTokens /> }.into_any();
    }
    let now = list.now;
    let row = move |token: ApiTokenSummary| {
        let state = token.state(now);
        let (id, subject) = (token.id, token.name.clone());
        let active = state == crate::domain::ApiTokenState::Active;
        let scope = scope_text(token.scope);
        let (created, expires, used) = (token.created_at, token.expires_at, token.last_used_at);
        view! {
            <tr>
                <td>{token.name}</td>
                <td>{move || i18n.t(scope)}</td>
                <td><code>{format!("{}…", token.prefix)}</code></td>
                <td>{move || date_time(i18n.locale(), created)} " · " {token.created_by_name}</td>
                <td>
                    {move || {
                        expires.map(|at| date_time(i18n.locale(), at))
                            .unwrap_or_else(|| i18n.t(ApiText::NoExpiry).to_string())
                    }}
                </td>
                <td>
                    {move || {
                        used.map(|at| date_time(i18n.locale(), at))
                            .unwrap_or_else(|| i18n.t(ApiText::NeverUsed).to_string())
                    }}
                </td>
                <td>{move || i18n.t(token_state_text(state))}</td>
                <td>
                    {active
                        .then(|| {
                            view! {
                                <RowAction
                                    action=LicensesText::Revoke
                                    subject=subject.clone()
                                    busy=Signal::derive(move || revoke.pending().get())
                                    on_click=move || {
                                        revoke.dispatch(RevokeApiToken { account, token: id });
                                    }
                                />
                            }
                        })}
                </td>
            </tr>
        }
    };
    let error = move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    view! {
        <table class="table">
            <caption class="visually-hidden">{move || i18n.t(AccountText::ApiTokens)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(ApiText::TokenName)}</th>
                    <th scope="col">{move || i18n.t(ApiText::Access)}</th>
                    <th scope="col">{move || i18n.t(ApiText::Token)}</th>
                    <th scope="col">{move || i18n.t(ApiText::Created)}</th>
                    <th scope="col">{move || i18n.t(ApiText::Expires)}</th>
                    <th scope="col">{move || i18n.t(ApiText::LastUsed)}</th>
                    <th scope="col">{move || i18n.t(CommonText::State)}</th>
                    <th scope="col">{move || i18n.t(CommonText::Actions)}</th>
                </tr>
            </thead>
            <tbody>{list.tokens.into_iter().map(row).collect_view()}</tbody>
        </table>
        {error}
    }
    .into_any()
}

#[component]
fn CreateForm(
    account: AccountId,
    changed: RwSignal<u32>,
    shown: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateApiToken>::new();
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new(ApiScope::Read);
    let lifetime = RwSignal::new(Some(90u32));
    let seen = action.version().get_untracked();
    Effect::new(move |_| {
        if action.version().get() > seen {
            if let Some(Ok(created)) = action.value().get() {
                shown.set(Some((created.token.name.clone(), created.secret.clone())));
                name.set(String::new());
                changed.update(|n| *n += 1);
            }
        }
    });
    let name_problem = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidInput { field })) if field == "name" => {
            Some(i18n.t(ApiText::NameRequired).to_string())
        }
        _ => None,
    });
    let other = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::InvalidInput { field } if field == "name"))
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        shown.set(None);
        action.dispatch(CreateApiToken {
            account,
            name: name.get_untracked(),
            scope: scope.get_untracked(),
            lifetime_days: lifetime.get_untracked(),
        });
    };
    view! {
        <section aria-labelledby="create-token-heading">
            <h3 id="create-token-heading">{move || i18n.t(ApiText::CreateApiToken)}</h3>
            <form on:submit=submit>
                <TextField
                    id="token-name"
                    label=Signal::derive(move || i18n.t(ApiText::TokenName).to_string())
                    hint=Signal::derive(move || i18n.t(ApiText::TokenNameHint).to_string())
                    value=name
                    error=name_problem
                    autocomplete="off"
                />
                <div class="field">
                    <label for="token-scope">{move || i18n.t(ApiText::Access)}</label>
                    <select
                        id="token-scope"
                        on:change=move |ev| {
                            if let Some(s) = ApiScope::parse(&event_target_value(&ev)) {
                                scope.set(s);
                            }
                        }
                    >
                        {ApiScope::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || scope.get() == s>
                                        {move || i18n.t(scope_text(s))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="token-expires">{move || i18n.t(ApiText::Expires)}</label>
                    <select
                        id="token-expires"
                        on:change=move |ev| {
                            lifetime.set(event_target_value(&ev).parse().ok());
                        }
                    >
                        {TokenLifetime::OFFERED
                            .into_iter()
                            .map(|days| {
                                let value = days.map(|d| d.to_string()).unwrap_or_default();
                                view! {
                                    <option value=value selected=move || lifetime.get() == days>
                                        {move || i18n.t(lifetime_text(days))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                {other}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(ApiText::Create)}
                </button>
            </form>
        </section>
    }
}
