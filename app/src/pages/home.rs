//! `/`: where a visitor lands.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::Session;

/// Sends a signed-in user to their licenses, anyone else to sign in.
#[component]
pub fn Home() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let path = match session.user.await {
                    Ok(Some(_)) => "/licenses",
                    _ => "/sign-in",
                };
                view! { <Redirect path /> }
            })}
        </Suspense>
    }
}
