//! `server`: runs the portal, or an admin command on its database.

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use app::domain::{AccountKind, LicenseModel, Role, UserEmail};
use app::repo::Db;
use app::state::{ApiToken, Provisioner, Settings};
use server::commands::{account_add, backup, mail, orders_import, product_add, user_add};

#[derive(Parser)]
#[command(version, about = "The Licenses & Cloud portal")]
struct Cli {
    /// Database URL; a SQLite file is created if missing.
    #[arg(
        long,
        env = "PORTAL_DATABASE_URL",
        default_value = "sqlite://data/portal.db",
        global = true
    )]
    database_url: String,
    /// Most connections this process opens to PostgreSQL (SQLite: fixed).
    #[arg(
        long,
        env = "PORTAL_DATABASE_CONNECTIONS",
        default_value_t = app::repo::DEFAULT_POSTGRES_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(1..=1000),
        global = true
    )]
    database_connections: u32,
    #[command(flatten)]
    serve: ServeOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

/// How `serve` runs. Read from the environment also when no subcommand is
/// given, as cargo-leptos starts the binary.
#[derive(clap::Args)]
struct ServeOptions {
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
    /// Where a saved drawdown request is announced.
    #[arg(
        long,
        env = "PORTAL_ACCOUNTING_EMAIL",
        default_value = "accounting@example.com",
        global = true
    )]
    accounting_email: String,
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
    license_key_file: PathBuf,
    /// Seconds before the first retry of an email that could not be sent (doubling, up to an hour).
    #[arg(long, env = "PORTAL_MAIL_RETRY_SECONDS", default_value_t = 30, global = true)]
    mail_retry_seconds: u64,
    /// Seconds the email worker waits at most before looking for due messages
    /// without being woken (other processes wake it through PostgreSQL).
    #[arg(long, env = "PORTAL_MAIL_POLL_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600), global = true)]
    mail_poll_seconds: u64,
    /// Seconds a message claimed by a worker stays its own: after a crash,
    /// what the dead process had claimed goes out this much later.
    #[arg(long, env = "PORTAL_MAIL_LEASE_SECONDS", default_value_t = server::mail::DEFAULT_LEASE_SECONDS, value_parser = clap::value_parser!(i64).range(5..=3600), global = true)]
    mail_lease_seconds: i64,
    /// Tries of an email the mail server refuses for good (a 5xx, an unusable
    /// address) before it is marked dead (`server mail dead`). Temporary
    /// failures are retried until they pass.
    #[arg(long, env = "PORTAL_MAIL_MAX_ATTEMPTS", default_value_t = server::mail::DEFAULT_MAX_ATTEMPTS, value_parser = clap::value_parser!(i64).range(1..=100), global = true)]
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
    #[arg(long, env = "PORTAL_PROVISIONING_LEASE_SECONDS", default_value_t = server::provisioning::DEFAULT_LEASE_SECONDS, value_parser = clap::value_parser!(i64).range(5..=3600), global = true)]
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

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Manage the product catalog.
    Product {
        #[command(subcommand)]
        command: ProductCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage orders.
    Orders {
        #[command(subcommand)]
        command: OrdersCommand,
    },
    /// Work with license files.
    License {
        #[command(subcommand)]
        command: LicenseCommand,
    },
    /// Check the ledgers.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Copy the SQLite database to a new FILE while the portal serves
    /// (consistent: the database as of the copy's start).
    Backup { file: PathBuf },
    /// The emails that failed for good.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// List the emails the mail server refused for good: id, recipient,
    /// when queued and given up, attempts, subject, last error.
    Dead,
    /// Queue a dead email again, due now.
    Retry { id: i64 },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Recompute every stored balance from the ledgers and list each
    /// mismatch; exits with status 1 if there is any.
    Check,
}

#[derive(Subcommand)]
enum LicenseCommand {
    /// Check a license file offline: its signature, its key and its expiry.
    Verify {
        file: PathBuf,
        /// The public key as served at /license/public-key; by default the
        /// key of PORTAL_LICENSE_KEY_FILE.
        #[arg(long)]
        public_key: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add a vendor, partner or customer account.
    Add {
        /// vendor, partner or customer.
        #[arg(long, value_parser = parse_kind)]
        kind: AccountKind,
        #[arg(long)]
        name: String,
        /// For a customer: the name of the partner that manages it.
        #[arg(long)]
        managed_by: Option<String>,
    },
}

#[derive(Subcommand)]
enum ProductCommand {
    /// Add a product to the catalog.
    Add {
        #[arg(long)]
        sku: String,
        #[arg(long)]
        name: String,
        /// cloud, file or service.
        #[arg(long, value_parser = parse_model)]
        model: LicenseModel,
        /// A service whose instances carry a license GUID that cloud entitlements bind to.
        #[arg(long)]
        control_room: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user. The password is read from the terminal, or from the first
    /// line of standard input when it is not a terminal; never from an argument.
    Add {
        #[arg(long)]
        email: String,
        /// partner_admin, partner_user, accounting, customer_user or vendor_admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Name of the account the user belongs to.
        #[arg(long)]
        account: String,
        /// The name shown in the portal; the email if omitted.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum OrdersCommand {
    /// Import orders from a CSV file: all rows or none.
    Import { file: PathBuf },
}

fn parse_kind(s: &str) -> Result<AccountKind, String> {
    AccountKind::parse(s).ok_or_else(|| "unknown kind; expected vendor, partner or customer".into())
}

fn parse_model(s: &str) -> Result<LicenseModel, String> {
    LicenseModel::parse(s).ok_or_else(|| "unknown license model; expected cloud, file or service".into())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role; expected one of {}", all.join(", "))
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    // Read before the command line: logs are set up before anything runs.
    let json_logs = std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,server=info,app=info".into()),
        )
        .with_writer(std::io::stderr);
    if json_logs {
        logs.json().with_current_span(true).with_span_list(false).init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn open_database(url: &str, connections: u32) -> Result<Db, String> {
    server::ensure_database_folder(url).map_err(|e| format!("cannot create the database folder: {e}"))?;
    let db = Db::connect_with(url, connections)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    // Offline: needs no database.
    if let Command::License {
        command: LicenseCommand::Verify { file, public_key },
    } = &command
    {
        return verify_license(file, public_key.as_deref(), &cli.serve.license_key_file);
    }
    let db = open_database(&cli.database_url, cli.database_connections).await?;
    match command {
        Command::Serve => {
            let options = cli.serve;
            // Checked before anything starts: a typo fails at once, not at the first email.
            let accounting_email = UserEmail::parse(&options.accounting_email)
                .map_err(|e| format!("PORTAL_ACCOUNTING_EMAIL: {e}"))?;
            let from: lettre::message::Mailbox = options
                .mail_from
                .parse()
                .map_err(|e| format!("PORTAL_MAIL_FROM: {e}"))?;
            let transport =
                server::mail::Transport::from_url(&options.mail_url).map_err(|e| e.to_string())?;
            let license_signing_key =
                app::license_file::load_or_create_signing_key(&options.license_key_file)
                    .map_err(|e| e.to_string())?;
            let provisioner = match (options.provisioning_url, options.provisioning_secret) {
                (None, _) => Provisioner::Local {
                    delay: std::time::Duration::from_secs(options.local_provisioning_seconds),
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
            let demo_loaded = options.demo
                && server::demo::load_if_empty(&db)
                    .await
                    .map_err(|e| format!("demo data: {e}"))?;
            let conf = leptos::prelude::get_configuration(None).map_err(|e| e.to_string())?;
            let settings = Settings {
                // A public https address means the cookie must be Secure.
                secure_cookies: options.secure_cookies || options.public_url.starts_with("https://"),
                accounting_email,
                public_url: options.public_url,
                approval_lifetime: time::Duration::days(i64::from(options.approval_days)),
                license_lease: time::Duration::days(i64::from(options.license_lease_days)),
                license_signing_key: std::sync::Arc::new(license_signing_key),
                provisioner,
                orders_api_token,
                client_address_header: options.client_address_header,
                saves_per_partner_per_hour: options.saves_per_hour,
                session_lifetime: time::Duration::hours(i64::from(options.session_hours)),
                session_idle_timeout: time::Duration::minutes(i64::from(options.session_idle_minutes)),
                clock: app::clock::Clock::system(),
            };
            let mut state = server::app_state(db.clone(), settings, conf.leptos_options);
            let (events, relay) = server::relay::Relay::for_database(&db, &cli.database_url);
            state.events = events;
            if demo_loaded {
                server::demo::walk_history(state.services())
                    .await
                    .map_err(|e| format!("demo data: {e}"))?;
            }
            let mail = server::mail::MailWorker {
                db,
                transport,
                from,
                retry_base: std::time::Duration::from_secs(options.mail_retry_seconds),
                queued: state.mail_queued.clone(),
                max_idle: std::time::Duration::from_secs(options.mail_poll_seconds),
                max_attempts: options.mail_max_attempts,
                lease_seconds: options.mail_lease_seconds,
                clock: app::clock::Clock::system(),
            };
            let provisioning = server::provisioning::ProvisioningWorker::new(
                state.clone(),
                std::time::Duration::from_secs(options.provisioning_retry_seconds),
            )
            .with_lease(options.provisioning_lease_seconds);
            let metrics_addr = match options.metrics_addr.as_str() {
                "off" => None,
                addr => Some(
                    addr.parse::<std::net::SocketAddr>()
                        .map_err(|e| format!("PORTAL_METRICS_ADDR={addr}: {e}"))?,
                ),
            };
            server::serve(state, metrics_addr, relay, mail, provisioning)
                .await
                .map_err(|e| e.to_string())
        }
        Command::License { .. } => Ok(()),
        Command::Ledger {
            command: LedgerCommand::Check,
        } => check_ledger(&db).await,
        Command::Backup { file } => {
            let bytes = backup::backup(&db, &file).await.map_err(|e| e.to_string())?;
            println!(
                "backed up to {} ({bytes} bytes); check it with PORTAL_DATABASE_URL=sqlite://{} server ledger check",
                file.display(),
                file.display()
            );
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Dead,
        } => {
            let dead = mail::dead_emails(&db).await.map_err(|e| e.to_string())?;
            for email in &dead {
                println!("{}", mail::describe(email));
            }
            println!("{} dead emails", dead.len());
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Retry { id },
        } => {
            mail::retry_dead_email(&db, id, &app::clock::Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            println!("email {id} queued again");
            Ok(())
        }
        Command::Migrate => {
            println!("database is up to date");
            Ok(())
        }
        Command::Account {
            command:
                AccountCommand::Add {
                    kind,
                    name,
                    managed_by,
                },
        } => {
            let id = account_add::add_account(&db, kind, &name, managed_by.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            println!("added {} account {name:?} (id {id})", kind.as_str());
            Ok(())
        }
        Command::Product {
            command:
                ProductCommand::Add {
                    sku,
                    name,
                    model,
                    control_room,
                },
        } => {
            let id = product_add::add_product(&db, &sku, &name, model, control_room)
                .await
                .map_err(|e| e.to_string())?;
            println!("added product {sku} {name:?} (id {id})");
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    account,
                    name,
                },
        } => {
            let password = read_password()?;
            let user = user_add::add_user(&db, &email, role, &account, name.as_deref(), password)
                .await
                .map_err(|e| e.to_string())?;
            println!("added user {} (id {})", user.email, user.id);
            Ok(())
        }
        Command::Orders {
            command: OrdersCommand::Import { file },
        } => {
            let reader =
                std::fs::File::open(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let summary = orders_import::import_orders(&db, reader)
                .await
                .map_err(|e| e.to_string())?;
            println!("imported {} orders with {} lines", summary.orders, summary.lines);
            Ok(())
        }
    }
}

/// `ledger check`: every stored balance against its ledger.
async fn check_ledger(db: &app::repo::Db) -> Result<(), String> {
    let mut conn = db.read().await.map_err(|e| e.to_string())?;
    let (checked, mismatches) = app::repo::reconciliation::find_mismatches(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    for mismatch in &mismatches {
        println!("mismatch: {mismatch}");
    }
    println!(
        "checked {} order lines against {} ledger entries, {} entitlements and {} usage holdings against {} usage entries",
        checked.order_lines, checked.ledger_entries, checked.entitlements, checked.usage_holdings, checked.usage_entries
    );
    if mismatches.is_empty() {
        println!("the stored balances agree with the ledgers");
        Ok(())
    } else {
        Err(format!(
            "{} stored balances disagree with the ledgers",
            mismatches.len()
        ))
    }
}

/// `license verify`: prints what a valid file grants, or exactly why it fails.
fn verify_license(file: &Path, public_key: Option<&Path>, key_file: &Path) -> Result<(), String> {
    let key = match public_key {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            app::license_file::parse_public_key(&text)
                .ok_or_else(|| format!("{} holds no public key", path.display()))?
        }
        None => {
            if !key_file.exists() {
                return Err(format!(
                    "no signing key at {}; pass --public-key",
                    key_file.display()
                ));
            }
            app::license_file::load_or_create_signing_key(key_file)
                .map_err(|e| e.to_string())?
                .verifying_key()
        }
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let license = app::license_file::verify(&text, &key, now)
        .map_err(|e| format!("{} is not valid: {e}", file.display()))?;
    println!(
        "{} is valid: {} for {} on {} ({})",
        file.display(),
        license.license,
        license.account,
        license.host_name,
        license.host_id
    );
    for p in &license.products {
        println!("  {}: {} for {} months", p.name, p.quantity, p.term_months);
    }
    println!(
        "  valid offline until {} (renewed from the portal before then)",
        app::license_file::timestamp(license.not_after)
    );
    Ok(())
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
