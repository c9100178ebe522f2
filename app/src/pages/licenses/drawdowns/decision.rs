//! The figures of the Decision panel (SPEC, "Accounting's workspace"): the
//! order lines before and after the request, what the customer holds, the
//! other open requests for the same customer or order, and the partner's
//! last decisions. The request page reads them beside the request, again
//! whenever a request on the same order moves.

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::components::status::StateBadge;
use crate::domain::{AccountId, DecisionPanel, DrawdownId};
use crate::i18n::{before_after, date_time, number, AccountingText, CommonText, Text};

fn heading_cell(text: impl Into<Text> + Copy + Send + Sync + 'static, numeric: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! { <th scope="col" class=numeric.then_some("num")>{move || i18n.t(text)}</th> }
}

/// A table named by the heading with id `labelled_by`: its column headings
/// (numeric ones right-aligned), then `rows`.
fn labelled_table(labelled_by: &'static str, columns: Vec<(Text, bool)>, rows: AnyView) -> AnyView {
    let headings = columns
        .into_iter()
        .map(|(text, numeric)| heading_cell(text, numeric))
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" aria-labelledby=labelled_by>
                <thead>
                    <tr>{headings}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The panel's figures, for a request of `partner`.
#[component]
pub fn Figures(panel: DecisionPanel, partner: AccountId) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |id: DrawdownId| format!("/licenses/{partner}/drawdowns/{id}");
    let lines = panel
        .lines
        .into_iter()
        .map(|l| {
            let (b, a) = (l.before, l.after);
            let href = format!("/licenses/{partner}/statements/{}", l.order_line);
            let product = l.product_name.clone();
            view! {
                <tr>
                    <th scope="row">
                        <a href=href aria-label=move || format!("{} — {}", i18n.t(AccountingText::Statement), product)>
                            {l.product_name}
                        </a>
                    </th>
                    <td class="num">{move || number(i18n.locale(), b.quantity)}</td>
                    <td class="num">{move || number(i18n.locale(), l.requested)}</td>
                    <td class="num">{move || before_after(i18n.locale(), b.available(), a.available())}</td>
                    <td class="num">{move || before_after(i18n.locale(), b.reserved, a.reserved)}</td>
                    <td class="num">{move || before_after(i18n.locale(), b.drawn, a.drawn)}</td>
                </tr>
            }
        })
        .collect_view();
    let holdings = match (panel.customer, panel.holdings.is_empty()) {
        (None, _) => view! { <p>{move || i18n.t(AccountingText::NewCustomer)}</p> }.into_any(),
        (Some(_), true) => view! { <p>{move || i18n.t(AccountingText::HoldsNothing)}</p> }.into_any(),
        (Some(_), false) => {
            let rows = panel
                .holdings
                .into_iter()
                .map(|h| {
                    view! {
                        <tr>
                            <th scope="row">{h.product_name}</th>
                            <td class="num">{move || number(i18n.locale(), h.quantity)}</td>
                            <td class="num">{move || number(i18n.locale(), h.in_use)}</td>
                        </tr>
                    }
                })
                .collect_view();
            labelled_table(
                "decision-holdings",
                vec![
                    (CommonText::Product.into(), false),
                    (AccountingText::Quantity.into(), true),
                    (AccountingText::InUse.into(), true),
                ],
                rows.into_any(),
            )
        }
    };
    let open = if panel.open_requests.is_empty() {
        view! { <p>{move || i18n.t(AccountingText::NoOpenRequests)}</p> }.into_any()
    } else {
        let rows = panel
            .open_requests
            .into_iter()
            .map(|r| {
                view! {
                    <tr>
                        <th scope="row"><a href=link(r.id)>{r.number.to_string()}</a></th>
                        <td>{r.customer_name}</td>
                        <td>{r.order_number}</td>
                        <td><StateBadge state=r.state /></td>
                        <td class="num">{move || number(i18n.locale(), r.quantity)}</td>
                        <td>{move || date_time(i18n.locale(), r.changed_at)}</td>
                    </tr>
                }
            })
            .collect_view();
        labelled_table(
            "decision-open",
            vec![
                (AccountingText::Request.into(), false),
                (CommonText::Customer.into(), false),
                (CommonText::Order.into(), false),
                (CommonText::State.into(), false),
                (AccountingText::Quantity.into(), true),
                (CommonText::When.into(), false),
            ],
            rows.into_any(),
        )
    };
    let past = if panel.past_decisions.is_empty() {
        view! { <p>{move || i18n.t(AccountingText::NoPastDecisions)}</p> }.into_any()
    } else {
        let rows = panel
            .past_decisions
            .into_iter()
            .map(|d| {
                view! {
                    <tr>
                        <th scope="row"><a href=link(d.id)>{d.number.to_string()}</a></th>
                        <td><StateBadge state=d.decision /></td>
                        <td>{d.customer_name}</td>
                        <td class="num">{move || number(i18n.locale(), d.quantity)}</td>
                        <td>{move || date_time(i18n.locale(), d.at)}</td>
                        <td class="wrap">{d.reason.unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view();
        labelled_table(
            "decision-past",
            vec![
                (AccountingText::Request.into(), false),
                (CommonText::State.into(), false),
                (CommonText::Customer.into(), false),
                (AccountingText::Quantity.into(), true),
                (CommonText::When.into(), false),
                (crate::i18n::DrawdownsText::Reason.into(), false),
            ],
            rows.into_any(),
        )
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption>{move || i18n.t(AccountingText::LinesCaption)}</caption>
                <thead>
                    <tr>
                        {heading_cell(CommonText::Product, false)}
                        {heading_cell(AccountingText::Ordered, true)}
                        {heading_cell(AccountingText::Requested, true)}
                        {heading_cell(AccountingText::Available, true)}
                        {heading_cell(AccountingText::Reserved, true)}
                        {heading_cell(AccountingText::Drawn, true)}
                    </tr>
                </thead>
                <tbody>{lines}</tbody>
            </table>
        </div>
        <h4 id="decision-holdings">{move || i18n.t(AccountingText::CustomerHolds)}</h4>
        {holdings}
        <h4 id="decision-open">{move || i18n.t(AccountingText::OpenRequests)}</h4>
        {open}
        <h4 id="decision-past">{move || i18n.t(AccountingText::PastDecisions)}</h4>
        {past}
    }
}
