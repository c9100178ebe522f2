//! "Select an account": switches the Licenses views between the partner's
//! own account and each customer it manages. The choice lives in the URL.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use super::i18n::use_i18n;
use crate::domain::{AccountId, AccountKind, AccountSummary};
use crate::i18n::AccountsText;

/// The labelled select of accounts.
#[component]
pub fn AccountSelector(
    /// The accounts the user may choose, own account first.
    accounts: Vec<AccountSummary>,
    /// The account in the URL.
    #[prop(into)]
    selected: Signal<Option<AccountId>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let location = use_location();
    let on_change = move |ev: leptos::ev::Event| {
        // Keep the tab the user is on: /licenses/{account}/{tab}/…; a
        // request's page belongs to its partner, so it goes back to the list.
        let path = location.pathname.get_untracked();
        let tab = path
            .split('/')
            .nth(3)
            .filter(|t| !t.is_empty())
            .unwrap_or("entitlements")
            .to_string();
        navigate(
            &format!("/licenses/{}/{tab}", event_target_value(&ev)),
            Default::default(),
        );
    };
    let (first, rest): (Vec<_>, Vec<_>) = accounts.into_iter().partition(|a| a.kind == AccountKind::Partner);
    let vendor_view = rest.iter().any(|a| a.managed_by.is_some()) && first.len() > 1;
    let (first_label, rest_label) = if vendor_view {
        (AccountsText::Partners, AccountsText::Customers)
    } else {
        (AccountsText::OwnAccount, AccountsText::ManagedCustomers)
    };
    let option = move |a: AccountSummary| {
        let label = match (&a.managed_by_name, vendor_view) {
            (Some(partner), true) => format!("{} ({partner})", a.name),
            _ => a.name.clone(),
        };
        view! {
            <option value=a.id.to_string() selected=move || selected.get() == Some(a.id)>
                {label}
            </option>
        }
    };
    let group = move |label: AccountsText, accounts: Vec<AccountSummary>| {
        (!accounts.is_empty()).then(|| {
            view! {
                <optgroup label=move || i18n.t(label)>
                    {accounts.into_iter().map(option).collect_view()}
                </optgroup>
            }
        })
    };
    view! {
        <div class="account-selector">
            <label for="account-select">{move || i18n.t(AccountsText::SelectAnAccount)}</label>
            <select id="account-select" on:change=on_change>
                {group(first_label, first)}
                {group(rest_label, rest)}
            </select>
        </div>
    }
}
