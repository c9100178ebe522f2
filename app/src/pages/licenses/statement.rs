//! An order line's Statement (SPEC, "Ledger statements and exports"): every
//! movement, newest first, with its cause (the request), who and when, and
//! the line's balance after it; paged; exported as CSV between two days.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::export_range::ExportRange;
use super::TabPanel;
use crate::api::accounting::order_line_statement;
use crate::components::i18n::use_i18n;
use crate::components::pager::CursorPages;
use crate::components::status::EmptyState;
use crate::domain::{LineStatement, OrderLineId, StatementEntry};
use crate::error::AppError;
use crate::i18n::{
    date_time, movement_text, number, statement_export_href, statement_of, AccountingText, CommonText,
    EntitlementsText,
};

/// The page: `/licenses/:account/statements/:line`.
#[component]
pub fn StatementPage() -> impl IntoView {
    let params = use_params_map();
    let line = Memo::new(move |_| {
        params
            .read()
            .get("line")
            .and_then(|l| l.parse().ok())
            .map(OrderLineId)
    });
    let first = crate::codec::wire_resource(
        move || line.get(),
        |line| async move { order_line_statement(line.ok_or(AppError::NotFound)?, None).await },
    );
    view! { <TabPanel name="statement" data=first content=move |statement| view! { <Statement statement /> } /> }
}

#[component]
fn Statement(statement: LineStatement) -> impl IntoView {
    let i18n = use_i18n();
    let line = statement.order_line;
    let (order, product) = (statement.order_number.clone(), statement.product_name.clone());
    let heading = move || statement_of(i18n.locale(), &order, &product);
    let now = statement.balance;
    let pages = CursorPages::new(statement.entries, statement.next);
    let rows = pages.rows;
    let load_more = Callback::new(move |()| {
        pages.load_more(
            move |before| async move {
                order_line_statement(line, Some(before))
                    .await
                    .map(|page| (page.entries, page.next))
            },
            |_| {},
        )
    });
    let table = view! { <Movements rows /> }.into_any();
    view! {
        <h2 id="statement-heading">{heading}</h2>
            <p class="panel__hint">{move || i18n.t(AccountingText::StatementHint)}</p>
            <dl class="facts">
                <dt>{move || i18n.t(CommonText::Partner)}</dt>
                <dd>{statement.partner_name.clone()}</dd>
                <dt>{move || i18n.t(CommonText::Quantity)}</dt>
                <dd>{move || number(i18n.locale(), now.quantity)}</dd>
                <dt>{move || i18n.t(EntitlementsText::Available)}</dt>
                <dd>{move || number(i18n.locale(), now.available())}</dd>
                <dt>{move || i18n.t(EntitlementsText::Reserved)}</dt>
                <dd>{move || number(i18n.locale(), now.reserved)}</dd>
                <dt>{move || i18n.t(EntitlementsText::Drawn)}</dt>
                <dd>{move || number(i18n.locale(), now.drawn)}</dd>
            </dl>
            <ExportRange
                id="statement"
                href=move |from: &str, until: &str, locale| statement_export_href(line, from, until, locale)
            />
            {table}
            {pages.footer(AccountingText::MovementsShown, load_more)}
    }
}

#[component]
fn Movements(rows: RwSignal<Vec<StatementEntry>>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AccountingText::NoMovements /> }.into_any();
    }
    let params = use_params_map();
    let account = move || params.read().get("account").unwrap_or_default();
    let row = move |e: StatementEntry| {
        let after = e.after;
        let request = e.request.map(|(id, number)| {
            view! { <a href=format!("/licenses/{}/drawdowns/{id}", account())>{number.to_string()}</a> }
        });
        let who = e.actor_name.clone();
        view! {
            <tr>
                <td>{move || date_time(i18n.locale(), e.at)}</td>
                <th scope="row">{move || i18n.t(movement_text(e.kind))}</th>
                <td class="num">{move || number(i18n.locale(), e.quantity)}</td>
                <td>{request}</td>
                <td>{e.customer_name.clone().unwrap_or_default()}</td>
                <td>{move || who.clone().unwrap_or_else(|| i18n.t(CommonText::TheServer).to_string())}</td>
                <td class="num">{move || number(i18n.locale(), after.available())}</td>
                <td class="num">{move || number(i18n.locale(), after.reserved)}</td>
                <td class="num">{move || number(i18n.locale(), after.drawn)}</td>
            </tr>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{move || i18n.t(AccountingText::Statement)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::When)}</th>
                        <th scope="col">{move || i18n.t(AccountingText::Movement)}</th>
                        <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                        <th scope="col">{move || i18n.t(AccountingText::Request)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Customer)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Who)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::AvailableAfter)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::ReservedAfter)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::DrawnAfter)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|e| e.id let:e>
                        {row(e)}
                    </For>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
