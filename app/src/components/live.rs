//! Live updates in the browser: one event stream per signed-in tab. Every
//! change the server reports bumps a counter; views that show changeable
//! data include the counter in their resource's source, so they refetch by
//! themselves, keeping the old content on screen until the new arrives.

use leptos::prelude::*;

use crate::domain::{AccountId, DrawdownId};
use crate::events::PortalEvent;

/// How many changes this tab has been told of, and the latest one (`None`
/// when the stream could not say what changed); in context.
#[derive(Clone, Copy)]
pub struct LiveChanges(ReadSignal<(u64, Option<PortalEvent>)>);

impl LiveChanges {
    /// Bumps on every change (tracked).
    pub fn get(self) -> u64 {
        self.0.get().0
    }

    /// Bumps only on changes of requests that draw from one order (or when
    /// the stream cannot tell): what moves that order's balances.
    pub fn of_order(self, order: Signal<Option<crate::domain::OrderId>>) -> Memo<u64> {
        let changes = self.0;
        Memo::new(move |previous: Option<&u64>| {
            let (count, last) = changes.get();
            match (last, order.get()) {
                (Some(PortalEvent::DrawdownChanged { order: changed, .. }), Some(order))
                    if changed != order =>
                {
                    previous.copied().unwrap_or(count)
                }
                (Some(PortalEvent::DrawdownChanged { .. }) | None, _) => count,
                (Some(_), _) => previous.copied().unwrap_or(count),
            }
        })
    }

    /// Bumps only on changes of one request (or when the stream cannot
    /// tell), so its page does not re-render, and lose what a user is
    /// typing, whenever any request of any partner moves.
    pub fn of_request(self, id: Signal<Option<DrawdownId>>) -> Memo<u64> {
        let changes = self.0;
        Memo::new(move |previous: Option<&u64>| {
            let (count, last) = changes.get();
            match (last, id.get()) {
                (Some(PortalEvent::DrawdownChanged { id: changed, .. }), Some(id)) if changed != id => {
                    previous.copied().unwrap_or(count)
                }
                _ => count,
            }
        })
    }
}

impl LiveChanges {
    /// Bumps only on changes that touch one account: its requests, its
    /// licenses and services (or when the stream cannot tell). The licenses
    /// tabs use it, so a partner's form is not re-rendered under the cursor
    /// whenever another customer of the partner moves.
    pub fn of_account(self, account: Signal<Option<AccountId>>) -> Memo<u64> {
        let changes = self.0;
        Memo::new(move |previous: Option<&u64>| {
            let (count, last) = changes.get();
            let touches = match (last, account.get()) {
                (Some(event), Some(account)) => event.touches_account(account),
                _ => true,
            };
            if touches {
                count
            } else {
                previous.copied().unwrap_or(count)
            }
        })
    }
}

/// The counter for views to depend on.
pub fn use_live_changes() -> LiveChanges {
    expect_context::<LiveChanges>()
}

/// Opens the stream while someone is signed in, closes it when they sign out.
pub fn provide_live_changes(signed_in: Signal<bool>) {
    let (changes, set_changes) = signal((0u64, None::<PortalEvent>));
    provide_context(LiveChanges(changes));
    #[cfg(feature = "hydrate")]
    browser::listen(signed_in, set_changes);
    #[cfg(not(feature = "hydrate"))]
    let _ = (signed_in, set_changes);
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::EventSource;

    use crate::events::{PortalEvent, EVENTS_PATH, EVENT_NAME};

    /// The open stream and the callbacks it holds.
    struct Stream {
        source: EventSource,
        _on_change: Closure<dyn FnMut(web_sys::Event)>,
        _on_open: Closure<dyn FnMut(web_sys::Event)>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    pub fn listen(signed_in: Signal<bool>, set_changes: WriteSignal<(u64, Option<PortalEvent>)>) {
        let current: StoredValue<Option<Stream>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |_| {
            // Dropping the old stream closes it.
            current.set_value(None);
            if !signed_in.get() {
                return;
            }
            let Ok(source) = EventSource::new(EVENTS_PATH) else {
                return;
            };
            let bump = move |event: Option<PortalEvent>| {
                set_changes.update(|(n, last)| (*n, *last) = (*n + 1, event))
            };
            let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let changed = event
                    .dyn_into::<web_sys::MessageEvent>()
                    .ok()
                    .and_then(|m| m.data().as_string())
                    .and_then(|data| PortalEvent::from_wire(&data));
                bump(changed);
            });
            // After a dropped connection the browser reconnects by itself;
            // changes made meanwhile were missed, so refetch once reopened.
            let mut opened_before = false;
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                if opened_before {
                    bump(None);
                }
                opened_before = true;
            });
            let _ = source.add_event_listener_with_callback(EVENT_NAME, on_change.as_ref().unchecked_ref());
            let _ = source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            current.set_value(Some(Stream {
                source,
                _on_change: on_change,
                _on_open: on_open,
            }));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DrawdownState;

    fn changed(id: i64) -> Option<PortalEvent> {
        Some(PortalEvent::DrawdownChanged {
            id: DrawdownId(id),
            partner: AccountId(1),
            customer: None,
            order: crate::domain::OrderId(3),
            state: DrawdownState::Approved,
        })
    }

    #[test]
    fn a_request_page_refetches_only_for_its_own_request_or_a_resync() {
        let owner = Owner::new();
        owner.with(|| {
            let (changes, set_changes) = signal((0u64, None));
            let live = LiveChanges(changes);
            let mine = live.of_request(Signal::derive(|| Some(DrawdownId(7))));
            assert_eq!(mine.get_untracked(), 0);
            set_changes.set((1, changed(8)));
            assert_eq!(mine.get_untracked(), 0, "another request moved");
            set_changes.set((2, changed(7)));
            assert_eq!(mine.get_untracked(), 2);
            set_changes.set((3, None));
            assert_eq!(mine.get_untracked(), 3, "the stream could not say");
            assert_eq!(live.get(), 3);
        });
    }

    #[test]
    fn a_decision_panel_refetches_for_requests_on_its_order_or_a_resync() {
        let owner = Owner::new();
        owner.with(|| {
            let (changes, set_changes) = signal((0u64, None));
            let live = LiveChanges(changes);
            let on = |order: i64| {
                Some(PortalEvent::DrawdownChanged {
                    id: DrawdownId(9),
                    partner: AccountId(1),
                    customer: None,
                    order: crate::domain::OrderId(order),
                    state: DrawdownState::Cancelled,
                })
            };
            let panel = live.of_order(Signal::derive(|| Some(crate::domain::OrderId(3))));
            assert_eq!(panel.get_untracked(), 0);
            set_changes.set((1, on(4)));
            assert_eq!(panel.get_untracked(), 0, "a request on another order");
            set_changes.set((2, on(3)));
            assert_eq!(panel.get_untracked(), 2);
            set_changes.set((
                3,
                Some(PortalEvent::LicensesChanged {
                    account: AccountId(11),
                    managed_by: Some(AccountId(1)),
                }),
            ));
            assert_eq!(panel.get_untracked(), 2, "licenses move no order line");
            set_changes.set((4, None));
            assert_eq!(panel.get_untracked(), 4, "the stream could not say");
        });
    }

    #[test]
    fn an_account_view_refetches_only_for_changes_that_touch_the_account() {
        let owner = Owner::new();
        owner.with(|| {
            let (changes, set_changes) = signal((0u64, None));
            let live = LiveChanges(changes);
            let contoso = live.of_account(Signal::derive(|| Some(AccountId(11))));
            let licenses = |account| {
                Some(PortalEvent::LicensesChanged {
                    account: AccountId(account),
                    managed_by: Some(AccountId(1)),
                })
            };
            assert_eq!(contoso.get_untracked(), 0);
            set_changes.set((1, licenses(12)));
            assert_eq!(contoso.get_untracked(), 0, "another customer's licenses");
            set_changes.set((2, licenses(11)));
            assert_eq!(contoso.get_untracked(), 2);
            set_changes.set((3, changed(5)));
            assert_eq!(
                contoso.get_untracked(),
                2,
                "a request of the partner, not tied to Contoso"
            );
            set_changes.set((
                4,
                Some(PortalEvent::DrawdownChanged {
                    id: DrawdownId(6),
                    partner: AccountId(1),
                    customer: Some(AccountId(11)),
                    order: crate::domain::OrderId(3),
                    state: DrawdownState::Accepted,
                }),
            ));
            assert_eq!(contoso.get_untracked(), 4, "an acceptance for Contoso");
            set_changes.set((5, None));
            assert_eq!(contoso.get_untracked(), 5, "the stream could not say");
        });
    }
}
