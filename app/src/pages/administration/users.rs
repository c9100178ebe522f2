//! Administration → Users: everyone who signs in; New user (invited by
//! email), Edit (name and role), Deactivate, Reactivate, Send invitation
//! again and Reset password.

use leptos::prelude::*;

use super::shared::{
    AccountPicker, Editing, FormFooter, FormOutcome, ListTable, Pages, RowActions, Section, SectionFrame,
};
use crate::api::administration::{list_admin_users, send_password_link, update_user};
use crate::api::people::{invite_user, set_user_active};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::{mark_live, EmptyState, ErrorNotice, Loading};
use crate::domain::{
    AccountId, AccountKind, AdminField, CurrentUser, LinkSent, Role, UserChange, UserSummary,
};
use crate::error::AppError;
use crate::i18n::{
    date_time, editing as editing_heading, email_error, invitation_sent, name_error, reset_link_sent,
    role_text, AccountText, AdminText, CommonText, SectionText,
};

/// The section.
#[component]
pub fn UsersPage() -> impl IntoView {
    let session = expect_context::<crate::Session>();
    let section = Section::<UserSummary>::new();
    let first = section.first_page(|search| list_admin_users(search, None));
    let editor = move || {
        let open = section.editing.get()?;
        let me = session.user.get().and_then(Result::ok).flatten()?;
        Some(view! { <UserEditor open me section /> })
    };
    // One Suspend for both reads: the list needs who is signed in (nobody
    // deactivates themselves).
    let list = move || {
        Suspend::new(async move {
            let me = session.user.await.ok().flatten().map(|u| u.id);
            match (first.await, me) {
                (Ok(page), Some(me)) => {
                    let view = view! { <UserList pages=Pages::new(page) me section /> }.into_any();
                    mark_live("users-tab".to_string());
                    view
                }
                (Err(error), _) => view! { <ErrorNotice error /> }.into_any(),
                (_, None) => view! { <Loading /> }.into_any(),
            }
        })
    };
    view! {
        <SectionFrame
            id="users"
            search_id="users-search"
            heading=SectionText::Users
            hint=AdminText::UsersHint
            new=AdminText::NewUser
            on_new=Callback::new(move |()| section.open(Editing::New, "user-email"))
            notice=section.notice
            applied=section.applied
            editor=ViewFn::from(editor)
            list=ViewFn::from(move || view! { <Transition fallback=Loading>{list}</Transition> })
        />
    }
}

#[component]
fn UserList(
    pages: Pages<UserSummary>,
    me: crate::domain::UserId,
    section: Section<UserSummary>,
) -> impl IntoView {
    let i18n = use_i18n();
    if pages.rows.with_untracked(Vec::is_empty) {
        return view! { <EmptyState title=AdminText::NothingMatches /> }.into_any();
    }
    let actions = RowActions::new(section);
    let row = move |person: UserSummary| {
        let id = person.id;
        let deactivated = person.deactivated_at.is_some();
        let state = if deactivated {
            AccountText::UserDeactivated
        } else if person.invited {
            AccountText::UserInvited
        } else {
            AccountText::UserActive
        };
        let link_action = if person.invited {
            AdminText::SendInvitation
        } else {
            AdminText::ResetPassword
        };
        let email = person.email.clone();
        let edit = person.clone();
        let last = person.last_sign_in_at;
        let role = role_text(person.role);
        let toggle = if deactivated {
            AdminText::Reactivate
        } else {
            AdminText::Deactivate
        };
        view! {
            <tr>
                <th scope="row">{person.display_name.clone()}</th>
                <td>{person.email.clone()}</td>
                <td>{move || i18n.t(role)}</td>
                <td>{person.account_name.clone()}</td>
                <td>
                    {move || {
                        last.map(|at| date_time(i18n.locale(), at))
                            .unwrap_or_else(|| i18n.t(AccountText::Never).to_string())
                    }}
                </td>
                <td>{move || i18n.t(state)}</td>
                <td class="row-actions">
                    <RowAction
                        action=AdminText::Edit
                        subject=email.clone()
                        on_click=move || section.open(Editing::Row(edit.clone()), "user-display-name")
                    />
                    {(!deactivated)
                        .then(|| {
                            let to = email.clone();
                            view! {
                                <RowAction
                                    action=link_action
                                    subject=email.clone()
                                    busy=actions.busy
                                    on_click=move || {
                                        let to = to.clone();
                                        actions.run(async move {
                                            let sent = send_password_link(id).await?;
                                            let locale = i18n.locale();
                                            Ok(Some(match sent {
                                                LinkSent::Invitation => invitation_sent(locale, &to),
                                                LinkSent::PasswordReset => reset_link_sent(locale, &to),
                                            }))
                                        });
                                    }
                                />
                            }
                        })}
                    {(id != me)
                        .then(|| {
                            view! {
                                <RowAction
                                    action=toggle
                                    subject=email.clone()
                                    busy=actions.busy
                                    on_click=move || {
                                        actions.run(async move { set_user_active(id, deactivated).await.map(|()| None) });
                                    }
                                />
                            }
                        })}
                </td>
            </tr>
        }
    };
    view! {
        <ListTable
            caption=SectionText::Users
            columns=vec![AdminText::DisplayName.into(), AdminText::Email.into(), AccountText::Role.into(), AdminText::Account.into(), AccountText::LastSignIn.into(), CommonText::State.into(), CommonText::Actions.into()]
            pages
            actions
            row=move |r| row(r).into_any()
            applied=section.applied
            read=|search, after| list_admin_users(search, Some(after))
        />
    }
    .into_any()
}

/// The roles an account of `kind` holds, as the Role select offers them.
fn roles_of(kind: AccountKind) -> &'static [Role] {
    match kind {
        AccountKind::Partner => &[Role::PartnerUser, Role::PartnerAdmin],
        AccountKind::Customer => &[Role::CustomerUser],
        AccountKind::Vendor => &[Role::Accounting, Role::VendorAdmin],
    }
}

#[component]
fn UserEditor(open: Editing<UserSummary>, me: CurrentUser, section: Section<UserSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let existing = match &open {
        Editing::New => None,
        Editing::Row(row) => Some(row.clone()),
    };
    let email = RwSignal::new(String::new());
    let display_name = RwSignal::new(
        existing
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
    );
    let role = RwSignal::new(existing.as_ref().map_or(Role::PartnerUser, |u| u.role));
    let account = RwSignal::new(None::<AccountId>);
    let kind = Signal::derive(move || role.get().account_kind());
    // A new kind of account, a new choice of account.
    Effect::new(move |previous: Option<AccountKind>| {
        let now = kind.get();
        if previous.is_some_and(|p| p != now) {
            account.set(None);
        }
        now
    });
    let outcome = FormOutcome::new();
    let email_problem = Signal::derive(move || match outcome.error.get() {
        Some(AppError::InvalidEmail { problem }) => Some(email_error(i18n.locale(), &problem)),
        Some(AppError::EmailTaken) => Some(i18n.t(AccountText::EmailTaken).to_string()),
        _ => None,
    });
    let name_problem = Signal::derive(move || match outcome.error.get() {
        Some(AppError::InvalidDisplayName { problem }) => Some(name_error(i18n.locale(), &problem)),
        _ => None,
    });
    let account_problem = Signal::derive(move || match outcome.error.get() {
        Some(AppError::InvalidForm { problems }) => problems
            .iter()
            .find(|p| p.field == AdminField::Account)
            .map(|p| crate::i18n::admin_rule_text(i18n.locale(), &p.rule)),
        Some(AppError::InvalidInput { field }) if field == "account" || field == "role" => Some(
            crate::i18n::admin_rule_text(i18n.locale(), &crate::domain::AdminRule::WrongKind),
        ),
        _ => None,
    });
    let id = existing.as_ref().map(|u| u.id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id {
            None => {
                let Some(to) = account.get_untracked() else {
                    outcome.error.set(Some(AppError::InvalidForm {
                        problems: vec![crate::domain::AdminProblem {
                            field: AdminField::Account,
                            rule: crate::domain::AdminRule::Required,
                        }],
                    }));
                    return;
                };
                let typed = email.get_untracked();
                let (name, chosen) = (display_name.get_untracked(), role.get_untracked());
                let sent_to = typed.trim().to_lowercase();
                outcome.run(
                    move || invite_user(to, typed, name, chosen),
                    move |_| section.changed(Some(invitation_sent(i18n.locale(), &sent_to))),
                );
            }
            Some(id) => {
                let change = UserChange {
                    display_name: display_name.get_untracked(),
                    role: role.get_untracked(),
                };
                outcome.run(
                    move || update_user(id, change),
                    move |()| section.changed(Some(i18n.t(AdminText::Saved).to_string())),
                );
            }
        }
    };
    let heading = {
        let email = existing.as_ref().map(|u| u.email.clone());
        move || match &email {
            None => i18n.t(AdminText::NewUser).to_string(),
            Some(email) => editing_heading(i18n.locale(), email),
        }
    };
    // An existing user keeps its account: the roles its kind holds.
    let fixed_kind = existing.as_ref().map(|u| u.role.account_kind());
    let role_options = move || {
        let offered: Vec<Role> = match fixed_kind {
            Some(kind) => roles_of(kind).to_vec(),
            None => Role::ALL.to_vec(),
        };
        offered
            .into_iter()
            .map(|r| {
                view! {
                    <option value=r.as_str() selected=move || role.get() == r>
                        {move || i18n.t(role_text(r))}
                    </option>
                }
            })
            .collect_view()
    };
    let vendor = (me.account_id, me.account_name.clone());
    view! {
        <section class="editor" aria-labelledby="user-editor-heading">
            <h3 id="user-editor-heading">{heading}</h3>
            <form on:submit=save novalidate>
                {existing
                    .is_none()
                    .then(|| {
                        view! {
                            <TextField
                                id="user-email"
                                label=Signal::derive(move || i18n.t(AdminText::Email).to_string())
                                value=email
                                error=email_problem
                                input_type="email"
                                autocomplete="off"
                            />
                        }
                        .into_any()
                    })}
                <TextField
                    id="user-display-name"
                    label=Signal::derive(move || i18n.t(AdminText::DisplayName).to_string())
                    value=display_name
                    error=name_problem
                    autocomplete="off"
                />
                <div class="field">
                    <label for="user-role">{move || i18n.t(AccountText::Role)}</label>
                    <select
                        id="user-role"
                        on:change=move |ev| {
                            if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                role.set(r);
                            }
                        }
                    >
                        {role_options}
                    </select>
                </div>
                {existing
                    .is_none()
                    .then(|| {
                        view! {
                            <AccountPicker
                                id="user-account"
                                label=AdminText::Account
                                kind=kind
                                selected=account
                                vendor=vendor.clone()
                                error=account_problem
                            />
                        }
                        .into_any()
                    })}
                <FormFooter
                    outcome
                    submit=Signal::derive(move || match id {
                        None => i18n.t(AdminText::SendInvitation),
                        Some(_) => i18n.t(CommonText::Save),
                    })
                    on_close=Callback::new(move |()| section.editing.set(None))
                />
            </form>
        </section>
    }
    .into_any()
}
