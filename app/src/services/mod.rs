//! The product's procedures, each step one database transaction: checks of
//! who acts, repository calls, ledger movements, queued emails, and the live
//! update told after the commit. Server functions and background tasks call
//! these; they hold no SQL.

pub mod accounts;
pub mod cloud_services;
pub mod drawdowns;
pub mod licenses;

use crate::events::Events;
use crate::repo::Db;
use crate::state::Settings;

/// What the services work with; borrowed from the process's state.
#[derive(Clone, Copy)]
pub struct Services<'a> {
    pub db: &'a Db,
    pub settings: &'a Settings,
    pub events: &'a Events,
    pub mail_queued: &'a tokio::sync::Notify,
    /// Wakes the provisioning worker when a job is queued.
    pub provisioning_queued: &'a tokio::sync::Notify,
}
