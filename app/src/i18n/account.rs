//! People's own accounts: Your account, passwords and their one-time links
//! (SPEC, "Your account"), and the Users tab of a partner admin (SPEC, "Users
//! of a partner").

use super::Locale;
use crate::domain::PasswordError;

catalog! {
    /// Your account, passwords, one-time links and the Users tab.
    pub enum AccountText {
        YourAccount => ("Your account", "Votre compte"),
        ChangePassword => ("Change password", "Changer le mot de passe"),
        CurrentPassword => ("Current password", "Mot de passe actuel"),
        NewPassword => ("New password", "Nouveau mot de passe"),
        ConfirmPassword => ("Confirm password", "Confirmez le mot de passe"),
        PasswordHint => (
            "At least 12 characters; a few unrelated words are easy to remember and hard to guess.",
            "Au moins 12 caractères ; quelques mots sans rapport sont faciles à retenir et difficiles à deviner.",
        ),
        PasswordChanged => (
            "Your password is changed. Your other sessions are signed out.",
            "Votre mot de passe est changé. Vos autres sessions sont déconnectées.",
        ),
        SignOutOtherSessions => ("Sign out of other sessions", "Déconnecter les autres sessions"),
        OtherSessionsSignedOut => (
            "Every other session of yours is signed out.",
            "Toutes vos autres sessions sont déconnectées.",
        ),
        ForgotPassword => ("Forgot your password?", "Mot de passe oublié ?"),
        ForgotPasswordIntro => (
            "Enter the address you sign in with; we email you a link to choose a new password.",
            "Saisissez l'adresse avec laquelle vous vous connectez ; nous vous envoyons un lien pour choisir un nouveau mot de passe.",
        ),
        SendResetLink => ("Send reset link", "Envoyer le lien"),
        ResetLinkSent => (
            "If an account uses this address, a link to reset its password is on its way. It works once, within an hour.",
            "Si un compte utilise cette adresse, un lien pour réinitialiser son mot de passe est en route. Il fonctionne une fois, dans l'heure.",
        ),
        SetYourPassword => ("Set your password", "Choisissez votre mot de passe"),
        PasswordSet => (
            "Your password is set. Sign in with it.",
            "Votre mot de passe est enregistré. Connectez-vous avec.",
        ),
        GoToSignIn => ("Go to sign in", "Aller à la connexion"),
        LinkUnusable => (
            "This link was used already or has expired. Ask for a new one.",
            "Ce lien a déjà servi ou a expiré. Demandez-en un nouveau.",
        ),
        WrongCurrentPassword => ("The current password is not right.", "Le mot de passe actuel n'est pas le bon."),
        EmailTaken => (
            "A user with this email address exists already.",
            "Un utilisateur avec cette adresse e-mail existe déjà.",
        ),
        CannotDeactivateSelf => ("You cannot deactivate yourself.", "Vous ne pouvez pas vous désactiver vous-même."),
        Users => ("Users", "Utilisateurs"),
        ApiTokens => ("API tokens", "Jetons d'API"),
        Webhooks => ("Webhooks", "Webhooks"),
        UsersHint => (
            "Who signs in for this account. An invitation is an email with a link to choose a password, valid for 72 hours.",
            "Qui se connecte pour ce compte. Une invitation est un e-mail avec un lien pour choisir un mot de passe, valable 72 heures.",
        ),
        InviteUser => ("Invite a user", "Inviter un utilisateur"),
        InviteCustomerUser => ("Invite a customer user", "Inviter un utilisateur client"),
        Role => ("Role", "Rôle"),
        RolePartnerAdmin => ("Partner admin", "Administrateur partenaire"),
        RolePartnerUser => ("Partner user", "Utilisateur partenaire"),
        RoleCustomerUser => ("Customer user", "Utilisateur client"),
        RoleAccounting => ("Accounting approver", "Approbateur comptable"),
        RoleVendorAdmin => ("Vendor admin", "Administrateur de l'éditeur"),
        SendInvitation => ("Send invitation", "Envoyer l'invitation"),
        Name => ("Name", "Nom"),
        LastSignIn => ("Last sign-in", "Dernière connexion"),
        Never => ("Never", "Jamais"),
        UserActive => ("Active", "Actif"),
        UserInvited => ("Invited", "Invité"),
        UserDeactivated => ("Deactivated", "Désactivé"),
        Deactivate => ("Deactivate", "Désactiver"),
        Reactivate => ("Reactivate", "Réactiver"),
        NoUsers => ("This account has no users yet.", "Ce compte n'a encore aucun utilisateur."),
        UsersShown => ("users shown", "utilisateurs affichés"),
    }
}

/// A role's name, as the Users lists show it.
pub fn role_text(role: crate::domain::Role) -> AccountText {
    use crate::domain::Role;
    match role {
        Role::PartnerAdmin => AccountText::RolePartnerAdmin,
        Role::PartnerUser => AccountText::RolePartnerUser,
        Role::CustomerUser => AccountText::RoleCustomerUser,
        Role::Accounting => AccountText::RoleAccounting,
        Role::VendorAdmin => AccountText::RoleVendorAdmin,
    }
}

/// The accessible name of the Role select of a user's row.
pub fn role_of(locale: Locale, email: &str) -> String {
    match locale {
        Locale::En => format!("Role of {email}"),
        Locale::Fr => format!("Rôle de {email}"),
    }
}

/// After an invitation: to whom it went.
pub fn invitation_sent(locale: Locale, email: &str) -> String {
    match locale {
        Locale::En => format!("Invitation sent to {email}."),
        Locale::Fr => format!("Invitation envoyée à {email}."),
    }
}

/// What is wrong with a new password.
pub fn password_error(locale: Locale, error: &PasswordError) -> String {
    match (error, locale) {
        (PasswordError::TooShort { min }, Locale::En) => format!("Use at least {min} characters."),
        (PasswordError::TooShort { min }, Locale::Fr) => format!("Utilisez au moins {min} caractères."),
        (PasswordError::TooLong { max }, Locale::En) => format!("At most {max} characters."),
        (PasswordError::TooLong { max }, Locale::Fr) => format!("{max} caractères au maximum."),
        (PasswordError::TooCommon, Locale::En) => {
            "This password is one of the most common; choose another.".into()
        }
        (PasswordError::TooCommon, Locale::Fr) => {
            "Ce mot de passe fait partie des plus courants ; choisissez-en un autre.".into()
        }
        (PasswordError::Mismatch, Locale::En) => "The two passwords differ.".into(),
        (PasswordError::Mismatch, Locale::Fr) => "Les deux mots de passe diffèrent.".into(),
    }
}
