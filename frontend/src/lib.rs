//! The browser entry point: hydrates the server-rendered page.

use app::pages::screens::Screen;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The tab the page shows is a chunk of its own: it is loaded first, so
    // that the router finds its code there and hydrates synchronously.
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    match Screen::of_path(&path) {
        Some(screen) => wasm_bindgen_futures::spawn_local(async move {
            screen.load().await;
            // In a task of its own, not in the one that instantiated the
            // last chunk: input is not held up for both at once.
            let next_task = js_sys::Promise::new(&mut |resolve, _| {
                if let Some(window) = web_sys::window() {
                    let _ = window.set_timeout_with_callback(&resolve);
                }
            });
            let _ = wasm_bindgen_futures::JsFuture::from(next_task).await;
            leptos::mount::hydrate_body(app::App);
        }),
        None => leptos::mount::hydrate_body(app::App),
    }
}
