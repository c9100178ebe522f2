//! Administration → Audit log (SPEC, "Audit log"): its filters, columns
//! and the words for each kind of entry.

use crate::domain::AuditKind;

catalog! {
    /// The Audit log.
    pub enum AuditText {
        AuditLogHint => (
            "Every change made in the portal, newest first: who made it, from which address, on what, before and after. Nothing here can be changed or deleted.",
            "Chaque modification faite dans le portail, la plus récente en premier : qui l'a faite, depuis quelle adresse, sur quoi, avant et après. Rien ici ne peut être modifié ni supprimé.",
        ),
        AuditFilters => ("Filter the audit log", "Filtrer le journal d'audit"),
        Actor => ("Actor", "Auteur"),
        ActorHint => ("An email, or server", "Une adresse e-mail, ou server"),
        Account => ("Account", "Compte"),
        Kind => ("Kind", "Type"),
        AllKinds => ("All kinds", "Tous les types"),
        From => ("From", "Du"),
        Until => ("Until", "Au"),
        ApplyFilters => ("Apply filters", "Appliquer les filtres"),
        ExportCsv => ("Export CSV", "Exporter en CSV"),
        When => ("When", "Quand"),
        Address => ("Address", "Adresse"),
        What => ("What", "Quoi"),
        Object => ("Object", "Objet"),
        Before => ("Before", "Avant"),
        After => ("After", "Après"),
        NoEntries => ("No entry matches these filters.", "Aucune entrée ne correspond à ces filtres."),
        BadDate => ("Enter a date as YYYY-MM-DD, not before From.", "Saisissez une date au format AAAA-MM-JJ, pas avant « Du »."),
        KindSignIn => ("Sign-in", "Connexion"),
        KindSignInFailed => ("Failed sign-in", "Échec de connexion"),
        KindSignedOutOtherSessions => ("Other sessions signed out", "Autres sessions déconnectées"),
        KindPasswordChanged => ("Password changed", "Mot de passe changé"),
        KindPasswordResetRequested => ("Password reset requested", "Réinitialisation demandée"),
        KindPasswordReset => ("Password reset", "Mot de passe réinitialisé"),
        KindInvitationSent => ("Invitation sent", "Invitation envoyée"),
        KindInvitationAccepted => ("Invitation accepted", "Invitation acceptée"),
        KindUserCreated => ("User created", "Utilisateur créé"),
        KindUserChanged => ("User changed", "Utilisateur modifié"),
        KindUserDeactivated => ("User deactivated", "Utilisateur désactivé"),
        KindUserReactivated => ("User reactivated", "Utilisateur réactivé"),
        KindAccountCreated => ("Account created", "Compte créé"),
        KindAccountChanged => ("Account changed", "Compte modifié"),
        KindAccountDeactivated => ("Account deactivated", "Compte désactivé"),
        KindAccountReactivated => ("Account reactivated", "Compte réactivé"),
        KindProductCreated => ("Product created", "Produit créé"),
        KindProductChanged => ("Product changed", "Produit modifié"),
        KindProductDeactivated => ("Product deactivated", "Produit désactivé"),
        KindProductReactivated => ("Product reactivated", "Produit réactivé"),
        KindOrderCreated => ("Order created", "Commande créée"),
        KindOrderChanged => ("Order changed", "Commande modifiée"),
        KindOrderDeactivated => ("Order deactivated", "Commande désactivée"),
        KindOrderReactivated => ("Order reactivated", "Commande réactivée"),
        KindDrawdownSaved => ("Drawdown request saved", "Demande de prélèvement enregistrée"),
        KindDrawdownApproved => ("Drawdown request approved", "Demande de prélèvement approuvée"),
        KindDrawdownRejected => ("Drawdown request rejected", "Demande de prélèvement rejetée"),
        KindDrawdownAccepted => ("Drawdown request accepted", "Demande de prélèvement acceptée"),
        KindDrawdownCancelled => ("Drawdown request cancelled", "Demande de prélèvement annulée"),
        KindDrawdownExpired => ("Drawdown request expired", "Demande de prélèvement expirée"),
        KindLicenseBound => ("Entitlement bound", "Droit associé"),
        KindLicenseUnbound => ("Entitlement unbound", "Droit dissocié"),
        KindLicenseFileIssued => ("License file issued", "Fichier de licence émis"),
        KindLicenseFileRevoked => ("License file revoked", "Fichier de licence révoqué"),
        KindLicenseFileRenewed => ("License file renewed", "Fichier de licence renouvelé"),
        KindProvisioningStarted => ("Provisioning started", "Provisionnement lancé"),
        KindProvisioningFinished => ("Provisioning finished", "Provisionnement terminé"),
        KindApiTokenCreated => ("API token created", "Jeton d'API créé"),
        KindApiTokenRevoked => ("API token revoked", "Jeton d'API révoqué"),
        KindApiCall => ("API call", "Appel de l'API"),
        KindWebhookEndpointCreated => ("Webhook endpoint added", "Point de terminaison webhook ajouté"),
        KindWebhookEndpointDisabled => ("Webhook endpoint removed", "Point de terminaison webhook retiré"),
    }
}

/// What an entry of this kind says happened.
pub fn audit_kind_text(kind: AuditKind) -> AuditText {
    match kind {
        AuditKind::SignIn => AuditText::KindSignIn,
        AuditKind::SignInFailed => AuditText::KindSignInFailed,
        AuditKind::SignedOutOtherSessions => AuditText::KindSignedOutOtherSessions,
        AuditKind::PasswordChanged => AuditText::KindPasswordChanged,
        AuditKind::PasswordResetRequested => AuditText::KindPasswordResetRequested,
        AuditKind::PasswordReset => AuditText::KindPasswordReset,
        AuditKind::InvitationSent => AuditText::KindInvitationSent,
        AuditKind::InvitationAccepted => AuditText::KindInvitationAccepted,
        AuditKind::UserCreated => AuditText::KindUserCreated,
        AuditKind::UserChanged => AuditText::KindUserChanged,
        AuditKind::UserDeactivated => AuditText::KindUserDeactivated,
        AuditKind::UserReactivated => AuditText::KindUserReactivated,
        AuditKind::AccountCreated => AuditText::KindAccountCreated,
        AuditKind::AccountChanged => AuditText::KindAccountChanged,
        AuditKind::AccountDeactivated => AuditText::KindAccountDeactivated,
        AuditKind::AccountReactivated => AuditText::KindAccountReactivated,
        AuditKind::ProductCreated => AuditText::KindProductCreated,
        AuditKind::ProductChanged => AuditText::KindProductChanged,
        AuditKind::ProductDeactivated => AuditText::KindProductDeactivated,
        AuditKind::ProductReactivated => AuditText::KindProductReactivated,
        AuditKind::OrderCreated => AuditText::KindOrderCreated,
        AuditKind::OrderChanged => AuditText::KindOrderChanged,
        AuditKind::OrderDeactivated => AuditText::KindOrderDeactivated,
        AuditKind::OrderReactivated => AuditText::KindOrderReactivated,
        AuditKind::DrawdownSaved => AuditText::KindDrawdownSaved,
        AuditKind::DrawdownApproved => AuditText::KindDrawdownApproved,
        AuditKind::DrawdownRejected => AuditText::KindDrawdownRejected,
        AuditKind::DrawdownAccepted => AuditText::KindDrawdownAccepted,
        AuditKind::DrawdownCancelled => AuditText::KindDrawdownCancelled,
        AuditKind::DrawdownExpired => AuditText::KindDrawdownExpired,
        AuditKind::LicenseBound => AuditText::KindLicenseBound,
        AuditKind::LicenseUnbound => AuditText::KindLicenseUnbound,
        AuditKind::LicenseFileIssued => AuditText::KindLicenseFileIssued,
        AuditKind::LicenseFileRevoked => AuditText::KindLicenseFileRevoked,
        AuditKind::LicenseFileRenewed => AuditText::KindLicenseFileRenewed,
        AuditKind::ProvisioningStarted => AuditText::KindProvisioningStarted,
        AuditKind::ProvisioningFinished => AuditText::KindProvisioningFinished,
        AuditKind::ApiTokenCreated => AuditText::KindApiTokenCreated,
        AuditKind::ApiTokenRevoked => AuditText::KindApiTokenRevoked,
        AuditKind::ApiCall => AuditText::KindApiCall,
        AuditKind::WebhookEndpointCreated => AuditText::KindWebhookEndpointCreated,
        AuditKind::WebhookEndpointDisabled => AuditText::KindWebhookEndpointDisabled,
    }
}

/// Where the CSV export of these filters is.
pub fn audit_export_href(query: &crate::domain::AuditQuery) -> String {
    let mut params = Vec::new();
    for (name, value) in [
        ("actor", query.actor.trim()),
        ("account", query.account.trim()),
        ("kind", query.kind.map(AuditKind::as_str).unwrap_or_default()),
        ("from", query.from.trim()),
        ("until", query.until.trim()),
    ] {
        if !value.is_empty() {
            params.push(format!("{name}={}", percent_encode(value)));
        }
    }
    if params.is_empty() {
        "/api/audit.csv".to_string()
    } else {
        format!("/api/audit.csv?{}", params.join("&"))
    }
}

/// A query parameter's value: everything but unreserved characters escaped.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn the_export_link_carries_only_the_filters_set_and_escapes_them() {
        let query = crate::domain::AuditQuery {
            actor: " admin@example.com ".into(),
            account: "Contoso & Co".into(),
            kind: Some(AuditKind::SignIn),
            ..Default::default()
        };
        assert_eq!(
            audit_export_href(&query),
            "/api/audit.csv?actor=admin%40example.com&account=Contoso%20%26%20Co&kind=sign_in"
        );
        assert_eq!(audit_export_href(&Default::default()), "/api/audit.csv");
    }

    #[test]
    fn every_kind_has_its_own_words_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for kind in AuditKind::ALL {
            let text = audit_kind_text(*kind);
            assert!(seen.insert(text.text(Locale::En)), "{kind:?}");
            assert!(!text.text(Locale::Fr).is_empty());
        }
    }
}
