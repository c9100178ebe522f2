//! What an operator configures, read once at start-up: the services and the
//! server take it from here, and nothing in it depends on either.

use crate::domain::UserEmail;

/// Settings that change how the portal behaves, read once at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Send the session cookie only over HTTPS. Off for http://127.0.0.1.
    pub secure_cookies: bool,
    /// How long a session lasts after sign-in, however much it is used.
    pub session_lifetime: time::Duration,
    /// How long a session lasts without a request of its user.
    pub session_idle_timeout: time::Duration,
    /// The accounting team's shared address, if it has one: it gets what
    /// each accounting user gets (a saved request, a reminder).
    pub accounting_email: Option<UserEmail>,
    /// How long a submitted request may wait for a decision: past it, the
    /// Approvals queue highlights it and accounting is reminded.
    pub approval_target: time::Duration,
    /// How long a submitted request waits before it is escalated.
    pub escalation_after: time::Duration,
    /// Where an escalation goes; `None`: to the vendor admins.
    pub escalation_email: Option<UserEmail>,
    /// The portal's address as people reach it, for links in emails.
    pub public_url: String,
    /// How long an approved request waits for the partner's acceptance
    /// before it expires and its reservation is released.
    pub approval_lifetime: time::Duration,
    /// How long a license file is valid offline (its `not_after`, never past
    /// its entitlements' end); a revoked or replaced file holds its
    /// quantities until then.
    pub license_lease: time::Duration,
    /// The vendor's key that signs license files.
    pub license_signing_key: std::sync::Arc<ed25519_dalek::SigningKey>,
    /// Who provisions cloud service instances.
    pub provisioner: Provisioner,
    /// The bearer token of the orders API; `None` turns the API off.
    pub orders_api_token: Option<ApiToken>,
    /// The request header a trusted proxy in front puts the client's
    /// address in (its last value); `None`: the connection's own address.
    pub client_address_header: Option<String>,
    /// Saves one partner may make in an hour (all its users together).
    pub saves_per_partner_per_hour: u32,
    /// Whether webhook endpoints may point at loopback, private or
    /// link-local addresses (a test's receiver, an on-premises install).
    pub webhooks_to_internal_addresses: bool,
    /// Calls one API token may make in a minute, in each server process.
    pub api_calls_per_token_per_minute: u32,
    /// Where the procedures take the time from: the system's, or a test's.
    pub clock: crate::clock::Clock,
}

/// A bearer token the portal accepts, kept as its SHA-256 digest so it is
/// neither printed by `Debug` nor compared byte by byte in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken([u8; 32]);

impl ApiToken {
    /// Fewer characters than this are too easy to guess.
    pub const MIN_LEN: usize = 32;

    /// The token an operator configured, if it is long enough.
    pub fn new(token: &str) -> Option<Self> {
        (token.len() >= Self::MIN_LEN).then(|| Self(Self::digest(token)))
    }

    /// Whether `given` is this token. Comparing digests tells a timing
    /// attacker nothing about the token itself.
    pub fn matches(&self, given: &str) -> bool {
        Self::digest(given) == self.0
    }

    fn digest(token: &str) -> [u8; 32] {
        use sha2::{Digest as _, Sha256};
        Sha256::digest(token.as_bytes()).into()
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(…)")
    }
}

/// The adapter that provisions service instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioner {
    /// Built in, for a machine with no provisioning system: completes each
    /// job by itself after `delay`, with an address under `domain`.
    Local {
        delay: std::time::Duration,
        domain: String,
    },
    /// The vendor's provisioning system: each job is POSTed to `url`, signed
    /// with HMAC-SHA256 under `secret`; the outcome comes back to the
    /// callback endpoint, signed the same way.
    Webhook { url: String, secret: String },
}

impl Provisioner {
    /// The name stored with each job, so a job stays with the adapter that took it.
    pub fn adapter(&self) -> &'static str {
        match self {
            Self::Local { .. } => "local",
            Self::Webhook { .. } => "webhook",
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_lifetime: time::Duration::hours(12),
            session_idle_timeout: time::Duration::minutes(30),
            accounting_email: None,
            approval_target: time::Duration::hours(48),
            escalation_after: time::Duration::hours(120),
            escalation_email: None,
            public_url: "http://127.0.0.1:3000".into(),
            approval_lifetime: time::Duration::days(30),
            license_lease: time::Duration::days(30),
            // A key of the moment; the server loads or creates its own (see `serve`).
            license_signing_key: std::sync::Arc::new(ed25519_dalek::SigningKey::from_bytes(&{
                use argon2::password_hash::rand_core::{OsRng, RngCore};
                let mut seed = [0u8; 32];
                OsRng.fill_bytes(&mut seed);
                seed
            })),
            provisioner: Provisioner::Local {
                delay: std::time::Duration::from_secs(2),
                domain: "cloud.localhost".into(),
            },
            orders_api_token: None,
            client_address_header: None,
            saves_per_partner_per_hour: 600,
            api_calls_per_token_per_minute: 600,
            webhooks_to_internal_addresses: false,
            clock: crate::clock::Clock::system(),
        }
    }
}
