//! Admin commands run on the server binary. Those that change accounts,
//! products, users and orders call the same procedures as Administration's
//! screens, as an operator (`Caller::Operator`), recorded in the audit log
//! as the server.

pub mod account_add;
pub mod backup;
pub mod mail;
pub mod orders_import;
pub mod product_add;
pub mod user_add;

use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::settings::Settings;

/// What an admin command runs the procedures with: the database, the
/// default settings (no worker runs in a command: the serving processes
/// deliver what it queues), and the time of day.
pub struct Operator {
    db: Db,
    settings: Settings,
    events: Events,
    mail_queued: tokio::sync::Notify,
    provisioning_queued: tokio::sync::Notify,
}

impl Operator {
    /// An operator working on `db`.
    pub fn new(db: &Db) -> Self {
        Self {
            db: db.clone(),
            settings: Settings::default(),
            events: Events::new(),
            mail_queued: tokio::sync::Notify::new(),
            provisioning_queued: tokio::sync::Notify::new(),
        }
    }

    /// The procedures.
    pub fn services(&self) -> Services<'_> {
        Services {
            db: &self.db,
            settings: &self.settings,
            events: &self.events,
            mail_queued: &self.mail_queued,
            provisioning_queued: &self.provisioning_queued,
            webhooks_queued: &self.provisioning_queued,
            address: None,
            token: None,
        }
    }
}
