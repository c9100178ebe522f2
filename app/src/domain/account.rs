//! Accounts: the vendor, its partners, and the customers each partner manages.

use serde::{Deserialize, Serialize};

use super::{AccountId, Holding, OrderLineBalance};

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

/// Why an account name is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AccountNameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name has more than {max} characters")]
    TooLong { max: u32 },
    /// A control, bidirectional-override or zero-width character: invisible
    /// on screen, they let two names look alike or reorder what follows.
    #[error("the name has a character that cannot be shown")]
    Characters,
}

/// Characters a name may not hold: controls, the bidirectional marks and
/// overrides, and the zero-width ones.
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// An account's name: trimmed, 1 to 200 characters (SPEC, "Partner drawdown request").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

impl AccountName {
    /// The longest name accepted.
    pub const MAX_CHARS: u32 = 200;

    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, AccountNameError> {
        let s = input.trim();
        match s.chars().count() {
            0 => Err(AccountNameError::Empty),
            n if n > Self::MAX_CHARS as usize => Err(AccountNameError::TooLong { max: Self::MAX_CHARS }),
            _ if s.chars().any(is_hidden_character) => Err(AccountNameError::Characters),
            _ => Ok(Self(s.to_string())),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountName {
    type Error = AccountNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AccountName> for String {
    fn from(value: AccountName) -> Self {
        value.0
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

/// Everything the Entitlements view shows for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementsView {
    pub account: AccountSummary,
    pub holdings: Vec<Holding>,
    /// The partner's order lines; empty for a customer account.
    pub order_lines: Vec<OrderLineBalance>,
}

/// What "Select an account" offers: the user's own account first, then the
/// others by name, at most `ACCOUNT_CHOICES` of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoices {
    pub accounts: Vec<AccountSummary>,
    /// More accounts matched than are offered: "Find an account" narrows them.
    pub more: bool,
}

/// How many accounts "Select an account" offers at once.
pub const ACCOUNT_CHOICES: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_name_is_trimmed_and_one_to_two_hundred_characters() {
        assert_eq!(
            AccountName::parse("  Contoso  ").map(String::from),
            Ok("Contoso".into())
        );
        assert_eq!(AccountName::parse(" \t "), Err(AccountNameError::Empty));
        assert!(AccountName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(
            AccountName::parse(&"é".repeat(201)),
            Err(AccountNameError::TooLong { max: 200 })
        );
    }

    #[test]
    fn kinds_and_license_models_read_back_from_their_stored_names() {
        for kind in [AccountKind::Vendor, AccountKind::Partner, AccountKind::Customer] {
            assert_eq!(AccountKind::parse(kind.as_str()), Some(kind));
        }
        for model in [LicenseModel::Cloud, LicenseModel::File, LicenseModel::Service] {
            assert_eq!(LicenseModel::parse(model.as_str()), Some(model));
        }
        assert_eq!(LicenseModel::parse("floating"), None);
    }
}
