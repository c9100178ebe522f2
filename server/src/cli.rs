//! The binary's command line: `serve` (the default) and the admin commands,
//! each a procedure of its own module run on the same database.

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use app::domain::{AccountKind, LicenseModel, Role};
use app::repo::Db;

use crate::commands::{account_add, backup, mail, orders_import, product_add, user_add};
use crate::config::ServeOptions;

#[derive(Parser)]
#[command(version, about = "The Licenses & Cloud portal")]
pub struct Cli {
    /// Database URL; a SQLite file is created if missing.
    #[arg(
        long,
        env = "PORTAL_DATABASE_URL",
        default_value = "sqlite://data/portal.db",
        global = true
    )]
    pub database_url: String,
    /// Most connections this process opens to PostgreSQL (SQLite: fixed).
    #[arg(
        long,
        env = "PORTAL_DATABASE_CONNECTIONS",
        default_value_t = app::repo::DEFAULT_POSTGRES_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(1..=1000),
        global = true
    )]
    pub database_connections: u32,
    #[command(flatten)]
    pub serve: ServeOptions,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the partner API's OpenAPI 3.1 document (as served at /api/v1/openapi.json).
    Openapi,
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
pub enum MailCommand {
    /// List the emails the mail server refused for good: id, recipient,
    /// when queued and given up, attempts, subject, last error.
    Dead,
    /// Queue a dead email again, due now.
    Retry { id: i64 },
}

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Recompute every stored balance from the ledgers and list each
    /// mismatch; exits with status 1 if there is any.
    Check,
}

#[derive(Subcommand)]
pub enum LicenseCommand {
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
pub enum AccountCommand {
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
pub enum ProductCommand {
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
pub enum UserCommand {
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
pub enum OrdersCommand {
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

/// Runs an admin command (anything but `serve`) on `db`.
pub async fn run_admin(command: Command, db: &Db) -> Result<(), String> {
    match command {
        Command::Serve => Err("serve is no admin command".into()),
        Command::License { .. } | Command::Openapi => Ok(()),
        Command::Ledger {
            command: LedgerCommand::Check,
        } => check_ledger(db).await,
        Command::Backup { file } => {
            let bytes = backup::backup(db, &file).await.map_err(|e| e.to_string())?;
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
            let dead = mail::dead_emails(db).await.map_err(|e| e.to_string())?;
            for email in &dead {
                println!("{}", mail::describe(email));
            }
            println!("{} dead emails", dead.len());
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Retry { id },
        } => {
            mail::retry_dead_email(db, id, &app::clock::Clock::system())
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
            let id = account_add::add_account(db, kind, &name, managed_by.as_deref())
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
            let id = product_add::add_product(db, &sku, &name, model, control_room)
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
            let user = user_add::add_user(db, &email, role, &account, name.as_deref(), password)
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
            let summary = orders_import::import_orders(db, reader)
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
pub fn verify_license(file: &Path, public_key: Option<&Path>, key_file: &Path) -> Result<(), String> {
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
