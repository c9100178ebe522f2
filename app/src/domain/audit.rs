//! The audit log's vocabulary (SPEC, "Audit log"): what kind of change an
//! entry records and who made it. Kinds are stored by their stable name.

use serde::{Deserialize, Serialize};

use super::{AccountId, UserId};

macro_rules! audit_kinds {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// What an audit entry records.
        /// On the wire and in the export's query by its stored name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditKind {
            $($(#[$doc])* $variant,)*
        }

        impl AuditKind {
            /// Every kind, in the order of the filter's list.
            pub const ALL: &'static [AuditKind] = &[$(AuditKind::$variant,)*];

            /// The stored name, as in the CSV export and the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditKind::$variant => $name,)*
                }
            }
        }
    };
}

audit_kinds! {
    SignIn => "sign_in",
    SignInFailed => "sign_in_failed",
    SignedOutOtherSessions => "signed_out_other_sessions",
    PasswordChanged => "password_changed",
    PasswordResetRequested => "password_reset_requested",
    PasswordReset => "password_reset",
    InvitationSent => "invitation_sent",
    InvitationAccepted => "invitation_accepted",
    UserCreated => "user_created",
    UserChanged => "user_changed",
    UserDeactivated => "user_deactivated",
    UserReactivated => "user_reactivated",
    AccountCreated => "account_created",
    AccountChanged => "account_changed",
    AccountDeactivated => "account_deactivated",
    AccountReactivated => "account_reactivated",
    ProductCreated => "product_created",
    ProductChanged => "product_changed",
    ProductDeactivated => "product_deactivated",
    ProductReactivated => "product_reactivated",
    OrderCreated => "order_created",
    OrderChanged => "order_changed",
    OrderDeactivated => "order_deactivated",
    OrderReactivated => "order_reactivated",
    DrawdownSaved => "drawdown_saved",
    DrawdownApproved => "drawdown_approved",
    DrawdownRejected => "drawdown_rejected",
    DrawdownAccepted => "drawdown_accepted",
    DrawdownCancelled => "drawdown_cancelled",
    DrawdownExpired => "drawdown_expired",
    LicenseBound => "license_bound",
    LicenseUnbound => "license_unbound",
    LicenseFileIssued => "license_file_issued",
    LicenseFileRevoked => "license_file_revoked",
    LicenseFileRenewed => "license_file_renewed",
    ProvisioningStarted => "provisioning_started",
    ProvisioningFinished => "provisioning_finished",
    ApiTokenCreated => "api_token_created",
    ApiTokenRevoked => "api_token_revoked",
    /// One call of the API with a token (its method, path and status).
    ApiCall => "api_call",
    WebhookEndpointCreated => "webhook_endpoint_created",
    WebhookEndpointDisabled => "webhook_endpoint_disabled",
}

impl AuditKind {
    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

/// Who made a change, as the entry keeps it: the user (if a person did), the
/// name shown (their email then, or "server"), and the client's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditActor {
    pub user: Option<UserId>,
    pub label: String,
    pub address: Option<String>,
}

impl AuditActor {
    /// A signed-in user, calling from `address`.
    pub fn user(id: UserId, email: &str, address: Option<String>) -> Self {
        Self {
            user: Some(id),
            label: email.to_owned(),
            address,
        }
    }

    /// A token's call: its maker's identity, the label naming the token
    /// (`API token "ERP sync" of partner@example.com`).
    pub fn token(maker: UserId, maker_email: &str, token_name: &str, address: Option<String>) -> Self {
        Self {
            user: Some(maker),
            label: format!("API token \"{token_name}\" of {maker_email}"),
            address,
        }
    }

    /// The portal itself (a sweep, a worker, an admin command).
    pub fn server() -> Self {
        Self {
            user: None,
            label: "server".into(),
            address: None,
        }
    }
}

/// What an entry is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditObject {
    /// "user", "account", "product", "order", "drawdown_request", …
    pub kind: &'static str,
    pub id: Option<i64>,
    /// How a person recognises it (an email, a name, a PDR number).
    pub label: String,
    /// The account it belongs to, for the filter by account.
    pub account: Option<AccountId>,
}

/// One entry as the Audit log lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub address: Option<String>,
    pub kind: AuditKind,
    pub object_kind: String,
    pub object_label: String,
    pub account_name: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_name_and_names_are_unique() {
        let mut names = std::collections::HashSet::new();
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.as_str()), Some(*kind));
            assert!(names.insert(kind.as_str()), "{}", kind.as_str());
        }
        assert_eq!(AuditKind::parse("drop_table"), None);
    }
}
