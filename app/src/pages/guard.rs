//! Screens for signed-in users only.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::status::{ErrorNotice, Loading};
use crate::domain::CurrentUser;
use crate::Session;

/// Renders `children` with the signed-in user; sends anyone else to sign in.
/// (The server functions check again: this only spares a useless page.)
#[component]
pub fn RequireUser<F, V>(
    /// The screen, given the signed-in user.
    children: F,
) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let session = expect_context::<Session>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.user.await {
                        // Untracked: what the screen reads while it is built (its
                        // resources' sources) must not re-run this block, which
                        // would build the screen again and leave resources of a
                        // dropped copy in the page's serialized data.
                        Ok(Some(user)) => untrack(|| children(user).into_any()),
                        Ok(None) => view! { <Redirect path="/sign-in" /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
