//! API tokens (SPEC, "Partner API and webhooks"): what a partner admin
//! names and chooses when making one, and what the API tokens tab lists.
//! The secret itself is shown once, when made, and kept only as a hash.

use serde::{Deserialize, Serialize};

use super::{AccountId, ApiTokenId, UserId};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    /// GET only.
    Read,
    /// Every call its account's partner users may make.
    ReadWrite,
}

impl ApiScope {
    pub const ALL: [ApiScope; 2] = [ApiScope::Read, ApiScope::ReadWrite];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A token's name: what its maker will recognise it by (the system that
/// uses it), 1 to 100 characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenName(String);

/// Why a token's name or lifetime is refused; on the wire by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ApiTokenProblem {
    #[error("a name is required")]
    NameRequired,
    #[error("the name is longer than 100 characters")]
    NameTooLong,
    #[error("the name holds a control character")]
    NameControlCharacter,
    #[error("a token lives 1 to 730 days, or until revoked")]
    LifetimeOutOfRange,
}

impl TokenName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, ApiTokenProblem> {
        let text = text.trim();
        if text.is_empty() {
            Err(ApiTokenProblem::NameRequired)
        } else if text.chars().count() > Self::MAX_CHARS {
            Err(ApiTokenProblem::NameTooLong)
        } else if text.chars().any(char::is_control) {
            // Nothing a person types, and PostgreSQL stores no NUL.
            Err(ApiTokenProblem::NameControlCharacter)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TokenName {
    type Error = ApiTokenProblem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TokenName> for String {
    fn from(value: TokenName) -> Self {
        value.0
    }
}

/// How long a new token lives: days from its making, or until revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Option<u32>", into = "Option<u32>")]
pub struct TokenLifetime(Option<u32>);

impl TokenLifetime {
    /// Two years: a token that must live longer is one nobody rotates.
    pub const MAX_DAYS: u32 = 730;
    /// The choices the tab offers.
    pub const OFFERED: [Option<u32>; 4] = [Some(30), Some(90), Some(365), None];

    pub fn parse(days: Option<u32>) -> Result<Self, ApiTokenProblem> {
        match days {
            Some(d) if d == 0 || d > Self::MAX_DAYS => Err(ApiTokenProblem::LifetimeOutOfRange),
            days => Ok(Self(days)),
        }
    }

    pub fn days(self) -> Option<u32> {
        self.0
    }

    /// When a token made at `now` (Unix seconds) expires.
    pub fn expires_at(self, now: i64) -> Option<i64> {
        self.0.map(|days| now + i64::from(days) * 86_400)
    }
}

impl TryFrom<Option<u32>> for TokenLifetime {
    type Error = ApiTokenProblem;
    fn try_from(value: Option<u32>) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<TokenLifetime> for Option<u32> {
    fn from(value: TokenLifetime) -> Self {
        value.0
    }
}

/// What a partner admin asks for on the API tokens tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub name: TokenName,
    pub scope: ApiScope,
    pub lifetime: TokenLifetime,
}

/// A token as the API tokens tab lists it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenSummary {
    pub id: ApiTokenId,
    pub account_id: AccountId,
    pub name: String,
    pub scope: ApiScope,
    /// The secret's first characters, to tell tokens apart in a config file.
    pub prefix: String,
    pub created_by: UserId,
    pub created_by_name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// The API tokens tab: the account's tokens, newest first, and the
/// server's time they were read at (what expired is by the server's clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenList {
    pub tokens: Vec<ApiTokenSummary>,
    pub now: i64,
}

/// Where a token stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiTokenState {
    Active,
    Expired,
    Revoked,
}

impl ApiTokenSummary {
    pub fn state(&self, now: i64) -> ApiTokenState {
        if self.revoked_at.is_some() {
            ApiTokenState::Revoked
        } else if self.expires_at.is_some_and(|at| at <= now) {
            ApiTokenState::Expired
        } else {
            ApiTokenState::Active
        }
    }
}

/// A token just made: its listing, and the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiToken {
    pub token: ApiTokenSummary,
    pub secret: String,
}

/// Every secret starts so: a secret scanner (and a person) recognises one.
pub const API_TOKEN_PREFIX: &str = "lcp_";

/// Characters of a secret kept to show (the prefix and a few more).
pub const API_TOKEN_SHOWN_CHARS: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_name_is_trimmed_and_bounded() {
        assert_eq!(
            TokenName::parse("  ERP sync ").map(|n| n.as_str().to_owned()),
            Ok("ERP sync".into())
        );
        assert_eq!(TokenName::parse("   "), Err(ApiTokenProblem::NameRequired));
        assert_eq!(
            TokenName::parse(&"é".repeat(101)),
            Err(ApiTokenProblem::NameTooLong)
        );
        assert!(TokenName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            TokenName::parse("ERP\0sync"),
            Err(ApiTokenProblem::NameControlCharacter)
        );
        assert_eq!(
            TokenName::parse("ERP\nsync"),
            Err(ApiTokenProblem::NameControlCharacter)
        );
    }

    #[test]
    fn a_lifetime_is_one_to_730_days_or_none() {
        assert_eq!(
            TokenLifetime::parse(Some(0)),
            Err(ApiTokenProblem::LifetimeOutOfRange)
        );
        assert_eq!(
            TokenLifetime::parse(Some(731)),
            Err(ApiTokenProblem::LifetimeOutOfRange)
        );
        assert_eq!(
            TokenLifetime::parse(Some(30)).map(|l| l.expires_at(100)),
            Ok(Some(100 + 30 * 86_400))
        );
        assert_eq!(TokenLifetime::parse(None).map(|l| l.expires_at(100)), Ok(None));
        let json = serde_json::to_string(&NewApiToken {
            name: TokenName::parse("x").expect("name"),
            scope: ApiScope::Read,
            lifetime: TokenLifetime::parse(Some(90)).expect("days"),
        })
        .expect("json");
        assert_eq!(json, r#"{"name":"x","scope":"read","lifetime":90}"#);
        assert!(
            serde_json::from_str::<NewApiToken>(r#"{"name":" ","scope":"read","lifetime":null}"#).is_err()
        );
    }

    #[test]
    fn a_token_is_revoked_expired_or_active() {
        let mut t = ApiTokenSummary {
            id: ApiTokenId(1),
            account_id: AccountId(2),
            name: "x".into(),
            scope: ApiScope::Read,
            prefix: "lcp_abcd".into(),
            created_by: UserId(3),
            created_by_name: "A".into(),
            created_at: 0,
            expires_at: Some(100),
            revoked_at: None,
            last_used_at: None,
        };
        assert_eq!(t.state(99), ApiTokenState::Active);
        assert_eq!(t.state(100), ApiTokenState::Expired);
        t.revoked_at = Some(50);
        assert_eq!(t.state(10), ApiTokenState::Revoked);
    }
}
