//! Accounting's workspace (SPEC, "Accounting's workspace"): what it weighs
//! before approving a request (the Decision panel of the request page), and
//! the Approvals queue with its bulk approval.

use serde::{Deserialize, Serialize};

use super::{
    AccountId, DrawdownCursor, DrawdownId, DrawdownState, DrawdownSummary, LineBalance, OrderLineId,
    PdrNumber,
};

/// One requested line, against its order line's stored balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionLine {
    pub order_line: OrderLineId,
    pub product_name: String,
    pub requested: i64,
    /// The order line without this request.
    pub before: LineBalance,
    /// The order line once this request is drawn.
    pub after: LineBalance,
}

impl DecisionLine {
    /// The line's figures from its stored balance `now`: a request that is
    /// Submitted or Approved holds `requested` reserved on it, so the line
    /// without it had that much more available, and drawing it moves it from
    /// reserved to drawn. Any other request moves nothing any more: before and
    /// after are the line as it stands.
    pub fn from_stored(
        order_line: OrderLineId,
        product_name: String,
        requested: i64,
        now: LineBalance,
        state: DrawdownState,
    ) -> Self {
        let holds_reservation = matches!(state, DrawdownState::Submitted | DrawdownState::Approved);
        let (before, after) = if holds_reservation {
            // Saturating: a balance the ledger check would flag still renders.
            let reserved = now.reserved.saturating_sub(requested).max(0);
            (
                LineBalance { reserved, ..now },
                LineBalance {
                    reserved,
                    drawn: now.drawn.saturating_add(requested),
                    ..now
                },
            )
        } else {
            (now, now)
        };
        Self {
            order_line,
            product_name,
            requested,
            before,
            after,
        }
    }
}

/// Another open request (Submitted or Approved) for the same customer or
/// the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedRequest {
    pub id: DrawdownId,
    pub number: PdrNumber,
    pub state: DrawdownState,
    pub customer_name: String,
    pub order_number: String,
    pub quantity: i64,
    pub changed_at: i64,
}

/// One of the partner's last decisions: a request approved or rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastDecision {
    pub id: DrawdownId,
    pub number: PdrNumber,
    pub decision: DrawdownState,
    pub customer_name: String,
    pub quantity: i64,
    pub at: i64,
    pub reason: Option<String>,
}

/// How many of the partner's last decisions the panel lists.
pub const PAST_DECISIONS: usize = 5;

/// How many other open requests the panel lists (the same customer's first, then the newest).
pub const RELATED_REQUESTS: usize = 20;

/// The Decision panel of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionPanel {
    pub lines: Vec<DecisionLine>,
    /// The customer account the request is tied to; `None`: a customer the
    /// partner does not manage yet (created at acceptance).
    pub customer: Option<AccountId>,
    /// What that customer holds now, per product.
    pub holdings: Vec<super::Holding>,
    pub open_requests: Vec<RelatedRequest>,
    pub past_decisions: Vec<PastDecision>,
}

/// A request waiting in the Approvals queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedRequest {
    pub summary: DrawdownSummary,
    /// All its lines together.
    pub quantity: i64,
    /// Seconds since it was submitted, by the server's clock.
    pub waiting: i64,
    /// Waiting longer than the configured target.
    pub overdue: bool,
}

/// A partner with requests waiting, for the queue's Partner filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingPartner {
    pub id: AccountId,
    pub name: String,
    pub waiting: i64,
}

/// A page of the Approvals queue, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsPage {
    pub rows: Vec<QueuedRequest>,
    pub next: Option<DrawdownCursor>,
    /// Every partner with a request waiting (the filter's choices), on the
    /// first page only.
    pub partners: Vec<WaitingPartner>,
}

/// The most requests one Approve selected takes.
pub const BULK_APPROVAL_MAX: usize = 100;

/// What became of one request of an Approve selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkOutcome {
    Approved,
    /// It had left Submitted meanwhile (cancelled, approved by a colleague):
    /// its state now.
    Moved(DrawdownState),
    /// No such request.
    NotFound,
    /// The server failed on this one (logged); the others went on.
    Failed,
}

/// One request of an Approve selected and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkApproval {
    pub id: DrawdownId,
    /// `None` for a request that does not exist.
    pub number: Option<PdrNumber>,
    pub outcome: BulkOutcome,
}

/// A reminder about a request (SPEC, "Reminders"): each sent at most once
/// per request, kind and deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReminderKind {
    /// To accounting: a Submitted request waited past the target.
    Accounting,
    /// To the escalation address: it waited longer still.
    Escalation,
    /// To the requesting partner user: the approval expires in 7 days.
    ExpiresIn7Days,
    /// To the requesting partner user: the approval expires in 1 day.
    ExpiresIn1Day,
}

impl ReminderKind {
    pub const ALL: [Self; 4] = [
        Self::Accounting,
        Self::Escalation,
        Self::ExpiresIn7Days,
        Self::ExpiresIn1Day,
    ];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accounting => "accounting",
            Self::Escalation => "escalation",
            Self::ExpiresIn7Days => "expiry_7d",
            Self::ExpiresIn1Day => "expiry_1d",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The state a request is in while this reminder can be due.
    pub fn state(self) -> DrawdownState {
        match self {
            Self::Accounting | Self::Escalation => DrawdownState::Submitted,
            Self::ExpiresIn7Days | Self::ExpiresIn1Day => DrawdownState::Approved,
        }
    }

    /// Seconds after the request entered `state()` that the reminder is due,
    /// given the queue's target, the escalation delay and the approval's
    /// lifetime; `None` when the lifetime is too short for it (a 5-day
    /// approval has no reminder 7 days before it ends).
    pub fn due_after(self, target: i64, escalation: i64, lifetime: i64) -> Option<i64> {
        const DAY: i64 = 86_400;
        match self {
            Self::Accounting => Some(target),
            Self::Escalation => Some(escalation),
            Self::ExpiresIn7Days => (lifetime > 7 * DAY).then(|| lifetime - 7 * DAY),
            Self::ExpiresIn1Day => (lifetime > DAY).then(|| lifetime - DAY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, reserved: i64, drawn: i64) -> LineBalance {
        LineBalance {
            quantity,
            reserved,
            drawn,
        }
    }

    #[test]
    fn a_submitted_request_is_taken_out_of_reserved_before_and_drawn_after() {
        let d = DecisionLine::from_stored(
            OrderLineId(1),
            "Studio".into(),
            30,
            line(100, 50, 20),
            DrawdownState::Submitted,
        );
        assert_eq!(d.before, line(100, 20, 20));
        assert_eq!(d.before.available(), 60);
        assert_eq!(d.after, line(100, 20, 50));
        assert_eq!(d.after.available(), 30);
    }

    #[test]
    fn a_request_that_holds_nothing_shows_the_line_as_it_stands() {
        for state in [
            DrawdownState::Accepted,
            DrawdownState::Rejected,
            DrawdownState::Cancelled,
            DrawdownState::Expired,
        ] {
            let d = DecisionLine::from_stored(OrderLineId(1), "Studio".into(), 30, line(100, 10, 40), state);
            assert_eq!(
                (d.before, d.after),
                (line(100, 10, 40), line(100, 10, 40)),
                "{state:?}"
            );
        }
    }

    #[test]
    fn reminders_are_due_after_their_delay_and_none_that_a_short_approval_cannot_hold() {
        let day = 86_400;
        assert_eq!(
            ReminderKind::Accounting.due_after(2 * day, 5 * day, 30 * day),
            Some(2 * day)
        );
        assert_eq!(
            ReminderKind::Escalation.due_after(2 * day, 5 * day, 30 * day),
            Some(5 * day)
        );
        assert_eq!(
            ReminderKind::ExpiresIn7Days.due_after(0, 0, 30 * day),
            Some(23 * day)
        );
        assert_eq!(
            ReminderKind::ExpiresIn1Day.due_after(0, 0, 30 * day),
            Some(29 * day)
        );
        assert_eq!(ReminderKind::ExpiresIn7Days.due_after(0, 0, 5 * day), None);
        assert_eq!(ReminderKind::ExpiresIn1Day.due_after(0, 0, day), None);
        for kind in ReminderKind::ALL {
            assert_eq!(ReminderKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn an_inconsistent_stored_balance_never_goes_negative() {
        let d = DecisionLine::from_stored(
            OrderLineId(1),
            "Studio".into(),
            30,
            line(100, 10, 0),
            DrawdownState::Approved,
        );
        assert_eq!(d.before.reserved, 0);
        assert_eq!(d.after.drawn, 30);
    }
}
