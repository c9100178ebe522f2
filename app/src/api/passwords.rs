//! Passwords: Forgot your password, Set your password (from an emailed
//! link), Change password and Sign out of other sessions (SPEC, "Your
//! account"). The two pages reached signed out post forms, so they work
//! before the page hydrates.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;

/// Emails a reset link to an active user with this address. The same answer
/// whether or not one exists; throttled as sign-ins are (per address typed
/// and per client).
#[server(prefix = "/api", endpoint = "request_password_reset", output = Wire)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (address, _) = crate::auth::caller_context(&state)?;
    let now = std::time::Instant::now();
    if let Some(wait) = state.reset_throttle.wait(&email, &address, now) {
        return Err(AppError::Throttled {
            retry_after: crate::throttle::retry_after_seconds(wait),
        });
    }
    state.reset_throttle.failed(&email, &address, now);
    state
        .services()
        .request_password_reset(&email, Some(address))
        .await
        .map_err(AppError::from)
}

/// Whether an emailed link still works.
#[server(prefix = "/api", endpoint = "password_link_status", input = Json, output = Wire)]
pub async fn password_link_status(token: String) -> Result<bool, AppError> {
    let state = crate::state::app_state()?;
    state
        .services()
        .link_is_usable(&token)
        .await
        .map_err(AppError::from)
}

/// Sets a password from an emailed link (an invitation or a reset).
#[server(prefix = "/api", endpoint = "set_password", output = Wire)]
pub async fn set_password(token: String, password: String, confirmation: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (address, _) = crate::auth::caller_context(&state)?;
    state
        .services()
        .set_password_from_link(&token, password, &confirmation, Some(address))
        .await
        .map_err(AppError::from)
}

/// Change password: the current one, then the new one twice. The other
/// sessions end; this one stays.
#[server(prefix = "/api", endpoint = "change_password", input = Json, output = Wire)]
pub async fn change_password(
    current: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let (address, session) = crate::auth::caller_context(&state)?;
    let session = session.ok_or(AppError::NotSignedIn)?;
    state
        .services()
        .change_password(&user, Some(address), current, password, &confirmation, &session)
        .await
        .map_err(AppError::from)
}

/// Sign out of other sessions: every session of the user but this one.
/// Returns how many ended.
#[server(prefix = "/api", endpoint = "sign_out_other_sessions", input = Json, output = Wire)]
pub async fn sign_out_other_sessions() -> Result<u64, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let (address, session) = crate::auth::caller_context(&state)?;
    let session = session.ok_or(AppError::NotSignedIn)?;
    state
        .services()
        .sign_out_other_sessions(&user, Some(address), &session)
        .await
        .map_err(AppError::from)
}
