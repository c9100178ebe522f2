//! Texts every screen shares: the frame, navigation, lists and generic actions.

use super::{Locale, Text};
use crate::domain::{AccountNameError, EmailError};

catalog! {
    /// Texts every screen shares: the frame, navigation, lists and generic actions.
    pub enum CommonText {
        ProductName => ("Licenses & Cloud", "Licences & Cloud"),
        SkipToContent => ("Skip to content", "Aller au contenu"),
        Loading => ("Loading…", "Chargement…"),
        Language => ("Language", "Langue"),
        MainNavigation => ("Main", "Principal"),
        LicensesAndCloudServices => ("Licenses and cloud services", "Licences et services cloud"),
        SignOut => ("Sign out", "Se déconnecter"),
        SignedInAs => ("Signed in as", "Connecté en tant que"),
        LoadMore => ("Load more", "Afficher plus"),
        RowsShown => ("requests shown", "demandes affichées"),
        Save => ("Save", "Enregistrer"),
        Saving => ("Saving…", "Enregistrement…"),
        Close => ("Close", "Fermer"),
        State => ("State", "État"),
        Actions => ("Actions", "Actions"),
        When => ("When", "Quand"),
        Who => ("Who", "Qui"),
        From => ("From", "De"),
        To => ("To", "À"),
        TheServer => ("The portal (expiry)", "Le portail (expiration)"),
        Created => ("New request", "Nouvelle demande"),
        PageNotFound => ("Page not found", "Page introuvable"),
        BackToStart => ("Back to the start page", "Retour à l'accueil"),
        Copied => ("Copied", "Copié"),
        CopyFailed => ("Copy failed: select the GUID and copy it.", "La copie a échoué : sélectionnez le GUID et copiez-le."),
        Number => ("Number", "Numéro"),
        Partner => ("Partner", "Partenaire"),
        Customer => ("Customer", "Client"),
        Product => ("Product", "Produit"),
        Quantity => ("Quantity", "Quantité"),
        Order => ("Order", "Commande"),
    }
}

/// "12 months" / "12 mois".
pub fn months(locale: Locale, n: i64) -> String {
    match (locale, n) {
        (Locale::En, 1) => "1 month".into(),
        (Locale::En, n) => format!("{n} months"),
        (Locale::Fr, n) => format!("{n} mois"),
    }
}

/// A whole number with the locale's thousands separator.
pub fn number(locale: Locale, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match locale {
        Locale::En => ",",
        // French uses a narrow no-break space.
        Locale::Fr => "\u{202f}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A moment, in UTC: the same text on the server and in the browser.
pub fn date_time(locale: Locale, unix_seconds: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix_seconds) else {
        return String::new();
    };
    let (y, mo, d, h, mi) = (t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute());
    match locale {
        Locale::En => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02} UTC"),
        Locale::Fr => format!("{d:02}/{mo:02}/{y} {h:02}:{mi:02} UTC"),
    }
}

/// The accessible name of an Unbind, Download or Provision button that
/// names what it acts on.
pub fn action_on(locale: Locale, action: impl Into<Text>, subject: &str) -> String {
    format!("{} {subject}", action.into().text(locale))
}

/// What is wrong with a name (an account's, a contact's, a user's).
pub fn name_error(locale: Locale, error: &AccountNameError) -> String {
    match (error, locale) {
        (AccountNameError::Empty, Locale::En) => "Enter a name.".into(),
        (AccountNameError::Empty, Locale::Fr) => "Saisissez un nom.".into(),
        (AccountNameError::Characters, Locale::En) => "Remove the invisible or control characters.".into(),
        (AccountNameError::Characters, Locale::Fr) => {
            "Retirez les caractères invisibles ou de contrôle.".into()
        }
        (AccountNameError::TooLong { max }, Locale::En) => format!("At most {max} characters."),
        (AccountNameError::TooLong { max }, Locale::Fr) => format!("{max} caractères au maximum."),
    }
}

/// What is wrong with an email address.
pub fn email_error(locale: Locale, error: &EmailError) -> String {
    match (error, locale) {
        (EmailError::Empty, Locale::En) => "Enter an email address.",
        (EmailError::Empty, Locale::Fr) => "Saisissez une adresse e-mail.",
        (EmailError::Invalid, Locale::En) => "Enter a valid email address, such as name@example.com.",
        (EmailError::Invalid, Locale::Fr) => "Saisissez une adresse e-mail valide, comme nom@exemple.com.",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands_in_each_language() {
        assert_eq!(number(Locale::En, 1234567), "1,234,567");
        assert_eq!(number(Locale::Fr, 1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(number(Locale::En, 999), "999");
        assert_eq!(number(Locale::En, -1000), "-1,000");
    }

    #[test]
    fn terms_read_naturally() {
        assert_eq!(months(Locale::En, 1), "1 month");
        assert_eq!(months(Locale::En, 36), "36 months");
        assert_eq!(months(Locale::Fr, 12), "12 mois");
    }
}
