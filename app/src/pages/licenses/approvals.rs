//! The Approvals tab (accounting): submitted requests of every partner,
//! oldest first, each opening its page where it is approved or rejected.

use leptos::prelude::*;

use super::drawdowns::PagedDrawdowns;
use crate::api::drawdowns::list_approvals;
use crate::components::i18n::use_i18n;
use crate::components::live::use_live_changes;
use crate::components::status::{EmptyState, ErrorNotice, Loading};
use crate::i18n::T;

/// The tab's content.
#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live_changes();
    let search = RwSignal::new(String::new());
    let queue = Resource::new(
        move || (live.get(), search.get()),
        |(_, search)| list_approvals((!search.trim().is_empty()).then_some(search), None),
    );
    view! {
        <section class="panel" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">{move || i18n.t(T::ApprovalsHeading)}</h2>
            <p class="panel__hint">{move || i18n.t(T::ApprovalsHint)}</p>
            <div class="filters" role="search">
                <div class="field field--inline field--grow">
                    <label for="approvals-search">{move || i18n.t(T::SearchByCustomer)}</label>
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
                            view! { <EmptyState title=T::NoDrawdownMatches /> }.into_any()
                        }
                        Ok(page) if page.rows.is_empty() => view! { <EmptyState title=T::NoApprovals /> }.into_any(),
                        Ok(first) => {
                            let search = search.get_untracked();
                            let more = move |after| {
                                let search = (!search.trim().is_empty()).then(|| search.clone());
                                list_approvals(search, Some(after))
                            };
                            view! { <PagedDrawdowns first more account=None show_partner=true /> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
