//! Emails, composed in the recipient's language at the moment of the
//! change, as plain text and HTML: those of the drawdown procedure here, those
//! of people's accounts in `accounts`.

pub mod accounts;

use crate::domain::{DrawdownId, PdrNumber};
use crate::i18n::{number, Locale};
use crate::repo::outbox::OutgoingEmail;

/// What every message says about the request.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub id: DrawdownId,
    pub number: PdrNumber,
    pub partner_name: String,
    pub order_number: String,
    pub customer_name: String,
    /// Product and quantity of each requested line.
    pub lines: Vec<(String, i64)>,
    /// The request's page in the portal.
    pub link: String,
}

/// Why a message is sent.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// To the accounting team: a request waits for a decision.
    Submitted,
    /// To the requesting partner user.
    Approved {
        reason: Option<&'a str>,
        accept_within_days: i64,
    },
    /// To the requesting partner user.
    Rejected { reason: &'a str },
    /// To the customer contact: the entitlements are theirs.
    AcceptedForCustomer,
    /// To the requesting partner user.
    AcceptedForPartner,
    /// To the requesting partner user: the approval ran out.
    Expired,
    /// To accounting: a request has waited past the target.
    WaitingReminder { waiting_days: i64 },
    /// To the escalation address: a request has waited longer still.
    Escalation { waiting_days: i64 },
    /// To the requesting partner user: the approval ends in so many days.
    ExpiresSoon { days_left: i64 },
}

/// The message for `notice`, in `locale`, to `recipient`.
pub fn compose(notice: Notice<'_>, facts: &RequestFacts, locale: Locale, recipient: &str) -> OutgoingEmail {
    let n = facts.number;
    let customer = &facts.customer_name;
    let partner = &facts.partner_name;
    let order = &facts.order_number;
    let fr = locale == Locale::Fr;
    let (subject, intro, reason): (String, String, Option<&str>) = match notice {
        Notice::Submitted => (
            if fr {
                format!("{n} : demande de prélèvement à approuver")
            } else {
                format!("{n}: drawdown request to approve")
            },
            if fr {
                format!("{partner} demande de prélever sur la commande {order} au profit de {customer}. La demande attend votre approbation.")
            } else {
                format!("{partner} asks to draw down from order {order} to {customer}. The request waits for your approval.")
            },
            None,
        ),
        Notice::Approved {
            reason,
            accept_within_days,
        } => (
            if fr {
                format!("{n} approuvée")
            } else {
                format!("{n} approved")
            },
            if fr {
                format!("Votre demande de prélèvement pour {customer} a été approuvée. Acceptez-la dans le portail dans les {accept_within_days} jours pour transférer les droits au client ; passé ce délai, elle expire.")
            } else {
                format!("Your drawdown request for {customer} was approved. Accept it in the portal within {accept_within_days} days to transfer the entitlements to the customer; after that it expires.")
            },
            reason,
        ),
        Notice::Rejected { reason } => (
            if fr {
                format!("{n} rejetée")
            } else {
                format!("{n} rejected")
            },
            if fr {
                format!("Votre demande de prélèvement pour {customer} a été rejetée et sa réservation libérée. Vous pouvez la cloner, la corriger et l'enregistrer de nouveau.")
            } else {
                format!("Your drawdown request for {customer} was rejected and its reservation released. You can clone it, correct it and save it again.")
            },
            Some(reason),
        ),
        Notice::AcceptedForCustomer => (
            if fr {
                format!("Vos nouveaux droits de licence ({partner})")
            } else {
                format!("Your new license entitlements ({partner})")
            },
            if fr {
                format!("{partner} vous a attribué les droits de licence suivants ({n}).")
            } else {
                format!("{partner} has assigned the following license entitlements to you ({n}).")
            },
            None,
        ),
        Notice::AcceptedForPartner => (
            if fr {
                format!("{n} acceptée")
            } else {
                format!("{n} accepted")
            },
            if fr {
                format!("La demande de prélèvement est acceptée : {customer} détient désormais les droits ci-dessous.")
            } else {
                format!("The drawdown request is accepted: {customer} now holds the entitlements below.")
            },
            None,
        ),
        Notice::Expired => (
            if fr {
                format!("{n} expirée")
            } else {
                format!("{n} expired")
            },
            if fr {
                format!("Votre demande approuvée pour {customer} n'a pas été acceptée à temps : elle a expiré et sa réservation sur la commande {order} est libérée.")
            } else {
                format!("Your approved request for {customer} was not accepted in time: it has expired and its reservation on order {order} is released.")
            },
            None,
        ),
        Notice::WaitingReminder { waiting_days } => (
            if fr {
                format!("Rappel : {n} attend votre approbation depuis {waiting_days} j")
            } else {
                format!("Reminder: {n} has waited {waiting_days} d for your approval")
            },
            if fr {
                format!("La demande de {partner} sur la commande {order} au profit de {customer} attend une décision depuis {waiting_days} jour(s), au-delà de l'objectif.")
            } else {
                format!("The request of {partner} on order {order} for {customer} has waited {waiting_days} day(s) for a decision, past the target.")
            },
            None,
        ),
        Notice::Escalation { waiting_days } => (
            if fr {
                format!("Escalade : {n} sans décision depuis {waiting_days} j")
            } else {
                format!("Escalation: {n} undecided for {waiting_days} d")
            },
            if fr {
                format!("La demande de {partner} sur la commande {order} au profit de {customer} attend une décision de la comptabilité depuis {waiting_days} jour(s).")
            } else {
                format!("The request of {partner} on order {order} for {customer} has waited {waiting_days} day(s) for accounting's decision.")
            },
            None,
        ),
        Notice::ExpiresSoon { days_left } => (
            if fr {
                format!("{n} expire dans {days_left} j : acceptez-la")
            } else {
                format!("{n} expires in {days_left} d: accept it")
            },
            if fr {
                format!("Votre demande approuvée pour {customer} expire dans {days_left} jour(s). Acceptez-la dans le portail pour transférer les droits au client ; sinon sa réservation sur la commande {order} sera libérée.")
            } else {
                format!("Your approved request for {customer} expires in {days_left} day(s). Accept it in the portal to transfer the entitlements to the customer; otherwise its reservation on order {order} is released.")
            },
            None,
        ),
    };
    let reason_label = if fr { "Motif" } else { "Reason" };
    let link_label = if fr {
        "Ouvrir la demande"
    } else {
        "Open the request"
    };
    let show_link = !matches!(notice, Notice::AcceptedForCustomer);
    let lines: Vec<String> = facts
        .lines
        .iter()
        .map(|(product, q)| format!("{product}: {}", number(locale, *q)))
        .collect();

    let mut text = format!("{intro}\n\n");
    for line in &lines {
        text.push_str(&format!("- {line}\n"));
    }
    if let Some(reason) = reason {
        text.push_str(&format!("\n{reason_label}: {reason}\n"));
    }
    if show_link {
        text.push_str(&format!("\n{link_label}: {}\n", facts.link));
    }

    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><body><p>{}</p><ul>",
        locale.tag(),
        escape(&intro)
    );
    for line in &lines {
        html.push_str(&format!("<li>{}</li>", escape(line)));
    }
    html.push_str("</ul>");
    if let Some(reason) = reason {
        html.push_str(&format!(
            "<p><strong>{reason_label}:</strong> {}</p>",
            escape(reason)
        ));
    }
    if show_link {
        html.push_str(&format!(
            "<p><a href=\"{}\">{link_label}</a></p>",
            escape(&facts.link)
        ));
    }
    html.push_str("</body></html>");

    OutgoingEmail {
        recipient: recipient.to_string(),
        locale,
        subject,
        text_body: text,
        html_body: html,
        drawdown_request: Some(facts.id),
    }
}

/// Text made safe to place inside HTML.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RequestFacts {
        RequestFacts {
            id: DrawdownId(7),
            number: PdrNumber::from_sequence(7).expect("in range"),
            partner_name: "Northwind <Partners>".into(),
            order_number: "SO-1".into(),
            customer_name: "Contoso".into(),
            lines: vec![("Bot Creator".into(), 1200)],
            link: "http://portal.test/licenses/1/drawdowns/7".into(),
        }
    }

    #[test]
    fn a_rejection_carries_its_reason_in_the_recipients_language() {
        let en = compose(
            Notice::Rejected {
                reason: "Wrong customer",
            },
            &facts(),
            Locale::En,
            "p@example.com",
        );
        assert_eq!(en.subject, "PDR-000007 rejected");
        assert!(en.text_body.contains("Reason: Wrong customer"));
        assert!(en.text_body.contains("Bot Creator: 1,200"));
        let fr = compose(
            Notice::Rejected {
                reason: "Mauvais client",
            },
            &facts(),
            Locale::Fr,
            "p@example.com",
        );
        assert_eq!(fr.subject, "PDR-000007 rejetée");
        assert!(fr.text_body.contains("Motif: Mauvais client"));
        assert_eq!(fr.locale, Locale::Fr);
    }

    #[test]
    fn names_are_escaped_in_html() {
        let m = compose(Notice::Submitted, &facts(), Locale::En, "a@example.com");
        assert!(m.html_body.contains("Northwind &lt;Partners&gt;"));
        assert!(!m.html_body.contains("<Partners>"));
        assert!(m.text_body.contains("Northwind <Partners>"));
    }

    #[test]
    fn the_customer_gets_no_link_into_the_partners_portal() {
        let m = compose(Notice::AcceptedForCustomer, &facts(), Locale::En, "c@example.com");
        assert!(!m.text_body.contains("http://portal.test"));
        let p = compose(Notice::AcceptedForPartner, &facts(), Locale::En, "p@example.com");
        assert!(p.text_body.contains("http://portal.test/licenses/1/drawdowns/7"));
    }
}
