//! Reading the file a file input chose, in the browser.

/// The text of the file a file input's change chose; the input is emptied,
/// so the same file (mended) can be chosen again.
#[cfg(feature = "hydrate")]
pub async fn read_chosen_file(ev: &leptos::ev::Event) -> Option<String> {
    use wasm_bindgen::JsCast;
    let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?;
    input.set_value("");
    text.as_string()
}

/// On the server no file is chosen.
#[cfg(not(feature = "hydrate"))]
pub async fn read_chosen_file(_: &leptos::ev::Event) -> Option<String> {
    None
}
