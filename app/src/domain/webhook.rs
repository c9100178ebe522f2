//! Webhooks (SPEC, "Partner API and webhooks"): the events a partner's
//! endpoint may receive, an endpoint's address, and its deliveries.

use serde::{Deserialize, Serialize};

/// What an event announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    #[serde(rename = "drawdown.submitted")]
    DrawdownSubmitted,
    #[serde(rename = "drawdown.approved")]
    DrawdownApproved,
    #[serde(rename = "drawdown.rejected")]
    DrawdownRejected,
    #[serde(rename = "drawdown.accepted")]
    DrawdownAccepted,
    #[serde(rename = "drawdown.cancelled")]
    DrawdownCancelled,
    #[serde(rename = "drawdown.expired")]
    DrawdownExpired,
    #[serde(rename = "entitlement.changed")]
    EntitlementChanged,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 7] = [
        Self::DrawdownSubmitted,
        Self::DrawdownApproved,
        Self::DrawdownRejected,
        Self::DrawdownAccepted,
        Self::DrawdownCancelled,
        Self::DrawdownExpired,
        Self::EntitlementChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DrawdownSubmitted => "drawdown.submitted",
            Self::DrawdownApproved => "drawdown.approved",
            Self::DrawdownRejected => "drawdown.rejected",
            Self::DrawdownAccepted => "drawdown.accepted",
            Self::DrawdownCancelled => "drawdown.cancelled",
            Self::DrawdownExpired => "drawdown.expired",
            Self::EntitlementChanged => "entitlement.changed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The event a request's new state announces.
    pub fn of_state(state: super::DrawdownState) -> Self {
        use super::DrawdownState as S;
        match state {
            S::Submitted => Self::DrawdownSubmitted,
            S::Approved => Self::DrawdownApproved,
            S::Rejected => Self::DrawdownRejected,
            S::Accepted => Self::DrawdownAccepted,
            S::Cancelled => Self::DrawdownCancelled,
            S::Expired => Self::DrawdownExpired,
        }
    }
}

/// Why an endpoint is refused; on the wire by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum WebhookProblem {
    #[error("the URL is not an absolute http(s) URL of at most 2,000 characters")]
    BadUrl,
    #[error("the URL carries a user name or password")]
    CredentialsInUrl,
    #[error("choose at least one known event")]
    NoEvents,
    /// Each event is posted to every endpoint: their number is bounded.
    #[error("at most {max} endpoints in use per account")]
    TooManyEndpoints { max: u32 },
}

/// An endpoint's address: an absolute `http` or `https` URL without
/// credentials. Where it points (no loopback or private address) is checked
/// when it is registered and again at each delivery, where names resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    pub const MAX_LEN: usize = 2_000;

    /// On the server only: the `url` crate's IDNA tables stay out of the
    /// WebAssembly (as for customer websites, domain/drawdown.rs).
    #[cfg(feature = "ssr")]
    pub fn parse(text: &str) -> Result<Self, WebhookProblem> {
        let text = text.trim();
        if text.len() > Self::MAX_LEN {
            return Err(WebhookProblem::BadUrl);
        }
        let url = url::Url::parse(text).map_err(|_| WebhookProblem::BadUrl)?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(WebhookProblem::BadUrl);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(WebhookProblem::CredentialsInUrl);
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An endpoint's events, at least one, each known, no repeats.
pub fn parse_events(names: &[String]) -> Result<Vec<WebhookEvent>, WebhookProblem> {
    let mut events = Vec::new();
    for name in names {
        let event = WebhookEvent::parse(name.trim()).ok_or(WebhookProblem::NoEvents)?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.is_empty() {
        return Err(WebhookProblem::NoEvents);
    }
    Ok(events)
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    Delivered,
    /// Failed every attempt: only Redeliver sends it again.
    Dead,
}

/// An endpoint as its partner's Webhooks tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub account_id: super::AccountId,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    /// Shown to the partner, who verifies signatures with it.
    pub secret: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

/// A delivery as the endpoint's log lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub message_id: String,
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// An endpoint and its latest deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpointLog {
    pub endpoint: WebhookEndpoint,
    pub deliveries: Vec<WebhookDelivery>,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_an_absolute_http_url_without_credentials() {
        assert!(WebhookUrl::parse(" https://erp.example.com/hooks?x=1 ").is_ok());
        assert!(
            WebhookUrl::parse("http://10.0.0.1:8080/h").is_ok(),
            "where it points is checked apart"
        );
        assert_eq!(
            WebhookUrl::parse("ftp://erp.example.com/"),
            Err(WebhookProblem::BadUrl)
        );
        assert_eq!(WebhookUrl::parse("/hooks"), Err(WebhookProblem::BadUrl));
        assert_eq!(
            WebhookUrl::parse("https://user:pw@erp.example.com/"),
            Err(WebhookProblem::CredentialsInUrl)
        );
        assert_eq!(
            WebhookUrl::parse(&format!("https://e.example/{}", "a".repeat(2_000))),
            Err(WebhookProblem::BadUrl)
        );
    }

    #[test]
    fn events_are_known_names_without_repeats() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&names(&[
                "drawdown.approved",
                "drawdown.approved",
                "entitlement.changed"
            ])),
            Ok(vec![
                WebhookEvent::DrawdownApproved,
                WebhookEvent::EntitlementChanged
            ])
        );
        assert_eq!(parse_events(&names(&[])), Err(WebhookProblem::NoEvents));
        assert_eq!(
            parse_events(&names(&["drawdown.lost"])),
            Err(WebhookProblem::NoEvents)
        );
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
            assert_eq!(serde_json::to_value(event).expect("json"), event.as_str());
        }
    }
}
