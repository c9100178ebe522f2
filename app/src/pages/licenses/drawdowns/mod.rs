//! The Partner drawdowns tab: the selected account's requests, filterable
//! by state and searchable by customer (both in the URL), with New.

mod decision;
pub mod import;
pub mod new;
pub mod request;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::export_range::ExportRange;
use super::use_account_param;
use crate::api::drawdowns::list_drawdowns;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::pager::{focus_element, CursorPages};
use crate::components::status::{EmptyState, ErrorNotice, Loading, StateBadge};
use crate::domain::{
    AccountId, DrawdownCursor, DrawdownId, DrawdownPage, DrawdownState, DrawdownSummary, PageRequest, Role,
};
use crate::error::AppError;
use crate::i18n::{date_time, export_href, state_text, CommonText, DrawdownsText};
use crate::Session;

/// The tab's content.
#[component]
pub fn DrawdownsPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account_param();
    let query = use_query_map();
    let navigate = use_navigate();
    let live = use_live_changes();
    let session = expect_context::<Session>();
    let state_filter = Memo::new(move |_| query.read().get("state").and_then(|s| DrawdownState::parse(&s)));
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    // How many rows the list shows, so that a refresh for a change made
    // elsewhere keeps the pages already loaded (a new filter starts over).
    let shown = RwSignal::new(0usize);
    let last_filters = StoredValue::new(None::<(Option<AccountId>, Option<DrawdownState>, String)>);
    let list = crate::codec::wire_resource(
        move || (account.get(), state_filter.get(), search.get(), live.get()),
        move |(account, state, search, _)| {
            let filters = (account, state, search.clone());
            let same = last_filters.get_value().as_ref() == Some(&filters);
            last_filters.set_value(Some(filters));
            let page = PageRequest::first(if same { shown.get_untracked() } else { 0 });
            async move {
                let account = account.ok_or(AppError::NotFound)?;
                list_drawdowns(
                    account,
                    state,
                    (!search.trim().is_empty()).then_some(search),
                    page,
                )
                .await
            }
        },
    );
    let may_create = move || {
        matches!(
            session.user.get(),
            Some(Ok(Some(u))) if matches!(u.role, Role::PartnerAdmin | Role::PartnerUser)
        )
    };
    let set_query = {
        let navigate = navigate.clone();
        move |state: Option<DrawdownState>, search: String| {
            let Some(account) = account.get_untracked() else {
                return;
            };
            let mut params = Vec::new();
            if let Some(state) = state {
                params.push(format!("state={}", state.as_str()));
            }
            if !search.is_empty() {
                params.push(format!("q={}", urlencode(&search)));
            }
            let query = if params.is_empty() {
                String::new()
            } else {
                format!("?{}", params.join("&"))
            };
            navigate(
                &format!("/licenses/{account}/drawdowns{query}"),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    let on_state = {
        let set_query = set_query.clone();
        move |ev: leptos::ev::Event| {
            set_query(
                DrawdownState::parse(&event_target_value(&ev)),
                search.get_untracked(),
            )
        }
    };
    let on_search =
        move |ev: leptos::ev::Event| set_query(state_filter.get_untracked(), event_target_value(&ev));
    let open_new = move |_| {
        if let Some(account) = account.get_untracked() {
            navigate(&format!("/licenses/{account}/drawdowns/new"), Default::default());
        }
    };
    view! {
        <section class="panel" aria-labelledby="drawdowns-heading">
            <div class="panel__head">
                <h2 id="drawdowns-heading">{move || i18n.t(DrawdownsText::DrawdownsHeading)}</h2>
                <Show when=may_create>
                    <div class="panel__actions">
                        <a class="button" href=move || format!("/licenses/{}/drawdowns/import", account.get().map_or(0, |a| a.0))>
                            {move || i18n.t(crate::i18n::ImportText::ImportRequests)}
                        </a>
                        <button type="button" class="button button--primary-inline" on:click=open_new.clone()>
                            {move || i18n.t(DrawdownsText::New)}
                        </button>
                    </div>
                </Show>
            </div>
            <div class="filters" role="search">
                <div class="field field--inline">
                    <label for="state-filter">{move || i18n.t(DrawdownsText::StateFilter)}</label>
                    <select id="state-filter" on:change=on_state>
                        <option value="" selected=move || state_filter.get().is_none()>
                            {move || i18n.t(DrawdownsText::AllStates)}
                        </option>
                        {DrawdownState::ALL
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <option value=s.as_str() selected=move || state_filter.get() == Some(s)>
                                        {move || i18n.t(state_text(s))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field field--inline field--grow">
                    <label for="customer-search">{move || i18n.t(DrawdownsText::SearchByCustomer)}</label>
                    <input id="customer-search" type="search" prop:value=move || search.get() on:input=on_search />
                </div>
            </div>
            <ExportRange
                id="drawdowns-export"
                href=move |from: &str, until: &str, locale| {
                    let filters = [
                        ("state", state_filter.get().map(|s| s.as_str().to_owned()).unwrap_or_default()),
                        ("q", search.get()),
                    ];
                    let path = format!("/api/exports/drawdowns/{}.csv", account.get().map_or(0, |a| a.0));
                    export_href(&path, &filters, from, until, locale)
                }
            />
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let filtered = state_filter.get_untracked().is_some() || !search.get_untracked().is_empty();
                    match (list.await, account.get_untracked()) {
                        (Ok(page), _) if page.rows.is_empty() && filtered => {
                            view! { <EmptyState title=DrawdownsText::NoDrawdownMatches /> }.into_any()
                        }
                        (Ok(page), _) if page.rows.is_empty() => {
                            view! { <EmptyState title=DrawdownsText::NoDrawdowns hint=DrawdownsText::NoDrawdownsHint /> }.into_any()
                        }
                        (Ok(first), Some(account)) => {
                            let (state, search) = (state_filter.get_untracked(), search.get_untracked());
                            let more = move |after: DrawdownCursor| {
                                let search = (!search.trim().is_empty()).then(|| search.clone());
                                async move { list_drawdowns(account, state, search, Some(after).into()).await }
                            };
                            view! { <PagedDrawdowns first more shown account /> }
                                .into_any()
                        }
                        (Ok(_), None) => view! { <ErrorNotice error=AppError::NotFound /> }.into_any(),
                        (Err(error), _) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Requests as a table, a page at a time: the first page comes with the
/// screen, Load more appends the next one after the last row shown.
#[component]
pub fn PagedDrawdowns<F, Fut>(
    /// The first page.
    first: DrawdownPage,
    /// Fetches the page after a cursor, with the screen's filters.
    more: F,
    /// Set to how many rows are shown, for the screen's next refresh.
    shown: RwSignal<usize>,
    /// The account in the URL, which each row links under.
    account: AccountId,
) -> impl IntoView
where
    F: Fn(DrawdownCursor) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<DrawdownPage, AppError>> + 'static,
{
    shown.set(first.rows.len());
    let pages = CursorPages::new(first.rows, first.next);
    let rows = pages.rows;
    let load_more = Callback::new(move |()| {
        let more = more.clone();
        pages.load_more(
            move |after| async move { more(after).await.map(|page| (page.rows, page.next)) },
            move |first_new| {
                shown.set(rows.with_untracked(Vec::len));
                // Keyboard users go on from the first row that came in.
                if let Some(id) = first_new.and_then(|i| rows.with_untracked(|r| r.get(i).map(|r| r.id))) {
                    request_animation_frame(move || focus_element(&row_link_id(id)));
                }
            },
        )
    });
    // Each part erased to AnyView: the nested view types otherwise pass the
    // compiler's depth limit in the WebAssembly build.
    let table = view! { <DrawdownTable rows=rows.into() account /> }.into_any();
    let pager = pages.footer(CommonText::RowsShown, load_more).into_any();
    view! {
        {table}
        {pager}
    }
}

/// Requests as a table; each number links to the request's page.
#[component]
pub fn DrawdownTable(
    /// The rows shown, in order; rows added later are appended.
    rows: Signal<Vec<DrawdownSummary>>,
    /// The account in the URL, which each row links under.
    account: AccountId,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">{move || i18n.t(DrawdownsText::DrawdownsHeading)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(CommonText::Number)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Order)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Customer)}</th>
                        <th scope="col">{move || i18n.t(CommonText::State)}</th>
                        <th scope="col">{move || i18n.t(DrawdownsText::LastChange)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|row| row.id let:row>
                        {
                            let href = format!(
                                "/licenses/{}/drawdowns/{}",
                                account,
                                row.id,
                            );
                            view! {
                                <tr>
                                    <th scope="row">
                                        <a id=row_link_id(row.id) href=href>{row.number.to_string()}</a>
                                    </th>
                                    <td>{row.order_number}</td>
                                    <td>{row.customer_name}</td>
                                    <td>
                                        <StateBadge state=row.state />
                                    </td>
                                    <td>{move || date_time(i18n.locale(), row.changed_at)}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// The id of a row's link, to move the focus to it.
fn row_link_id(id: DrawdownId) -> String {
    format!("pdr-{id}")
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
