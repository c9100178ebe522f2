//! Export CSV with a range of days: the From and Until fields and the link
//! that downloads the screen's rows between them (SPEC, "Ledger statements
//! and exports").

use leptos::prelude::*;

use crate::components::i18n::use_i18n;
use crate::i18n::{AccountingText, Locale};

/// `id` prefixes the fields' ids (`ID-from`, `ID-until`); `href` gives the
/// download's address from the days typed and the language.
#[component]
pub fn ExportRange<H>(id: &'static str, href: H) -> impl IntoView
where
    H: Fn(&str, &str, Locale) -> String + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let (from, until) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let date_field = move |suffix: &'static str, label: AccountingText, value: RwSignal<String>| {
        let field = format!("{id}-{suffix}");
        view! {
            <div class="field field--inline">
                <label for=field.clone()>{move || i18n.t(label)}</label>
                <input id=field type="date" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <fieldset class="filters">
            <legend>{move || i18n.t(AccountingText::ExportRange)}</legend>
            {date_field("from", AccountingText::From, from)}
            {date_field("until", AccountingText::Until, until)}
            <div class="filters__actions">
                <a class="button" download href=move || href(&from.get(), &until.get(), i18n.locale())>
                    {move || i18n.t(AccountingText::ExportCsv)}
                </a>
            </div>
        </fieldset>
    }
}
