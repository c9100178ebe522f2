//! "Import requests (CSV)": a file of one order, checked as soon as it is
//! chosen (each row's problems, what all its requests take from each order
//! line), then Submit all, which creates every request or none.

use leptos::prelude::*;

use crate::api::drawdowns::{check_drawdown_import, new_drawdown_form, submit_drawdown_import};
use crate::components::file_input::read_chosen_file;
use crate::components::i18n::use_i18n;
use crate::components::status::{ErrorNotice, Loading};
use crate::domain::{DrawdownId, ImportCheck, ImportColumn, ImportRule, OpenOrder, OrderId, PdrNumber};
use crate::error::AppError;
use crate::i18n::{
    column_text, import_rule_text, import_summary, imported_requests, number, CommonText, DrawdownsText,
    ImportText, Locale,
};
use crate::pages::licenses::use_account_param;

/// The page.
#[component]
pub fn ImportDrawdownsPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let data = crate::codec::wire_resource(
        move || account.get(),
        |account| async move { new_drawdown_form(account.ok_or(AppError::NotFound)?, None).await },
    );
    view! {
        <section class="panel" aria-labelledby="import-heading">
            <h2 id="import-heading">{move || i18n.t(ImportText::ImportRequests)}</h2>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(data) => view! { <ImportForm orders=data.orders /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A problem as a row of the dry run says it: "Column: what is wrong".
fn problem_text(locale: Locale, column: Option<ImportColumn>, rule: &ImportRule) -> String {
    match column {
        Some(column) => {
            // French puts a space before the colon.
            let colon = if locale == Locale::Fr { " :" } else { ":" };
            format!(
                "{}{colon} {}",
                column_text(locale, column),
                import_rule_text(locale, rule)
            )
        }
        None => import_rule_text(locale, rule),
    }
}

#[component]
fn ImportForm(orders: Vec<OpenOrder>) -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let only_order = (orders.len() == 1).then(|| orders[0].id);
    let order = RwSignal::new(only_order);
    let file = RwSignal::new(None::<String>);
    let check = RwSignal::new(None::<Result<ImportCheck, AppError>>);
    let submitted = RwSignal::new(None::<Result<Vec<(DrawdownId, PdrNumber)>, AppError>>);
    let pending = RwSignal::new(false);

    // The dry run of the chosen file against the chosen order, again
    // whenever either changes.
    let run_check = move || {
        let (Some(order), Some(text)) = (order.get_untracked(), file.get_untracked()) else {
            check.set(None);
            return;
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = check_drawdown_import(order, text).await;
            check.set(Some(result));
            pending.set(false);
        });
    };
    let on_order = move |ev: leptos::ev::Event| {
        order.set(event_target_value(&ev).parse().ok().map(OrderId));
        submitted.set(None);
        run_check();
    };
    let on_file = move |ev: leptos::ev::Event| {
        submitted.set(None);
        check.set(None);
        leptos::task::spawn_local(async move {
            match read_chosen_file(&ev).await {
                Some(text) => {
                    file.set(Some(text));
                    run_check();
                }
                None => check.set(Some(Err(AppError::InvalidInput { field: "file".into() }))),
            }
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(order), Some(text)) = (order.get_untracked(), file.get_untracked()) else {
            return;
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            match submit_drawdown_import(order, text).await {
                Ok(saved) => {
                    file.set(None);
                    check.set(None);
                    submitted.set(Some(Ok(saved)));
                }
                Err(AppError::InvalidDrawdownImport { check: refused }) => {
                    check.set(Some(Ok(*refused.clone())));
                    submitted.set(Some(Err(AppError::InvalidDrawdownImport { check: refused })));
                }
                Err(error) => submitted.set(Some(Err(error))),
            }
            pending.set(false);
        });
    };
    let may_submit = move || {
        !pending.get()
            && check.with(|c| matches!(c, Some(Ok(check)) if check.is_clean() && check.requests > 0))
    };
    let order_options = orders
        .into_iter()
        .map(|o| {
            let id = o.id;
            view! {
                <option value=id.to_string() selected=move || order.get() == Some(id)>
                    {format!("{} ({})", o.number, o.ordered_on)}
                </option>
            }
        })
        .collect_view();
    let outcome = move || {
        submitted.get().map(|result| match result {
            Ok(saved) => {
                let links = saved
                    .iter()
                    .map(|(id, number)| {
                        let href = format!("/licenses/{}/drawdowns/{id}", account.get().map_or(0, |a| a.0));
                        view! { <li><a href=href>{number.to_string()}</a></li> }
                    })
                    .collect_view();
                let count = saved.len();
                view! {
                    <p class="status" role="status">{move || imported_requests(i18n.locale(), count)}</p>
                    <ul class="imported">{links}</ul>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    let dry_run = move || {
        check.get().map(|result| match result {
            Ok(check) => view! { <DryRun check /> }.into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    let back = move || format!("/licenses/{}/drawdowns", account.get().map_or(0, |a| a.0));
    view! {
        <p class="field__hint" id="import-hint">{move || i18n.t(ImportText::ImportHint)}</p>
        <form class="import-form" novalidate on:submit=on_submit aria-busy=move || pending.get().then_some("true")>
            <div class="field">
                <label for="import-order">{move || i18n.t(CommonText::Order)}</label>
                <select id="import-order" on:change=on_order>
                    <option value="" selected=move || order.get().is_none()>
                        {move || i18n.t(DrawdownsText::ChooseAnOrder)}
                    </option>
                    {order_options}
                </select>
            </div>
            <div class="field">
                <label for="import-file">{move || i18n.t(ImportText::CsvFile)}</label>
                <input
                    id="import-file"
                    type="file"
                    accept=".csv,text/csv"
                    aria-describedby="import-hint"
                    on:change=on_file
                />
                <Show when=move || order.get().is_none() && file.with(Option::is_some)>
                    <p class="field__hint">{move || i18n.t(ImportText::ChooseOrderFirst)}</p>
                </Show>
            </div>
            {outcome}
            {dry_run}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || !may_submit()>
                    {move || i18n.t(ImportText::SubmitAll)}
                </button>
                <a class="button" href=back>{move || i18n.t(DrawdownsText::BackToList)}</a>
            </div>
        </form>
    }
}

/// The dry run: a summary, the problems of the file, each row with its
/// problems, and the effect on each order line.
#[component]
fn DryRun(check: ImportCheck) -> impl IntoView {
    let i18n = use_i18n();
    let summary = {
        let (rows, requests, problems) = (check.rows.len(), check.requests, check.problem_count());
        move || import_summary(i18n.locale(), rows, requests, problems)
    };
    let clean = check.is_clean();
    let file_problems = (!check.file_problems.is_empty()).then(|| {
        let rows = check
            .file_problems
            .iter()
            .map(|p| {
                let (column, rule) = (p.column, p.rule.clone());
                view! {
                    <tr>
                        <td class="num">{p.line}</td>
                        <td class="wrap">{move || problem_text(i18n.locale(), column, &rule)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap"><table class="data-table import-rows">
                <caption>{move || i18n.t(ImportText::FileProblems)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(ImportText::Line)}</th>
                        <th scope="col">{move || i18n.t(ImportText::Problems)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table></div>
        }
    });
    let rows = check
        .rows
        .into_iter()
        .map(|row| {
            let ready = row.problems.is_empty();
            let problems = row
                .problems
                .into_iter()
                .map(|p| view! { <li>{move || problem_text(i18n.locale(), p.column, &p.rule)}</li> })
                .collect_view();
            view! {
                <tr class:over=!ready>
                    <td class="num">{row.line}</td>
                    <td>{row.customer_account}</td>
                    <td>{row.product}</td>
                    <td class="num">{row.quantity}</td>
                    <td class="wrap">
                        {if ready {
                            view! { {move || i18n.t(ImportText::RowReady)} }.into_any()
                        } else {
                            view! { <ul class="problems">{problems}</ul> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let lines = check
        .lines
        .into_iter()
        .map(|line| {
            let after = line.after();
            view! {
                <tr class:over=after < 0>
                    <th scope="row">{line.product_name}</th>
                    <td class="num">{move || number(i18n.locale(), line.available)}</td>
                    <td class="num">{move || number(i18n.locale(), line.requested)}</td>
                    <td class="num">{move || number(i18n.locale(), after)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="status" role="status">{summary}</p>
        {(!clean).then(|| view! { <p class="form-error" role="alert">{move || i18n.t(ImportText::ErrorInvalidImport)}</p> })}
        {file_problems}
        <div class="table-wrap"><table class="data-table import-rows">
            <caption>{move || i18n.t(ImportText::RowsCaption)}</caption>
            <thead>
                <tr>
                    <th scope="col" class="num">{move || i18n.t(ImportText::Line)}</th>
                    <th scope="col">{move || i18n.t(DrawdownsText::CustomerAccount)}</th>
                    <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                    <th scope="col" class="num">{move || i18n.t(CommonText::Quantity)}</th>
                    <th scope="col">{move || i18n.t(ImportText::Problems)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
        <div class="table-wrap"><table class="data-table effect">
            <caption>{move || i18n.t(ImportText::EffectCaption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(CommonText::Product)}</th>
                    <th scope="col" class="num">{move || i18n.t(DrawdownsText::AvailableNow)}</th>
                    <th scope="col" class="num">{move || i18n.t(ImportText::Requested)}</th>
                    <th scope="col" class="num">{move || i18n.t(ImportText::AvailableAfter)}</th>
                </tr>
            </thead>
            <tbody>{lines}</tbody>
        </table></div>
    }
}
