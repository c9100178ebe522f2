//! The product's procedures, each step one database transaction: checks of
//! who acts, repository calls, ledger movements, queued emails, and the live
//! update told after the commit. Server functions and background tasks call
//! these; they hold no SQL.

pub mod accounting;
pub mod accounts;
pub mod administration;
pub mod api_tokens;
pub mod audit;
pub mod cloud_services;
pub mod drawdown_import;
pub mod drawdowns;
pub mod exports;
pub mod idempotency;
pub mod licenses;
pub mod people;
pub mod reminders;
pub mod statements;
pub mod webhooks;

pub use accounts::AccountError;
pub use administration::AdminError;
pub use drawdowns::DrawdownError;
pub use licenses::LicensingError;
pub use people::PeopleError;

use crate::events::Events;
use crate::repo::Db;
use crate::settings::Settings;

/// What the services work with; borrowed from the process's state.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub db: &'a Db,
    pub settings: &'a Settings,
    pub events: &'a Events,
    pub mail_queued: &'a tokio::sync::Notify,
    /// Wakes the provisioning worker when a job is queued.
    pub provisioning_queued: &'a tokio::sync::Notify,
    /// Wakes the webhook worker when a delivery is queued.
    pub webhooks_queued: &'a tokio::sync::Notify,
    /// The client's address of the request being served, as the audit log
    /// records it; `None` for the server's own work.
    pub address: Option<&'a str>,
    /// The API token a request came with, by name: the audit log names it
    /// beside the user who made it.
    pub token: Option<&'a str>,
}

impl Services<'_> {
    /// Who the audit log says made a change: the signed-in user from this
    /// request's address, or the server itself.
    pub fn actor(&self, user: Option<&crate::domain::CurrentUser>) -> crate::domain::AuditActor {
        match user {
            Some(user) => match self.token {
                Some(token) => crate::domain::AuditActor::token(
                    user.id,
                    &user.email,
                    token,
                    self.address.map(str::to_owned),
                ),
                None => {
                    crate::domain::AuditActor::user(user.id, &user.email, self.address.map(str::to_owned))
                }
            },
            None => crate::domain::AuditActor::server(),
        }
    }
}

/// Who asks for a change to accounts, products, orders or people: a
/// signed-in user, checked against what their role allows, or an operator
/// at the server's command line (who may do what a vendor admin may).
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    User(&'a crate::domain::CurrentUser),
    Operator,
}

impl<'a> Caller<'a> {
    /// The signed-in user, if a person calls.
    pub fn signed_in(self) -> Option<&'a crate::domain::CurrentUser> {
        match self {
            Caller::User(user) => Some(user),
            Caller::Operator => None,
        }
    }

    /// Whether the caller works in Administration.
    pub fn administers(self) -> bool {
        match self {
            Caller::User(user) => crate::domain::may_administer(user),
            Caller::Operator => true,
        }
    }
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
            sqlx::Error::Database(ref db) if cannot_store(db.code().as_deref()) => {
                tracing::error!(%err, "database cannot store the change");
                Fault::Unavailable
            }
            err => Fault::internal("database error", err),
        }
    }
}

/// True for a database's answer that it cannot store anything now, whatever
/// the change: a full disk, a read-only file or server (a replica promoted
/// late, a volume remounted read-only). Reads go on; writes come back when it
/// is mended, so it is a 503 and not the portal's fault. The codes are
/// SQLite's primary result codes (extended ones keep them in the low byte)
/// and PostgreSQL's SQLSTATEs.
fn cannot_store(code: Option<&str>) -> bool {
    const SQLITE_READONLY: i64 = 8;
    const SQLITE_IOERR: i64 = 10;
    const SQLITE_FULL: i64 = 13;
    match code {
        // disk_full, insufficient_resources, read_only_sql_transaction,
        // admin_shutdown, cannot_connect_now
        Some("53100" | "53000" | "25006" | "57P01" | "57P03") => true,
        // SQLite's are numbers of at most four digits; a SQLSTATE has five.
        Some(code) if code.len() < 5 => code
            .parse::<i64>()
            .is_ok_and(|c| matches!(c & 0xff, SQLITE_READONLY | SQLITE_IOERR | SQLITE_FULL)),
        Some(_) => false,
        None => false,
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

#[cfg(test)]
mod tests {
    use super::cannot_store;

    #[test]
    fn a_full_disk_or_a_read_only_database_is_unavailable_and_other_errors_are_not() {
        // SQLite: FULL, READONLY, IOERR and their extended codes (READONLY_DBMOVED, IOERR_WRITE).
        for code in ["13", "8", "10", "1032", "778"] {
            assert!(cannot_store(Some(code)), "{code}");
        }
        // PostgreSQL: disk_full, read_only_sql_transaction, admin_shutdown.
        for code in ["53100", "25006", "57P01"] {
            assert!(cannot_store(Some(code)), "{code}");
        }
        // Constraint violations and syntax errors are no outage.
        for code in ["2067", "19", "1", "23505", "42601", "22008"] {
            assert!(!cannot_store(Some(code)), "{code}");
        }
        assert!(!cannot_store(None));
    }
}
