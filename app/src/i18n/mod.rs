//! English and French, through typed catalogs, one per area of the product:
//! every message is one arm of a `catalog!` holding both languages, so a
//! missing translation does not compile. The server uses the same catalogs
//! (e-mails, errors), so wording never drifts. Texts that take values are
//! functions beside their area's catalog.

use serde::{Deserialize, Serialize};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    /// Every language, in the order of the Language select.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];
    /// Name of the cookie that remembers a visitor's choice.
    pub const COOKIE: &'static str = "portal_lang";

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The language's own name, as the Language select shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
        }
    }

    /// Reads a tag such as `fr`, `fr-CA` or `EN`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// The best supported language for an `Accept-Language` header: the
    /// highest-weighted supported tag, the earliest on a tie; English if none.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A fixed text in every language: what any catalog's message becomes where
/// a component takes a text from more than one area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    en: &'static str,
    fr: &'static str,
}

impl Text {
    /// A text given in each language.
    pub const fn new(en: &'static str, fr: &'static str) -> Self {
        Self { en, fr }
    }

    /// The text in `locale`.
    pub fn text(self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.en,
            Locale::Fr => self.fr,
        }
    }
}

/// An enum of fixed texts, each arm with its English and its French: the
/// macro's grammar takes both, so an arm without one does not compile.
macro_rules! catalog {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident => ($en:expr, $fr:expr $(,)?),)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $(#[allow(missing_docs)] $variant,)*
        }

        impl $name {
            /// This text in every language.
            pub const fn both(self) -> $crate::i18n::Text {
                match self {
                    $(Self::$variant => $crate::i18n::Text::new($en, $fr),)*
                }
            }

            /// This text in `locale`.
            pub fn text(self, locale: $crate::i18n::Locale) -> &'static str {
                self.both().text(locale)
            }
        }

        impl From<$name> for $crate::i18n::Text {
            fn from(text: $name) -> Self {
                text.both()
            }
        }
    };
}

mod account;
mod accounting;
mod accounts;
mod administration;
mod api;
mod audit;
mod cloud_services;
mod common;
mod drawdown_import;
mod drawdowns;
mod entitlements;
mod errors;
mod licenses;
mod sign_in;

pub use account::{invitation_sent, password_error, role_of, role_text, AccountText};
pub use accounting::{
    before_after, bulk_outcome, export_href, holding_export_href, holding_statement_of, movement_text,
    reminder_text, select_request, statement_export_href, statement_of, usage_movement_text, waited,
    AccountingText,
};
pub use accounts::AccountsText;
pub use administration::{
    admin_rule_text, editing, imported, model_text, order_line, reset_link_sent, standing_text, AdminText,
    SectionText,
};
pub use api::{
    delivery_state_text, lifetime_text, new_token_label, of_subject, scope_text, token_state_text, ApiText,
};
pub use audit::{audit_export_href, audit_kind_text, AuditText};
pub use cloud_services::{
    instance_state_text, provisioning_error, region_text, tenant_error, CloudServicesText,
};
pub use common::{action_on, date_time, email_error, months, name_error, number, CommonText};
pub use drawdown_import::{column_text, import_rule_text, import_summary, imported_requests, ImportText};
pub use drawdowns::{
    available_on_line, existing_customer_notice, field_error, prefilled_from, quantity_error, quantity_for,
    reason_error, request_heading, state_text, too_many_saves, transition_refusal, DrawdownsText,
};
pub use entitlements::EntitlementsText;
pub use errors::ErrorText;
pub use licenses::{
    binding_error, file_renewed, file_state_text, license_file_error, quantities_return_on, LicensesText,
};
pub use sign_in::{throttled, SignInText};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DrawdownState;

    #[test]
    fn accept_language_picks_the_highest_weighted_supported_language() {
        assert_eq!(Locale::negotiate("fr-CA,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE,de;q=0.9,fr;q=0.5,en;q=0.7"), Locale::En);
        assert_eq!(Locale::negotiate("en;q=0.2, fr;q=0.6"), Locale::Fr);
        assert_eq!(Locale::negotiate("fr;q=0"), Locale::En);
    }

    #[test]
    fn accept_language_without_a_supported_language_falls_back_to_english() {
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("de, ja;q=0.5"), Locale::En);
        assert_eq!(Locale::negotiate(";;;,,q=abc"), Locale::En);
    }

    #[test]
    fn the_french_labels_are_those_of_the_spec() {
        fn fr(t: impl Into<Text>) -> &'static str {
            t.into().text(Locale::Fr)
        }
        assert_eq!(fr(SignInText::Email), "Adresse e-mail");
        assert_eq!(fr(SignInText::Password), "Mot de passe");
        assert_eq!(fr(SignInText::SignIn), "Se connecter");
        assert_eq!(fr(CommonText::SignOut), "Se déconnecter");
        assert_eq!(fr(CommonText::Language), "Langue");
        assert_eq!(
            fr(CommonText::LicensesAndCloudServices),
            "Licences et services cloud"
        );
        assert_eq!(fr(AccountsText::SelectAnAccount), "Sélectionner un compte");
        assert_eq!(fr(EntitlementsText::Entitlements), "Droits de licence");
        assert_eq!(
            fr(DrawdownsText::PartnerDrawdowns),
            "Prélèvements des partenaires"
        );
        assert_eq!(fr(DrawdownsText::Approvals), "Approbations");
        assert_eq!(fr(DrawdownsText::New), "Nouveau");
        assert_eq!(
            fr(DrawdownsText::NewDrawdownHeading),
            "Nouvelle demande de prélèvement d'un partenaire"
        );
        assert_eq!(fr(CommonText::Order), "Commande");
        assert_eq!(
            fr(DrawdownsText::AssignToCustomerAccount),
            "Attribuer au compte client"
        );
        assert_eq!(fr(DrawdownsText::CustomerWebsite), "Site Web du client");
        assert_eq!(fr(DrawdownsText::CustomerName), "Nom du contact client");
        assert_eq!(fr(DrawdownsText::CustomerEmail), "Courriel du client");
        assert_eq!(
            quantity_for(Locale::Fr, "Bot Creator"),
            "Quantité pour Bot Creator"
        );
        assert_eq!(fr(CommonText::Save), "Enregistrer");
        assert_eq!(fr(DrawdownsText::Accept), "Accepter");
        assert_eq!(fr(DrawdownsText::CancelRequest), "Annuler la demande");
        assert_eq!(fr(DrawdownsText::Clone), "Cloner");
        assert_eq!(fr(DrawdownsText::Approve), "Approuver");
        assert_eq!(fr(DrawdownsText::Reject), "Rejeter");
        assert_eq!(fr(DrawdownsText::Reason), "Motif");
        let states: Vec<_> = DrawdownState::ALL.iter().map(|s| fr(state_text(*s))).collect();
        assert_eq!(
            states,
            ["Soumis", "Approuvé", "Rejeté", "Accepté", "Annulé", "Expiré"]
        );
    }
}
