//! Ledger statements (SPEC, "Ledger statements and exports"): every movement
//! of an order line with its cause, who and when, and the line's balance
//! after it.

use serde::{Deserialize, Serialize};

use super::{AccountId, DrawdownId, LedgerEntryKind, LineBalance, OrderLineId, PdrNumber};

/// One movement of an order line, as its statement shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    pub id: i64,
    pub at: i64,
    pub kind: LedgerEntryKind,
    pub quantity: i64,
    /// The drawdown request that caused it.
    pub request: Option<(DrawdownId, PdrNumber)>,
    /// The customer a draw went to.
    pub customer_name: Option<String>,
    /// Who made the step; `None`: the server (an expiry).
    pub actor_name: Option<String>,
    /// The line's balance once this movement was made.
    pub after: LineBalance,
}

/// A movement as read from the ledger, before its running balance is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMovement {
    pub id: i64,
    pub at: i64,
    pub kind: LedgerEntryKind,
    pub quantity: i64,
    pub request: Option<(DrawdownId, PdrNumber)>,
    pub customer_name: Option<String>,
    pub actor_name: Option<String>,
}

/// The line's balance just before `kind` moved `quantity`, from the balance
/// just after it: the same movement, backwards.
pub fn balance_before(after: LineBalance, kind: LedgerEntryKind, quantity: i64) -> LineBalance {
    balance_after(after, kind, quantity.saturating_neg())
}

/// The line's balance just after a movement, from the balance before it.
/// Saturating: a ledger the check would flag still renders.
pub fn balance_after(before: LineBalance, kind: LedgerEntryKind, quantity: i64) -> LineBalance {
    match kind {
        LedgerEntryKind::Reserve => LineBalance {
            reserved: before.reserved.saturating_add(quantity),
            ..before
        },
        LedgerEntryKind::Release => LineBalance {
            reserved: before.reserved.saturating_sub(quantity),
            ..before
        },
        LedgerEntryKind::Draw => LineBalance {
            reserved: before.reserved.saturating_sub(quantity),
            drawn: before.drawn.saturating_add(quantity),
            ..before
        },
    }
}

impl LedgerMovement {
    /// This movement on a statement, with the line's balance after it.
    pub fn with_balance_after(self, after: LineBalance) -> StatementEntry {
        StatementEntry {
            id: self.id,
            at: self.at,
            kind: self.kind,
            quantity: self.quantity,
            request: self.request,
            customer_name: self.customer_name,
            actor_name: self.actor_name,
            after,
        }
    }
}

/// Movements read newest first, each given the balance after it, walking
/// back from `after_newest` (the balance after the first of them).
pub fn with_running_balance(
    movements: Vec<LedgerMovement>,
    after_newest: LineBalance,
) -> Vec<StatementEntry> {
    let mut after = after_newest;
    movements
        .into_iter()
        .map(|m| {
            let before = balance_before(after, m.kind, m.quantity);
            let entry = m.with_balance_after(after);
            after = before;
            entry
        })
        .collect()
}

/// How many movements a page of a statement shows.
pub const STATEMENT_PAGE_SIZE: usize = 50;

/// A page of an order line's statement, newest movement first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineStatement {
    pub order_line: OrderLineId,
    pub order_number: String,
    pub product_name: String,
    pub partner_id: AccountId,
    pub partner_name: String,
    /// The line as it stands now.
    pub balance: LineBalance,
    pub entries: Vec<StatementEntry>,
    /// The id of the last movement shown, when older ones remain.
    pub next: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn movement(id: i64, kind: LedgerEntryKind, quantity: i64) -> LedgerMovement {
        LedgerMovement {
            id,
            at: id,
            kind,
            quantity,
            request: None,
            customer_name: None,
            actor_name: None,
        }
    }

    #[test]
    fn walking_back_from_the_stored_balance_gives_each_movement_its_balance_after() {
        // Oldest first: reserve 5, reserve 3, draw 5, release 3 on a line of 10.
        let now = LineBalance {
            quantity: 10,
            reserved: 0,
            drawn: 5,
        };
        let newest_first = vec![
            movement(4, LedgerEntryKind::Release, 3),
            movement(3, LedgerEntryKind::Draw, 5),
            movement(2, LedgerEntryKind::Reserve, 3),
            movement(1, LedgerEntryKind::Reserve, 5),
        ];
        let entries = with_running_balance(newest_first, now);
        let afters: Vec<(i64, i64)> = entries
            .iter()
            .map(|e| (e.after.reserved, e.after.drawn))
            .collect();
        assert_eq!(afters, [(0, 5), (3, 5), (8, 0), (5, 0)]);
        // And forward again from nothing, as the export computes it.
        let mut running = LineBalance::new(10);
        for e in entries.iter().rev() {
            running = balance_after(running, e.kind, e.quantity);
            assert_eq!(running, e.after, "entry {}", e.id);
        }
    }
}
