//! The table of an account's entitlements of one license model, with what
//! of each is in use and free: the Cloud and File licenses tabs share it.

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::components::status::EmptyState;
use crate::domain::UsableEntitlement;
use crate::i18n::{months, number, CommonText, EntitlementsText, LicensesText, Text};

#[component]
pub fn UsageTable(
    entitlements: Vec<UsableEntitlement>,
    #[prop(into)] caption: Text,
    #[prop(into)] empty: Text,
) -> impl IntoView {
    let i18n = use_i18n();
    if entitlements.is_empty() {
        return view! { <EmptyState title=empty /> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption>{move || i18n.t(caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                        <th scope="col">{move || i18n.t(EntitlementsText::Term)}</th>
                        <th scope="col">{move || i18n.t(LicensesText::FromRequest)}</th>
                        <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                        <th scope="col" class="num">{move || i18n.t(LicensesText::InUse)}</th>
                        <th scope="col" class="num">{move || i18n.t(LicensesText::Free)}</th>
                    </tr>
                </thead>
                <tbody>
                    {entitlements
                        .into_iter()
                        .map(|e| {
                            let free = e.free();
                            view! {
                                <tr>
                                    <th scope="row">{e.product_name}</th>
                                    <td>{move || months(i18n.locale(), e.term_months)}</td>
                                    <td>{e.source}</td>
                                    <td class="num">{move || number(i18n.locale(), e.quantity)}</td>
                                    <td class="num">{move || number(i18n.locale(), e.in_use)}</td>
                                    <td class="num">{move || number(i18n.locale(), free)}</td>
                                </tr>
                            }
                            .into_any()
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Why nothing here can be changed, when it cannot: the account is the
/// partner's own (its stock is for drawing down) or the viewer only looks.
#[component]
pub fn UsageNotice(is_partner_account: bool, may_change: bool) -> impl IntoView {
    let i18n = use_i18n();
    let text = if is_partner_account {
        Some(EntitlementsText::PartnerStockNotice)
    } else if !may_change {
        Some(EntitlementsText::ReadOnlyLicenses)
    } else {
        None
    };
    text.map(|text| view! { <p class="notice" role="note">{move || i18n.t(text)}</p> })
}
