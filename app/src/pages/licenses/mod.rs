//! The "Licenses and cloud services" area: an account chosen in "Select an
//! account", and one tab per view of it.

pub mod api_tokens;
pub mod approvals;
pub mod cloud_licenses;
pub mod cloud_services;
pub mod drawdowns;
pub mod entitlements;
mod export_range;
pub mod file_licenses;
pub mod holding_statement;
pub mod statement;
pub mod usage_table;
pub mod users;
pub mod webhooks;

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_params_map;

use super::guard::RequireUser;
use crate::api::accounts::list_accounts;
use crate::components::account_selector::AccountSelector;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{AccountId, Role};
use crate::i18n::{
    AccountText, AccountsText, CloudServicesText, CommonText, DrawdownsText, EntitlementsText, LicensesText,
};

/// The account id in the URL, if it is one.
pub fn use_account_param() -> Signal<Option<AccountId>> {
    let params = use_params_map();
    Signal::derive(move || params.read().get("account").and_then(|a| a.parse().ok()))
}

/// One tab's panel: `data` loading, then `content` of it, or the refusal.
/// `name` gives the panel's id (`{name}-tab`, marked once live, see
/// `mark_live`) and its heading's (`{name}-heading`, which `content` renders).
#[component]
pub fn TabPanel<T, V, F>(name: &'static str, data: crate::codec::WireResource<T>, content: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <section class="panel" id=format!("{name}-tab") aria-labelledby=format!("{name}-heading")>
            <Transition fallback=Loading>
                {move || {
                    let content = content.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(value) => {
                                let content = content(value).into_any();
                                // Runs once the content, not only the page, is live.
                                mark_live(format!("{name}-tab"));
                                content
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// `/licenses`: opens the first account the user may see (their own).
#[component]
pub fn LicensesHome() -> impl IntoView {
    view! {
        <RequireUser children=move |_user| {
            let accounts = crate::codec::wire_resource(|| (), |_| list_accounts(None, None));
            view! {
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match accounts.await {
                            Ok(choices) => match choices.accounts.first() {
                                Some(first) => {
                                    let path = format!("/licenses/{}/entitlements", first.id);
                                    view! { <Redirect path /> }.into_any()
                                }
                                None => view! { <EmptyState title=AccountsText::NoAccounts /> }.into_any(),
                            },
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        } />
    }
}

/// `/licenses/:account/…`: the area's heading, the account selector, the tabs.
#[component]
pub fn LicensesArea() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    view! {
        <RequireUser children=move |user| {
            let live = use_live_changes();
            // "Find an account" narrows the choices when there are more than
            // the selector offers (a partner with thousands of customers).
            let search = RwSignal::new(String::new());
            let more = RwSignal::new(false);
            // Live: an accepted request can bring a new customer account.
            let accounts = crate::codec::wire_resource(
                move || (live.get(), search.get(), account.get()),
                |(_, search, selected)| {
                    list_accounts((!search.trim().is_empty()).then_some(search), selected)
                },
            );
            let sees_drawdowns = user.role != Role::CustomerUser;
            let sees_approvals = user.role.is_vendor_staff();
            // A partner admin on its own account; any partner user on a
            // customer's (partners see no other accounts).
            let own_account = user.account_id;
            let role = user.role;
            let sees_users = move || {
                account.get().is_some_and(|a| match role {
                    Role::PartnerAdmin => true,
                    Role::PartnerUser => a != own_account,
                    _ => false,
                })
            };
            // A partner admin's or vendor admin's own account (SPEC: the
            // API tokens tab); the server refuses anyone else.
            let sees_api_tokens = move || {
                account.get() == Some(own_account) && matches!(role, Role::PartnerAdmin | Role::VendorAdmin)
            };
            let tab_href = move |tab: &str| {
                account.get().map(|a| format!("/licenses/{a}/{tab}")).unwrap_or_default()
            };
            view! {
                <div class="area-head">
                    <h1>{move || i18n.t(CommonText::LicensesAndCloudServices)}</h1>
                    <Transition fallback=Loading>
                        {move || Suspend::new(async move {
                            accounts.await.map(|choices| {
                                more.set(choices.more);
                                view! { <AccountSelector accounts=choices.accounts selected=account /> }
                            })
                        })}
                    </Transition>
                    // Outside the Transition, so typing keeps the focus; shown
                    // once the selector cannot offer every account.
                    <div class="field field--inline account-find" hidden=move || !more.get() && search.get().is_empty()>
                        <label for="account-find">{move || i18n.t(AccountsText::FindAnAccount)}</label>
                        <input
                            id="account-find"
                            type="search"
                            maxlength="200"
                            prop:value=move || search.get()
                            on:input=move |ev| search.set(event_target_value(&ev))
                        />
                    </div>
                </div>
                <nav class="tabs" aria-label=move || i18n.t(AccountsText::AccountViews)>
                    <A href=move || tab_href("entitlements")>{move || i18n.t(EntitlementsText::Entitlements)}</A>
                    <A href=move || tab_href("file-licenses")>{move || i18n.t(LicensesText::FileLicenses)}</A>
                    <A href=move || tab_href("cloud-licenses")>{move || i18n.t(LicensesText::CloudLicenses)}</A>
                    <A href=move || tab_href("cloud-services")>{move || i18n.t(CloudServicesText::CloudServices)}</A>
                    {sees_drawdowns
                        .then(|| {
                            view! {
                                <A href=move || tab_href("drawdowns")>{move || i18n.t(DrawdownsText::PartnerDrawdowns)}</A>
                            }
                        })}
                    {sees_approvals
                        .then(|| view! { <A href=move || tab_href("approvals")>{move || i18n.t(DrawdownsText::Approvals)}</A> })}
                    <Show when=sees_users>
                        <A href=move || tab_href("users")>{move || i18n.t(AccountText::Users)}</A>
                    </Show>
                    <Show when=sees_api_tokens>
                        <A href=move || tab_href("api-tokens")>{move || i18n.t(AccountText::ApiTokens)}</A>
                    </Show>
                    <Show when=move || sees_api_tokens() && role == Role::PartnerAdmin>
                        <A href=move || tab_href("webhooks")>{move || i18n.t(AccountText::Webhooks)}</A>
                    </Show>
                </nav>
                <Outlet />
            }
        } />
    }
}
