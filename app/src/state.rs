//! What every request handler and server function can reach, passed through
//! Leptos context rather than globals.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::events::Events;
use crate::repo::Db;
use crate::settings::Settings;

/// Shared state of one server process.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: std::sync::Arc<Settings>,
    pub events: Events,
    /// Wakes the email worker when a change has queued messages.
    pub mail_queued: std::sync::Arc<tokio::sync::Notify>,
    /// Wakes the provisioning worker when a job is queued.
    pub provisioning_queued: std::sync::Arc<tokio::sync::Notify>,
    /// Wakes the webhook worker when a delivery is queued.
    pub webhooks_queued: std::sync::Arc<tokio::sync::Notify>,
    /// Failed sign-ins and password hashing at work, in this process.
    pub sign_in_throttle: std::sync::Arc<crate::throttle::SignInThrottle>,
    /// Password reset requests, in this process: throttled as sign-ins are.
    pub reset_throttle: std::sync::Arc<crate::throttle::SignInThrottle>,
    /// Saves of each partner in the last hour, in this process.
    pub save_limit: std::sync::Arc<crate::throttle::WindowCounter>,
    /// Calls of each API token in the last minute, in this process.
    pub api_limit: std::sync::Arc<crate::throttle::WindowCounter>,
}

impl AppState {
    /// What the services need of the state.
    pub fn services(&self) -> crate::services::Services<'_> {
        crate::services::Services {
            db: &self.db,
            settings: &self.settings,
            events: &self.events,
            mail_queued: &self.mail_queued,
            provisioning_queued: &self.provisioning_queued,
            webhooks_queued: &self.webhooks_queued,
            address: None,
            token: None,
        }
    }

    /// The services for a request from `address`, which the changes it
    /// makes record in the audit log.
    pub fn services_from<'a>(&'a self, address: &'a str) -> crate::services::Services<'a> {
        crate::services::Services {
            address: Some(address),
            ..self.services()
        }
    }
}

impl AppState {
    /// The services for an API call from `address` with the token named
    /// `token`, which the audit log names beside its maker.
    pub fn services_for_token<'a>(
        &'a self,
        address: &'a str,
        token: &'a str,
    ) -> crate::services::Services<'a> {
        crate::services::Services {
            address: Some(address),
            token: Some(token),
            ..self.services()
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function.
///
/// It is missing only when the page render that started the call was dropped
/// (the browser went away mid-render and its reactive owner was disposed); a
/// wiring mistake would fail every request, so this is a warning, not an error.
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::warn!("server function ran after its request's context was dropped (client went away?)");
        crate::error::AppError::Internal
    })
}
