//! How an operator configures `serve`: each setting from the command line or
//! the environment (docs/configuration.md lists them), checked before
//! anything starts, so a typo fails at once and not at the first email.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use app::clock::Clock;
use app::domain::UserEmail;
use app::repo::Db;
use app::settings::{ApiToken, Provisioner, Settings};

use crate::mail::{MailWorker, Transport};

/// How `serve` runs. Read from the environment also when no subcommand is
/// given, as cargo-leptos starts the binary.
#[derive(clap::Args)]
pub struct ServeOptions {
    /// Load demo data into an empty database. Never turn on in production.
    #[arg(long, env = "PORTAL_DEMO", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    demo: bool,
    /// Mark the session cookie Secure (serving over HTTPS).
    #[arg(long, env = "PORTAL_SECURE_COOKIES", global = true, value_parser = clap::builder::BoolishValueParser::new())]
    secure_cookies: bool,
    /// Where emails go: file://FOLDER (one .eml per message) or smtp[s]://[user:pass@]host[:port].
    #[arg(
        long,
        env = "PORTAL_MAIL_URL",
        default_value = "file://data/mail",
        global = true
    )]
    mail_url: String,
    /// The sender of every email.
    #[arg(
        long,
        env = "PORTAL_MAIL_FROM",
        default_value = "Licenses & Cloud <no-reply@portal.example>",
        global = true
    )]
    mail_from: String,
    /// The accounting team's shared address, if it has one: it gets what
    /// each accounting user gets (each in their language) about requests.
    #[arg(long, env = "PORTAL_ACCOUNTING_EMAIL", global = true)]
    accounting_email: Option<String>,
    /// Hours a submitted request may wait for a decision: past them, the
    /// Approvals queue highlights it and accounting is reminded once.
    #[arg(long, env = "PORTAL_APPROVAL_TARGET_HOURS", default_value_t = 48, value_parser = clap::value_parser!(u16).range(1..=8760), global = true)]
    approval_target_hours: u16,
    /// Hours a submitted request waits before it is escalated (more than the target).
    #[arg(long, env = "PORTAL_ESCALATION_HOURS", default_value_t = 120, value_parser = clap::value_parser!(u16).range(1..=8760), global = true)]
    escalation_hours: u16,
    /// Where an escalation goes; unset: to every vendor admin.
    #[arg(long, env = "PORTAL_ESCALATION_EMAIL", global = true)]
    escalation_email: Option<String>,
    /// The portal's address as people reach it, for links in emails.
    #[arg(
        long,
        env = "PORTAL_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    public_url: String,
    /// The header a trusted proxy in front puts the client's address in
    /// (e.g. X-Forwarded-For; its last value counts). Unset: the peer's address.
    #[arg(long, env = "PORTAL_CLIENT_ADDRESS_HEADER", global = true)]
    client_address_header: Option<String>,
    /// Hours a session lasts after sign-in, whatever is done with it (1 to 2,160).
    #[arg(long, env = "PORTAL_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=2160), global = true)]
    session_hours: u16,
    /// Minutes a session lasts without a request of its user (1 to 1,440).
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=1440), global = true)]
    session_idle_minutes: u16,
    /// Drawdown requests one partner may save in an hour, all its users together.
    #[arg(long, env = "PORTAL_SAVES_PER_HOUR", default_value_t = 600, global = true)]
    saves_per_hour: u32,
    /// Let webhook endpoints point at loopback, private or link-local addresses
    /// (refused by default: a partner could make the portal call internal systems).
    #[arg(
        long,
        env = "PORTAL_WEBHOOKS_ALLOW_INTERNAL",
        default_value_t = false,
        global = true
    )]
    webhooks_allow_internal: bool,
    /// Calls one API token may make in a minute (each server process counts its own).
    #[arg(
        long,
        env = "PORTAL_API_CALLS_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    api_calls_per_minute: u32,
    /// Where `/metrics` is served, apart from the portal (`off`: nowhere).
    #[arg(
        long,
        env = "PORTAL_METRICS_ADDR",
        default_value = "127.0.0.1:9464",
        global = true
    )]
    metrics_addr: String,
    /// Days an approved request waits for acceptance before it expires.
    #[arg(long, env = "PORTAL_APPROVAL_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=3650), global = true)]
    approval_days: u16,
    /// Days a license file is valid offline before its Control Room needs the renewed file.
    #[arg(long, env = "PORTAL_LICENSE_LEASE_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=366), global = true)]
    license_lease_days: u16,
    /// The key that signs license files; created with owner-only permissions if missing.
    #[arg(
        long,
        env = "PORTAL_LICENSE_KEY_FILE",
        default_value = "data/license-signing.key",
        global = true
    )]
    pub license_key_file: PathBuf,
    /// Seconds before the first retry of an email that could not be sent (doubling, up to an hour).
    #[arg(long, env = "PORTAL_MAIL_RETRY_SECONDS", default_value_t = 30, global = true)]
    mail_retry_seconds: u64,
    /// Seconds the email worker waits at most before looking for due messages
    /// without being woken (other processes wake it through PostgreSQL).
    #[arg(long, env = "PORTAL_MAIL_POLL_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    mail_poll_seconds: u64,
    /// Seconds a message claimed by a worker stays its own: after a crash,
    /// what the dead process had claimed goes out this much later.
    #[arg(long, env = "PORTAL_MAIL_LEASE_SECONDS", default_value_t = crate::mail::DEFAULT_LEASE_SECONDS, value_parser = clap::value_parser!(i64).range(5..=3600), global = true)]
    mail_lease_seconds: i64,
    /// Tries of an email the mail server refuses for good (a 5xx, an unusable
    /// address) before it is marked dead (`server mail dead`). Temporary
    /// failures are retried until they pass.
    #[arg(long, env = "PORTAL_MAIL_MAX_ATTEMPTS", default_value_t = crate::mail::DEFAULT_MAX_ATTEMPTS, value_parser = clap::value_parser!(i64).range(1..=100), global = true)]
    mail_max_attempts: i64,
    /// The vendor's provisioning system: jobs are POSTed there, signed with
    /// PORTAL_PROVISIONING_SECRET. Unset: the built-in local provisioner.
    #[arg(long, env = "PORTAL_PROVISIONING_URL", global = true)]
    provisioning_url: Option<String>,
    /// The shared secret of the provisioning webhook and its callback (HMAC-SHA256).
    #[arg(
        long,
        env = "PORTAL_PROVISIONING_SECRET",
        global = true,
        hide_env_values = true
    )]
    provisioning_secret: Option<String>,
    /// Seconds before the first retry of a webhook the provisioning system did not take (doubling, up to an hour).
    #[arg(
        long,
        env = "PORTAL_PROVISIONING_RETRY_SECONDS",
        default_value_t = 30,
        global = true
    )]
    provisioning_retry_seconds: u64,
    /// Seconds a provisioning job claimed by a worker stays its own: after a
    /// crash, what the dead process had claimed is taken up this much later.
    #[arg(long, env = "PORTAL_PROVISIONING_LEASE_SECONDS", default_value_t = crate::provisioning::DEFAULT_LEASE_SECONDS, value_parser = clap::value_parser!(i64).range(5..=3600), global = true)]
    provisioning_lease_seconds: i64,
    /// The bearer token of the orders API (`POST /api/orders/import`), 32+
    /// characters. Unset: the API is off.
    #[arg(long, env = "PORTAL_ORDERS_API_TOKEN", global = true, hide_env_values = true)]
    orders_api_token: Option<String>,
    /// Seconds the local provisioner takes to bring an instance up.
    #[arg(
        long,
        env = "PORTAL_LOCAL_PROVISIONING_SECONDS",
        default_value_t = 2,
        global = true
    )]
    local_provisioning_seconds: u64,
}

/// What `serve` runs with, every setting checked.
pub struct Config {
    /// What the services and the server functions read.
    pub settings: Settings,
    /// Load demo data into an empty database.
    pub demo: bool,
    /// How emails leave.
    pub mail: MailConfig,
    /// First retry of a provisioning webhook not taken (doubling).
    pub provisioning_retry: Duration,
    /// Seconds a claimed provisioning job stays the claimer's.
    pub provisioning_lease_seconds: i64,
    /// Where `/metrics` is served; `None`: nowhere.
    pub metrics_addr: Option<SocketAddr>,
}

/// How the email worker delivers.
pub struct MailConfig {
    pub transport: Transport,
    pub from: lettre::message::Mailbox,
    pub retry_base: Duration,
    pub max_idle: Duration,
    pub max_attempts: i64,
    pub lease_seconds: i64,
}

impl MailConfig {
    /// The worker that sends what `db`'s outbox holds, woken by `queued`.
    pub fn worker(self, db: Db, queued: std::sync::Arc<tokio::sync::Notify>) -> MailWorker {
        MailWorker {
            db,
            transport: self.transport,
            from: self.from,
            retry_base: self.retry_base,
            queued,
            max_idle: self.max_idle,
            max_attempts: self.max_attempts,
            lease_seconds: self.lease_seconds,
            clock: Clock::system(),
        }
    }
}

impl ServeOptions {
    /// Every setting checked; the message of an error names the variable.
    pub fn configure(self) -> Result<Config, String> {
        let options = self;
        let optional_email = |value: Option<&str>, variable: &str| {
            value
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| UserEmail::parse(v).map_err(|e| format!("{variable}: {e}")))
                .transpose()
        };
        let accounting_email =
            optional_email(options.accounting_email.as_deref(), "PORTAL_ACCOUNTING_EMAIL")?;
        let escalation_email =
            optional_email(options.escalation_email.as_deref(), "PORTAL_ESCALATION_EMAIL")?;
        if options.escalation_hours <= options.approval_target_hours {
            return Err("PORTAL_ESCALATION_HOURS: escalate later than PORTAL_APPROVAL_TARGET_HOURS".into());
        }
        let from: lettre::message::Mailbox = options
            .mail_from
            .parse()
            .map_err(|e| format!("PORTAL_MAIL_FROM: {e}"))?;
        let transport = Transport::from_url(&options.mail_url).map_err(|e| e.to_string())?;
        let license_signing_key = app::license_file::load_or_create_signing_key(&options.license_key_file)
            .map_err(|e| e.to_string())?;
        let provisioner = match (options.provisioning_url, options.provisioning_secret) {
            (None, _) => Provisioner::Local {
                delay: Duration::from_secs(options.local_provisioning_seconds),
                domain: "cloud.localhost".into(),
            },
            (Some(url), Some(secret)) if secret.len() >= 16 => {
                reqwest::Url::parse(&url).map_err(|e| format!("PORTAL_PROVISIONING_URL: {e}"))?;
                Provisioner::Webhook { url, secret }
            }
            (Some(_), _) => {
                return Err("PORTAL_PROVISIONING_SECRET: set a shared secret of at least 16 characters with PORTAL_PROVISIONING_URL".into())
            }
        };
        let orders_api_token = options
            .orders_api_token
            .as_deref()
            .map(|token| {
                ApiToken::new(token).ok_or_else(|| {
                    format!(
                        "PORTAL_ORDERS_API_TOKEN: use at least {} characters",
                        ApiToken::MIN_LEN
                    )
                })
            })
            .transpose()?;
        let metrics_addr = match options.metrics_addr.as_str() {
            "off" => None,
            addr => Some(
                addr.parse::<SocketAddr>()
                    .map_err(|e| format!("PORTAL_METRICS_ADDR={addr}: {e}"))?,
            ),
        };
        let settings = Settings {
            // A public https address means the cookie must be Secure.
            secure_cookies: options.secure_cookies || options.public_url.starts_with("https://"),
            accounting_email,
            approval_target: time::Duration::hours(i64::from(options.approval_target_hours)),
            escalation_after: time::Duration::hours(i64::from(options.escalation_hours)),
            escalation_email,
            public_url: options.public_url,
            approval_lifetime: time::Duration::days(i64::from(options.approval_days)),
            license_lease: time::Duration::days(i64::from(options.license_lease_days)),
            license_signing_key: std::sync::Arc::new(license_signing_key),
            provisioner,
            orders_api_token,
            client_address_header: options.client_address_header,
            saves_per_partner_per_hour: options.saves_per_hour,
            api_calls_per_token_per_minute: options.api_calls_per_minute,
            webhooks_to_internal_addresses: options.webhooks_allow_internal,
            session_lifetime: time::Duration::hours(i64::from(options.session_hours)),
            session_idle_timeout: time::Duration::minutes(i64::from(options.session_idle_minutes)),
            clock: Clock::system(),
        };
        Ok(Config {
            settings,
            demo: options.demo,
            mail: MailConfig {
                transport,
                from,
                retry_base: Duration::from_secs(options.mail_retry_seconds),
                max_idle: Duration::from_secs(options.mail_poll_seconds),
                max_attempts: options.mail_max_attempts,
                lease_seconds: options.mail_lease_seconds,
            },
            provisioning_retry: Duration::from_secs(options.provisioning_retry_seconds),
            provisioning_lease_seconds: options.provisioning_lease_seconds,
            metrics_addr,
        })
    }
}
