//! The one error type that crosses the wire from server functions to the
//! browser. Stable snake_case codes; no database or internal text, ever:
//! that goes to the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{
    BindingError, FieldProblem, LicenseFileProblem, ProvisioningError, ReasonError, TransitionError,
};
use crate::i18n::{self, Locale, T};

/// What a server function can answer instead of its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    /// No valid session: sign in first.
    #[error("not signed in")]
    NotSignedIn,
    /// The sign-in email and password do not match a user. One message for
    /// both cases, so the form does not reveal who has an account.
    #[error("wrong email or password")]
    WrongCredentials,
    /// Signed in, but this is outside what the user may see or do.
    #[error("forbidden")]
    Forbidden,
    /// The thing asked for does not exist (or is not the caller's to know of).
    #[error("not found")]
    NotFound,
    /// A field broke a rule; `field` names the form field.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    /// The drawdown request form has problems, each next to its field;
    /// nothing was saved.
    #[error("the drawdown request is not valid")]
    InvalidDrawdown { problems: Vec<FieldProblem> },
    /// The request's state or the caller's role does not allow this step
    /// (also when another person's step got there first); nothing changed.
    #[error("{refusal}")]
    TransitionRefused { refusal: TransitionError },
    /// The reason given with a decision is not valid.
    #[error("{problem}")]
    InvalidReason { problem: ReasonError },
    /// The license file form has problems, each next to its field; no file
    /// was issued and nothing was released.
    #[error("the license file is not valid")]
    InvalidLicenseFile { problems: Vec<LicenseFileProblem> },
    /// A binding to a Control Room or an unbinding was refused.
    #[error("{problem}")]
    InvalidBinding { problem: BindingError },
    /// A provisioning request was refused.
    #[error("{problem}")]
    InvalidProvisioning { problem: ProvisioningError },
    /// Something failed on the server; details are in its log.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server function or its answer was unreadable.
    #[error("request failed: {detail}")]
    Transport { detail: String },
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport {
            detail: value.to_string(),
        }
    }
}

impl AppError {
    /// What to tell the user, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::NotSignedIn => T::ErrorNotSignedIn.text(locale).into(),
            AppError::WrongCredentials => T::WrongCredentials.text(locale).into(),
            AppError::Forbidden => T::ErrorForbidden.text(locale).into(),
            AppError::NotFound => T::ErrorNotFound.text(locale).into(),
            AppError::InvalidInput { message, .. } => message.clone(),
            AppError::InvalidDrawdown { .. } => T::ErrorInvalidDrawdown.text(locale).into(),
            AppError::TransitionRefused { refusal } => i18n::transition_refusal(locale, refusal),
            AppError::InvalidReason { problem } => i18n::reason_error(locale, problem),
            AppError::InvalidLicenseFile { .. } => T::ErrorInvalidLicenseFile.text(locale).into(),
            AppError::InvalidBinding { problem } => i18n::binding_error(locale, problem),
            AppError::InvalidProvisioning { problem } => i18n::provisioning_error(locale, problem),
            AppError::Internal | AppError::Transport { .. } => T::ErrorInternal.text(locale).into(),
        }
    }

    /// Logs an unexpected server-side failure and hides it from the caller.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::internal("database error", err)
    }
}
