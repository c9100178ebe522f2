//! What the Audit log screen and its CSV export ask for (SPEC, "Audit log"):
//! the filters as typed, read into instants the same way in the browser and
//! on the server.

use serde::{Deserialize, Serialize};

use super::{AuditEntry, AuditKind};

/// Entries on one page of the Audit log.
pub const AUDIT_PAGE: usize = 50;

/// The filters of the Audit log; an empty text filters nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Who made the changes, as entries name them (an email, "server").
    #[serde(default)]
    pub actor: String,
    /// The account the changes belong to, by its name.
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub kind: Option<AuditKind>,
    /// The first day (UTC), `YYYY-MM-DD`.
    #[serde(default)]
    pub from: String,
    /// The last day (UTC, included), `YYYY-MM-DD`.
    #[serde(default)]
    pub until: String,
}

/// Which date filter is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuditDateError {
    #[error("from must be a date written YYYY-MM-DD")]
    From,
    #[error("until must be a date written YYYY-MM-DD, not before from")]
    Until,
}

impl AuditDateError {
    /// The field the problem is shown next to.
    pub fn field(self) -> &'static str {
        match self {
            AuditDateError::From => "from",
            AuditDateError::Until => "until",
        }
    }
}

/// Unix seconds of a day's start, UTC.
fn day_start(input: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(input.trim(), &format)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// The range of instants two typed days give (an export's From and Until,
/// `YYYY-MM-DD`, UTC, either empty): from the start of `from` (inclusive)
/// to the end of `until` (exclusive).
pub fn day_range(from: &str, until: &str) -> Result<(Option<i64>, Option<i64>), AuditDateError> {
    let from = match from.trim() {
        "" => None,
        typed => Some(day_start(typed).ok_or(AuditDateError::From)?),
    };
    let until = match until.trim() {
        "" => None,
        typed => Some(day_start(typed).ok_or(AuditDateError::Until)? + 86_400),
    };
    if let (Some(from), Some(until)) = (from, until) {
        if until <= from {
            return Err(AuditDateError::Until);
        }
    }
    Ok((from, until))
}

impl AuditQuery {
    /// The range of instants the dates give (`day_range`).
    pub fn range(&self) -> Result<(Option<i64>, Option<i64>), AuditDateError> {
        day_range(&self.from, &self.until)
    }

    /// The actor filter as stored: emails are kept lower case.
    pub fn actor(&self) -> Option<String> {
        Some(self.actor.trim().to_lowercase()).filter(|a| !a.is_empty())
    }

    /// The account filter, if any.
    pub fn account(&self) -> Option<&str> {
        Some(self.account.trim()).filter(|a| !a.is_empty())
    }
}

/// Where a page of the Audit log ends: its last entry's instant and id.
pub type AuditCursor = (i64, i64);

/// One page of the Audit log, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts, when there is one.
    pub next: Option<AuditCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, until: &str) -> AuditQuery {
        AuditQuery {
            from: from.into(),
            until: until.into(),
            ..AuditQuery::default()
        }
    }

    #[test]
    fn dates_give_whole_utc_days_with_the_last_one_included() {
        // 2026-12-01T00:00:00Z and 2026-12-03T00:00:00Z.
        assert_eq!(
            query("2026-12-01", " 2026-12-02 ").range(),
            Ok((Some(1_796_083_200), Some(1_796_256_000)))
        );
        assert_eq!(query("", "").range(), Ok((None, None)));
        assert_eq!(
            query("2026-12-01", "2026-12-01")
                .range()
                .map(|(f, u)| u.zip(f).map(|(u, f)| u - f)),
            Ok(Some(86_400))
        );
    }

    #[test]
    fn a_date_that_is_not_one_or_an_end_before_the_start_names_its_field() {
        assert_eq!(query("01/12/2026", "").range(), Err(AuditDateError::From));
        assert_eq!(query("", "2026-02-30").range(), Err(AuditDateError::Until));
        assert_eq!(
            query("2026-12-02", "2026-12-01").range(),
            Err(AuditDateError::Until)
        );
        assert_eq!(AuditDateError::Until.field(), "until");
    }

    #[test]
    fn the_actor_is_read_as_emails_are_stored_and_blanks_filter_nothing() {
        let q = AuditQuery {
            actor: "  Admin@Example.com ".into(),
            account: "  ".into(),
            ..AuditQuery::default()
        };
        assert_eq!(q.actor().as_deref(), Some("admin@example.com"));
        assert_eq!(q.account(), None);
    }
}
