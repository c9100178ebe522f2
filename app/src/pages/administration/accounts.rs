//! Administration → Partners and Customers: the list, New partner / New
//! customer, Edit, Deactivate and Reactivate.

use leptos::prelude::*;

use super::shared::{
    first_page_view, standing_action, AccountPicker, Editing, FormFooter, FormOutcome, ListTable, Pages,
    RowActions, Section, SectionFrame, StandingBadge,
};
use crate::api::administration::{create_account, list_admin_accounts, set_account_active, update_account};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::EmptyState;
use crate::domain::{AccountForm, AccountId, AccountKind, AccountRow, AdminField, Standing};
use crate::error::AppError;
use crate::i18n::{editing as editing_heading, AdminText, CommonText, SectionText, Text};

/// The texts and ids of one kind's section.
struct Texts {
    id: &'static str,
    search_id: &'static str,
    heading: SectionText,
    hint: AdminText,
    new: AdminText,
}

fn texts(kind: AccountKind) -> Texts {
    match kind {
        AccountKind::Customer => Texts {
            id: "customers",
            search_id: "customers-search",
            heading: SectionText::Customers,
            hint: AdminText::CustomersHint,
            new: AdminText::NewCustomer,
        },
        _ => Texts {
            id: "partners",
            search_id: "partners-search",
            heading: SectionText::Partners,
            hint: AdminText::PartnersHint,
            new: AdminText::NewPartner,
        },
    }
}

/// Partners (`kind` partner) or Customers (`kind` customer).
#[component]
pub fn AccountsPage(kind: AccountKind) -> impl IntoView {
    let Texts {
        id,
        search_id,
        heading,
        hint,
        new,
    } = texts(kind);
    let section = Section::<AccountRow>::new();
    let first = section.first_page(move |search| list_admin_accounts(kind, search, None));
    view! {
        <SectionFrame
            id
            search_id
            heading
            hint
            new
            on_new=Callback::new(move |()| section.open(Editing::New, "account-name"))
            notice=section.notice
            applied=section.applied
            editor=ViewFn::from(move || {
                section.editing.get().map(|open| view! { <AccountEditor kind open section /> })
            })
            list=ViewFn::from(move || {
                first_page_view(id, first, move |page| {
                    view! { <AccountList kind pages=Pages::new(page) section /> }.into_any()
                })
            })
        />
    }
}

#[component]
fn AccountList(kind: AccountKind, pages: Pages<AccountRow>, section: Section<AccountRow>) -> impl IntoView {
    if pages.rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AdminText::NothingMatches /> }.into_any();
    }
    let actions = RowActions::new(section);
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
                        on_click=move || section.open(Editing::Row(edit.clone()), "account-name")
                    />
                    <RowAction
                        action=standing_action(standing)
                        subject=name
                        busy=actions.busy
                        on_click=move || {
                            let active = standing != Standing::Active;
                            actions.run(async move { set_account_active(id, active).await.map(|()| None) });
                        }
                    />
                </td>
            </tr>
        }
    };
    let mut columns: Vec<Text> = vec![AdminText::Name.into()];
    if customers {
        columns.push(AdminText::ManagingPartner.into());
    }
    columns.extend::<[Text; 4]>([
        AdminText::Website.into(),
        AdminText::ContactName.into(),
        CommonText::State.into(),
        CommonText::Actions.into(),
    ]);
    view! {
        <ListTable
            caption=texts(kind).heading
            columns
            pages
            actions
            row=move |r| row(r).into_any()
            applied=section.applied
            read=move |search, after| list_admin_accounts(kind, search, Some(after))
        />
    }
    .into_any()
}

#[component]
fn AccountEditor(
    kind: AccountKind,
    open: Editing<AccountRow>,
    section: Section<AccountRow>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (id, form, partner_name, title) = match open {
        Editing::New => (None, AccountForm::default(), None, None),
        Editing::Row(row) => (
            Some(row.id),
            row.form(),
            row.managed_by_name.clone(),
            Some(row.name),
        ),
    };
    let new = texts(kind).new;
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
            move |()| section.changed(Some(i18n.t(AdminText::Saved).to_string())),
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
                <FormFooter outcome on_close=Callback::new(move |()| section.editing.set(None)) />
            </form>
        </section>
    }
    .into_any()
}

async fn save_account(kind: AccountKind, id: Option<AccountId>, form: AccountForm) -> Result<(), AppError> {
    match id {
        None => create_account(kind, form).await.map(|_| ()),
        Some(id) => update_account(id, form).await,
    }
}
