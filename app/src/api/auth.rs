//! Signing in and out, and who is signed in.

use crate::codec::Wire;
use leptos::prelude::*;

use crate::domain::CurrentUser;
use crate::error::AppError;

/// Checks the email and password and starts a session. One error for a wrong
/// email or a wrong password. The browser moves on by itself once the session
/// resource has been refetched (a server redirect would land before it is).
#[server(prefix = "/api", endpoint = "sign_in", output = Wire)]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    ssr::sign_in(email, password).await
}

/// Ends the session of this browser.
#[server(prefix = "/api", endpoint = "sign_out", output = Wire)]
pub async fn sign_out() -> Result<(), AppError> {
    ssr::sign_out().await
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "signed_in_user", output = Wire)]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    match crate::auth::require_user().await {
        Ok(user) => Ok(Some(user)),
        Err(AppError::NotSignedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::auth::{
        self, cookie_value, expired_session_cookie, hash_session_token, session_cookie, session_cookie_name,
        set_response_cookie,
    };
    use crate::error::AppError;
    use crate::repo::sessions;
    use crate::state::app_state;

    pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
        let state = app_state()?;
        let parts = leptos::prelude::use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::internal("sign in", "request parts missing"))?;
        let address = auth::client_address(&parts, &state.settings);
        let (user, token) = auth::sign_in(
            &state.db,
            &state.settings,
            &state.sign_in_throttle,
            &address,
            &email,
            &password,
        )
        .await?;
        // A new session replaces the one this browser brought, which ends:
        // a session id planted before sign-in is worth nothing after it.
        if let Some(previous) = cookie_value(&parts.headers, session_cookie_name(&state.settings)) {
            let mut tx = state.db.begin().await?;
            sessions::delete_session(&mut tx, &hash_session_token(&previous)).await?;
            tx.commit().await?;
        }
        tracing::info!(%user, "signed in");
        set_response_cookie(&session_cookie(&token, &state.settings))?;
        Ok(())
    }

    pub async fn sign_out() -> Result<(), AppError> {
        let state = app_state()?;
        let parts = leptos::prelude::use_context::<http::request::Parts>()
            .ok_or_else(|| AppError::internal("sign out", "request parts missing"))?;
        if let Some(token) = cookie_value(&parts.headers, session_cookie_name(&state.settings)) {
            let mut tx = state.db.begin().await?;
            sessions::delete_session(&mut tx, &hash_session_token(&token)).await?;
            tx.commit().await?;
        }
        set_response_cookie(&expired_session_cookie(&state.settings))?;
        Ok(())
    }
}
