//! Live updates: what changed, told to every open browser that may see it.
//! The server publishes an event after the change commits; the event stream
//! endpoint forwards it to each signed-in user it concerns; the browser
//! refetches what it shows. Events carry ids only, never content.

use serde::{Deserialize, Serialize};

use crate::domain::{AccountId, CurrentUser, DrawdownId, DrawdownState, OrderId, Role, UserId};

/// Something that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PortalEvent {
    /// A drawdown request was saved or changed state; balances moved with it.
    DrawdownChanged {
        id: DrawdownId,
        partner: AccountId,
        /// The customer account it is tied to, if any.
        customer: Option<AccountId>,
        /// The order it draws from: the Decision panels of the order's
        /// other requests read its balances again.
        order: OrderId,
        state: DrawdownState,
    },
    /// An account's bindings, license files or service instances changed.
    LicensesChanged {
        account: AccountId,
        /// The partner that manages it, for a customer account.
        managed_by: Option<AccountId>,
    },
    /// A user's sessions were ended (deactivated, signed out elsewhere): its
    /// open streams check their session and end. Never sent to a browser.
    SessionsEnded { user: UserId },
}

impl PortalEvent {
    /// What `user` may learn of this change, if anything: vendor staff see
    /// every request's change; a partner its own. A customer user sees no
    /// request (SPEC, "Who uses it"): it learns only that its own account's
    /// holdings changed, when a request tied to it is accepted, and of its
    /// own licenses, without the ids and states of requests.
    pub fn seen_by(&self, user: &CurrentUser) -> Option<PortalEvent> {
        let own_holdings = PortalEvent::LicensesChanged {
            account: user.account_id,
            managed_by: None,
        };
        match *self {
            PortalEvent::DrawdownChanged {
                partner,
                customer,
                state,
                ..
            } => match user.role {
                Role::Accounting | Role::VendorAdmin => Some(*self),
                Role::PartnerAdmin | Role::PartnerUser => (partner == user.account_id).then_some(*self),
                Role::CustomerUser => (customer == Some(user.account_id) && state == DrawdownState::Accepted)
                    .then_some(own_holdings),
            },
            PortalEvent::LicensesChanged { account, managed_by } => {
                if user.role.is_vendor_staff()
                    || (user.role.is_partner() && managed_by == Some(user.account_id))
                {
                    Some(*self)
                } else if account == user.account_id {
                    Some(if user.role == Role::CustomerUser {
                        own_holdings
                    } else {
                        *self
                    })
                } else {
                    None
                }
            }
            PortalEvent::SessionsEnded { .. } => None,
        }
    }

    /// Whether a stream of `user` must look at this change: what it may
    /// learn of, and the end of its own sessions.
    pub fn concerns(&self, user: &CurrentUser) -> bool {
        matches!(self, PortalEvent::SessionsEnded { user: ended } if *ended == user.id)
            || self.seen_by(user).is_some()
    }
}

impl PortalEvent {
    /// Whether the change may alter what a view of `account` shows: a
    /// request of the partner or tied to the customer, or the account's
    /// licenses and services.
    pub fn touches_account(&self, account: AccountId) -> bool {
        match self {
            PortalEvent::DrawdownChanged {
                partner, customer, ..
            } => *partner == account || *customer == Some(account),
            PortalEvent::LicensesChanged { account: changed, .. } => *changed == account,
            PortalEvent::SessionsEnded { .. } => false,
        }
    }
}

/// The server-sent event's data the browser reads: postcard, in base64
/// (the stream is text). The JSON form (tagged by `kind`) is for the
/// processes' relay; the browser has no JSON decoder.
impl PortalEvent {
    pub fn to_wire(&self) -> String {
        use base64::Engine;
        let bytes = postcard::to_allocvec(&Compact(self)).unwrap_or_default();
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
    }

    /// The event the data carries; `None` for anything else (a [`RESYNC`]).
    pub fn from_wire(data: &str) -> Option<PortalEvent> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(data)
            .ok()?;
        crate::codec::read_whole::<Decoded>(&bytes).map(|Decoded(event)| event)
    }
}

/// `PortalEvent` tagged by position, as postcard writes an enum.
#[derive(Serialize, Deserialize)]
#[serde(remote = "PortalEvent")]
enum CompactEvent {
    DrawdownChanged {
        id: DrawdownId,
        partner: AccountId,
        customer: Option<AccountId>,
        order: OrderId,
        state: DrawdownState,
    },
    LicensesChanged {
        account: AccountId,
        managed_by: Option<AccountId>,
    },
    SessionsEnded {
        user: UserId,
    },
}

struct Compact<'a>(&'a PortalEvent);

impl Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CompactEvent::serialize(self.0, serializer)
    }
}

#[derive(Deserialize)]
struct Decoded(#[serde(with = "CompactEvent")] PortalEvent);

/// The data of the event that tells a browser it may have missed changes
/// (so it refetches all it shows).
pub const RESYNC: &str = "resync";

/// The name of the server-sent event that carries a [`PortalEvent`].
pub const EVENT_NAME: &str = "portal";
/// Where the browser listens.
pub const EVENTS_PATH: &str = "/api/events";

#[cfg(feature = "ssr")]
pub use hub::Events;

#[cfg(feature = "ssr")]
mod hub {
    use super::PortalEvent;
    use tokio::sync::{broadcast, mpsc, watch};

    /// The events of this process, fanned out to every open event stream;
    /// with a relay, also handed to it for the other server processes.
    #[derive(Clone, Debug)]
    pub struct Events {
        sender: broadcast::Sender<PortalEvent>,
        relay: Option<mpsc::UnboundedSender<PortalEvent>>,
        /// Counts the times events may have been missed: each open stream
        /// then tells its browser to refetch everything it shows.
        resyncs: std::sync::Arc<watch::Sender<u64>>,
    }

    impl Events {
        /// Events for one process alone.
        pub fn new() -> Self {
            // A browser that falls this far behind misses events; its stream
            // tells it to refetch everything (see the stream endpoint).
            Self {
                sender: broadcast::channel(1024).0,
                relay: None,
                resyncs: std::sync::Arc::new(watch::channel(0).0),
            }
        }

        /// Events shared with other processes: what this process publishes
        /// also comes out of the receiver, for the relay to pass on.
        pub fn relayed() -> (Self, mpsc::UnboundedReceiver<PortalEvent>) {
            let (relay, outgoing) = mpsc::unbounded_channel();
            let events = Self {
                relay: Some(relay),
                ..Self::new()
            };
            (events, outgoing)
        }

        /// Tells every open stream, and the other processes if relayed;
        /// nobody listening is fine.
        pub fn publish(&self, event: PortalEvent) {
            let _ = self.sender.send(event);
            if let Some(relay) = &self.relay {
                let _ = relay.send(event);
            }
        }

        /// Tells this process's open streams of a change another process made.
        pub fn deliver(&self, event: PortalEvent) {
            let _ = self.sender.send(event);
        }

        /// Tells every open stream that changes may have been missed.
        pub fn resync(&self) {
            self.resyncs.send_modify(|n| *n += 1);
        }

        /// Ticks on every `resync`.
        pub fn resyncs(&self) -> watch::Receiver<u64> {
            self.resyncs.subscribe()
        }

        pub fn subscribe(&self) -> broadcast::Receiver<PortalEvent> {
            self.sender.subscribe()
        }
    }

    impl Default for Events {
        fn default() -> Self {
            Self::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    #[test]
    fn the_browser_reads_each_event_as_it_was_sent_and_nothing_else() {
        for event in [
            PortalEvent::DrawdownChanged {
                id: DrawdownId(41),
                partner: AccountId(2),
                customer: None,
                order: OrderId(3),
                state: DrawdownState::Submitted,
            },
            PortalEvent::DrawdownChanged {
                id: DrawdownId(i64::MAX),
                partner: AccountId(2),
                customer: Some(AccountId(9)),
                order: OrderId(3),
                state: DrawdownState::Accepted,
            },
            PortalEvent::LicensesChanged {
                account: AccountId(9),
                managed_by: Some(AccountId(2)),
            },
        ] {
            let data = event.to_wire();
            assert!(!data.contains('\n'), "one line of event data: {data:?}");
            assert_eq!(PortalEvent::from_wire(&data), Some(event), "{data:?}");
        }
        assert_eq!(PortalEvent::from_wire(RESYNC), None);
        assert_eq!(PortalEvent::from_wire(""), None);
        let long = PortalEvent::LicensesChanged {
            account: AccountId(9),
            managed_by: None,
        }
        .to_wire();
        assert_eq!(
            PortalEvent::from_wire(&format!("{long}AA")),
            None,
            "trailing bytes"
        );
    }

    fn user(role: Role, account: i64) -> CurrentUser {
        CurrentUser {
            id: UserId(1),
            email: "u@example.com".into(),
            display_name: "U".into(),
            role,
            account_id: AccountId(account),
            account_name: "A".into(),
        }
    }

    #[test]
    fn an_event_reaches_its_partner_vendor_staff_and_the_receiving_customer_only() {
        let event = PortalEvent::DrawdownChanged {
            id: DrawdownId(1),
            partner: AccountId(10),
            customer: Some(AccountId(11)),
            order: OrderId(3),
            state: DrawdownState::Accepted,
        };
        assert!(event.concerns(&user(Role::PartnerUser, 10)));
        assert!(event.concerns(&user(Role::PartnerAdmin, 10)));
        assert!(event.concerns(&user(Role::Accounting, 1)));
        assert!(!event.concerns(&user(Role::PartnerUser, 20)));
        assert!(!event.concerns(&user(Role::CustomerUser, 12)));
        // The customer learns that its holdings changed, not the request.
        assert_eq!(
            event.seen_by(&user(Role::CustomerUser, 11)),
            Some(PortalEvent::LicensesChanged {
                account: AccountId(11),
                managed_by: None
            })
        );
        let submitted = PortalEvent::DrawdownChanged {
            id: DrawdownId(2),
            partner: AccountId(10),
            customer: Some(AccountId(11)),
            order: OrderId(3),
            state: DrawdownState::Submitted,
        };
        assert_eq!(
            submitted.seen_by(&user(Role::CustomerUser, 11)),
            None,
            "nothing reached it yet"
        );
        assert_eq!(submitted.seen_by(&user(Role::Accounting, 1)), Some(submitted));
    }

    #[test]
    fn a_licenses_change_reaches_the_account_its_partner_and_vendor_staff_only() {
        let event = PortalEvent::LicensesChanged {
            account: AccountId(11),
            managed_by: Some(AccountId(10)),
        };
        assert!(event.concerns(&user(Role::CustomerUser, 11)));
        assert!(event.concerns(&user(Role::PartnerUser, 10)));
        assert!(event.concerns(&user(Role::Accounting, 1)));
        assert!(!event.concerns(&user(Role::CustomerUser, 12)));
        assert!(!event.concerns(&user(Role::PartnerAdmin, 20)));
    }
}
