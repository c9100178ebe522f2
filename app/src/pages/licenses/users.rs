//! The Users tab (SPEC, "Users of a partner"): a partner admin's own
//! account (its partner admins and users), or a managed customer's (its
//! customer users, whom any partner user may invite). The server decides
//! who may see and change what; the tab only follows.

use leptos::prelude::*;

use super::use_account_param;
use crate::api::administration::update_user;
use crate::api::people::{list_people, InviteUser, SetUserActive};
use crate::components::form::{RowAction, TextField};
use crate::components::i18n::use_i18n;
use crate::components::status::{EmptyState, ErrorNotice, Loading};
use crate::domain::{AccountId, CurrentUser, Role, UserChange, UserId, UserSummary, PEOPLE_PAGE};
use crate::error::AppError;
use crate::i18n::{
    date_time, email_error, invitation_sent, role_of, role_text, AccountText, CommonText, SignInText,
};

/// The roles an invitation to this account may give, as `user` sees it:
/// the partner's own account takes partner roles; a customer's, customer users.
pub fn invitable_roles(user: &CurrentUser, own_account: bool) -> Vec<Role> {
    match (user.role, own_account) {
        (Role::PartnerAdmin, true) => vec![Role::PartnerUser, Role::PartnerAdmin],
        (Role::PartnerAdmin | Role::PartnerUser, false) => vec![Role::CustomerUser],
        _ => Vec::new(),
    }
}

/// The tab's content.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<crate::Session>();
    let account = use_account_param();
    let changed = RwSignal::new(0u32);
    // Here, not in the form: the list's refresh after an invitation
    // renders the form again, and the message must outlive it.
    let sent_to = RwSignal::new(None::<String>);
    let people = crate::codec::wire_resource(
        move || (account.get(), changed.get()),
        |(account, _)| async move {
            match account {
                Some(account) => list_people(account, None).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let body = move || {
        Suspend::new(async move {
            let user = session.user.await.ok().flatten();
            let listed = people.await;
            let (Some(user), Some(account)) = (user, account.get_untracked()) else {
                return view! { <Loading /> }.into_any();
            };
            let roles = invitable_roles(&user, account == user.account_id);
            match listed {
                Ok(first) => view! {
                    <UserList first account user=user.clone() changed />
                    {(!roles.is_empty()).then(|| view! { <InviteForm account roles changed sent_to /> })}
                }
                .into_any(),
                Err(error) => view! { <ErrorNotice error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="panel" id="users-tab" aria-labelledby="users-heading">
            <h2 id="users-heading">{move || i18n.t(AccountText::Users)}</h2>
            <p class="panel__hint">{move || i18n.t(AccountText::UsersHint)}</p>
            <Transition fallback=Loading>{body}</Transition>
        </section>
    }
}

#[component]
fn UserList(
    first: Vec<UserSummary>,
    account: AccountId,
    user: CurrentUser,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = ServerAction::<SetUserActive>::new();
    let seen_toggles = toggle.version().get_untracked();
    Effect::new(move |_| {
        if toggle.version().get() > seen_toggles && matches!(toggle.value().get(), Some(Ok(()))) {
            changed.update(|n| *n += 1);
        }
    });
    if first.is_empty() {
        return view! { <EmptyState title=AccountText::NoUsers /> }.into_any();
    }
    let has_more = RwSignal::new(first.len() >= PEOPLE_PAGE);
    let rows = RwSignal::new(first);
    let loading = RwSignal::new(false);
    let load_more = move |_| {
        let after = rows.with_untracked(|r| r.last().map(|u| u.email.clone()));
        loading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(page) = list_people(account, after).await {
                has_more.set(page.len() >= PEOPLE_PAGE);
                rows.update(|r| r.extend(page));
            }
            loading.set(false);
        });
    };
    let me = user.id;
    // A partner admin gives its own people a role (SPEC: invite, role,
    // deactivate, reactivate); nobody changes their own.
    let roles_here = if user.role == Role::PartnerAdmin && account == user.account_id {
        invitable_roles(&user, true)
    } else {
        Vec::new()
    };
    let role_error = RwSignal::new(None::<AppError>);
    // One change at a time: two sent together could be saved in either
    // order, leaving a role other than the one the select last showed.
    let saving_role = RwSignal::new(false);
    let change_role = move |id: UserId, display_name: String, role: Role| {
        role_error.set(None);
        saving_role.set(true);
        leptos::task::spawn_local(async move {
            match update_user(id, UserChange { display_name, role }).await {
                Ok(()) => changed.update(|n| *n += 1),
                Err(e) => role_error.set(Some(e)),
            }
            saving_role.set(false);
        });
    };
    let row = move |person: UserSummary| {
        let state = if person.deactivated_at.is_some() {
            AccountText::UserDeactivated
        } else if person.invited {
            AccountText::UserInvited
        } else {
            AccountText::UserActive
        };
        let deactivated = person.deactivated_at.is_some();
        let id = person.id;
        let subject = person.email.clone();
        let last = person.last_sign_in_at;
        let role = role_text(person.role);
        let role_cell = if id != me && roles_here.contains(&person.role) {
            let (current, name, email) = (person.role, person.display_name.clone(), person.email.clone());
            let roles = roles_here.clone();
            view! {
                <select
                    aria-label=move || role_of(i18n.locale(), &email)
                    disabled=move || saving_role.get()
                    on:change=move |ev| {
                        if let Some(chosen) = Role::parse(&event_target_value(&ev)) {
                            change_role(id, name.clone(), chosen);
                        }
                    }
                >
                    {roles
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=r == current>
                                    {move || i18n.t(role_text(r))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        } else {
            view! { {move || i18n.t(role)} }.into_any()
        };
        view! {
            <tr>
                <td>{person.display_name}</td>
                <td>{person.email}</td>
                <td>{role_cell}</td>
                <td>
                    {move || {
                        last.map(|at| date_time(i18n.locale(), at))
                            .unwrap_or_else(|| i18n.t(AccountText::Never).to_string())
                    }}
                </td>
                <td>{move || i18n.t(state)}</td>
                <td>
                    {(id != me)
                        .then(|| {
                            let action = if deactivated { AccountText::Reactivate } else { AccountText::Deactivate };
                            view! {
                                <RowAction
                                    action
                                    subject=subject.clone()
                                    busy=Signal::derive(move || toggle.pending().get())
                                    on_click=move || {
                                        toggle.dispatch(SetUserActive { user: id, active: deactivated });
                                    }
                                />
                            }
                        })}
                </td>
            </tr>
        }
    };
    let error = move || {
        toggle
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| role_error.get())
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    view! {
        <table class="table">
            <caption class="visually-hidden">{move || i18n.t(AccountText::Users)}</caption>
            <thead>
                <tr>
                    <th scope="col">{move || i18n.t(AccountText::Name)}</th>
                    <th scope="col">{move || i18n.t(SignInText::Email)}</th>
                    <th scope="col">{move || i18n.t(AccountText::Role)}</th>
                    <th scope="col">{move || i18n.t(AccountText::LastSignIn)}</th>
                    <th scope="col">{move || i18n.t(CommonText::State)}</th>
                    <th scope="col">{move || i18n.t(CommonText::Actions)}</th>
                </tr>
            </thead>
            <tbody>{move || rows.get().into_iter().map(row.clone()).collect_view()}</tbody>
        </table>
        {error}
        <p class="pager" hidden=move || !has_more.get()>
            <button type="button" class="button" disabled=move || loading.get() on:click=load_more>
                {move || i18n.t(CommonText::LoadMore)}
            </button>
        </p>
    }
    .into_any()
}

#[component]
fn InviteForm(
    account: AccountId,
    roles: Vec<Role>,
    changed: RwSignal<u32>,
    sent_to: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<InviteUser>::new();
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(roles[0]);
    let heading = if roles == [Role::CustomerUser] {
        AccountText::InviteCustomerUser
    } else {
        AccountText::InviteUser
    };
    let seen = action.version().get_untracked();
    Effect::new(move |_| {
        if action.version().get() > seen && matches!(action.value().get(), Some(Ok(_))) {
            sent_to.set(Some(email.get_untracked()));
            email.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    let email_problem = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::InvalidEmail { problem })) => Some(email_error(i18n.locale(), &problem)),
        Some(Err(AppError::EmailTaken)) => Some(i18n.t(AccountText::EmailTaken).to_string()),
        _ => None,
    });
    let other = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, AppError::InvalidEmail { .. } | AppError::EmailTaken))
            .map(|e| view! { <p class="form-error" role="alert">{move || e.message(i18n.locale())}</p> })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sent_to.set(None);
        action.dispatch(InviteUser {
            account,
            email: email.get_untracked(),
            display_name: String::new(),
            role: role.get_untracked(),
        });
    };
    let choosable = roles.len() > 1;
    view! {
        <section aria-labelledby="invite-heading">
            <h3 id="invite-heading">{move || i18n.t(heading)}</h3>
            <form on:submit=submit>
                <TextField
                    id="invite-email"
                    label=Signal::derive(move || i18n.t(SignInText::Email).to_string())
                    value=email
                    error=email_problem
                    input_type="email"
                    autocomplete="off"
                />
                {choosable
                    .then(|| {
                        view! {
                            <div class="field">
                                <label for="invite-role">{move || i18n.t(AccountText::Role)}</label>
                                <select
                                    id="invite-role"
                                    on:change=move |ev| {
                                        if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                            role.set(r);
                                        }
                                    }
                                >
                                    {roles
                                        .iter()
                                        .map(|r| {
                                            let r = *r;
                                            view! {
                                                <option value=r.as_str() selected=move || role.get() == r>
                                                    {move || i18n.t(role_text(r))}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                        }
                    })}
                {other}
                {move || {
                    sent_to
                        .get()
                        .map(|to| {
                            view! { <p class="status" role="status">{move || invitation_sent(i18n.locale(), &to)}</p> }
                        })
                }}
                <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                    {move || i18n.t(AccountText::SendInvitation)}
                </button>
            </form>
        </section>
    }
}
