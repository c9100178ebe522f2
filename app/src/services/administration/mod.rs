//! Administration (SPEC, "Administration"): partners and customers,
//! products and orders, each change one transaction with its audit entry.
//! The screen's server functions and the server's admin commands call the
//! same procedure; a command is an operator (`Caller::Operator`).

pub mod accounts;
pub mod orders;
pub mod products;

use super::{service_error_faults, Caller, Fault};
use crate::domain::{AdminCursor, AdminField, AdminPage, AdminProblem, AdminRule, ImportProblem, ADMIN_PAGE};

/// Why an administrative change or read was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    /// The caller does not administer the portal.
    #[error("forbidden")]
    Forbidden,
    /// No such partner, customer, product or order.
    #[error("not found")]
    NotFound,
    /// The form has problems, each named by field; nothing was written.
    #[error("{}", describe(.problems))]
    Invalid { problems: Vec<AdminProblem> },
    /// The orders file has problems, each named by line and column; nothing
    /// was imported.
    #[error("nothing imported; {} problem(s):\n{}", .problems.len(), .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidImport { problems: Vec<ImportProblem> },
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(AdminError);

fn describe(problems: &[AdminProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", field_name(p.field), p.rule))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A field as a command line names it.
fn field_name(field: AdminField) -> String {
    match field {
        AdminField::Product(n) => format!("line {n} product"),
        AdminField::Quantity(n) => format!("line {n} quantity"),
        AdminField::Term(n) => format!("line {n} term"),
        other => format!("{other:?}").to_lowercase(),
    }
}

impl AdminError {
    /// One problem of a form.
    pub(crate) fn field(field: AdminField, rule: AdminRule) -> Self {
        AdminError::Invalid {
            problems: vec![AdminProblem { field, rule }],
        }
    }
}

/// Refuses a caller who does not administer the portal.
pub(crate) fn require_admin(by: Caller<'_>) -> Result<(), AdminError> {
    if by.administers() {
        Ok(())
    } else {
        Err(AdminError::Forbidden)
    }
}

/// The page of a list read one row more than it shows: the extra row says
/// there is a next page, which starts after the last row shown.
pub(crate) fn page_of<T>(mut rows: Vec<(T, AdminCursor)>) -> AdminPage<T> {
    let next = if rows.len() > ADMIN_PAGE {
        rows.truncate(ADMIN_PAGE);
        rows.last().map(|(_, cursor)| cursor.clone())
    } else {
        None
    };
    AdminPage {
        rows: rows.into_iter().map(|(row, _)| row).collect(),
        next,
    }
}

/// A search as the lists take it: trimmed, and nothing when it holds a
/// character no name or number has (PostgreSQL refuses a NUL outright).
pub(crate) fn search_text(search: &str) -> Option<&str> {
    let search = search.trim();
    (!search.chars().any(char::is_control)).then_some(search)
}

/// The limit of a list's read: a page and one more row.
pub(crate) const PAGE_READ: i64 = ADMIN_PAGE as i64 + 1;
