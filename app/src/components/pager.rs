//! "Load more" under a list that a tab reads again from the start with one
//! page more (license files, service instances): the count shown, the
//! button while there are more, and the keyboard focus on the first row
//! that came in.

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::domain::{AccountId, ListRows};
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
