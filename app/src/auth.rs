//! Passwords, sessions and the session cookie (server only).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

use crate::domain::{AuditActor, AuditKind, AuditObject, CurrentUser, UserEmail, UserId};
use crate::error::AppError;
use crate::repo::{self, audit, sessions, users, Db};
use crate::settings::Settings;
use crate::state::app_state;

/// Name of the session cookie over plain http (a local or test portal).
pub const SESSION_COOKIE: &str = "portal_session";
/// Name of the session cookie when it is Secure: the `__Host-` prefix makes
/// the browser refuse it unless set by this very host, over https, for the
/// whole site, so a sibling subdomain cannot plant or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-portal_session";

/// The session cookie's name under `settings`.
pub fn session_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Hashes a password with Argon2id and a fresh salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches a stored Argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checked against when the email is unknown, so that a wrong email takes as
/// long as a wrong password and the timing does not reveal who has an account.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not a real password").unwrap_or_default());

/// A fresh session token (for the cookie) and its hash (for the database).
pub fn new_session_token() -> (String, String) {
    let token = random_token();
    let hash = hash_session_token(&token);
    (token, hash)
}

/// 256 random bits in hex: a session token, a one-time link, an API secret.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    to_hex(&bytes)
}

/// What the database stores for a token.
pub fn hash_session_token(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that starts a session.
///
/// HttpOnly keeps scripts from reading it. SameSite=Lax keeps other sites from
/// sending it with their POSTs (every server function is a POST), while a link
/// from an e-mail still arrives signed in, which Strict would not allow.
pub fn session_cookie(token: &str, settings: &Settings) -> String {
    Cookie::build((session_cookie_name(settings), token.to_string()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .max_age(cookie::time::Duration::seconds(
            settings.session_lifetime.whole_seconds(),
        ))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn expired_session_cookie(settings: &Settings) -> String {
    Cookie::build((session_cookie_name(settings), ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Adds a `Set-Cookie` header to the response of the server function or page
/// being served.
pub fn set_response_cookie(value: &str) -> Result<(), AppError> {
    let header = http::HeaderValue::from_str(value).map_err(|e| AppError::internal("cookie", e))?;
    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        .ok_or_else(|| AppError::internal("cookie", "response options missing from context"))?
        .append_header(http::header::SET_COOKIE, header);
    Ok(())
}

/// The value of cookie `name` in request headers.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Checks an email and password; on success opens a session and returns the
/// user and the session token. Both failure cases give the same error.
pub async fn sign_in(
    db: &Db,
    settings: &Settings,
    throttle: &crate::throttle::SignInThrottle,
    client_address: &str,
    typed_email: &str,
    password: &str,
) -> Result<(UserId, String), AppError> {
    if let Some(wait) = throttle.wait(typed_email, client_address, std::time::Instant::now()) {
        tracing::warn!(
            address = client_address,
            email = typed_email,
            "sign-in refused: too many failures"
        );
        return Err(AppError::Throttled {
            retry_after: crate::throttle::retry_after_seconds(wait),
        });
    }
    // A bounded number of Argon2 hashes at once: their memory and CPU are
    // what a flood of attempts would exhaust.
    let _hashing = throttle
        .hashing
        .acquire()
        .await
        .map_err(|e| AppError::internal("password check", e))?;
    let email = UserEmail::parse(typed_email).ok();
    let found = match &email {
        Some(email) => users::find_password_hash(&mut *db.read().await?, email).await?,
        None => None,
    };
    let password = password.to_string();
    let (user, matches) = tokio::task::spawn_blocking(move || match found {
        Some((user, account, hash)) => (Some((user, account)), verify_password(&password, &hash)),
        None => {
            // Same work as for a real user; the answer is "no" whatever it says.
            let _ = verify_password(&password, &DUMMY_HASH);
            (None, false)
        }
    })
    .await
    .map_err(|e| AppError::internal("password check", e))?;
    let now = settings.clock.now();
    let Some((user, account)) = user.filter(|_| matches) else {
        throttle.failed(typed_email, client_address, std::time::Instant::now());
        tracing::warn!(address = client_address, email = typed_email, "sign-in failed");
        // What was typed, bounded: the throttle keeps this to a few rows an
        // address can cause per quarter hour.
        let typed: String = typed_email
            .trim()
            .to_lowercase()
            .chars()
            .take(UserEmail::MAX_CHARS)
            .collect();
        let actor = AuditActor {
            user: None,
            label: typed.clone(),
            address: Some(client_address.to_owned()),
        };
        let object = AuditObject {
            kind: "user",
            id: user.map(|(id, _)| id.0),
            label: typed,
            account: user.map(|(_, account)| account),
        };
        let mut tx = db.begin().await?;
        audit::record(&mut tx, now, &actor, AuditKind::SignInFailed, &object, None, None).await?;
        tx.commit().await?;
        return Err(AppError::WrongCredentials);
    };
    let (token, hash) = new_session_token();
    let mut tx = db.begin().await?;
    sessions::insert_session(
        &mut tx,
        &hash,
        user,
        now,
        now + settings.session_lifetime.whole_seconds(),
    )
    .await?;
    users::record_sign_in(&mut tx, user, now).await?;
    let email = email.as_ref().map_or("", UserEmail::as_str);
    audit::record(
        &mut tx,
        now,
        &AuditActor::user(user, email, Some(client_address.to_owned())),
        AuditKind::SignIn,
        &crate::services::people::user_object(user, email, account),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok((user, token))
}

/// Who is calling, as far as throttling goes: the last address a trusted
/// proxy put in the configured header, else the connection's peer.
pub fn client_address(parts: &http::request::Parts, settings: &Settings) -> String {
    if let Some(header) = &settings.client_address_header {
        let forwarded = parts
            .headers
            .get_all(header.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        if let Some(address) = forwarded {
            return address.to_owned();
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// The signed-in user of the request being served, or `NotSignedIn`.
/// Every server function that shows or changes data starts here.
pub async fn require_user() -> Result<CurrentUser, AppError> {
    let state = app_state()?;
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::internal("session", "request parts missing from context"))?;
    user_from_headers(&state.db, &state.settings, &parts.headers, Activity::User).await
}

/// The signed-in user and the process's state, for a server function.
///
/// The state is taken before the first await: during server rendering a
/// screen may be built twice and its first copy dropped while its resources
/// still run, and the context is gone after that await. Taking it first lets
/// every copy answer alike, so the page's serialized data never holds an
/// error that the rendered HTML does not (a hydration mismatch).
pub async fn require_caller() -> Result<(CurrentUser, crate::state::AppState), AppError> {
    let state = app_state()?;
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::internal("session", "request parts missing from context"))?;
    let user = user_from_headers(&state.db, &state.settings, &parts.headers, Activity::User).await?;
    Ok((user, state))
}

/// Of the request being served: the client's address (as throttling and
/// the audit log see it) and the hash of its session token, if it has one
/// (the session a password change or Sign out of other sessions keeps).
pub fn caller_context(state: &crate::state::AppState) -> Result<(String, Option<String>), AppError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::internal("caller", "request parts missing from context"))?;
    let address = client_address(&parts, &state.settings);
    let session =
        cookie_value(&parts.headers, session_cookie_name(&state.settings)).map(|t| hash_session_token(&t));
    Ok((address, session))
}

/// The client's address of the request being served, for the audit log.
pub fn caller_address(state: &crate::state::AppState) -> Result<String, AppError> {
    caller_context(state).map(|(address, _)| address)
}

/// Whether a request is the user's own doing, which keeps the session from
/// its idle timeout, or the browser's (the live-update stream checking that
/// the session lasts), which does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    User,
    Background,
}

/// How stale a session's last use may get before it is written again: one
/// write a minute per session, not one per request.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The user whose session cookie the request carries, if the session is
/// neither past its lifetime nor idle longer than the idle timeout; for
/// handlers outside server functions too (the live-update stream,
/// downloads).
pub async fn user_from_headers(
    db: &repo::Db,
    settings: &Settings,
    headers: &http::HeaderMap,
    activity: Activity,
) -> Result<CurrentUser, AppError> {
    let token = cookie_value(headers, session_cookie_name(settings)).ok_or(AppError::NotSignedIn)?;
    let hash = hash_session_token(&token);
    let now = settings.clock.now();
    let idle_since = now - settings.session_idle_timeout.whole_seconds();
    let found = {
        let mut conn = db.read().await?;
        sessions::find_session_user(&mut conn, &hash, now, idle_since).await?
    };
    let (user, last_seen) = found.ok_or(AppError::NotSignedIn)?;
    if activity == Activity::User && now - last_seen >= TOUCH_EVERY_SECONDS {
        let mut tx = db.begin().await?;
        sessions::touch_session(&mut tx, &hash, now).await?;
        tx.commit().await?;
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn session_tokens_are_random_and_only_their_hash_is_stored() {
        let (a, hash_a) = new_session_token();
        let (b, _) = new_session_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_session_token(&a), hash_a);
        assert_ne!(a, hash_a);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        let cookie = session_cookie("abc", &Settings::default());
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let secure = session_cookie(
            "abc",
            &Settings {
                secure_cookies: true,
                ..Settings::default()
            },
        );
        assert!(secure.contains("Secure"), "{secure}");
        assert!(secure.starts_with("__Host-portal_session=abc"), "{secure}");
        assert!(cookie.starts_with("portal_session=abc"), "{cookie}");
    }

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; portal_session=tok; b=2".parse().expect("header"),
        );
        assert_eq!(cookie_value(&headers, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie_value(&headers, "missing"), None);
    }
}
