//! The split of an order line's quantity, and the ledger movements that
//! change it (SPEC, "Ledger").

use serde::{Deserialize, Serialize};

/// One kind of quantity movement in the append-only ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntryKind {
    /// Available → reserved, when a drawdown request is saved.
    Reserve,
    /// Reserved → available, when a request is rejected, cancelled or expires.
    Release,
    /// Reserved → drawn, when a request is accepted: the customer now holds it.
    Draw,
}

impl LedgerEntryKind {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserve => "reserve",
            Self::Release => "release",
            Self::Draw => "draw",
        }
    }

    /// Reads the stored value back.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "reserve" => Some(Self::Reserve),
            "release" => Some(Self::Release),
            "draw" => Some(Self::Draw),
            _ => None,
        }
    }
}

/// Why a movement cannot be applied to a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BalanceError {
    #[error("not enough available on the order line: {available} left, {requested} asked")]
    NotEnoughAvailable { available: i64, requested: i64 },
    #[error("not enough reserved on the order line: {reserved} reserved, {requested} asked")]
    NotEnoughReserved { reserved: i64, requested: i64 },
    #[error("a ledger movement must move at least one unit")]
    NotPositive,
}

/// Where an order line's quantity stands. `available` is derived, so the
/// invariant `available + reserved + drawn = quantity` holds by construction;
/// what can break is a negative part, which `apply` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineBalance {
    pub quantity: i64,
    pub reserved: i64,
    pub drawn: i64,
}

impl LineBalance {
    /// A line nobody has drawn from yet.
    pub fn new(quantity: i64) -> Self {
        Self {
            quantity,
            reserved: 0,
            drawn: 0,
        }
    }

    /// What can still be reserved.
    pub fn available(&self) -> i64 {
        self.quantity - self.reserved - self.drawn
    }

    /// True when no part is negative.
    pub fn is_consistent(&self) -> bool {
        self.reserved >= 0 && self.drawn >= 0 && self.available() >= 0
    }

    /// The balance after one movement, or why it cannot happen.
    pub fn apply(self, kind: LedgerEntryKind, amount: i64) -> Result<Self, BalanceError> {
        if amount <= 0 {
            return Err(BalanceError::NotPositive);
        }
        match kind {
            LedgerEntryKind::Reserve if amount > self.available() => Err(BalanceError::NotEnoughAvailable {
                available: self.available(),
                requested: amount,
            }),
            LedgerEntryKind::Reserve => Ok(Self {
                reserved: self.reserved + amount,
                ..self
            }),
            LedgerEntryKind::Release | LedgerEntryKind::Draw if amount > self.reserved => {
                Err(BalanceError::NotEnoughReserved {
                    reserved: self.reserved,
                    requested: amount,
                })
            }
            LedgerEntryKind::Release => Ok(Self {
                reserved: self.reserved - amount,
                ..self
            }),
            LedgerEntryKind::Draw => Ok(Self {
                reserved: self.reserved - amount,
                drawn: self.drawn + amount,
                ..self
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LedgerEntryKind::*;

    #[test]
    fn reserve_then_draw_moves_quantity_from_available_to_drawn() {
        let b = LineBalance::new(10)
            .apply(Reserve, 4)
            .and_then(|b| b.apply(Draw, 3));
        let b = b.expect("allowed");
        assert_eq!((b.available(), b.reserved, b.drawn), (6, 1, 3));
        assert!(b.is_consistent());
    }

    #[test]
    fn reserving_more_than_available_is_refused_with_what_is_left() {
        let b = LineBalance::new(10).apply(Reserve, 8).expect("allowed");
        assert_eq!(
            b.apply(Reserve, 3),
            Err(BalanceError::NotEnoughAvailable {
                available: 2,
                requested: 3
            })
        );
    }

    #[test]
    fn releasing_or_drawing_more_than_reserved_is_refused() {
        let b = LineBalance::new(10).apply(Reserve, 2).expect("allowed");
        assert_eq!(
            b.apply(Release, 3),
            Err(BalanceError::NotEnoughReserved {
                reserved: 2,
                requested: 3
            })
        );
        assert_eq!(
            b.apply(Draw, 3),
            Err(BalanceError::NotEnoughReserved {
                reserved: 2,
                requested: 3
            })
        );
    }

    #[test]
    fn a_movement_of_zero_or_less_is_refused() {
        assert_eq!(
            LineBalance::new(5).apply(Reserve, 0),
            Err(BalanceError::NotPositive)
        );
        assert_eq!(
            LineBalance::new(5).apply(Release, -1),
            Err(BalanceError::NotPositive)
        );
    }

    #[test]
    fn no_sequence_of_movements_breaks_the_invariant() {
        // Every sequence of up to 6 movements of 1..=4 units on a line of 7:
        // whatever apply accepts stays consistent.
        let kinds = [Reserve, Release, Draw];
        let mut frontier = vec![LineBalance::new(7)];
        for _ in 0..6 {
            let mut next = Vec::new();
            for b in &frontier {
                for kind in kinds {
                    for amount in 1..=4 {
                        if let Ok(after) = b.apply(kind, amount) {
                            assert!(after.is_consistent(), "{b:?} {kind:?} {amount}");
                            assert_eq!(after.available() + after.reserved + after.drawn, 7);
                            next.push(after);
                        }
                    }
                }
            }
            next.sort_by_key(|b| (b.reserved, b.drawn));
            next.dedup();
            frontier = next;
        }
        assert!(frontier.len() > 10);
    }
}
