//! "Load more" under a list: a list that a tab reads again from the start
//! with one page more (license files, service instances, `ShownRows`), or
//! one that appends the page after a cursor (the request lists, the
//! statements, `CursorPages`). Both show the count, the button while there
//! are more, and move the keyboard focus to the first row that came in.

use std::future::Future;

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::components::status::ErrorNotice;
use crate::domain::{AccountId, ListRows};
use crate::error::AppError;
use crate::i18n::{CommonText, Text};

/// How many rows a tab asks for, and the row to focus once they are shown.
/// Lives above the part of the tab that re-renders, so a live refresh or an
/// action keeps the rows already loaded.
#[derive(Clone, Copy)]
pub struct ShownRows {
    asked: RwSignal<ListRows>,
    focus: RwSignal<Option<usize>>,
    account: StoredValue<Option<AccountId>>,
}

impl ShownRows {
    pub fn new() -> Self {
        Self {
            asked: RwSignal::new(ListRows::FIRST),
            focus: RwSignal::new(None),
            account: StoredValue::new(None),
        }
    }

    /// The rows to read for `account` (tracked): as many as asked, or the
    /// first page when the account is another than last time.
    pub fn for_account(self, account: Option<AccountId>) -> ListRows {
        if self.account.get_value() != account {
            self.account.set_value(account);
            self.asked.update_untracked(|asked| *asked = ListRows::FIRST);
            self.focus.update_untracked(|focus| *focus = None);
        }
        self.asked.get()
    }
}

impl Default for ShownRows {
    fn default() -> Self {
        Self::new()
    }
}

/// The count of rows shown and, while the list has more, Load more.
/// `row_id` names the element of each row (by position) that takes focus;
/// `counted` what the count counts ("license files shown").
#[component]
pub fn LoadMoreRows(
    rows: ShownRows,
    shown: usize,
    more: bool,
    row_id: fn(usize) -> String,
    #[prop(into)] counted: Text,
) -> impl IntoView {
    let i18n = use_i18n();
    if let Some(index) = rows.focus.get_untracked() {
        rows.focus.set(None);
        if index < shown {
            request_animation_frame(move || focus_element(&row_id(index)));
        }
    }
    let load_more = move |_| {
        rows.focus.set(Some(shown));
        rows.asked.set(ListRows::after(shown));
    };
    view! {
        <div class="pager">
            <p class="pager__count" role="status">
                {shown} " " {move || i18n.t(counted)}
            </p>
            {more
                .then(|| {
                    view! {
                        <button type="button" class="button" on:click=load_more>
                            {move || i18n.t(CommonText::LoadMore)}
                        </button>
                    }
                })}
        </div>
    }
}

/// The rows a list shows and where its next page starts (`C`), when more
/// remain: Load more appends the page after it, one read at a time.
pub struct CursorPages<T: Send + Sync + 'static, C: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    next: RwSignal<Option<C>>,
    loading: RwSignal<bool>,
    failed: RwSignal<Option<AppError>>,
}

impl<T: Send + Sync + 'static, C: Send + Sync + 'static> Clone for CursorPages<T, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static, C: Send + Sync + 'static> Copy for CursorPages<T, C> {}

impl<T: Send + Sync + 'static, C: Copy + Send + Sync + 'static> CursorPages<T, C> {
    /// The first page.
    pub fn new(rows: Vec<T>, next: Option<C>) -> Self {
        Self {
            rows: RwSignal::new(rows),
            next: RwSignal::new(next),
            loading: RwSignal::new(false),
            failed: RwSignal::new(None),
        }
    }

    /// Appends the page `fetch` reads after the last one shown (its rows and
    /// where the next starts), unless one is being read; then `loaded` gets
    /// the position of the first row that came in, if any did.
    pub fn load_more<F, Fut>(self, fetch: F, loaded: impl FnOnce(Option<usize>) + 'static)
    where
        F: FnOnce(C) -> Fut + 'static,
        Fut: Future<Output = Result<(Vec<T>, Option<C>), AppError>> + 'static,
    {
        let Some(after) = self.next.get_untracked() else {
            return;
        };
        if self.loading.get_untracked() {
            return;
        }
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            match fetch(after).await {
                Ok((rows, next)) => {
                    let first_new = self.rows.with_untracked(Vec::len);
                    let came = !rows.is_empty();
                    self.rows.update(|r| r.extend(rows));
                    self.next.set(next);
                    self.failed.set(None);
                    loaded(came.then_some(first_new));
                }
                Err(error) => self.failed.set(Some(error)),
            }
            self.loading.set(false);
        });
    }

    /// The count of rows shown (`counted`: "movements shown"), Load more
    /// while more remain, and why the last Load more failed.
    pub fn footer(self, counted: impl Into<Text>, on_more: Callback<()>) -> impl IntoView {
        let i18n = use_i18n();
        let counted = counted.into();
        view! {
            <div class="pager">
                <p class="pager__count" role="status">
                    {move || self.rows.with(Vec::len)} " " {move || i18n.t(counted)}
                </p>
                <Show when=move || self.next.with(Option::is_some)>
                    <button
                        type="button"
                        class="button"
                        on:click=move |_| on_more.run(())
                        aria-busy=move || self.loading.get().to_string()
                    >
                        {move || i18n.t(CommonText::LoadMore)}
                    </button>
                </Show>
            </div>
            {move || self.failed.get().map(|error| view! { <ErrorNotice error /> })}
        }
    }
}

/// Moves the keyboard focus to the element with `id`, if it is on the page.
#[cfg(feature = "hydrate")]
pub fn focus_element(id: &str) {
    use wasm_bindgen::JsCast;
    let element = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn focus_element(_: &str) {}
