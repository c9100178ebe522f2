//! The people of an account (SPEC, "Users of a partner"): the list,
//! invitations, deactivation and reactivation. Who may touch whom is
//! `domain::access::may_manage_people_of`, checked by the service.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{AccountId, Role, UserId, UserSummary};
use crate::error::AppError;

/// The people of `account`, by email, after `after` (an email), a page at a time.
#[server(prefix = "/api", endpoint = "list_people", input = Json, output = Wire)]
pub async fn list_people(account: AccountId, after: Option<String>) -> Result<Vec<UserSummary>, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .people_of(&user, account, after.as_deref())
        .await
        .map_err(AppError::from)
}

/// Invites someone to `account` with `role`: an email with a link to set a
/// password, in the inviter's language.
#[server(prefix = "/api", endpoint = "invite_user", input = Json, output = Wire)]
pub async fn invite_user(
    account: AccountId,
    email: String,
    display_name: String,
    role: Role,
) -> Result<UserId, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let (address, _) = crate::auth::caller_context(&state)?;
    let invitation = crate::services::people::Invitation {
        email,
        display_name,
        role,
        account,
        locale: crate::components::i18n::request_locale(),
    };
    state
        .services()
        .invite(&user, Some(address), invitation)
        .await
        .map_err(AppError::from)
}

/// Deactivates (`active: false`) or reactivates a user.
#[server(prefix = "/api", endpoint = "set_user_active", input = Json, output = Wire)]
pub async fn set_user_active(user: UserId, active: bool) -> Result<(), AppError> {
    let (caller, state) = crate::auth::require_caller().await?;
    let (address, _) = crate::auth::caller_context(&state)?;
    state
        .services()
        .set_user_active(&caller, Some(address), user, active)
        .await
        .map_err(AppError::from)
}
