//! Webhooks (SPEC, "Partner API and webhooks"): a partner admin registers
//! endpoints for its partner; each drawdown step queues, in its own
//! transaction, a delivery to every endpoint that takes the event (so a
//! committed change is always announced and a rolled-back one never is);
//! the worker (`server/src/webhooks.rs`) signs and sends them.

use serde_json::json;

use super::{service_error_faults, Fault, Services};
use crate::domain::{
    may_manage_webhooks_of, parse_events, AccountId, AuditKind, AuditObject, CurrentUser, DrawdownId,
    DrawdownState, OrderId, WebhookEvent, WebhookProblem, WebhookUrl,
};
use crate::domain::{WebhookEndpoint, WebhookEndpointLog};
use crate::repo::audit;
use crate::repo::webhooks as hooks;

/// Endpoints an account's list shows.
pub const ENDPOINTS_LISTED: i64 = 50;
/// The most endpoints in use per account: each event is posted to each.
pub const MAX_ENDPOINTS_IN_USE: u32 = 10;
/// Deliveries an endpoint's log shows.
pub const DELIVERIES_LISTED: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Invalid(WebhookProblem),
    /// The URL's host is a loopback, private or link-local address, which
    /// the operator has not allowed.
    #[error("the URL points inside the portal's network")]
    PrivateAddress,
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(WebhookError);

/// A fresh signing secret: `whsec_` and 32 random bytes in base64, as
/// Standard Webhooks libraries read it.
pub fn new_signing_secret() -> String {
    use base64::Engine as _;
    let hex = crate::auth::random_token();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Whether an address is one a partner may not make the portal call:
/// loopback, private, link-local, unspecified, shared or multicast.
pub fn is_internal(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                // 100.64.0.0/10, carrier-grade NAT
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The addresses `url`'s host resolves to, refused if any is internal
/// (unless `allow_internal`). Checked at registration and before each
/// delivery: a name may point elsewhere later.
pub async fn resolve_allowed(
    url: &str,
    allow_internal: bool,
) -> Result<Vec<std::net::SocketAddr>, WebhookError> {
    let parsed = url::Url::parse(url).map_err(|_| WebhookError::Invalid(WebhookProblem::BadUrl))?;
    let host = parsed
        .host_str()
        .ok_or(WebhookError::Invalid(WebhookProblem::BadUrl))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| WebhookError::Invalid(WebhookProblem::BadUrl))?
        .collect();
    if addresses.is_empty() {
        return Err(WebhookError::Invalid(WebhookProblem::BadUrl));
    }
    if !allow_internal && addresses.iter().any(|a| is_internal(a.ip())) {
        return Err(WebhookError::PrivateAddress);
    }
    Ok(addresses)
}

fn endpoint_object(id: i64, url: &str, account: AccountId) -> AuditObject {
    AuditObject {
        kind: "webhook_endpoint",
        id: Some(id),
        label: url.to_owned(),
        account: Some(account),
    }
}

impl Services<'_> {
    /// Registers an endpoint of `account` for `events`; its secret is in the answer.
    pub async fn create_webhook_endpoint(
        &self,
        user: &CurrentUser,
        account: AccountId,
        url: &str,
        events: &[String],
    ) -> Result<WebhookEndpoint, WebhookError> {
        if !may_manage_webhooks_of(user, account) {
            return Err(WebhookError::Forbidden);
        }
        let url = WebhookUrl::parse(url).map_err(WebhookError::Invalid)?;
        let events = parse_events(events).map_err(WebhookError::Invalid)?;
        resolve_allowed(url.as_str(), self.settings.webhooks_to_internal_addresses).await?;
        let secret = new_signing_secret();
        let at = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        if hooks::count_endpoints_in_use(&mut tx, account).await? >= i64::from(MAX_ENDPOINTS_IN_USE) {
            return Err(WebhookError::Invalid(WebhookProblem::TooManyEndpoints {
                max: MAX_ENDPOINTS_IN_USE,
            }));
        }
        let id =
            hooks::insert_endpoint(&mut tx, account, url.as_str(), &events, &secret, user.id, at).await?;
        let after =
            json!({ "url": url.as_str(), "events": events.iter().map(|e| e.as_str()).collect::<Vec<_>>() });
        audit::record(
            &mut tx,
            at,
            &self.actor(Some(user)),
            AuditKind::WebhookEndpointCreated,
            &endpoint_object(id, url.as_str(), account),
            None,
            Some(&after),
        )
        .await?;
        let endpoint = hooks::find_endpoint(&mut tx, account, id)
            .await?
            .ok_or_else(|| Fault::internal("webhook endpoint", "missing right after insert"))?;
        tx.commit().await?;
        Ok(endpoint)
    }

    /// The endpoints of `account` with their latest deliveries.
    pub async fn webhook_endpoints(
        &self,
        user: &CurrentUser,
        account: AccountId,
    ) -> Result<Vec<WebhookEndpointLog>, WebhookError> {
        if !may_manage_webhooks_of(user, account) {
            return Err(WebhookError::Forbidden);
        }
        let mut conn = self.db.read().await?;
        let mut logs = Vec::new();
        for endpoint in hooks::list_endpoints(&mut conn, account, ENDPOINTS_LISTED).await? {
            let deliveries = hooks::list_deliveries(&mut conn, endpoint.id, DELIVERIES_LISTED).await?;
            logs.push(WebhookEndpointLog { endpoint, deliveries });
        }
        Ok(logs)
    }

    /// Stops an endpoint; its deliveries not yet made are dropped.
    pub async fn disable_webhook_endpoint(
        &self,
        user: &CurrentUser,
        account: AccountId,
        id: i64,
    ) -> Result<(), WebhookError> {
        if !may_manage_webhooks_of(user, account) {
            return Err(WebhookError::Forbidden);
        }
        let at = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let endpoint = hooks::find_endpoint(&mut tx, account, id)
            .await?
            .ok_or(WebhookError::NotFound)?;
        if hooks::disable_endpoint(&mut tx, account, id, at).await? {
            audit::record(
                &mut tx,
                at,
                &self.actor(Some(user)),
                AuditKind::WebhookEndpointDisabled,
                &endpoint_object(id, &endpoint.url, account),
                None,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sends a delivery again now (Redeliver), with its message id.
    pub async fn redeliver_webhook(
        &self,
        user: &CurrentUser,
        account: AccountId,
        endpoint: i64,
        delivery: i64,
    ) -> Result<(), WebhookError> {
        if !may_manage_webhooks_of(user, account) {
            return Err(WebhookError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let found = hooks::find_endpoint(&mut tx, account, endpoint).await?;
        if found.is_none_or(|e| e.disabled_at.is_some()) {
            return Err(WebhookError::NotFound);
        }
        if !hooks::redeliver(&mut tx, endpoint, delivery, self.settings.clock.now()).await? {
            return Err(WebhookError::NotFound);
        }
        tx.commit().await?;
        self.webhooks_queued.notify_one();
        Ok(())
    }
}

/// What a drawdown step tells the partner's endpoints, queued in `tx`: the
/// state's event, and on acceptance `entitlement.changed` for the customer.
pub(crate) async fn queue_drawdown_events(
    tx: &mut sqlx::AnyConnection,
    change: &DrawdownChange<'_>,
    at: i64,
) -> Result<u64, sqlx::Error> {
    let data = json!({
        "id": change.id,
        "number": change.number,
        "state": change.state.as_str(),
        "partner_id": change.partner,
        "order_id": change.order,
        "customer_account_id": change.customer,
    });
    let mut queued = queue_event(tx, change.partner, WebhookEvent::of_state(change.state), data, at).await?;
    if let (DrawdownState::Accepted, Some(customer)) = (change.state, change.customer) {
        let data = json!({ "account_id": customer, "drawdown_id": change.id, "number": change.number });
        queued += queue_event(tx, change.partner, WebhookEvent::EntitlementChanged, data, at).await?;
    }
    Ok(queued)
}

/// A drawdown step, as its events tell it.
pub(crate) struct DrawdownChange<'a> {
    pub id: DrawdownId,
    pub number: &'a str,
    pub state: DrawdownState,
    pub partner: AccountId,
    pub order: OrderId,
    pub customer: Option<AccountId>,
}

async fn queue_event(
    tx: &mut sqlx::AnyConnection,
    account: AccountId,
    event: WebhookEvent,
    data: serde_json::Value,
    at: i64,
) -> Result<u64, sqlx::Error> {
    let message_id = format!("msg_{}", &crate::auth::random_token()[..32]);
    let timestamp = time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let payload = json!({ "type": event.as_str(), "timestamp": timestamp, "data": data }).to_string();
    hooks::enqueue_event(tx, account, event, &message_id, &payload, at).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told_from_public_ones() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_internal(internal.parse().expect("ip")), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_internal(public.parse().expect("ip")), "{public}");
        }
    }

    #[test]
    fn a_signing_secret_is_whsec_and_32_bytes_of_base64() {
        use base64::Engine as _;
        let secret = new_signing_secret();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.strip_prefix("whsec_").expect("prefix"))
            .expect("base64");
        assert_eq!(bytes.len(), 32);
        assert_ne!(secret, new_signing_secret());
    }
}
