//! Any path the portal does not know.

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::i18n::CommonText;

/// The "page not found" screen, with a 404 status on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h1>{move || i18n.t(CommonText::PageNotFound)}</h1>
            <p>
                <a href="/">{move || i18n.t(CommonText::BackToStart)}</a>
            </p>
        </section>
    }
}
