//! The Webhooks tab (SPEC, "Partner API and webhooks"): a partner admin's
//! endpoints with their delivery logs, Add, Remove and Redeliver. Who may is
//! `domain::access::may_manage_api_tokens_of`, checked by the service.

use crate::codec::Wire;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::{AccountId, WebhookEndpoint, WebhookEndpointLog};
use crate::error::AppError;

/// The endpoints of `account`, each with its latest deliveries.
#[server(prefix = "/api", endpoint = "list_webhook_endpoints", input = Json, output = Wire)]
pub async fn list_webhook_endpoints(account: AccountId) -> Result<Vec<WebhookEndpointLog>, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .webhook_endpoints(&user, account)
        .await
        .map_err(AppError::from)
}

/// Registers an endpoint for `events` (their names, `drawdown.approved`…).
#[server(prefix = "/api", endpoint = "create_webhook_endpoint", input = Json, output = Wire)]
pub async fn create_webhook_endpoint(
    account: AccountId,
    url: String,
    events: Vec<String>,
) -> Result<WebhookEndpoint, AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&state)?;
    state
        .services_from(&address)
        .create_webhook_endpoint(&user, account, &url, &events)
        .await
        .map_err(AppError::from)
}

/// Removes an endpoint: it receives nothing more.
#[server(prefix = "/api", endpoint = "disable_webhook_endpoint", input = Json, output = Wire)]
pub async fn disable_webhook_endpoint(account: AccountId, endpoint: i64) -> Result<(), AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    let address = crate::auth::caller_address(&state)?;
    state
        .services_from(&address)
        .disable_webhook_endpoint(&user, account, endpoint)
        .await
        .map_err(AppError::from)
}

/// Sends a delivery of an endpoint again now.
#[server(prefix = "/api", endpoint = "redeliver_webhook", input = Json, output = Wire)]
pub async fn redeliver_webhook(account: AccountId, endpoint: i64, delivery: i64) -> Result<(), AppError> {
    let (user, state) = crate::auth::require_caller().await?;
    state
        .services()
        .redeliver_webhook(&user, account, endpoint, delivery)
        .await
        .map_err(AppError::from)
}
