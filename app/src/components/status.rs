//! Loading, empty and error states, the same everywhere.

use leptos::prelude::*;

use super::i18n::use_i18n;
use crate::error::AppError;
use crate::i18n::{CommonText, Text};

/// Shown while data loads.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="status status--loading" role="status">{move || i18n.t(CommonText::Loading)}</p> }
}

/// A refusal or failure from the server, in the user's language.
#[component]
pub fn ErrorNotice(
    /// What went wrong.
    error: AppError,
) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="status status--error" role="alert">{move || error.message(i18n.locale())}</p> }
}

/// What to show when there is nothing to list yet.
#[component]
pub fn EmptyState(
    /// The headline.
    #[prop(into)]
    title: Text,
    /// What will fill this place, and how.
    #[prop(optional, into)]
    hint: Option<Text>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="empty-state">
            <p class="empty-state__title">{move || i18n.t(title)}</p>
            {hint.map(|hint| view! { <p class="empty-state__hint">{move || i18n.t(hint)}</p> })}
        </div>
    }
}

/// A drawdown request's state, as a labelled badge.
#[component]
pub fn StateBadge(state: crate::domain::DrawdownState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge badge--{}", state.as_str())>
            {move || i18n.t(crate::i18n::state_text(state))}
        </span>
    }
}

/// A service instance's state, as a labelled badge.
#[component]
pub fn InstanceBadge(state: crate::domain::InstanceState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge badge--{}", state.as_str())>
            {move || crate::i18n::instance_state_text(i18n.locale(), state)}
        </span>
    }
}

/// Marks the element with this id `data-hydrated="true"` once the calling
/// view is live. Content under a Suspense hydrates after the page's root
/// (which carries the same mark), when its data has resolved; a click before
/// that is lost, so end-to-end tests wait on this mark.
pub fn mark_live(id: String) {
    Effect::new(move |_| {
        if let Some(element) = document().get_element_by_id(&id) {
            let _ = element.set_attribute("data-hydrated", "true");
        }
    });
}
