//! Reading the audit log (SPEC, "Audit log"): vendor admins only, a page
//! at a time for the screen and page after page for the CSV export.

use super::Services;
use super::{service_error_faults, Fault};
use crate::domain::{
    may_administer, AccountKind, AccountName, AuditCursor, AuditDateError, AuditEntry, AuditPage, AuditQuery,
    CurrentUser, AUDIT_PAGE,
};
use crate::repo::accounts;
use crate::repo::audit::{self, AuditFilter};

/// A before or after as a person reads it: `field: value` pairs, not JSON.
pub fn readable_change(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(fields)) => fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => json.to_string(),
    }
}

/// Why the audit log could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    Date(AuditDateError),
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(AuditError);

/// The filter of a query, or `None` when it names an account that does not
/// exist (nothing can match).
pub struct ReadFilter(Option<AuditFilter>);

impl Services<'_> {
    /// Reads the query's filters, for `audit_log` and the export.
    pub async fn audit_filter(&self, by: &CurrentUser, query: &AuditQuery) -> Result<ReadFilter, AuditError> {
        if !may_administer(by) {
            return Err(AuditError::Forbidden);
        }
        let (from, until) = query.range().map_err(AuditError::Date)?;
        let actor = query.actor();
        // No entry names an actor with a control character (the log keeps
        // none), and PostgreSQL refuses a NUL as a parameter.
        if actor.as_deref().is_some_and(|a| a.chars().any(char::is_control)) {
            return Ok(ReadFilter(None));
        }
        let account = match query.account() {
            None => None,
            Some(typed) => {
                let Ok(name) = AccountName::parse(typed) else {
                    return Ok(ReadFilter(None));
                };
                let mut conn = self.db.read().await?;
                let mut found = None;
                for kind in [AccountKind::Partner, AccountKind::Customer, AccountKind::Vendor] {
                    if let Some(account) = accounts::find_account_by_name(&mut conn, kind, &name)
                        .await?
                        .into_iter()
                        .next()
                    {
                        found = Some(account.id);
                        break;
                    }
                }
                match found {
                    Some(id) => Some(id),
                    None => return Ok(ReadFilter(None)),
                }
            }
        };
        Ok(ReadFilter(Some(AuditFilter {
            actor,
            account,
            kind: query.kind,
            from,
            until,
        })))
    }

    /// Up to `limit` entries of the filter after `after`, newest first.
    pub async fn audit_entries(
        &self,
        filter: &ReadFilter,
        after: Option<AuditCursor>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, AuditError> {
        let Some(filter) = &filter.0 else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.read().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(audit::list_entries(&mut conn, filter, after, limit).await?)
    }

    /// One page of the Audit log screen.
    pub async fn audit_log(
        &self,
        by: &CurrentUser,
        query: &AuditQuery,
        after: Option<AuditCursor>,
    ) -> Result<AuditPage, AuditError> {
        let filter = self.audit_filter(by, query).await?;
        let mut entries = self.audit_entries(&filter, after, AUDIT_PAGE + 1).await?;
        let next = if entries.len() > AUDIT_PAGE {
            entries.truncate(AUDIT_PAGE);
            entries.last().map(|e| (e.at, e.id))
        } else {
            None
        };
        // The screen shows changes as fields; the export keeps the JSON.
        for entry in &mut entries {
            entry.before = entry.before.as_deref().map(readable_change);
            entry.after = entry.after.as_deref().map(readable_change);
        }
        Ok(AuditPage { entries, next })
    }
}

#[cfg(test)]
mod tests {
    use super::readable_change;

    #[test]
    fn a_change_reads_as_its_fields_and_leaves_out_what_is_empty() {
        assert_eq!(
            readable_change(r#"{"quantity":3,"reason":null,"state":"approved"}"#),
            "quantity: 3; state: approved"
        );
        assert_eq!(readable_change("not json"), "not json");
    }
}
