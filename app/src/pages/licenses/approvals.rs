//! The Approvals tab (accounting): submitted requests of every partner,
//! oldest first, each opening its page where it is approved or rejected.

use leptos::prelude::*;

use super::drawdowns::PagedDrawdowns;
use crate::api::drawdowns::list_approvals;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::{EmptyState, ErrorNotice, Loading};
use crate::domain::{DrawdownCursor, PageRequest};
use crate::i18n::DrawdownsText;

/// The tab's content.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live_changes();
    let search = RwSignal::new(String::new());
    // As on Partner drawdowns: a refresh keeps the pages already loaded.
    let shown = RwSignal::new(0usize);
    let last_search = StoredValue::new(None::<String>);
    let queue = crate::codec::wire_resource(
        move || (live.get(), search.get()),
        move |(_, search)| {
            let same = last_search.get_value().as_deref() == Some(search.as_str());
            last_search.set_value(Some(search.clone()));
            let page = PageRequest::first(if same { shown.get_untracked() } else { 0 });
            list_approvals((!search.trim().is_empty()).then_some(search), page)
        },
    );
    view! {
        <section class="panel" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">{move || i18n.t(DrawdownsText::ApprovalsHeading)}</h2>
            <p class="panel__hint">{move || i18n.t(DrawdownsText::ApprovalsHint)}</p>
            <div class="filters" role="search">
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
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(page) if page.rows.is_empty() && !search.get_untracked().trim().is_empty() => {
                            view! { <EmptyState title=DrawdownsText::NoDrawdownMatches /> }.into_any()
                        }
                        Ok(page) if page.rows.is_empty() => view! { <EmptyState title=DrawdownsText::NoApprovals /> }.into_any(),
                        Ok(first) => {
                            let search = search.get_untracked();
                            let more = move |after: DrawdownCursor| {
                                let search = (!search.trim().is_empty()).then(|| search.clone());
                                list_approvals(search, Some(after).into())
                            };
                            view! { <PagedDrawdowns first more shown account=None show_partner=true /> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
