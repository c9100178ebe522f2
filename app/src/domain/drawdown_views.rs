//! What the screens show of drawdown requests: read models the repository
//! fills and the browser receives.

use serde::{Deserialize, Serialize};

use super::{
    AccountId, DrawdownField, DrawdownFieldError, DrawdownForm, DrawdownId, DrawdownState, LineAvailability,
    ManagedCustomer, OrderId, PdrNumber, UserId,
};

/// One row of the Partner drawdowns list and of Approvals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownSummary {
    pub id: DrawdownId,
    pub number: PdrNumber,
    pub partner_id: AccountId,
    pub partner_name: String,
    pub order_number: String,
    pub customer_name: String,
    pub state: DrawdownState,
    /// Unix seconds of the last change of state.
    pub changed_at: i64,
}

/// Where a page of a request list ends: the list is ordered by last change,
/// then id, so the next page starts after this pair whatever was added since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownCursor {
    pub changed_at: i64,
    pub id: DrawdownId,
}

impl DrawdownCursor {
    /// The cursor just after `row`.
    pub fn after(row: &DrawdownSummary) -> Self {
        Self {
            changed_at: row.changed_at,
            id: row.id,
        }
    }
}

/// One page of a request list, and where the next one starts if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownPage {
    pub rows: Vec<DrawdownSummary>,
    pub next: Option<DrawdownCursor>,
}

/// How many rows a page of a request list holds.
pub const DRAWDOWN_PAGE_SIZE: usize = 50;

/// The most rows one read of a request list returns: a screen that shows
/// more (after several Load more) gets the rest a page at a time.
pub const DRAWDOWN_PAGE_MAX: usize = 500;

/// Which rows of a request list to read: those after a cursor (from the
/// start without one), a page's worth unless more are asked for (a screen
/// refreshing the rows it already shows), within `DRAWDOWN_PAGE_MAX`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    pub after: Option<DrawdownCursor>,
    /// `u32`, not `usize`: the browser is 32-bit.
    pub rows: Option<u32>,
}

impl PageRequest {
    /// The first `rows` rows (at least a page's worth).
    pub fn first(rows: usize) -> Self {
        Self {
            after: None,
            rows: u32::try_from(rows.max(DRAWDOWN_PAGE_SIZE)).ok(),
        }
    }

    /// How many rows to read.
    pub fn limit(&self) -> usize {
        self.rows
            .and_then(|r| usize::try_from(r).ok())
            .unwrap_or(DRAWDOWN_PAGE_SIZE)
            .clamp(1, DRAWDOWN_PAGE_MAX)
    }
}

impl From<Option<DrawdownCursor>> for PageRequest {
    fn from(after: Option<DrawdownCursor>) -> Self {
        Self { after, rows: None }
    }
}

/// What the customer search compares: the name's start, any case, without
/// surrounding blanks. The same on save and on search, so an index serves it.
pub fn customer_search_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The longest customer search the lists take, in characters: a name is at
/// most 200, and a longer search matches nothing.
pub const CUSTOMER_SEARCH_MAX: usize = 200;

/// Whether a search typed for a name can match one: longer than any name, or
/// holding a character no name may hold (a NUL, which PostgreSQL cannot even
/// take as a parameter), it matches nothing and is not sent to the database.
pub fn search_can_match_a_name(search: &str) -> bool {
    let search = search.trim();
    search.chars().count() <= CUSTOMER_SEARCH_MAX && !search.chars().any(super::account::is_hidden_character)
}

/// What a request asks of one order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownLine {
    pub order_line: super::OrderLineId,
    pub product: super::ProductId,
    pub product_name: String,
    pub quantity: i64,
    pub term_months: i64,
}

/// One step of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `None` for the Save that created the request.
    pub from: Option<DrawdownState>,
    pub to: DrawdownState,
    /// Who acted; `None` when the server did (expiry).
    pub actor_name: Option<String>,
    pub at: i64,
    pub reason: Option<String>,
    /// A reminder the server sent (the state did not change), not a step.
    pub reminder: Option<super::ReminderKind>,
}

/// A request's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownDetail {
    pub summary: DrawdownSummary,
    pub order_id: OrderId,
    /// The customer account the request is tied to, once there is one.
    pub customer_account: Option<AccountId>,
    pub customer_website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub requested_by: UserId,
    pub requested_by_name: String,
    pub cloned_from: Option<(DrawdownId, PdrNumber)>,
    /// The latest reason accounting gave.
    pub reason: Option<String>,
    pub lines: Vec<DrawdownLine>,
    pub history: Vec<HistoryEntry>,
}

/// An order the partner can still draw from, with each line's availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrder {
    pub id: OrderId,
    pub number: String,
    pub ordered_on: String,
    pub lines: Vec<OpenOrderLine>,
}

/// One line of an open order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrderLine {
    pub availability: LineAvailability,
    pub term_months: i64,
}

impl OpenOrder {
    /// The lines as the form validation takes them.
    pub fn availability(&self) -> Vec<LineAvailability> {
        self.lines.iter().map(|l| l.availability.clone()).collect()
    }
}

/// Everything the New form needs: the open orders, the customers already
/// managed, and what to prefill (a clone, or the customer selected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownFormData {
    pub partner_id: AccountId,
    /// The request this form was cloned from.
    pub cloned_from: Option<(DrawdownId, PdrNumber)>,
    pub orders: Vec<OpenOrder>,
    pub customers: Vec<ManagedCustomer>,
    pub prefill_order: Option<OrderId>,
    pub prefill: DrawdownForm,
}

/// A form problem as it crosses the wire: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: DrawdownField,
    pub error: DrawdownFieldError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_with_a_character_no_name_holds_or_longer_than_a_name_matches_nothing() {
        assert!(search_can_match_a_name("Acme"));
        assert!(search_can_match_a_name(&"a".repeat(CUSTOMER_SEARCH_MAX)));
        assert!(!search_can_match_a_name(&"a".repeat(CUSTOMER_SEARCH_MAX + 1)));
        assert!(!search_can_match_a_name("Ac\0me"));
        assert!(!search_can_match_a_name("\u{202E}Acme"));
    }

    #[test]
    fn a_page_request_reads_a_page_unless_more_is_asked_and_never_past_the_maximum() {
        assert_eq!(PageRequest::default().limit(), DRAWDOWN_PAGE_SIZE);
        assert_eq!(PageRequest::first(0).limit(), DRAWDOWN_PAGE_SIZE);
        assert_eq!(PageRequest::first(120).limit(), 120);
        assert_eq!(PageRequest::first(10_000).limit(), DRAWDOWN_PAGE_MAX);
        let zero = PageRequest {
            after: None,
            rows: Some(0),
        };
        assert_eq!(zero.limit(), 1);
    }

    #[test]
    fn the_customer_search_key_ignores_case_by_unicode_rules_and_surrounding_blanks() {
        assert_eq!(customer_search_key("  Émile ÉLECTRIQUE "), "émile électrique");
        assert_eq!(customer_search_key("Contoso"), customer_search_key("CONTOSO"));
    }
}
