//! The interface language as reactive state: chosen by the visitor, else
//! their browser's Accept-Language, remembered in a cookie.

use leptos::prelude::*;

use crate::i18n::{CommonText, Locale, Text};

/// The current language, in context.
#[derive(Clone, Copy)]
pub struct I18n {
    /// The language shown.
    pub locale: RwSignal<Locale>,
}

impl I18n {
    /// A text in the current language (tracked: views using it update when
    /// the language changes).
    pub fn t(self, text: impl Into<Text>) -> &'static str {
        text.into().text(self.locale.get())
    }

    /// The current language (tracked).
    pub fn locale(self) -> Locale {
        self.locale.get()
    }
}

/// Sets up the language for the whole app.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(request_locale()),
    };
    provide_context(i18n);
    i18n
}

/// The language from context.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The language to render in. On the server: the language cookie, else the
/// request's Accept-Language. In the browser: what the server rendered, read
/// from `<html lang>`, so hydration sees the same texts.
pub fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = use_context::<http::request::Parts>() else {
            return Locale::default();
        };
        if let Some(locale) =
            crate::auth::cookie_value(&parts.headers, Locale::COOKIE).and_then(|v| Locale::from_tag(&v))
        {
            return locale;
        }
        parts
            .headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::negotiate)
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|tag| Locale::from_tag(&tag))
            .unwrap_or_default()
    }
}

/// The "Language" select (the header's, and Your account's under its own id).
#[component]
pub fn LanguageSelect(#[prop(default = "language-select")] id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(locale) = Locale::from_tag(&event_target_value(&ev)) else {
            return;
        };
        i18n.locale.set(locale);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", locale.tag());
        }
        leptos::task::spawn_local(async move {
            // The switch already happened on screen; remembering it is best
            // effort, and a failure only means the next visit starts in the
            // browser's language.
            let _ = crate::api::preferences::set_language(locale.tag().to_string()).await;
        });
    };
    view! {
        <div class="language">
            <label for=id>{move || i18n.t(CommonText::Language)}</label>
            <select id=id on:change=on_change>
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() lang=l.tag() selected=move || i18n.locale() == l>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
