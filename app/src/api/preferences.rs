//! The interface language.

use crate::codec::Wire;
use leptos::prelude::*;

use crate::error::AppError;

/// Remembers the chosen language: in a cookie for this browser, and on the
/// user's record when signed in, so e-mails to them use it too.
#[server(prefix = "/api", endpoint = "set_language", output = Wire)]
pub async fn set_language(tag: String) -> Result<(), AppError> {
    use crate::i18n::Locale;
    let locale = Locale::from_tag(&tag).ok_or_else(|| AppError::InvalidInput {
        field: "language".into(),
    })?;
    let state = crate::state::app_state()?;
    let cookie = cookie::Cookie::build((Locale::COOKIE, locale.tag()))
        .path("/")
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build()
        .to_string();
    crate::auth::set_response_cookie(&cookie)?;
    if let Ok(user) = crate::auth::require_user().await {
        let mut tx = state.db.begin().await?;
        crate::repo::users::update_user_locale(&mut tx, user.id, locale).await?;
        tx.commit().await?;
    }
    Ok(())
}
