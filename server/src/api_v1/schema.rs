//! What the API answers, as its OpenAPI document describes it: the API's own
//! types, made from the domain's, so a change to a screen's types cannot
//! change the API's contract unnoticed.

use app::domain::{
    AccountKind, AccountSummary, DrawdownDetail, DrawdownLine, DrawdownSummary, EntitlementsView,
    HistoryEntry, Holding, LicenseModel, OrderLineBalance,
};
use serde::Serialize;
use utoipa::ToSchema;

/// An account: the partner's own, or a customer it manages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    /// `partner`, `customer` or `vendor`.
    pub kind: String,
    pub name: String,
    /// For a customer, the partner that manages it.
    pub managed_by: Option<i64>,
}

impl From<AccountSummary> for Account {
    fn from(a: AccountSummary) -> Self {
        Self {
            id: a.id.0,
            kind: match a.kind {
                AccountKind::Partner => "partner",
                AccountKind::Customer => "customer",
                AccountKind::Vendor => "vendor",
            }
            .into(),
            name: a.name,
            managed_by: a.managed_by.map(|p| p.0),
        }
    }
}

/// Accounts by name, at most 100.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub data: Vec<Account>,
    /// More accounts match: narrow with `q`.
    pub has_more: bool,
}

/// What an account holds of one product.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductHolding {
    pub product_id: i64,
    pub product_name: String,
    /// `cloud`, `file` or `service`.
    pub license_model: String,
    pub quantity: i64,
    /// Bound to Control Rooms or configured into license files.
    pub in_use: i64,
}

impl From<Holding> for ProductHolding {
    fn from(h: Holding) -> Self {
        Self {
            product_id: h.product_id.0,
            product_name: h.product_name,
            license_model: match h.license_model {
                LicenseModel::Cloud => "cloud",
                LicenseModel::File => "file",
                LicenseModel::Service => "service",
            }
            .into(),
            quantity: h.quantity,
            in_use: h.in_use,
        }
    }
}

/// One line of a partner's order with its balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLine {
    pub order_id: i64,
    pub order_line_id: i64,
    pub order_number: String,
    /// `YYYY-MM-DD`.
    pub ordered_on: String,
    pub line_no: i64,
    pub product_name: String,
    pub term_months: i64,
    pub quantity: i64,
    /// Held by open requests.
    pub reserved: i64,
    /// Given to customers.
    pub drawn: i64,
    /// What a new request may ask for.
    pub available: i64,
}

impl From<OrderLineBalance> for OrderLine {
    fn from(l: OrderLineBalance) -> Self {
        Self {
            order_id: l.order_id.0,
            order_line_id: l.order_line_id.0,
            order_number: l.order_number,
            ordered_on: l.ordered_on,
            line_no: l.line_no,
            product_name: l.product_name,
            term_months: l.term_months,
            quantity: l.balance.quantity,
            reserved: l.balance.reserved,
            drawn: l.balance.drawn,
            available: l.balance.available(),
        }
    }
}

/// An account's entitlements and, for the partner, its order lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entitlements {
    pub account: Account,
    pub holdings: Vec<ProductHolding>,
    pub order_lines: Vec<OrderLine>,
}

impl From<EntitlementsView> for Entitlements {
    fn from(v: EntitlementsView) -> Self {
        Self {
            account: v.account.into(),
            holdings: v.holdings.into_iter().map(Into::into).collect(),
            order_lines: v.order_lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// A drawdown request as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Drawdown {
    pub id: i64,
    /// `PDR-000123`.
    pub number: String,
    pub partner_id: i64,
    pub partner_name: String,
    pub order_number: String,
    pub customer_name: String,
    /// `submitted`, `approved`, `rejected`, `accepted`, `cancelled` or `expired`.
    pub state: String,
    /// Unix seconds of the last change of state.
    pub changed_at: i64,
}

impl From<DrawdownSummary> for Drawdown {
    fn from(s: DrawdownSummary) -> Self {
        Self {
            id: s.id.0,
            number: s.number.to_string(),
            partner_id: s.partner_id.0,
            partner_name: s.partner_name,
            order_number: s.order_number,
            customer_name: s.customer_name,
            state: s.state.as_str().into(),
            changed_at: s.changed_at,
        }
    }
}

/// A page of drawdown requests, newest change first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawdownList {
    pub data: Vec<Drawdown>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

/// One requested line.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawdownRequestLine {
    pub order_line: i64,
    pub product_id: i64,
    pub product_name: String,
    pub quantity: i64,
    pub term_months: i64,
}

impl From<DrawdownLine> for DrawdownRequestLine {
    fn from(l: DrawdownLine) -> Self {
        Self {
            order_line: l.order_line.0,
            product_id: l.product.0,
            product_name: l.product_name,
            quantity: l.quantity,
            term_months: l.term_months,
        }
    }
}

/// One step of a request's history, or a reminder sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryStep {
    /// Null for the Save that created the request.
    pub from: Option<String>,
    pub to: String,
    /// Who acted; null when the server did (expiry, reminders).
    pub actor_name: Option<String>,
    pub at: i64,
    pub reason: Option<String>,
    /// A reminder's kind (the state did not change).
    pub reminder: Option<String>,
}

impl From<HistoryEntry> for HistoryStep {
    fn from(h: HistoryEntry) -> Self {
        Self {
            from: h.from.map(|s| s.as_str().into()),
            to: h.to.as_str().into(),
            actor_name: h.actor_name,
            at: h.at,
            reason: h.reason,
            reminder: h.reminder.map(|r| r.as_str().into()),
        }
    }
}

/// A drawdown request with its lines and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawdownDetails {
    #[serde(flatten)]
    pub summary: Drawdown,
    pub order_id: i64,
    /// The customer account it is tied to, once there is one.
    pub customer_account: Option<i64>,
    pub customer_website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    /// The request it was cloned from.
    pub cloned_from: Option<i64>,
    /// The latest reason accounting gave.
    pub reason: Option<String>,
    pub lines: Vec<DrawdownRequestLine>,
    pub history: Vec<HistoryStep>,
}

impl From<DrawdownDetail> for DrawdownDetails {
    fn from(d: DrawdownDetail) -> Self {
        Self {
            summary: d.summary.into(),
            order_id: d.order_id.0,
            customer_account: d.customer_account.map(|a| a.0),
            customer_website: d.customer_website,
            contact_name: d.contact_name,
            contact_email: d.contact_email,
            requested_by: d.requested_by.0,
            requested_by_name: d.requested_by_name,
            cloned_from: d.cloned_from.map(|(id, _)| id.0),
            reason: d.reason,
            lines: d.lines.into_iter().map(Into::into).collect(),
            history: d.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// A request just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub number: String,
    /// `submitted`.
    pub state: String,
}

/// A request after a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stepped {
    pub id: i64,
    /// The state it is now in.
    pub state: String,
}

/// A refusal or failure: the browser's stable code, and what it names.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// A stable snake_case code: `not_signed_in`, `forbidden`, `not_found`,
    /// `invalid_input`, `invalid_drawdown`, `transition_refused`,
    /// `throttled`, `too_many_saves`, `malformed`, `unavailable`, `internal`…
    pub error: String,
    /// For `invalid_input`: the parameter or header refused.
    pub field: Option<String>,
    /// For `invalid_drawdown`: each field's problem.
    pub problems: Option<Vec<serde_json::Value>>,
    /// For `throttled` and `too_many_saves`: seconds to wait.
    pub retry_after: Option<u32>,
}

/// One movement of an order line's ledger, with the balance after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementMovement {
    pub id: i64,
    pub at: i64,
    /// `reserve`, `release` or `draw`.
    pub kind: String,
    pub quantity: i64,
    /// The drawdown request that caused it.
    pub request_id: Option<i64>,
    pub request_number: Option<String>,
    /// The customer a draw went to.
    pub customer_name: Option<String>,
    /// Who made the step; null when the server did (an expiry).
    pub actor_name: Option<String>,
    pub reserved_after: i64,
    pub drawn_after: i64,
    pub available_after: i64,
}

impl From<app::domain::StatementEntry> for StatementMovement {
    fn from(e: app::domain::StatementEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            kind: e.kind.as_str().into(),
            quantity: e.quantity,
            request_id: e.request.as_ref().map(|(id, _)| id.0),
            request_number: e.request.as_ref().map(|(_, n)| n.to_string()),
            customer_name: e.customer_name,
            actor_name: e.actor_name,
            reserved_after: e.after.reserved,
            drawn_after: e.after.drawn,
            available_after: e.after.available(),
        }
    }
}

/// An order line's statement: its balance now and its movements, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineStatement {
    pub order_line: i64,
    pub order_number: String,
    pub product_name: String,
    pub quantity: i64,
    pub reserved: i64,
    pub drawn: i64,
    pub available: i64,
    pub data: Vec<StatementMovement>,
    /// Pass as `cursor` for older movements; null at the first.
    pub next_cursor: Option<String>,
}

impl From<app::domain::LineStatement> for LineStatement {
    fn from(s: app::domain::LineStatement) -> Self {
        Self {
            order_line: s.order_line.0,
            order_number: s.order_number,
            product_name: s.product_name,
            quantity: s.balance.quantity,
            reserved: s.balance.reserved,
            drawn: s.balance.drawn,
            available: s.balance.available(),
            data: s.entries.into_iter().map(Into::into).collect(),
            next_cursor: s.next.map(|id| id.to_string()),
        }
    }
}

/// A problem of an imported file, at its line (and column, if one).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    /// `customer_account`, `website`, `contact_name`, `contact_email`,
    /// `product` or `quantity`.
    pub column: Option<String>,
    /// The rule broken, a stable code: a string (`not_on_the_order`) or an
    /// object naming it with its figures (`{"product_twice": {"line": 2}}`,
    /// `{"field": {"error": …}}` with the New form's own error).
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
    /// The rule in English, for a person reading a log.
    pub message: String,
}

/// One row of the file, as the dry run read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRow {
    pub line: u64,
    pub customer_account: String,
    pub product: String,
    pub quantity: String,
    /// Empty when the row is ready.
    pub problems: Vec<ImportProblem>,
}

/// What all the requests of the file take from one order line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportLineEffect {
    pub order_line: i64,
    pub product: String,
    pub available: i64,
    pub requested: i64,
    /// Negative when the file asks for more than the line has.
    pub available_after: i64,
}

/// The dry run of a bulk import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportCheck {
    /// No problem: submitting the same file creates `requests` requests.
    pub clean: bool,
    pub requests: u32,
    /// Problems of the file as a whole (header, unreadable rows).
    pub file_problems: Vec<ImportProblem>,
    pub rows: Vec<ImportRow>,
    pub lines: Vec<ImportLineEffect>,
}

impl From<&app::domain::ImportCheck> for ImportCheck {
    fn from(check: &app::domain::ImportCheck) -> Self {
        use app::i18n::{import_rule_text, Locale};
        let problem =
            |line: u64, column: Option<app::domain::ImportColumn>, rule: &app::domain::ImportRule| {
                ImportProblem {
                    line,
                    column: column.map(|c| c.key().to_owned()),
                    rule: serde_json::to_value(rule).unwrap_or_default(),
                    message: import_rule_text(Locale::En, rule),
                }
            };
        Self {
            clean: check.is_clean(),
            requests: check.requests,
            file_problems: check
                .file_problems
                .iter()
                .map(|p| problem(p.line, p.column, &p.rule))
                .collect(),
            rows: check
                .rows
                .iter()
                .map(|r| ImportRow {
                    line: r.line,
                    customer_account: r.customer_account.clone(),
                    product: r.product.clone(),
                    quantity: r.quantity.clone(),
                    problems: r
                        .problems
                        .iter()
                        .map(|p| problem(r.line, p.column, &p.rule))
                        .collect(),
                })
                .collect(),
            lines: check
                .lines
                .iter()
                .map(|l| ImportLineEffect {
                    order_line: l.order_line.0,
                    product: l.product_name.clone(),
                    available: l.available,
                    requested: l.requested,
                    available_after: l.after(),
                })
                .collect(),
        }
    }
}

/// The requests a bulk import submitted, in the order of their customers'
/// first rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedRequests {
    pub data: Vec<Created>,
}

/// A bulk import refused: `invalid_drawdown_import`, with the dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefused {
    /// `invalid_drawdown_import`.
    pub error: String,
    pub check: ImportCheck,
}
