//! The Statement of what a customer holds of a product (SPEC, "Ledger
//! statements and exports"): what it received through accepted requests,
//! what it bound to Control Rooms or configured into license files and gave
//! back, who and when, with what it held and used after each; paged;
//! exported as CSV between two days.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::export_range::ExportRange;
use super::TabPanel;
use crate::api::accounting::customer_holding_statement;
use crate::components::i18n::use_i18n;
use crate::components::pager::CursorPages;
use crate::components::status::EmptyState;
use crate::domain::{AccountId, HoldingEntry, HoldingStatement, ProductId};
use crate::error::AppError;
use crate::i18n::{
    date_time, holding_export_href, holding_statement_of, number, usage_movement_text, AccountingText,
    CommonText, LicensesText,
};

/// The page: `/licenses/:account/statements/products/:product`.
#[component]
pub fn HoldingStatementPage() -> impl IntoView {
    let params = use_params_map();
    let subject = Memo::new(move |_| {
        let params = params.read();
        let id = |name: &str| params.get(name).and_then(|v| v.parse::<i64>().ok());
        id("account")
            .zip(id("product"))
            .map(|(a, p)| (AccountId(a), ProductId(p)))
    });
    let first = crate::codec::wire_resource(
        move || subject.get(),
        |subject| async move {
            let (account, product) = subject.ok_or(AppError::NotFound)?;
            customer_holding_statement(account, product, None).await
        },
    );
    view! { <TabPanel name="holding-statement" data=first content=move |statement| view! { <Statement statement /> } /> }
}

#[component]
fn Statement(statement: HoldingStatement) -> impl IntoView {
    let i18n = use_i18n();
    let (account, product) = (statement.account_id, statement.product_id);
    let (product_name, customer) = (statement.product_name.clone(), statement.account_name.clone());
    let heading = move || holding_statement_of(i18n.locale(), &product_name, Some(&customer));
    let now = statement.balance;
    let pages = CursorPages::new(statement.entries, statement.next);
    let rows = pages.rows;
    let load_more = Callback::new(move |()| {
        pages.load_more(
            move |before| async move {
                customer_holding_statement(account, product, Some(before))
                    .await
                    .map(|page| (page.entries, page.next))
            },
            |_| {},
        )
    });
    let table = view! { <Movements rows /> }.into_any();
    view! {
        <h2 id="holding-statement-heading">{heading}</h2>
        <p class="panel__hint">{move || i18n.t(AccountingText::HoldingStatementHint)}</p>
        <dl class="facts">
            <dt>{move || i18n.t(CommonText::Quantity)}</dt>
            <dd>{move || number(i18n.locale(), now.held)}</dd>
            <dt>{move || i18n.t(LicensesText::InUse)}</dt>
            <dd>{move || number(i18n.locale(), now.in_use)}</dd>
            <dt>{move || i18n.t(LicensesText::Free)}</dt>
            <dd>{move || number(i18n.locale(), now.free())}</dd>
        </dl>
        <ExportRange
            id="holding-statement"
            href=move |from: &str, until: &str, locale| holding_export_href(account, product, from, until, locale)
        />
        {table}
        {pages.footer(AccountingText::MovementsShown, load_more)}
    }
}

#[component]
fn Movements(rows: RwSignal<Vec<HoldingEntry>>) -> impl IntoView {
    let i18n = use_i18n();
    if rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AccountingText::NoHoldingMovements /> }.into_any();
    }
    let params = use_params_map();
    let account = move || params.read().get("account").unwrap_or_default();
    let row = move |e: HoldingEntry| {
        let after = e.after;
        let cause = match (e.request, e.control_room.clone(), e.license_file.clone()) {
            (Some((id, number)), _, _) => {
                view! { <a href=format!("/licenses/{}/drawdowns/{id}", account())>{number.to_string()}</a> }
                    .into_any()
            }
            (None, Some(room), _) => room.into_any(),
            (None, None, Some(host)) => host.into_any(),
            (None, None, None) => ().into_any(),
        };
        let who = e.actor_name.clone();
        view! {
            <tr>
                <td>{move || date_time(i18n.locale(), e.position.at)}</td>
                <th scope="row">{move || i18n.t(usage_movement_text(e.kind))}</th>
                <td class="num">{move || number(i18n.locale(), e.quantity)}</td>
                <td>{cause}</td>
                <td>{move || who.clone().unwrap_or_else(|| i18n.t(CommonText::TheServer).to_string())}</td>
                <td class="num">{move || number(i18n.locale(), after.held)}</td>
                <td class="num">{move || number(i18n.locale(), after.in_use)}</td>
                <td class="num">{move || number(i18n.locale(), after.free())}</td>
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
                        <th scope="col">{move || i18n.t(AccountingText::Request)} " / " {move || i18n.t(AccountingText::UsedBy)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Who)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::HeldAfter)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::InUseAfter)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::FreeAfter)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|e| e.position let:e>
                        {row(e)}
                    </For>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
