//! Server functions, by area. Each is thin: authenticate, authorize, call a
//! repository function, map the error. Server-only helpers sit beside them in
//! a `ssr` module.

pub mod accounting;
pub mod accounts;
pub mod administration;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod drawdowns;
pub mod licenses;
pub mod passwords;
pub mod people;
pub mod preferences;
pub mod webhooks;
#[cfg(feature = "ssr")]
mod wire;

/// The server functions that take a form body (`application/x-www-form-urlencoded`):
/// the sign-in and sign-out forms work before the page hydrates. Every other
/// server function takes JSON, and the server refuses any other body type.
pub const FORM_ENDPOINTS: [&str; 7] = [
    "/api/sign_in",
    "/api/request_password_reset",
    "/api/set_password",
    "/api/sign_out",
    "/api/signed_in_user",
    "/api/set_language",
    "/api/account_entitlements",
];
