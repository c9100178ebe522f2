//! The Entitlements tab: what the selected account holds and, for a
//! partner, where each order line stands.

use leptos::prelude::*;

use super::export_range::ExportRange;
use super::{use_account_param, TabPanel};
use crate::api::accounts::account_entitlements;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::EmptyState;
use crate::domain::EntitlementsView;
use crate::domain::{AccountKind, Holding, LicenseModel, OrderLineBalance};
use crate::error::AppError;
use crate::i18n::{
    export_href, holding_statement_of, months, number, statement_of, AccountingText, CommonText,
    EntitlementsText, LicensesText, Locale,
};

/// The tab's content.
#[component]
pub fn EntitlementsPage() -> impl IntoView {
    let account = use_account_param();
    let live = use_live_changes().of_account(account);
    let view_data = crate::codec::wire_resource(
        move || (account.get(), live.get()),
        |(account, _)| async move {
            match account {
                Some(account) => account_entitlements(account).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! { <TabPanel name="entitlements" data=view_data content=move |data| view! { <Entitlements data /> } /> }
}

fn model_text(model: LicenseModel) -> EntitlementsText {
    match model {
        LicenseModel::Cloud => EntitlementsText::ModelCloud,
        LicenseModel::File => EntitlementsText::ModelFile,
        LicenseModel::Service => EntitlementsText::ModelService,
    }
}

#[component]
fn Entitlements(data: EntitlementsView) -> impl IntoView {
    let i18n = use_i18n();
    let EntitlementsView {
        account,
        holdings,
        order_lines,
    } = data;
    let is_partner = account.kind == AccountKind::Partner;
    view! {
        <h2 id="entitlements-heading">
            {move || i18n.t(EntitlementsText::EntitlementsHeading)}
            <span class="panel__subject">{account.name.clone()}</span>
        </h2>
        <ExportRange
            id="entitlements-export"
            href=move |from: &str, until: &str, locale| {
                export_href(&format!("/api/exports/entitlements/{}.csv", account.id), &[], from, until, locale)
            }
        />
        {if holdings.is_empty() {
            view! { <EmptyState title=EntitlementsText::NoEntitlements hint=EntitlementsText::NoEntitlementsHint /> }.into_any()
        } else {
            view! { <HoldingsTable holdings show_use=!is_partner account=account.id /> }.into_any()
        }}
        {is_partner
            .then(|| {
                view! {
                    <h3>{move || i18n.t(EntitlementsText::OrderLines)}</h3>
                    <p class="panel__hint">{move || i18n.t(EntitlementsText::OrderLinesHint)}</p>
                    {if order_lines.is_empty() {
                        view! { <EmptyState title=EntitlementsText::NoOrders /> }.into_any()
                    } else {
                        view! { <OrderLinesTable lines=order_lines partner=account.id /> }.into_any()
                    }}
                }
            })}
    }
}

/// `show_use`: a customer's holdings are put to use (bound, in license
/// files), each with its statement; a partner's are stock to draw down.
#[component]
fn HoldingsTable(holdings: Vec<Holding>, show_use: bool, account: crate::domain::AccountId) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption>{move || i18n.t(EntitlementsText::HeldByProduct)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                        <th scope="col">{move || i18n.t(EntitlementsText::LicenseModel)}</th>
                        <th scope="col" class="num">{move || i18n.t(EntitlementsText::QuantityHeld)}</th>
                        {show_use
                            .then(|| {
                                view! {
                                    <th scope="col" class="num">{move || i18n.t(LicensesText::InUse)}</th>
                                    <th scope="col" class="num">{move || i18n.t(LicensesText::Free)}</th>
                                    <th scope="col">{move || i18n.t(AccountingText::Statement)}</th>
                                }
                            })}
                    </tr>
                </thead>
                <tbody>
                    {holdings
                        .into_iter()
                        .map(|h| {
                            let product = h.product_name.clone();
                            view! {
                                <tr>
                                    <th scope="row">{h.product_name}</th>
                                    <td>{move || i18n.t(model_text(h.license_model))}</td>
                                    <td class="num">{move || number(i18n.locale(), h.quantity)}</td>
                                    {show_use
                                        .then(|| {
                                            view! {
                                                <td class="num">{move || number(i18n.locale(), h.in_use)}</td>
                                                <td class="num">
                                                    {move || number(i18n.locale(), h.quantity - h.in_use)}
                                                </td>
                                                <td>
                                                    <a
                                                        href=format!("/licenses/{account}/statements/products/{}", h.product_id.0)
                                                        aria-label=move || holding_statement_of(i18n.locale(), &product, None)
                                                    >
                                                        {move || i18n.t(AccountingText::Statement)}
                                                    </a>
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn OrderLinesTable(lines: Vec<OrderLineBalance>, partner: crate::domain::AccountId) -> impl IntoView {
    let i18n = use_i18n();
    let n = move |locale: Locale, v: i64| number(locale, v);
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{move || i18n.t(EntitlementsText::OrderLines)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::Order)}</th>
                        <th scope="col">{move || i18n.t(EntitlementsText::OrderDate)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                        <th scope="col">{move || i18n.t(EntitlementsText::Term)}</th>
                        <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                        <th scope="col" class="num">{move || i18n.t(EntitlementsText::Available)}</th>
                        <th scope="col" class="num">{move || i18n.t(EntitlementsText::Reserved)}</th>
                        <th scope="col" class="num">{move || i18n.t(EntitlementsText::Drawn)}</th>
                        <th scope="col">{move || i18n.t(AccountingText::Statement)}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|line| {
                            let b = line.balance;
                            let statement_href = format!("/licenses/{partner}/statements/{}", line.order_line_id);
                            let (order, product) = (line.order_number.clone(), line.product_name.clone());
                            view! {
                                <tr>
                                    <td>{line.order_number}</td>
                                    <td>{line.ordered_on}</td>
                                    <th scope="row">{line.product_name}</th>
                                    <td>{move || months(i18n.locale(), line.term_months)}</td>
                                    <td class="num">{move || n(i18n.locale(), b.quantity)}</td>
                                    <td class="num">{move || n(i18n.locale(), b.available())}</td>
                                    <td class="num">{move || n(i18n.locale(), b.reserved)}</td>
                                    <td class="num">{move || n(i18n.locale(), b.drawn)}</td>
                                    <td>
                                        <a href=statement_href aria-label=move || statement_of(i18n.locale(), &order, &product)>
                                            {move || i18n.t(AccountingText::Statement)}
                                        </a>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
