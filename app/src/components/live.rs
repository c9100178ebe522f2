//! Live updates in the browser: one event stream per signed-in tab. Every
//! change the server reports bumps a counter; views that show changeable
//! data include the counter in their resource's source, so they refetch by
//! themselves, keeping the old content on screen until the new arrives.

use leptos::prelude::*;

/// How many changes this tab has been told of; in context.
#[derive(Clone, Copy)]
pub struct LiveChanges(ReadSignal<u64>);

impl LiveChanges {
    /// The count (tracked).
    pub fn get(self) -> u64 {
        self.0.get()
    }
}

/// The counter for views to depend on.
pub fn use_live_changes() -> LiveChanges {
    expect_context::<LiveChanges>()
}

/// Opens the stream while someone is signed in, closes it when they sign out.
pub fn provide_live_changes(signed_in: Signal<bool>) {
    let (changes, set_changes) = signal(0u64);
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

    use crate::events::{EVENTS_PATH, EVENT_NAME};

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

    pub fn listen(signed_in: Signal<bool>, set_changes: WriteSignal<u64>) {
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
            let bump = move |_: web_sys::Event| set_changes.update(|n| *n += 1);
            let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(bump);
            // After a dropped connection the browser reconnects by itself;
            // changes made meanwhile were missed, so refetch once reopened.
            let mut opened_before = false;
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |event| {
                if opened_before {
                    bump(event);
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
