//! What an account holds, as the Entitlements view shows it.

use serde::{Deserialize, Serialize};

use super::{LicenseModel, LineBalance, OrderId, OrderLineId, ProductId};

/// The quantity of one product an account holds, all sources together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub product_id: ProductId,
    pub product_name: String,
    pub license_model: LicenseModel,
    pub quantity: i64,
    /// Bound to Control Rooms or configured into license files (a
    /// customer's; a partner's order stock is not put to use).
    pub in_use: i64,
}

/// One line of a partner's order and how its quantity is split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineBalance {
    pub order_id: OrderId,
    pub order_line_id: OrderLineId,
    pub order_number: String,
    pub ordered_on: String,
    pub line_no: i64,
    pub product_name: String,
    pub term_months: i64,
    pub balance: LineBalance,
}
