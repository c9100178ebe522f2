//! The statement of a customer's entitlement to a product (SPEC, "Ledger
//! statements and exports"): what it received through accepted requests and
//! what it put to use and gave back (Control Rooms, license files), who and
//! when, with what it held and had in use after each movement.

use serde::{Deserialize, Serialize};

use super::{AccountId, DrawdownId, PdrNumber, ProductId};

/// How a movement changed what the customer holds or uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UsageMovementKind {
    /// An accepted request drew quantity to the customer.
    Received,
    /// Bound to a Control Room or configured into a license file.
    Assigned,
    /// Given back by the Control Room or the license file.
    Released,
}

impl UsageMovementKind {
    /// The stored name: `receive` for a grant, else the usage entry's kind.
    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "receive" => Some(Self::Received),
            "assign" => Some(Self::Assigned),
            "release" => Some(Self::Released),
            _ => None,
        }
    }
}

/// What a customer holds of a product and what of it is in use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingBalance {
    pub held: i64,
    pub in_use: i64,
}

impl HoldingBalance {
    /// What is neither bound nor in a file.
    pub fn free(&self) -> i64 {
        self.held - self.in_use
    }

    /// The balance just after `kind` moved `quantity`. Saturating: a ledger
    /// the check would flag still renders.
    pub fn after(self, kind: UsageMovementKind, quantity: i64) -> Self {
        match kind {
            UsageMovementKind::Received => Self {
                held: self.held.saturating_add(quantity),
                ..self
            },
            UsageMovementKind::Assigned => Self {
                in_use: self.in_use.saturating_add(quantity),
                ..self
            },
            UsageMovementKind::Released => Self {
                in_use: self.in_use.saturating_sub(quantity),
                ..self
            },
        }
    }

    /// The balance just before `kind` moved `quantity`.
    pub fn before(self, kind: UsageMovementKind, quantity: i64) -> Self {
        self.after(kind, quantity.saturating_neg())
    }
}

/// Where a movement stands in the statement's order: when, then grants
/// before usage of the same second, then by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UsageCursor {
    pub at: i64,
    /// 0 for a grant (an entitlement), 1 for a usage entry.
    pub source: i64,
    pub id: i64,
}

/// One movement of a customer's entitlement to a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingEntry {
    pub position: UsageCursor,
    pub kind: UsageMovementKind,
    pub quantity: i64,
    /// The request a grant came from.
    pub request: Option<(DrawdownId, PdrNumber)>,
    /// The Control Room (its tenant, else its license GUID) or the license
    /// file (its host) the quantity went to or came back from.
    pub control_room: Option<String>,
    pub license_file: Option<String>,
    /// Who made it; `None`: the portal.
    pub actor_name: Option<String>,
    /// Once this movement was made.
    pub after: HoldingBalance,
}

/// Movements read newest first, each given the balance after it, walking
/// back from `after_newest`.
pub fn with_holding_balance(
    mut entries: Vec<HoldingEntry>,
    after_newest: HoldingBalance,
) -> Vec<HoldingEntry> {
    let mut after = after_newest;
    for e in &mut entries {
        e.after = after;
        after = after.before(e.kind, e.quantity);
    }
    entries
}

/// A page of a holding's statement, newest movement first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingStatement {
    pub account_id: AccountId,
    pub account_name: String,
    pub product_id: ProductId,
    pub product_name: String,
    /// As it stands now.
    pub balance: HoldingBalance,
    pub entries: Vec<HoldingEntry>,
    /// Where the next page starts, when older movements remain.
    pub next: Option<UsageCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walking_back_from_what_is_held_now_gives_each_movement_its_balance_after() {
        // Oldest first: receive 5, assign 3, release 1, receive 2.
        let entry = |id, kind, quantity| HoldingEntry {
            position: UsageCursor {
                at: id,
                source: 0,
                id,
            },
            kind,
            quantity,
            request: None,
            control_room: None,
            license_file: None,
            actor_name: None,
            after: HoldingBalance::default(),
        };
        let newest_first = vec![
            entry(4, UsageMovementKind::Received, 2),
            entry(3, UsageMovementKind::Released, 1),
            entry(2, UsageMovementKind::Assigned, 3),
            entry(1, UsageMovementKind::Received, 5),
        ];
        let now = HoldingBalance { held: 7, in_use: 2 };
        let entries = with_holding_balance(newest_first, now);
        let afters: Vec<(i64, i64)> = entries.iter().map(|e| (e.after.held, e.after.in_use)).collect();
        assert_eq!(afters, [(7, 2), (5, 2), (5, 3), (5, 0)]);
        assert_eq!(entries[1].after.free(), 3);
        let mut running = HoldingBalance::default();
        for e in entries.iter().rev() {
            running = running.after(e.kind, e.quantity);
            assert_eq!(running, e.after);
        }
    }
}
