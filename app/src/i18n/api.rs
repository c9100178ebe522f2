//! The partner API's screens (SPEC, "Partner API and webhooks"): the API
//! tokens tab.

use super::Locale;
use crate::domain::{ApiScope, ApiTokenState};

catalog! {
    /// The API tokens tab.
    pub enum ApiText {
        ApiTokensHint => (
            "Your systems call the portal's API (/api/v1, documented at /api/docs) with a token, as a partner user of this account. Every call is recorded in the audit log.",
            "Vos systèmes appellent l'API du portail (/api/v1, documentée sur /api/docs) avec un jeton, comme un utilisateur partenaire de ce compte. Chaque appel est consigné dans le journal d'audit.",
        ),
        NoApiTokens => ("No API tokens yet.", "Aucun jeton d'API pour l'instant."),
        CreateApiToken => ("Create a token", "Créer un jeton"),
        Create => ("Create token", "Créer le jeton"),
        TokenName => ("Token name", "Nom du jeton"),
        TokenNameHint => ("The system that will use it, to recognise it later.", "Le système qui l'utilisera, pour le reconnaître plus tard."),
        Access => ("Access", "Accès"),
        ReadOnly => ("Read only", "Lecture seule"),
        ReadWrite => ("Read and write", "Lecture et écriture"),
        Expires => ("Expires", "Expiration"),
        In30Days => ("In 30 days", "Dans 30 jours"),
        In90Days => ("In 90 days", "Dans 90 jours"),
        InAYear => ("In a year", "Dans un an"),
        NeverExpires => ("Never (until revoked)", "Jamais (jusqu'à révocation)"),
        Token => ("Token", "Jeton"),
        Created => ("Created", "Créé"),
        LastUsed => ("Last used", "Dernière utilisation"),
        NeverUsed => ("Never", "Jamais"),
        NoExpiry => ("Never", "Jamais"),
        Active => ("Active", "Actif"),
        Expired => ("Expired", "Expiré"),
        Revoked => ("Revoked", "Révoqué"),
        NewToken => ("New token", "Nouveau jeton"),
        CopyNow => (
            "Copy this token now and keep it safe: it is not shown again.",
            "Copiez ce jeton maintenant et gardez-le en lieu sûr : il ne sera plus affiché.",
        ),
        NameRequired => ("Give the token a name of 1 to 100 characters.", "Donnez au jeton un nom de 1 à 100 caractères."),
        WebhooksHint => (
            "The portal posts each event to your endpoints, signed as Standard Webhooks says (webhook-id, webhook-timestamp, webhook-signature) with the endpoint's secret, and retries with backoff for about a day.",
            "Le portail envoie chaque événement à vos points de terminaison, signé comme le veut Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) avec le secret du point de terminaison, et réessaie avec un délai croissant pendant environ un jour.",
        ),
        NoEndpoints => ("No endpoints yet.", "Aucun point de terminaison pour l'instant."),
        AddEndpoint => ("Add an endpoint", "Ajouter un point de terminaison"),
        Add => ("Add endpoint", "Ajouter"),
        EndpointUrl => ("Endpoint URL", "URL du point de terminaison"),
        Events => ("Events", "Événements"),
        SigningSecret => ("Signing secret", "Secret de signature"),
        Remove => ("Remove", "Retirer"),
        Redeliver => ("Redeliver", "Renvoyer"),
        Deliveries => ("Deliveries", "Envois"),
        NoDeliveries => ("Nothing sent yet.", "Rien d'envoyé pour l'instant."),
        Event => ("Event", "Événement"),
        Attempts => ("Attempts", "Tentatives"),
        LastAnswer => ("Last answer", "Dernière réponse"),
        Queued => ("Queued", "En file"),
        Pending => ("Pending", "En attente"),
        Delivered => ("Delivered", "Livré"),
        Dead => ("Failed for good", "Échec définitif"),
        Removed => ("Removed", "Retiré"),
        UrlInvalid => (
            "Enter an absolute http or https URL without a user name or password.",
            "Saisissez une URL http ou https absolue, sans nom d'utilisateur ni mot de passe.",
        ),
        UrlInternal => (
            "This address is inside the portal's network; use an address your systems publish.",
            "Cette adresse est dans le réseau du portail ; utilisez une adresse que vos systèmes publient.",
        ),
        EventsRequired => ("Choose at least one event.", "Choisissez au moins un événement."),
        TooManyEndpoints => (
            "This account already has 10 endpoints in use: disable one before adding another.",
            "Ce compte a déjà 10 points de terminaison actifs : désactivez-en un avant d'en ajouter un autre.",
        ),
    }
}

/// A scope's name.
pub fn scope_text(scope: ApiScope) -> ApiText {
    match scope {
        ApiScope::Read => ApiText::ReadOnly,
        ApiScope::ReadWrite => ApiText::ReadWrite,
    }
}

/// A token's state.
pub fn token_state_text(state: ApiTokenState) -> ApiText {
    match state {
        ApiTokenState::Active => ApiText::Active,
        ApiTokenState::Expired => ApiText::Expired,
        ApiTokenState::Revoked => ApiText::Revoked,
    }
}

/// A delivery's state.
pub fn delivery_state_text(state: crate::domain::DeliveryState) -> ApiText {
    match state {
        crate::domain::DeliveryState::Pending => ApiText::Pending,
        crate::domain::DeliveryState::Delivered => ApiText::Delivered,
        crate::domain::DeliveryState::Dead => ApiText::Dead,
    }
}

/// "Signing secret of URL", "Redeliver EVENT of TIME" and the like.
pub fn of_subject(locale: Locale, what: ApiText, subject: &str) -> String {
    match locale {
        Locale::En => format!("{} of {subject}", what.text(locale)),
        Locale::Fr => format!("{} de {subject}", what.text(locale)),
    }
}

/// A lifetime choice of the form.
pub fn lifetime_text(days: Option<u32>) -> ApiText {
    match days {
        Some(30) => ApiText::In30Days,
        Some(90) => ApiText::In90Days,
        Some(_) => ApiText::InAYear,
        None => ApiText::NeverExpires,
    }
}

/// "Revoke ERP sync" and the like are `action_on`; this names the secret's box.
pub fn new_token_label(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => format!("New token {name}"),
        Locale::Fr => format!("Nouveau jeton {name}"),
    }
}
