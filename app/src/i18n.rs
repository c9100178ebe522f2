//! English and French, through one typed catalog: every message is one arm
//! holding both languages, so a missing translation does not compile. The
//! server uses the same catalog (e-mails, errors), so wording never drifts.

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

/// Every fixed text of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    ProductName,
    SkipToContent,
    Loading,
    Language,
    // Sign-in
    SignInHeading,
    SignInIntro,
    Email,
    Password,
    SignIn,
    SigningIn,
    SignOut,
    SignedInAs,
    WrongCredentials,
    // Navigation
    MainNavigation,
    LicensesAndCloudServices,
    AccountViews,
    SelectAnAccount,
    OwnAccount,
    ManagedCustomers,
    Partners,
    Customers,
    Entitlements,
    // Entitlements view
    EntitlementsHeading,
    HeldByProduct,
    Product,
    LicenseModel,
    QuantityHeld,
    OrderLines,
    OrderLinesHint,
    Order,
    OrderDate,
    Term,
    Quantity,
    Available,
    Reserved,
    Drawn,
    NoEntitlements,
    NoEntitlementsHint,
    NoOrders,
    NoAccounts,
    ModelCloud,
    ModelFile,
    ModelService,
    // Errors
    ErrorForbidden,
    ErrorNotSignedIn,
    ErrorNotFound,
    ErrorInternal,
    ErrorInvalidInput,
    PageNotFound,
    BackToStart,
}

impl T {
    /// The text in `locale`.
    pub fn text(self, locale: Locale) -> &'static str {
        let (en, fr) = match self {
            T::ProductName => ("Licenses & Cloud", "Licences & Cloud"),
            T::SkipToContent => ("Skip to content", "Aller au contenu"),
            T::Loading => ("Loading…", "Chargement…"),
            T::Language => ("Language", "Langue"),
            T::SignInHeading => ("Sign in", "Connexion"),
            T::SignInIntro => (
                "Manage your license entitlements and those of your customers.",
                "Gérez vos droits de licence et ceux de vos clients.",
            ),
            T::Email => ("Email", "Adresse e-mail"),
            T::Password => ("Password", "Mot de passe"),
            T::SignIn => ("Sign in", "Se connecter"),
            T::SigningIn => ("Signing in…", "Connexion…"),
            T::SignOut => ("Sign out", "Se déconnecter"),
            T::SignedInAs => ("Signed in as", "Connecté en tant que"),
            T::WrongCredentials => (
                "Wrong email or password.",
                "Adresse e-mail ou mot de passe incorrect.",
            ),
            T::MainNavigation => ("Main", "Principal"),
            T::LicensesAndCloudServices => ("Licenses and cloud services", "Licences et services cloud"),
            T::AccountViews => ("Account views", "Vues du compte"),
            T::SelectAnAccount => ("Select an account", "Sélectionner un compte"),
            T::OwnAccount => ("Your account", "Votre compte"),
            T::ManagedCustomers => ("Your customers", "Vos clients"),
            T::Partners => ("Partners", "Partenaires"),
            T::Customers => ("Customers", "Clients"),
            T::Entitlements => ("Entitlements", "Droits de licence"),
            T::EntitlementsHeading => ("Entitlements", "Droits de licence"),
            T::HeldByProduct => ("Held by product", "Détenus par produit"),
            T::Product => ("Product", "Produit"),
            T::LicenseModel => ("License model", "Modèle de licence"),
            T::QuantityHeld => ("Quantity held", "Quantité détenue"),
            T::OrderLines => ("Order lines", "Lignes de commande"),
            T::OrderLinesHint => (
                "What each order line still has available to draw down, what pending requests reserve, and what has been drawn to customers.",
                "Ce que chaque ligne de commande a encore de disponible, ce que réservent les demandes en cours et ce qui a été prélevé pour des clients.",
            ),
            T::Order => ("Order", "Commande"),
            T::OrderDate => ("Order date", "Date de commande"),
            T::Term => ("Term", "Durée"),
            T::Quantity => ("Quantity", "Quantité"),
            T::Available => ("Available", "Disponible"),
            T::Reserved => ("Reserved", "Réservé"),
            T::Drawn => ("Drawn", "Prélevé"),
            T::NoEntitlements => (
                "This account holds no entitlements yet.",
                "Ce compte ne détient encore aucun droit de licence.",
            ),
            T::NoEntitlementsHint => (
                "Entitlements appear here once an order is placed or a drawdown request for this account is accepted.",
                "Les droits apparaissent ici dès qu'une commande est passée ou qu'une demande de prélèvement pour ce compte est acceptée.",
            ),
            T::NoOrders => ("This account has no orders yet.", "Ce compte n'a encore aucune commande."),
            T::NoAccounts => (
                "No account is open to you yet. Ask your administrator for access.",
                "Aucun compte ne vous est encore ouvert. Demandez l'accès à votre administrateur.",
            ),
            T::ModelCloud => ("Cloud", "Cloud"),
            T::ModelFile => ("File", "Fichier"),
            T::ModelService => ("Service", "Service"),
            T::ErrorForbidden => (
                "You do not have access to this account.",
                "Vous n'avez pas accès à ce compte.",
            ),
            T::ErrorNotSignedIn => (
                "Your session has ended. Sign in again.",
                "Votre session a pris fin. Reconnectez-vous.",
            ),
            T::ErrorNotFound => ("Nothing was found here.", "Rien n'a été trouvé ici."),
            T::ErrorInternal => (
                "Something went wrong on our side. Try again in a moment.",
                "Un problème est survenu de notre côté. Réessayez dans un instant.",
            ),
            T::ErrorInvalidInput => ("Some input is not valid.", "Une saisie n'est pas valide."),
            T::PageNotFound => ("Page not found", "Page introuvable"),
            T::BackToStart => ("Back to the start page", "Retour à l'accueil"),
        };
        match locale {
            Locale::En => en,
            Locale::Fr => fr,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let fr = |t: T| t.text(Locale::Fr);
        assert_eq!(fr(T::Email), "Adresse e-mail");
        assert_eq!(fr(T::Password), "Mot de passe");
        assert_eq!(fr(T::SignIn), "Se connecter");
        assert_eq!(fr(T::SignOut), "Se déconnecter");
        assert_eq!(fr(T::Language), "Langue");
        assert_eq!(fr(T::LicensesAndCloudServices), "Licences et services cloud");
        assert_eq!(fr(T::SelectAnAccount), "Sélectionner un compte");
        assert_eq!(fr(T::Entitlements), "Droits de licence");
    }

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
