//! Form fields that show their rule's message next to them: the message is
//! the field's description, and the field is marked `aria-invalid`.

use leptos::prelude::*;

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    /// The input's id; the hint and error ids derive from it.
    id: &'static str,
    /// The accessible name.
    #[prop(into)]
    label: Signal<String>,
    value: RwSignal<String>,
    /// The message to show, if the value breaks a rule.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Help shown under the label.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Called on every keystroke (after the value is updated).
    #[prop(optional)]
    on_input: Option<Callback<()>>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                list=list
                prop:value=move || value.get()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    if let Some(on_input) = on_input {
                        on_input.run(());
                    }
                }
            />
            <FieldError id=error_id message=error />
        </div>
    }
    // Erased: a form of several fields would otherwise nest past the compiler's type depth limit.
    .into_any()
}

/// The message under a field, announced when it appears.
#[component]
pub fn FieldError(id: String, #[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field__error" id=id aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// A button in a table row, shown as its action and named for what it acts
/// on ("Revoke LIC-000007"), so each row's button has a name of its own.
#[component]
pub fn RowAction(
    #[prop(into)] action: crate::i18n::Text,
    /// What it acts on: the row's product, license or instance.
    subject: String,
    #[prop(default = "button")] class: &'static str,
    /// Disabled while `busy` holds (a request in flight).
    #[prop(optional, into)]
    busy: Signal<bool>,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = super::i18n::use_i18n();
    view! {
        <button
            type="button"
            class=class
            aria-label=move || crate::i18n::action_on(i18n.locale(), action, &subject)
            disabled=move || busy.get()
            on:click=move |_| on_click()
        >
            {move || i18n.t(action)}
        </button>
    }
}
