//! Server functions, by area. Each is thin: authenticate, authorize, call a
//! repository function, map the error. Server-only helpers sit beside them in
//! a `ssr` module.

pub mod accounts;
pub mod auth;
pub mod drawdowns;
pub mod licenses;
pub mod preferences;
