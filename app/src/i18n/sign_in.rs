//! The sign-in page.

use super::Locale;

catalog! {
    /// The sign-in page.
    pub enum SignInText {
        SignInHeading => ("Sign in", "Connexion"),
        SignInIntro => (
            "Manage your license entitlements and those of your customers.",
            "Gérez vos droits de licence et ceux de vos clients.",
        ),
        Email => ("Email", "Adresse e-mail"),
        Password => ("Password", "Mot de passe"),
        SignIn => ("Sign in", "Se connecter"),
        SigningIn => ("Signing in…", "Connexion…"),
        WrongCredentials => (
            "Wrong email or password.",
            "Adresse e-mail ou mot de passe incorrect.",
        ),
    }
}

/// The sign-in refusal after too many failures, with the wait in minutes.
pub fn throttled(locale: Locale, retry_after_seconds: u32) -> String {
    let minutes = retry_after_seconds.div_ceil(60).max(1);
    match (locale, minutes) {
        (Locale::En, 1) => "Too many failed sign-ins. Try again in a minute.".into(),
        (Locale::En, m) => format!("Too many failed sign-ins. Try again in {m} minutes."),
        (Locale::Fr, 1) => "Trop de connexions échouées. Réessayez dans une minute.".into(),
        (Locale::Fr, m) => format!("Trop de connexions échouées. Réessayez dans {m} minutes."),
    }
}
