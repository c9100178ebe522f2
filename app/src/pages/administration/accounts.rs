//! Administration → Partners and Customers: the list, New partner / New
//! customer, Edit, Deactivate and Reactivate.

use leptos::prelude::*;

use super::shared::{
    standing_action, AccountPicker, FormError, FormOutcome, LoadMore, Pages, SearchBar, StandingBadge,
};
use crate::api::administration::{create_account, list_admin_accounts, set_account_active, update_account};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::pager::focus_element;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{AccountForm, AccountId, AccountKind, AccountRow, AdminField};
use crate::i18n::{editing as editing_heading, AdminText, CommonText};

/// What the form is open for: a new account, or one of the list's.
#[derive(Clone, PartialEq)]
enum Editing {
    New,
    Row(AccountRow),
}

/// The texts of one kind's section.
struct Section {
    id: &'static str,
    heading: AdminText,
    hint: AdminText,
    new: AdminText,
}

fn section(kind: AccountKind) -> Section {
    match kind {
        AccountKind::Customer => Section {
            id: "customers",
            heading: AdminText::Customers,
            hint: AdminText::CustomersHint,
            new: AdminText::NewCustomer,
        },
        _ => Section {
            id: "partners",
            heading: AdminText::Partners,
            hint: AdminText::PartnersHint,
            new: AdminText::NewPartner,
        },
    }
}

/// Partners (`kind` partner) or Customers (`kind` customer).
#[component]
pub fn AccountsPage(kind: AccountKind) -> impl IntoView {
    let i18n = use_i18n();
    let Section {
        id,
        heading,
        hint,
        new,
    } = section(kind);
    let applied = RwSignal::new(String::new());
    let changed = RwSignal::new(0u32);
    let editing = RwSignal::new(None::<Editing>);
    let saved = RwSignal::new(false);
    let first = crate::codec::wire_resource(
        move || (applied.get(), changed.get()),
        move |(search, _)| list_admin_accounts(kind, search, None),
    );
    let list = move || {
        Suspend::new(async move {
            match first.await {
                Ok(page) => {
                    let view = view! { <AccountList kind pages=Pages::new(page) applied editing changed /> }
                        .into_any();
                    mark_live(format!("{id}-tab"));
                    view
                }
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }
        })
    };
    let open_new = move |_| {
        saved.set(false);
        editing.set(Some(Editing::New));
        request_animation_frame(move || focus_element("account-name"));
    };
    view! {
        <section class="panel" id=format!("{id}-tab") aria-labelledby=format!("{id}-heading")>
            <div class="panel__head">
                <h2 id=format!("{id}-heading")>{move || i18n.t(heading)}</h2>
                <button type="button" class="button button--primary" on:click=open_new>
                    {move || i18n.t(new)}
                </button>
            </div>
            <p class="panel__hint">{move || i18n.t(hint)}</p>
            {move || saved.get().then(|| view! { <p class="status" role="status">{move || i18n.t(AdminText::Saved)}</p> })}
            {move || {
                editing
                    .get()
                    .map(|open| view! { <AccountEditor kind open editing changed saved /> })
            }}
            <SearchBar id=if kind == AccountKind::Customer { "customers-search" } else { "partners-search" } applied />
            <Transition fallback=Loading>{list}</Transition>
        </section>
    }
    .into_any()
}

#[component]
fn AccountList(
    kind: AccountKind,
    pages: Pages<AccountRow>,
    applied: RwSignal<String>,
    editing: RwSignal<Option<Editing>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    if pages.rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AdminText::NothingMatches /> }.into_any();
    }
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(None::<crate::error::AppError>);
    let customers = kind == AccountKind::Customer;
    let row = move |account: AccountRow| {
        let name = account.name.clone();
        let (id, standing) = (account.id, account.standing);
        let edit = account.clone();
        let contact = [account.contact_name.clone(), account.contact_email.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <tr>
                <th scope="row">{account.name.clone()}</th>
                {customers.then(|| view! { <td>{account.managed_by_name.clone().unwrap_or_default()}</td> })}
                <td>{account.website.clone().unwrap_or_default()}</td>
                <td>{contact}</td>
                <td><StandingBadge standing /></td>
                <td class="row-actions">
                    <RowAction
                        action=AdminText::Edit
                        subject=name.clone()
                        on_click=move || {
                            editing.set(Some(Editing::Row(edit.clone())));
                            request_animation_frame(move || focus_element("account-name"));
                        }
                    />
                    <RowAction
                        action=standing_action(standing)
                        subject=name
                        busy=busy
                        on_click=move || {
                            busy.set(true);
                            leptos::task::spawn_local(async move {
                                let active = standing != crate::domain::Standing::Active;
                                match set_account_active(id, active).await {
                                    Ok(()) => changed.update(|n| *n += 1),
                                    Err(e) => failed.set(Some(e)),
                                }
                                busy.set(false);
                            });
                        }
                    />
                </td>
            </tr>
        }
    };
    let caption = section(kind).heading;
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=move || i18n.t(caption)>
            <table class="table">
                <caption class="visually-hidden">{move || i18n.t(caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t(AdminText::Name)}</th>
                        {customers.then(|| view! { <th scope="col">{move || i18n.t(AdminText::ManagingPartner)}</th> })}
                        <th scope="col">{move || i18n.t(AdminText::Website)}</th>
                        <th scope="col">{move || i18n.t(AdminText::ContactName)}</th>
                        <th scope="col">{move || i18n.t(CommonText::State)}</th>
                        <th scope="col">{move || i18n.t(CommonText::Actions)}</th>
                    </tr>
                </thead>
                <tbody>{move || pages.rows.get().into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        {move || failed.get().map(|error| view! { <ErrorNotice error /> })}
        <LoadMore
            more=Signal::derive(move || pages.next.get().is_some())
            loading=pages.loading
            on_click=move || {
                let search = applied.get_untracked();
                pages.load_more(move |after| list_admin_accounts(kind, search, Some(after)));
            }
        />
    }
    .into_any()
}

#[component]
fn AccountEditor(
    kind: AccountKind,
    open: Editing,
    editing: RwSignal<Option<Editing>>,
    changed: RwSignal<u32>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (id, form, partner_name) = match &open {
        Editing::New => (None, AccountForm::default(), None),
        Editing::Row(row) => (Some(row.id), row.form(), row.managed_by_name.clone()),
    };
    let title = match &open {
        Editing::New => None,
        Editing::Row(row) => Some(row.name.clone()),
    };
    let new = section(kind).new;
    let heading = move || match &title {
        None => i18n.t(new).to_string(),
        Some(name) => editing_heading(i18n.locale(), name),
    };
    let name = RwSignal::new(form.name);
    let website = RwSignal::new(form.website);
    let contact_name = RwSignal::new(form.contact_name);
    let contact_email = RwSignal::new(form.contact_email);
    let managed_by = RwSignal::new(form.managed_by);
    let outcome = FormOutcome::new();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = AccountForm {
            name: name.get_untracked(),
            website: website.get_untracked(),
            contact_name: contact_name.get_untracked(),
            contact_email: contact_email.get_untracked(),
            managed_by: managed_by.get_untracked(),
        };
        outcome.run(
            move || save_account(kind, id, form),
            move |()| {
                editing.set(None);
                saved.set(true);
                changed.update(|n| *n += 1);
            },
        );
    };
    let field = move |id: &'static str,
                      label: AdminText,
                      value: RwSignal<String>,
                      problem: AdminField,
                      input_type: &'static str| {
        view! {
            <TextField
                id=id
                label=Signal::derive(move || i18n.t(label).to_string())
                value=value
                error=outcome.problem(problem)
                input_type=input_type
                autocomplete="off"
            />
        }
    };
    view! {
        <section class="editor" aria-labelledby="account-editor-heading">
            <h3 id="account-editor-heading">{heading}</h3>
            <form on:submit=save novalidate>
                {field("account-name", AdminText::Name, name, AdminField::Name, "text")}
                {(kind == AccountKind::Customer)
                    .then(|| {
                        view! {
                            <AccountPicker
                                id="account-managed-by"
                                label=AdminText::ManagingPartner
                                kind=AccountKind::Partner
                                selected=managed_by
                                selected_name=partner_name.clone().unwrap_or_default()
                                error=outcome.problem(AdminField::ManagingPartner)
                            />
                        }
                    })}
                {field("account-website", AdminText::Website, website, AdminField::Website, "url")}
                {field("account-contact-name", AdminText::ContactName, contact_name, AdminField::ContactName, "text")}
                {field("account-contact-email", AdminText::ContactEmail, contact_email, AdminField::ContactEmail, "email")}
                {view! { <FormError outcome /> }.into_any()}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" disabled=move || outcome.pending.get()>
                        {move || i18n.t(CommonText::Save)}
                    </button>
                    <button type="button" class="button" on:click=move |_| editing.set(None)>
                        {move || i18n.t(AdminText::CloseForm)}
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

async fn save_account(
    kind: AccountKind,
    id: Option<AccountId>,
    form: AccountForm,
) -> Result<(), crate::error::AppError> {
    match id {
        None => create_account(kind, form).await.map(|_| ()),
        Some(id) => update_account(id, form).await,
    }
}
