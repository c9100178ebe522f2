//! What the sections of Administration share: the search over a list,
//! Load more, a form's problems next to their fields, and the picker of an
//! account among thousands.

use leptos::prelude::*;

use crate::api::administration::list_admin_accounts;
use crate::codec::WireResource;
use crate::components::form::{FieldError, TextField};
use crate::components::i18n::use_i18n;
use crate::components::pager::focus_element;
use crate::components::status::{mark_live, ErrorNotice, Loading};
use crate::domain::{AccountId, AccountKind, AdminCursor, AdminField, AdminPage, Standing};
use crate::error::AppError;
use crate::i18n::{admin_rule_text, standing_text, AdminText, CommonText, ErrorText, SectionText, Text};

/// What the form of a section is open for: a new row, or one of the list's.
#[derive(Clone, PartialEq)]
pub enum Editing<R> {
    New,
    Row(R),
}

/// What a section keeps above its list and its form, which both render
/// again when the list is read again: the search applied, a counter that
/// has the list read again, the form open, and the note of the last change.
pub struct Section<R: Send + Sync + 'static> {
    pub applied: RwSignal<String>,
    pub changed: RwSignal<u32>,
    pub editing: RwSignal<Option<Editing<R>>>,
    pub notice: RwSignal<Option<String>>,
}

impl<R: Send + Sync + 'static> Clone for Section<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R: Send + Sync + 'static> Copy for Section<R> {}

impl<R: Clone + Send + Sync + 'static> Section<R> {
    pub fn new() -> Self {
        Self {
            applied: RwSignal::new(String::new()),
            changed: RwSignal::new(0),
            editing: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }

    /// Opens the form, the keyboard on the field with id `focus`.
    pub fn open(self, editing: Editing<R>, focus: &'static str) {
        self.notice.set(None);
        self.editing.set(Some(editing));
        request_animation_frame(move || focus_element(focus));
    }

    /// After a change: the form closed, `note` said, the list read again.
    pub fn changed(self, note: Option<String>) {
        self.editing.set(None);
        self.notice.set(note);
        self.changed.update(|n| *n += 1);
    }

    /// The first page of the list, read again when the search or a row changes.
    pub fn first_page<F>(
        self,
        read: impl Fn(String) -> F + Send + Sync + 'static,
    ) -> WireResource<AdminPage<R>>
    where
        F: std::future::Future<Output = Result<AdminPage<R>, AppError>> + Send + 'static,
        R: serde::Serialize + serde::de::DeserializeOwned,
    {
        let (applied, changed) = (self.applied, self.changed);
        crate::codec::wire_resource(
            move || (applied.get(), changed.get()),
            move |(search, _)| read(search),
        )
    }
}

impl<R: Clone + Send + Sync + 'static> Default for Section<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// A section's frame: its heading with the New button, its hint, the note
/// of the last change, the form when open, the search and the list (marked
/// live once its first page is shown, for the end-to-end tests).
#[component]
pub fn SectionFrame(
    /// The section's id: `{id}-tab`, `{id}-heading`.
    id: &'static str,
    /// The search field's id.
    search_id: &'static str,
    heading: SectionText,
    hint: AdminText,
    /// The New button's name.
    new: AdminText,
    on_new: Callback<()>,
    notice: RwSignal<Option<String>>,
    applied: RwSignal<String>,
    /// The form, while it is open.
    editor: ViewFn,
    /// What stands between the form and the search (Import orders).
    #[prop(optional, into)]
    extra: Option<ViewFn>,
    /// The list, in its Transition (`first_page_view`).
    list: ViewFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("{id}-heading");
    view! {
        <section class="panel" id=format!("{id}-tab") aria-labelledby=heading_id.clone()>
            <div class="panel__head">
                <h2 id=heading_id.clone()>{move || i18n.t(heading)}</h2>
                <button type="button" class="button button--primary" on:click=move |_| on_new.run(())>
                    {move || i18n.t(new)}
                </button>
            </div>
            <p class="panel__hint">{move || i18n.t(hint)}</p>
            {move || notice.get().map(|text| view! { <p class="status" role="status">{text}</p> })}
            {move || editor.run()}
            {extra.map(|extra| extra.run())}
            <SearchBar id=search_id applied />
            {list.run()}
        </section>
    }
    .into_any()
}

/// The list of a section, read in a Transition: `render`ed once `first`
/// is read, and the section (`{id}-tab`) marked live; a refusal told
/// instead.
pub fn first_page_view<R>(
    id: &'static str,
    first: WireResource<AdminPage<R>>,
    render: impl Fn(AdminPage<R>) -> AnyView + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    R: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let list = move || {
        let render = render.clone();
        Suspend::new(async move {
            match first.await {
                Ok(page) => {
                    let view = render(page);
                    mark_live(format!("{id}-tab"));
                    view
                }
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }
        })
    };
    view! { <Transition fallback=Loading>{list}</Transition> }
}

/// The actions of a list's rows (Deactivate, Reactivate, Send invitation…):
/// one at a time, the list read again after, a refusal shown under it.
#[derive(Clone, Copy)]
pub struct RowActions {
    pub busy: RwSignal<bool>,
    pub failed: RwSignal<Option<AppError>>,
    changed: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
}

impl RowActions {
    pub fn new<R: Send + Sync + 'static>(section: Section<R>) -> Self {
        Self {
            busy: RwSignal::new(false),
            failed: RwSignal::new(None),
            changed: section.changed,
            notice: section.notice,
        }
    }

    /// Runs `call`; its answer, if any, is the section's note.
    pub fn run<F>(self, call: F)
    where
        F: std::future::Future<Output = Result<Option<String>, AppError>> + 'static,
    {
        self.busy.set(true);
        self.failed.set(None);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(note) => {
                    self.notice.set(note);
                    self.changed.update(|n| *n += 1);
                }
                Err(e) => self.failed.set(Some(e)),
            }
            self.busy.set(false);
        });
    }

    /// The refusal of the last action, under the list.
    pub fn failure(self) -> impl IntoView {
        move || self.failed.get().map(|error| view! { <ErrorNotice error /> })
    }
}

/// A form's last lines: what went wrong, Save (or `submit`) and Close.
#[component]
pub fn FormFooter(
    outcome: FormOutcome,
    /// The submit button's name; Save unless given.
    #[prop(optional, into)]
    submit: Option<Signal<&'static str>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let submit = submit.unwrap_or_else(|| Signal::derive(move || i18n.t(CommonText::Save)));
    view! {
        <FormError outcome />
        <div class="form-actions">
            <button type="submit" class="button button--primary" disabled=move || outcome.pending.get()>
                {move || submit.get()}
            </button>
            <button type="button" class="button" on:click=move |_| on_close.run(())>
                {move || i18n.t(AdminText::CloseForm)}
            </button>
        </div>
    }
    .into_any()
}

/// The last answer of a form's Save: its problems go next to their fields,
/// anything else above the button.
#[derive(Clone, Copy)]
pub struct FormOutcome {
    pub error: RwSignal<Option<AppError>>,
    pub pending: RwSignal<bool>,
}

impl FormOutcome {
    pub fn new() -> Self {
        Self {
            error: RwSignal::new(None),
            pending: RwSignal::new(false),
        }
    }

    /// The message of `field`'s problem, if the last Save had one.
    pub fn problem(self, field: AdminField) -> Signal<Option<String>> {
        let i18n = use_i18n();
        let error = self.error;
        Signal::derive(move || {
            error.with(|e| match e {
                Some(AppError::InvalidForm { problems }) => problems
                    .iter()
                    .find(|p| p.field == field)
                    .map(|p| admin_rule_text(i18n.locale(), &p.rule)),
                _ => None,
            })
        })
    }

    /// Runs a Save: `call` in the browser, then `done` on success; a
    /// refusal stays in `error` for the fields to show.
    pub fn run<F, T>(self, call: impl FnOnce() -> F + 'static, done: impl FnOnce(T) + 'static)
    where
        F: std::future::Future<Output = Result<T, AppError>> + 'static,
        T: 'static,
    {
        self.pending.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = call().await;
            self.pending.set(false);
            match result {
                Ok(value) => done(value),
                Err(error) => self.error.set(Some(error)),
            }
        });
    }
}

impl Default for FormOutcome {
    fn default() -> Self {
        Self::new()
    }
}

/// The message above a form's buttons: what went wrong, or, when fields
/// have problems (each shown next to its field), that nothing was saved.
#[component]
pub fn FormError(outcome: FormOutcome) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        outcome.error.get().map(|e| {
            let message = move || match &e {
                AppError::InvalidForm { .. }
                | AppError::InvalidEmail { .. }
                | AppError::InvalidDisplayName { .. }
                | AppError::EmailTaken
                | AppError::InvalidInput { .. } => i18n.t(ErrorText::ErrorInvalidForm).to_string(),
                other => other.message(i18n.locale()),
            };
            view! { <p class="form-error" role="alert">{message}</p> }
        })
    }
}

/// The search above a list: applied on Enter or with the button.
#[component]
pub fn SearchBar(
    /// The list's id, for the field's.
    id: &'static str,
    /// The search applied to the list.
    applied: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let typed = RwSignal::new(applied.get_untracked());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        applied.set(typed.get_untracked());
    };
    view! {
        <form class="filters" role="search" on:submit=submit>
            <TextField
                id=id
                label=Signal::derive(move || i18n.t(AdminText::Search).to_string())
                hint=Signal::derive(move || i18n.t(AdminText::SearchHint).to_string())
                value=typed
                error=Signal::derive(|| None::<String>)
                input_type="search"
            />
            <div class="filters__actions">
                <button type="submit" class="button">{move || i18n.t(AdminText::Search)}</button>
            </div>
        </form>
    }
}

/// The rows of a list read so far, and reading the next page.
pub struct Pages<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<AdminCursor>>,
    pub loading: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for Pages<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Pages<T> {}

impl<T: Clone + Send + Sync + 'static> Pages<T> {
    /// The first page.
    pub fn new(first: AdminPage<T>) -> Self {
        Self {
            rows: RwSignal::new(first.rows),
            next: RwSignal::new(first.next),
            loading: RwSignal::new(false),
        }
    }

    /// Reads the page after the last one with `read` and adds its rows.
    pub fn load_more<F>(self, read: impl FnOnce(AdminCursor) -> F + 'static)
    where
        F: std::future::Future<Output = Result<AdminPage<T>, AppError>> + 'static,
    {
        let Some(after) = self.next.get_untracked() else {
            return;
        };
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(page) = read(after).await {
                self.next.set(page.next);
                self.rows.update(|r| r.extend(page.rows));
            }
            self.loading.set(false);
        });
    }
}

/// Load more, while the list has more.
#[component]
pub fn LoadMore(
    /// Whether a next page exists.
    #[prop(into)]
    more: Signal<bool>,
    #[prop(into)] loading: Signal<bool>,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="pager" hidden=move || !more.get()>
            <button type="button" class="button" disabled=move || loading.get() on:click=move |_| on_click()>
                {move || i18n.t(CommonText::LoadMore)}
            </button>
        </p>
    }
}

/// A row's standing, as its badge.
#[component]
pub fn StandingBadge(standing: Standing, #[prop(optional)] of_order: bool) -> impl IntoView {
    let i18n = use_i18n();
    let class = match standing {
        Standing::Active => "badge badge--active",
        Standing::Deactivated => "badge badge--deactivated",
    };
    view! { <span class=class>{move || i18n.t(standing_text(standing, of_order))}</span> }
}

/// The action that flips a row's standing: Deactivate or Reactivate.
pub fn standing_action(standing: Standing) -> AdminText {
    match standing {
        Standing::Active => AdminText::Deactivate,
        Standing::Deactivated => AdminText::Reactivate,
    }
}

/// A labelled select of accounts of one kind with a field that narrows it
/// by the start of their names: a portal has thousands. The account chosen
/// stays among the options whatever the filter.
#[component]
pub fn AccountPicker(
    /// The select's id; the filter's derives from it.
    id: &'static str,
    /// The select's accessible name ("Managing partner", "Partner", "Account").
    #[prop(into)]
    label: Text,
    /// The kind of accounts offered; the vendor is its one account.
    #[prop(into)]
    kind: Signal<AccountKind>,
    /// The account chosen.
    selected: RwSignal<Option<AccountId>>,
    /// The name of the account chosen before the form opened.
    #[prop(optional)]
    selected_name: Option<String>,
    /// The vendor's account, offered when `kind` is the vendor.
    #[prop(optional)]
    vendor: Option<(AccountId, String)>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(String::new());
    let chosen_name = RwSignal::new(selected_name);
    let filter_id = format!("{id}-find");
    let error_id = format!("{id}-error");
    let choices = crate::codec::wire_resource(
        move || (kind.get(), filter.get()),
        |(kind, filter)| async move {
            if kind == AccountKind::Vendor {
                return Ok(AdminPage {
                    rows: Vec::new(),
                    next: None,
                });
            }
            list_admin_accounts(kind, filter, None).await
        },
    );
    let options = move || {
        let mut offered: Vec<(AccountId, String)> = match kind.get() {
            AccountKind::Vendor => vendor.clone().into_iter().collect(),
            _ => choices
                .get()
                .and_then(Result::ok)
                .map(|page| {
                    page.rows
                        .into_iter()
                        .filter(|a| a.standing == Standing::Active)
                        .map(|a| (a.id, a.name))
                        .collect()
                })
                .unwrap_or_default(),
        };
        if let (Some(id), Some(name)) = (selected.get(), chosen_name.get()) {
            if !offered.iter().any(|(a, _)| *a == id) {
                offered.insert(0, (id, name));
            }
        }
        offered
            .into_iter()
            .map(|(account, name)| {
                view! {
                    <option value=account.0.to_string() selected=move || selected.get() == Some(account)>
                        {name}
                    </option>
                }
            })
            .collect_view()
    };
    let find_label = move || match kind.get() {
        AccountKind::Partner => i18n.t(AdminText::FindPartner),
        _ => i18n.t(AdminText::FindAccount),
    };
    view! {
        <div class="field field--picker">
            <label for=filter_id.clone()>{find_label}</label>
            <input
                id=filter_id.clone()
                type="search"
                autocomplete="off"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))
            />
            <label for=id>{move || i18n.t(label)}</label>
            <select
                id=id
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().is_some().then(|| error_id.clone())
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let choice = value.parse::<i64>().ok().map(AccountId);
                    selected.set(choice);
                    chosen_name.set(choice.and_then(|_| selected_text(&ev)));
                }
            >
                <option value="" selected=move || selected.get().is_none()>{move || i18n.t(AdminText::Choose)}</option>
                {options}
            </select>
            <FieldError id=format!("{id}-error") message=error />
        </div>
    }
    .into_any()
}

/// The text of the option a select's change chose.
#[cfg(feature = "hydrate")]
fn selected_text(ev: &leptos::ev::Event) -> Option<String> {
    use wasm_bindgen::JsCast;
    let select = ev.target()?.dyn_into::<web_sys::HtmlSelectElement>().ok()?;
    let option = select.selected_options().item(0)?;
    option.text_content()
}

#[cfg(not(feature = "hydrate"))]
fn selected_text(_: &leptos::ev::Event) -> Option<String> {
    None
}

/// A section's list: its table (caption, column headings, a row each), the
/// refusal of the last row action under it, and Load more, which reads the
/// page after the last one shown with the search applied.
#[component]
pub fn ListTable<R, F, L, Fut>(
    /// The table's name, as the section's.
    caption: SectionText,
    /// The column headings.
    columns: Vec<Text>,
    pages: Pages<R>,
    actions: RowActions,
    /// One row's view.
    row: F,
    /// The search applied to the list.
    applied: RwSignal<String>,
    /// Reads a page: the search, and where the page starts.
    read: L,
) -> impl IntoView
where
    R: Clone + Send + Sync + 'static,
    F: Fn(R) -> AnyView + Clone + Send + Sync + 'static,
    L: Fn(String, AdminCursor) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AdminPage<R>, AppError>> + 'static,
{
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(caption)>
            <table class="table">
                <caption class="visually-hidden">{move || i18n.t(caption)}</caption>
                <thead>
                    <tr>
                        {columns
                            .into_iter()
                            .map(|column| view! { <th scope="col">{move || i18n.t(column)}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{move || pages.rows.get().into_iter().map(row.clone()).collect_view()}</tbody>
            </table>
        </div>
        {actions.failure()}
        <LoadMore
            more=Signal::derive(move || pages.next.get().is_some())
            loading=pages.loading
            on_click=move || {
                let search = applied.get_untracked();
                pages.load_more(move |after| read(search, after));
            }
        />
    }
    .into_any()
}
