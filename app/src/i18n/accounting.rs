//! Accounting's workspace: the Decision panel of a request, the Approvals
//! queue and its bulk approval.

use super::{number, state_text, Locale};
use crate::domain::{BulkOutcome, DrawdownId, PdrNumber, ReminderKind};

catalog! {
    /// The Decision panel and the Approvals queue.
    pub enum AccountingText {
        LinesCaption => (
            "Order lines: before this request → once it is drawn",
            "Lignes de commande : avant cette demande → une fois prélevée",
        ),
        Ordered => ("Ordered", "Commandé"),
        Requested => ("Requested", "Demandé"),
        Available => ("Available", "Disponible"),
        Reserved => ("Reserved", "Réservé"),
        Drawn => ("Drawn", "Prélevé"),
        CustomerHolds => ("What the customer holds now", "Ce que le client détient aujourd'hui"),
        NewCustomer => (
            "A customer the partner does not manage yet: its account is created at acceptance.",
            "Un client que le partenaire ne gère pas encore : son compte est créé à l'acceptation.",
        ),
        HoldsNothing => ("Nothing yet.", "Rien pour l'instant."),
        InUse => ("In use", "Utilisé"),
        OpenRequests => (
            "Other open requests for this customer or order",
            "Autres demandes ouvertes pour ce client ou cette commande",
        ),
        NoOpenRequests => ("None.", "Aucune."),
        PastDecisions => ("The partner's last decisions", "Dernières décisions pour ce partenaire"),
        NoPastDecisions => ("No decision yet.", "Aucune décision pour l'instant."),
        Request => ("Request", "Demande"),
        Quantity => ("Quantity", "Quantité"),
        Waiting => ("Waiting", "En attente"),
        Overdue => ("Overdue", "En retard"),
        Total => ("Total quantity", "Quantité totale"),
        PartnerFilter => ("Partner", "Partenaire"),
        AllPartners => ("All partners", "Tous les partenaires"),
        ApproveSelected => ("Approve selected", "Approuver la sélection"),
        SelectAll => ("Select all shown", "Tout sélectionner"),
        BulkResults => ("Results of the approval", "Résultat de l'approbation"),
        Statement => ("Statement", "Relevé"),
        StatementHint => (
            "Every movement of this order line, newest first, with what caused it, who and when, and the line's balance after it.",
            "Chaque mouvement de cette ligne de commande, le plus récent en premier, avec sa cause, son auteur, sa date et le solde de la ligne après lui.",
        ),
        Movement => ("Movement", "Mouvement"),
        MovementReserve => ("Reservation", "Réservation"),
        MovementRelease => ("Release", "Libération"),
        MovementDraw => ("Draw", "Prélèvement"),
        AvailableAfter => ("Available after", "Disponible après"),
        ReservedAfter => ("Reserved after", "Réservé après"),
        DrawnAfter => ("Drawn after", "Prélevé après"),
        NoMovements => ("Nothing has moved on this line yet.", "Rien n'a encore bougé sur cette ligne."),
        ExportCsv => ("Export CSV", "Exporter en CSV"),
        ExportRange => ("Export between these days (UTC, both optional)", "Exporter entre ces jours (UTC, facultatifs)"),
        From => ("From", "Du"),
        Until => ("Until", "Au"),
        MovementsShown => ("movements shown", "mouvements affichés"),
        HoldingStatementHint => (
            "Every movement of what this customer holds of the product, newest first: what it received through accepted requests, what it bound to Control Rooms or configured into license files and gave back, who and when, and what it held and used after each.",
            "Chaque mouvement de ce que ce client détient du produit, le plus récent en premier : ce qu'il a reçu par des demandes acceptées, ce qu'il a lié à des Control Rooms ou configuré dans des fichiers de licence puis rendu, par qui, quand, et ce qu'il détenait et utilisait après chacun.",
        ),
        MovementReceived => ("Received", "Reçu"),
        MovementAssigned => ("Put to use", "Mis en service"),
        MovementReleased => ("Given back", "Rendu"),
        UsedBy => ("Control Room or license file", "Control Room ou fichier de licence"),
        HeldAfter => ("Held after", "Détenu après"),
        InUseAfter => ("In use after", "Utilisé après"),
        FreeAfter => ("Free after", "Libre après"),
        NoHoldingMovements => ("Nothing has moved for this product yet.", "Rien n'a encore bougé pour ce produit."),
        ReminderAccounting => (
            "Reminder sent to accounting: waiting past the target",
            "Rappel envoyé à la comptabilité : attente au-delà de l'objectif",
        ),
        ReminderEscalation => ("Escalated: still waiting for a decision", "Escaladée : toujours sans décision"),
        ReminderExpires7 => (
            "Reminder sent to the partner: expires in 7 days",
            "Rappel envoyé au partenaire : expire dans 7 jours",
        ),
        ReminderExpires1 => (
            "Reminder sent to the partner: expires in 1 day",
            "Rappel envoyé au partenaire : expire dans 1 jour",
        ),
    }
}

/// "Select PDR-000001": the checkbox of a queue's row.
pub fn select_request(locale: Locale, number: PdrNumber) -> String {
    match locale {
        Locale::En => format!("Select {number}"),
        Locale::Fr => format!("Sélectionner {number}"),
    }
}

/// A ledger movement's name.
pub fn movement_text(kind: crate::domain::LedgerEntryKind) -> AccountingText {
    use crate::domain::LedgerEntryKind as K;
    match kind {
        K::Reserve => AccountingText::MovementReserve,
        K::Release => AccountingText::MovementRelease,
        K::Draw => AccountingText::MovementDraw,
    }
}

/// A usage movement's name.
pub fn usage_movement_text(kind: crate::domain::UsageMovementKind) -> AccountingText {
    use crate::domain::UsageMovementKind as K;
    match kind {
        K::Received => AccountingText::MovementReceived,
        K::Assigned => AccountingText::MovementAssigned,
        K::Released => AccountingText::MovementReleased,
    }
}

/// "Statement of Bot Creator held by Acme": a holding statement's heading,
/// and (with the customer left out) the name of the link to it.
pub fn holding_statement_of(locale: Locale, product: &str, customer: Option<&str>) -> String {
    match (locale, customer) {
        (Locale::En, Some(c)) => format!("Statement of {product} held by {c}"),
        (Locale::En, None) => format!("Statement of {product}"),
        (Locale::Fr, Some(c)) => format!("Relevé de {product} détenu par {c}"),
        (Locale::Fr, None) => format!("Relevé de {product}"),
    }
}

/// Where the CSV of a holding's statement is downloaded, with the days typed.
pub fn holding_export_href(
    account: crate::domain::AccountId,
    product: crate::domain::ProductId,
    from: &str,
    until: &str,
    locale: Locale,
) -> String {
    export_href(
        &format!("/api/statements/holdings/{account}/{}.csv", product.0),
        &[],
        from,
        until,
        locale,
    )
}

/// "Statement of SO-2026-0101, Bot Creator": a statement's heading, and the
/// name of the link to it.
pub fn statement_of(locale: Locale, order: &str, product: &str) -> String {
    match locale {
        Locale::En => format!("Statement of {order}, {product}"),
        Locale::Fr => format!("Relevé de {order}, {product}"),
    }
}

/// Where the CSV of a line's statement is downloaded, with the days typed.
pub fn statement_export_href(
    line: crate::domain::OrderLineId,
    from: &str,
    until: &str,
    locale: Locale,
) -> String {
    export_href(
        &format!("/api/statements/lines/{line}.csv"),
        &[],
        from,
        until,
        locale,
    )
}

/// Where an export is downloaded: `path` with the screen's `filters` (those
/// set), the days typed and the language.
pub fn export_href(
    path: &str,
    filters: &[(&str, String)],
    from: &str,
    until: &str,
    locale: Locale,
) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("lang", locale.tag());
    let days = [("from", from), ("until", until)];
    let set = filters.iter().map(|(n, v)| (*n, v.as_str())).chain(days);
    for (name, value) in set {
        if !value.trim().is_empty() {
            query.append_pair(name, value.trim());
        }
    }
    format!("{path}?{}", query.finish())
}

/// A reminder, as a request's history lists it.
pub fn reminder_text(kind: ReminderKind) -> AccountingText {
    match kind {
        ReminderKind::Accounting => AccountingText::ReminderAccounting,
        ReminderKind::Escalation => AccountingText::ReminderEscalation,
        ReminderKind::ExpiresIn7Days => AccountingText::ReminderExpires7,
        ReminderKind::ExpiresIn1Day => AccountingText::ReminderExpires1,
    }
}

/// What became of one request of Approve selected.
pub fn bulk_outcome(
    locale: Locale,
    id: DrawdownId,
    number: Option<PdrNumber>,
    outcome: BulkOutcome,
) -> String {
    let name = number.map_or_else(|| format!("#{id}"), |n| n.to_string());
    match (locale, outcome) {
        (Locale::En, BulkOutcome::Approved) => format!("{name}: approved."),
        (Locale::Fr, BulkOutcome::Approved) => format!("{name} : approuvée."),
        (Locale::En, BulkOutcome::Moved(state)) => format!(
            "{name}: not approved, it changed meanwhile (now {}).",
            state_text(state).text(locale)
        ),
        (Locale::Fr, BulkOutcome::Moved(state)) => format!(
            "{name} : non approuvée, elle a changé entre-temps (désormais {}).",
            state_text(state).text(locale)
        ),
        (Locale::En, BulkOutcome::NotFound) => format!("{name}: no such request."),
        (Locale::Fr, BulkOutcome::NotFound) => format!("{name} : demande introuvable."),
        (Locale::En, BulkOutcome::Failed) => format!("{name}: could not be approved now; try it again."),
        (Locale::Fr, BulkOutcome::Failed) => format!("{name} : n'a pas pu être approuvée ; réessayez."),
    }
}

/// "before → after" of one figure of an order line.
pub fn before_after(locale: Locale, before: i64, after: i64) -> String {
    if before == after {
        number(locale, before)
    } else {
        format!("{} → {}", number(locale, before), number(locale, after))
    }
}

/// How long a request has waited: "3 d 4 h", "5 h", "12 min".
pub fn waited(locale: Locale, seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
    let day = match locale {
        Locale::En => "d",
        Locale::Fr => "j",
    };
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, h) => format!("{h} h"),
        (d, 0) => format!("{d} {day}"),
        (d, h) => format!("{d} {day} {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_time_reads_in_the_largest_units() {
        assert_eq!(waited(Locale::En, 59), "0 min");
        assert_eq!(waited(Locale::En, 12 * 60), "12 min");
        assert_eq!(waited(Locale::En, 5 * 3_600 + 120), "5 h");
        assert_eq!(waited(Locale::En, 3 * 86_400 + 4 * 3_600), "3 d 4 h");
        assert_eq!(waited(Locale::Fr, 2 * 86_400), "2 j");
        assert_eq!(waited(Locale::Fr, -5), "0 min", "a clock behind the server's");
    }

    #[test]
    fn a_figure_that_does_not_move_is_shown_once() {
        assert_eq!(before_after(Locale::En, 1200, 1200), "1,200");
        assert_eq!(before_after(Locale::En, 60, 30), "60 → 30");
    }
}
