//! People who sign in, and what their role lets them do.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{AccountId, UserId};

/// A user's role (SPEC, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PartnerAdmin,
    PartnerUser,
    Accounting,
    CustomerUser,
    VendorAdmin,
}

impl Role {
    /// Every role, in the order an admin would list them.
    pub const ALL: [Role; 5] = [
        Role::PartnerAdmin,
        Role::PartnerUser,
        Role::Accounting,
        Role::CustomerUser,
        Role::VendorAdmin,
    ];

    /// The value stored in the database and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "partner_admin",
            Self::PartnerUser => "partner_user",
            Self::Accounting => "accounting",
            Self::CustomerUser => "customer_user",
            Self::VendorAdmin => "vendor_admin",
        }
    }

    /// Reads a stored or typed role.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Partner admins and partner users act for a partner account.
    pub fn is_partner(self) -> bool {
        matches!(self, Self::PartnerAdmin | Self::PartnerUser)
    }

    /// Accounting approvers and vendor admins work for the vendor.
    pub fn is_vendor_staff(self) -> bool {
        matches!(self, Self::Accounting | Self::VendorAdmin)
    }

    /// The kind of account a user of this role must belong to.
    pub fn account_kind(self) -> super::AccountKind {
        use super::AccountKind;
        match self {
            Self::PartnerAdmin | Self::PartnerUser => AccountKind::Partner,
            Self::CustomerUser => AccountKind::Customer,
            Self::Accounting | Self::VendorAdmin => AccountKind::Vendor,
        }
    }
}

/// Why a text is not a usable email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum EmailError {
    #[error("the email address is empty")]
    Empty,
    #[error("the email address is not valid")]
    Invalid,
}

/// A user's sign-in email: trimmed, lower-cased and syntactically valid, so
/// that `Partner@Example.com` and `partner@example.com` are one user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserEmail(String);

impl UserEmail {
    /// The longest address mail systems carry (RFC 5321's path limit).
    pub const MAX_CHARS: usize = 254;

    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(EmailError::Invalid);
        }
        // email_address accepts forms that no mail system delivers to (no dot
        // in the domain, quoted local parts); a portal login should not.
        let lowered = trimmed.to_lowercase();
        let parsed: email_address::EmailAddress = lowered.parse().map_err(|_| EmailError::Invalid)?;
        if parsed.domain().split('.').count() < 2
            || parsed.domain().split('.').any(str::is_empty)
            || parsed.local_part().starts_with('"')
        {
            return Err(EmailError::Invalid);
        }
        Ok(Self(lowered))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserEmail {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UserEmail> for String {
    fn from(value: UserEmail) -> Self {
        value.0
    }
}

impl fmt::Display for UserEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name a user is shown by: the rules of an account's name (trimmed,
/// 1 to 200 characters, no hidden characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// The only way to make one.
    pub fn parse(input: &str) -> Result<Self, super::AccountNameError> {
        super::AccountName::parse(input).map(|name| Self(name.into()))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = super::AccountNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

/// Users in one page of a Users list.
pub const PEOPLE_PAGE: usize = 50;

/// A user as the Users lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub account_id: AccountId,
    pub account_name: String,
    pub last_sign_in_at: Option<i64>,
    pub deactivated_at: Option<i64>,
    /// Invited, and no password set yet.
    pub invited: bool,
}

/// Which link an admin's Send invitation or Reset password sent: an
/// invitation to someone who has not set a password yet, else a reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkSent {
    Invitation,
    PasswordReset,
}

/// The signed-in user, as every screen and server function sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub account_id: AccountId,
    pub account_name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        let email = UserEmail::parse("  Partner@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "partner@example.com");
    }

    #[test]
    fn an_empty_email_is_refused_as_empty() {
        assert_eq!(UserEmail::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn emails_without_a_dotted_domain_or_at_sign_are_refused() {
        for bad in [
            "partner",
            "partner@",
            "@example.com",
            "partner@localhost",
            "a@b..com",
            "a b@c.com",
            // PostgreSQL cannot take a NUL as a parameter: it never reaches a query.
            "a\0b@c.com",
        ] {
            assert_eq!(UserEmail::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
    }

    #[test]
    fn every_role_reads_back_from_its_stored_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
