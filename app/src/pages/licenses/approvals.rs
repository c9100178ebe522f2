//! The Approvals tab (SPEC, "Accounting's workspace"): Submitted requests of
//! every partner or one, oldest first, with how long each has waited (past
//! the target: overdue), selected and approved several at once, each in its
//! own transaction with its own outcome.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::export_range::ExportRange;
use crate::api::accounting::{approvals_queue, approve_drawdowns};
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::pager::{focus_element, CursorPages};
use crate::components::status::{EmptyState, ErrorNotice, Loading};
use crate::domain::{
    AccountId, ApprovalsPage, BulkApproval, DrawdownCursor, DrawdownId, PageRequest, QueuedRequest,
    WaitingPartner,
};
use crate::error::AppError;
use crate::i18n::{
    bulk_outcome, export_href, number, select_request, waited, AccountingText, CommonText, DrawdownsText,
};

/// What the queue shows: the search and the partner.
#[derive(Debug, Clone, PartialEq)]
struct QueueQuery {
    search: String,
    partner: Option<AccountId>,
}

impl QueueQuery {
    fn search(&self) -> Option<String> {
        (!self.search.trim().is_empty()).then(|| self.search.clone())
    }
}

/// The tab's content.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live_changes();
    let search = RwSignal::new(String::new());
    let partner = RwSignal::new(None::<AccountId>);
    let selected = RwSignal::new(BTreeSet::<DrawdownId>::new());
    let outcomes = RwSignal::new(Vec::<BulkApproval>::new());
    let approving = RwSignal::new(false);
    // The filter's choices, from the first page of the latest read: set
    // once the queue is read, never read from it outside the Transition.
    let partners = RwSignal::new(Vec::<WaitingPartner>::new());
    let failed = RwSignal::new(None::<AppError>);
    // A refresh (another request moved) keeps the pages already loaded.
    let shown = RwSignal::new(0usize);
    let last_query = StoredValue::new(None::<QueueQuery>);
    let queue = crate::codec::wire_resource(
        move || {
            (
                live.get(),
                QueueQuery {
                    search: search.get(),
                    partner: partner.get(),
                },
            )
        },
        move |(_, query)| {
            let same = last_query.get_value().as_ref() == Some(&query);
            last_query.set_value(Some(query.clone()));
            let page = PageRequest::first(if same { shown.get_untracked() } else { 0 });
            approvals_queue(query.partner, query.search(), page)
        },
    );
    let approve = move |_| {
        let ids: Vec<DrawdownId> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() || approving.get_untracked() {
            return;
        }
        approving.set(true);
        leptos::task::spawn_local(async move {
            match approve_drawdowns(ids).await {
                Ok(results) => {
                    failed.set(None);
                    outcomes.set(results);
                    selected.set(BTreeSet::new());
                }
                Err(error) => failed.set(Some(error)),
            }
            approving.set(false);
        });
    };
    let outcome_list = move || {
        let list = outcomes.get();
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|o| view! { <li>{move || bulk_outcome(i18n.locale(), o.id, o.number, o.outcome)}</li> })
                .collect_view();
            view! {
                <h3 id="bulk-results">{move || i18n.t(AccountingText::BulkResults)}</h3>
                <ul aria-labelledby="bulk-results">{items}</ul>
            }
        })
    };
    view! {
        <section class="panel" id="approvals-tab" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">{move || i18n.t(DrawdownsText::ApprovalsHeading)}</h2>
            <p class="panel__hint">{move || i18n.t(DrawdownsText::ApprovalsHint)}</p>
            <div class="filters" role="search">
                <div class="field field--inline">
                    <label for="approvals-partner">{move || i18n.t(AccountingText::PartnerFilter)}</label>
                    <select
                        id="approvals-partner"
                        on:change=move |ev| {
                            partner.set(event_target_value(&ev).parse().ok().map(AccountId));
                            selected.set(BTreeSet::new());
                        }
                    >
                        <option value="" selected=move || partner.get().is_none()>
                            {move || i18n.t(AccountingText::AllPartners)}
                        </option>
                        {move || {
                            partners
                                .get()
                                .into_iter()
                                .map(|p| {
                                    let id = p.id;
                                    view! {
                                        <option value=id.0.to_string() selected=move || partner.get() == Some(id)>
                                            {format!("{} ({})", p.name, p.waiting)}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="field field--inline field--grow">
                    <label for="approvals-search">{move || i18n.t(DrawdownsText::SearchByCustomer)}</label>
                    <input
                        id="approvals-search"
                        type="search"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                </div>
            </div>
            <ExportRange
                id="approvals-export"
                href=move |from: &str, until: &str, locale| {
                    let filters = [
                        ("partner", partner.get().map(|p| p.0.to_string()).unwrap_or_default()),
                        ("q", search.get()),
                    ];
                    export_href("/api/exports/approvals.csv", &filters, from, until, locale)
                }
            />
            <div class="form-actions">
                <button
                    type="button"
                    class="button button--primary-inline"
                    disabled=move || selected.with(BTreeSet::is_empty) || approving.get()
                    aria-busy=move || approving.get().to_string()
                    on:click=approve
                >
                    {move || i18n.t(AccountingText::ApproveSelected)}
                    {move || {
                        let n = selected.with(BTreeSet::len);
                        (n > 0).then(|| format!(" ({n})"))
                    }}
                </button>
            </div>
            <div aria-live="polite">
                {outcome_list}
                {move || failed.get().map(|error| view! { <ErrorNotice error /> })}
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(page) if page.rows.is_empty() && !search.get_untracked().trim().is_empty() => {
                            view! { <EmptyState title=DrawdownsText::NoDrawdownMatches /> }.into_any()
                        }
                        Ok(page) if page.rows.is_empty() => view! { <EmptyState title=DrawdownsText::NoApprovals /> }.into_any(),
                        Ok(first) => {
                            partners.set(first.partners.clone());
                            let query = QueueQuery { search: search.get_untracked(), partner: partner.get_untracked() };
                            let view = view! { <QueueTable first query selected shown /> }.into_any();
                            crate::components::status::mark_live("approvals-tab".to_string());
                            view
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The queue's rows and Load more.
#[component]
fn QueueTable(
    first: ApprovalsPage,
    query: QueueQuery,
    selected: RwSignal<BTreeSet<DrawdownId>>,
    shown: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    shown.set(first.rows.len());
    let pages = CursorPages::new(first.rows, first.next);
    let rows = pages.rows;
    let load_more = Callback::new(move |()| {
        let query = query.clone();
        pages.load_more(
            move |after| async move {
                approvals_queue(
                    query.partner,
                    query.search(),
                    PageRequest::from(Some::<DrawdownCursor>(after)),
                )
                .await
                .map(|page| (page.rows, page.next))
            },
            move |first_new| {
                shown.set(rows.with_untracked(Vec::len));
                // Keyboard users go on from the first row that came in.
                if let Some(id) =
                    first_new.and_then(|i| rows.with_untracked(|r| r.get(i).map(|r| r.summary.id)))
                {
                    request_animation_frame(move || focus_element(&row_link_id(id)));
                }
            },
        )
    });
    let all_selected = move || {
        rows.with(|rows| {
            !rows.is_empty() && selected.with(|s| rows.iter().all(|r| s.contains(&r.summary.id)))
        })
    };
    let select_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let ids: Vec<DrawdownId> = rows.with_untracked(|rows| rows.iter().map(|r| r.summary.id).collect());
        selected.update(|s| {
            for id in ids {
                if on {
                    s.insert(id);
                } else {
                    s.remove(&id);
                }
            }
        });
    };
    let row = move |r: QueuedRequest| {
        let id = r.summary.id;
        let number_text = r.summary.number;
        let href = format!("/licenses/{}/drawdowns/{}", r.summary.partner_id, id);
        let overdue = r.overdue;
        view! {
            <tr class=overdue.then_some("row--overdue")>
                <td>
                    <input
                        type="checkbox"
                        aria-label=move || select_request(i18n.locale(), number_text)
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                if on {
                                    s.insert(id);
                                } else {
                                    s.remove(&id);
                                }
                            });
                        }
                    />
                </td>
                <th scope="row"><a id=row_link_id(id) href=href>{number_text.to_string()}</a></th>
                <td>{r.summary.partner_name}</td>
                <td>{r.summary.customer_name}</td>
                <td>{r.summary.order_number}</td>
                <td class="num">{move || number(i18n.locale(), r.quantity)}</td>
                <td>
                    {move || waited(i18n.locale(), r.waiting)}
                    {overdue.then(|| view! { " " <span class="badge badge--overdue">{move || i18n.t(AccountingText::Overdue)}</span> })}
                </td>
            </tr>
        }
    };
    let table = view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{move || i18n.t(DrawdownsText::ApprovalsHeading)}</caption>
                <thead>
                    <tr>
                        <th scope="col">
                            <input type="checkbox" aria-label=move || i18n.t(AccountingText::SelectAll) prop:checked=all_selected on:change=select_all />
                        </th>
                        <th scope="col">{move || i18n.t(CommonText::Number)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Partner)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Customer)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Order)}</th>
                        <th scope="col" class="num">{move || i18n.t(AccountingText::Total)}</th>
                        <th scope="col">{move || i18n.t(AccountingText::Waiting)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.summary.id let:r>
                        {row(r)}
                    </For>
                </tbody>
            </table>
        </div>
    }
    .into_any();
    view! {
        {table}
        {pages.footer(CommonText::RowsShown, load_more)}
    }
}

/// The id of a row's link, to move the focus to it.
fn row_link_id(id: DrawdownId) -> String {
    format!("queued-{id}")
}
