//! Accounts: the vendor, its partners, and the customers each partner manages.

use serde::{Deserialize, Serialize};

use super::AccountId;

/// What kind of organisation an account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Vendor,
    Partner,
    Customer,
}

impl AccountKind {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vendor => "vendor",
            Self::Partner => "partner",
            Self::Customer => "customer",
        }
    }

    /// Reads the stored value back.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vendor" => Some(Self::Vendor),
            "partner" => Some(Self::Partner),
            "customer" => Some(Self::Customer),
            _ => None,
        }
    }
}

/// Just enough of an account to decide who may see it and to list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    /// For a customer, the partner that manages it.
    pub managed_by: Option<AccountId>,
    /// For a customer, the name of the partner that manages it.
    pub managed_by_name: Option<String>,
}

/// How a product's entitlements are delivered (SPEC, "Product").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseModel {
    /// Bound to a license GUID of a Control Room.
    Cloud,
    /// Configured into a signed license file (legacy).
    File,
    /// A cloud service instance to provision.
    Service,
}

impl LicenseModel {
    /// The value stored in the database and used in CSV files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cloud => "cloud",
            Self::File => "file",
            Self::Service => "service",
        }
    }

    /// Reads the stored value back.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cloud" => Some(Self::Cloud),
            "file" => Some(Self::File),
            "service" => Some(Self::Service),
            _ => None,
        }
    }
}
