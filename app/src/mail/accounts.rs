//! The emails of people's accounts: an invitation and a password reset, each
//! with its one-time link, in the recipient's language.

use super::escape;
use crate::i18n::Locale;
use crate::repo::outbox::OutgoingEmail;

/// Why a link is sent.
#[derive(Debug, Clone, Copy)]
pub enum LinkNotice<'a> {
    /// Someone invited the recipient to an account of the portal.
    Invitation { inviter: &'a str, account: &'a str },
    /// The recipient (or someone typing their address) asked to reset.
    PasswordReset,
}

/// The message for `notice`, in `locale`, to `recipient`, with `link`
/// valid for `valid_hours`.
pub fn compose_link(
    notice: LinkNotice<'_>,
    locale: Locale,
    recipient: &str,
    link: &str,
    valid_hours: i64,
) -> OutgoingEmail {
    let fr = locale == Locale::Fr;
    let (subject, intro, action) = match notice {
        LinkNotice::Invitation { inviter, account } => (
            if fr {
                format!("Invitation au portail Licences & Cloud pour {account}")
            } else {
                format!("Your invitation to the Licenses & Cloud portal for {account}")
            },
            if fr {
                format!("{inviter} vous invite à rejoindre {account} sur le portail Licences & Cloud. Choisissez votre mot de passe pour vous connecter.")
            } else {
                format!("{inviter} invites you to {account} on the Licenses & Cloud portal. Choose your password to sign in.")
            },
            if fr {
                "Choisissez votre mot de passe"
            } else {
                "Set your password"
            },
        ),
        LinkNotice::PasswordReset => (
            if fr {
                "Réinitialisation de votre mot de passe".to_string()
            } else {
                "Reset your password".to_string()
            },
            if fr {
                "Quelqu'un a demandé à réinitialiser le mot de passe de ce compte. Si ce n'est pas vous, ignorez ce message : rien ne change.".to_string()
            } else {
                "Someone asked to reset the password of this account. If it was not you, ignore this message: nothing changes.".to_string()
            },
            if fr {
                "Choisir un nouveau mot de passe"
            } else {
                "Choose a new password"
            },
        ),
    };
    let validity = match (fr, valid_hours) {
        (false, 1) => "The link works once, within an hour.".to_string(),
        (false, h) => format!("The link works once, within {h} hours."),
        (true, 1) => "Le lien fonctionne une fois, dans l'heure.".to_string(),
        (true, h) => format!("Le lien fonctionne une fois, dans les {h} heures."),
    };
    let text = format!("{intro}\n\n{action}: {link}\n\n{validity}\n");
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body><p>{}</p><p><a href=\"{}\">{}</a></p><p>{}</p></body></html>",
        locale.tag(),
        escape(&intro),
        escape(link),
        escape(action),
        escape(&validity)
    );
    OutgoingEmail {
        recipient: recipient.to_string(),
        locale,
        subject,
        text_body: text,
        html_body: html,
        drawdown_request: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_names_the_inviter_and_carries_its_link_in_the_invitees_language() {
        let link = "https://portal.example/set-password?token=abc";
        let en = compose_link(
            LinkNotice::Invitation {
                inviter: "Pat <Admin>",
                account: "Northwind",
            },
            Locale::En,
            "new@northwind.example",
            link,
            72,
        );
        assert!(
            en.text_body.contains("Pat <Admin> invites you to Northwind"),
            "{}",
            en.text_body
        );
        assert!(en.text_body.contains(link));
        assert!(en.text_body.contains("within 72 hours"));
        assert!(en.html_body.contains("Pat &lt;Admin&gt;"), "{}", en.html_body);
        let fr = compose_link(LinkNotice::PasswordReset, Locale::Fr, "a@b.example", link, 1);
        assert_eq!(fr.subject, "Réinitialisation de votre mot de passe");
        assert!(fr.text_body.contains("dans l'heure"));
        assert!(fr.drawdown_request.is_none());
    }
}
