//! The Approvals tab (accounting): submitted requests of every partner,
//! oldest first, each opening its page where it is approved or rejected.

use leptos::prelude::*;

use super::drawdowns::DrawdownTable;
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
    let queue = Resource::new(move || live.get(), |_| list_approvals());
    view! {
        <section class="panel" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">{move || i18n.t(T::ApprovalsHeading)}</h2>
            <p class="panel__hint">{move || i18n.t(T::ApprovalsHint)}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(rows) if rows.is_empty() => view! { <EmptyState title=T::NoApprovals /> }.into_any(),
                        Ok(rows) => view! { <DrawdownTable rows account=None show_partner=true /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
