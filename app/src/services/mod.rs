//! The product's procedures, each step one database transaction: checks of
//! who acts, repository calls, ledger movements, queued emails, and the live
//! update told after the commit. Server functions and background tasks call
//! these; they hold no SQL.

pub mod accounts;
pub mod cloud_services;
pub mod drawdowns;
pub mod licenses;

pub use accounts::AccountError;
pub use drawdowns::DrawdownError;
pub use licenses::LicensingError;

use crate::events::Events;
use crate::repo::Db;
use crate::state::Settings;

/// What the services work with; borrowed from the process's state.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub db: &'a Db,
    pub settings: &'a Settings,
    pub events: &'a Events,
    pub mail_queued: &'a tokio::sync::Notify,
    /// Wakes the provisioning worker when a job is queued.
    pub provisioning_queued: &'a tokio::sync::Notify,
}

/// A failure that is no refusal: the database could not be reached, or the
/// portal itself went wrong. Its cause is logged where it happened; only
/// which of the two it was goes on (to a 503 or a 500 at the `api` edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("the database is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl Fault {
    /// Logs an unexpected failure and keeps only that it happened.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        Fault::Internal
    }
}

impl From<sqlx::Error> for Fault {
    /// A database that cannot be reached is a 503 (a load balancer retries
    /// elsewhere); any other database error is the portal's fault.
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => {
                tracing::error!(%err, "database unavailable");
                Fault::Unavailable
            }
            err => Fault::internal("database error", err),
        }
    }
}

/// A service error type: its refusals, and the `Fault`s every procedure may
/// meet, reached from a database error with `?`.
macro_rules! service_error_faults {
    ($error:ty) => {
        impl From<sqlx::Error> for $error {
            fn from(err: sqlx::Error) -> Self {
                Self::Fault(err.into())
            }
        }

        impl From<$crate::services::Fault> for $error {
            fn from(fault: $crate::services::Fault) -> Self {
                Self::Fault(fault)
            }
        }
    };
}
pub(crate) use service_error_faults;
