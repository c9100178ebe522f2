//! Partner drawdown requests: the list, the form, a request's page and Approvals.

use super::{email_error, name_error, number, Locale};
use crate::domain::{
    Actor, DrawdownFieldError, DrawdownState, PdrNumber, QuantityError, ReasonError, Transition,
    TransitionError, WebsiteError,
};

catalog! {
    /// Partner drawdown requests: the list, the form, a request's page and Approvals.
    pub enum DrawdownsText {
        PartnerDrawdowns => ("Partner drawdowns", "Prélèvements des partenaires"),
        Approvals => ("Approvals", "Approbations"),
        DrawdownsHeading => ("Partner drawdown requests", "Demandes de prélèvement des partenaires"),
        ApprovalsHeading => (
            "Requests waiting for approval",
            "Demandes en attente d'approbation",
        ),
        ApprovalsHint => (
            "Submitted requests of every partner, oldest first. Open one to approve or reject it.",
            "Demandes soumises de tous les partenaires, les plus anciennes d'abord. Ouvrez-en une pour l'approuver ou la rejeter.",
        ),
        New => ("New", "Nouveau"),
        StateFilter => ("State", "État"),
        AllStates => ("All states", "Tous les états"),
        SearchByCustomer => ("Search by customer", "Rechercher par client"),
        LastChange => ("Last change", "Dernière modification"),
        NoDrawdowns => (
            "No drawdown requests yet.",
            "Aucune demande de prélèvement pour l'instant.",
        ),
        NoDrawdownsHint => (
            "Use New to draw entitlements from one of your orders down to a customer.",
            "Utilisez Nouveau pour prélever des droits sur l'une de vos commandes au profit d'un client.",
        ),
        NoDrawdownMatches => (
            "No request matches this filter.",
            "Aucune demande ne correspond à ce filtre.",
        ),
        NoApprovals => (
            "No request is waiting for approval.",
            "Aucune demande n'attend d'approbation.",
        ),
        NewDrawdownHeading => (
            "New partner drawdown request",
            "Nouvelle demande de prélèvement d'un partenaire",
        ),
        ChooseAnOrder => ("Choose an order", "Choisir une commande"),
        AssignToCustomerAccount => ("Assign to customer account", "Attribuer au compte client"),
        AssignToCustomerAccountHint => (
            "One of your customers, or the name of a new customer account.",
            "L'un de vos clients, ou le nom d'un nouveau compte client.",
        ),
        CustomerWebsite => ("Customer website", "Site Web du client"),
        CustomerName => ("Customer name", "Nom du contact client"),
        CustomerEmail => ("Customer email", "Courriel du client"),
        NoOpenOrders => (
            "None of your orders has anything left to draw down.",
            "Aucune de vos commandes n'a encore de quantité à prélever.",
        ),
        EffectHeading => ("Effect of this request", "Effet de cette demande"),
        AvailableNow => ("Available now", "Disponible maintenant"),
        AvailableAfter => ("Available after saving", "Disponible après enregistrement"),
        CustomerWillHold => ("Customer will hold", "Le client détiendra"),
        NewCustomerNotice => (
            "No customer of yours has this name or website: a new customer account will be created when the request is accepted.",
            "Aucun de vos clients n'a ce nom ni ce site Web : un nouveau compte client sera créé à l'acceptation de la demande.",
        ),
        BackToList => ("Back to the requests", "Retour aux demandes"),
        ErrorInvalidDrawdown => (
            "Correct the fields marked below. Nothing was saved.",
            "Corrigez les champs signalés ci-dessous. Rien n'a été enregistré.",
        ),
        StateSubmitted => ("Submitted", "Soumis"),
        StateApproved => ("Approved", "Approuvé"),
        StateRejected => ("Rejected", "Rejeté"),
        StateAccepted => ("Accepted", "Accepté"),
        StateCancelled => ("Cancelled", "Annulé"),
        StateExpired => ("Expired", "Expiré"),
        CustomerAccount => ("Customer account", "Compte client"),
        CustomerContact => ("Customer contact", "Contact client"),
        RequestedBy => ("Requested by", "Demandée par"),
        ClonedFrom => ("Cloned from", "Clonée à partir de"),
        RequestedQuantities => ("Requested quantities", "Quantités demandées"),
        ChooseOrderForQuantities => (
            "Choose an order: its lines appear here.",
            "Choisissez une commande : ses lignes s’affichent ici.",
        ),
        ReasonGiven => ("Reason given", "Motif indiqué"),
        Accept => ("Accept", "Accepter"),
        CancelRequest => ("Cancel request", "Annuler la demande"),
        Clone => ("Clone", "Cloner"),
        Approve => ("Approve", "Approuver"),
        Reject => ("Reject", "Rejeter"),
        Reason => ("Reason", "Motif"),
        ReasonHint => (
            "Required to reject; the partner sees it.",
            "Obligatoire pour rejeter ; le partenaire le voit.",
        ),
        Decision => ("Decision", "Décision"),
        History => ("History", "Historique"),
    }
}

/// The name of a request state.
pub fn state_text(state: DrawdownState) -> DrawdownsText {
    match state {
        DrawdownState::Submitted => DrawdownsText::StateSubmitted,
        DrawdownState::Approved => DrawdownsText::StateApproved,
        DrawdownState::Rejected => DrawdownsText::StateRejected,
        DrawdownState::Accepted => DrawdownsText::StateAccepted,
        DrawdownState::Cancelled => DrawdownsText::StateCancelled,
        DrawdownState::Expired => DrawdownsText::StateExpired,
    }
}

/// "Quantity for PRODUCT": the accessible name of a quantity field.
pub fn quantity_for(locale: Locale, product: &str) -> String {
    match locale {
        Locale::En => format!("Quantity for {product}"),
        Locale::Fr => format!("Quantité pour {product}"),
    }
}

/// "12 available" beside a quantity field.
pub fn available_on_line(locale: Locale, n: i64) -> String {
    match locale {
        Locale::En => format!("{} available", number(locale, n)),
        Locale::Fr => format!("{} disponible(s)", number(locale, n)),
    }
}

/// The form's note that the request will be tied to an existing customer.
pub fn existing_customer_notice(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => {
            format!("{name} is already one of your customers: the request will be tied to that account.")
        }
        Locale::Fr => format!("{name} est déjà l'un de vos clients : la demande sera rattachée à ce compte."),
    }
}

/// "Drawdown request PDR-000001".
pub fn request_heading(locale: Locale, number: PdrNumber) -> String {
    match locale {
        Locale::En => format!("Drawdown request {number}"),
        Locale::Fr => format!("Demande de prélèvement {number}"),
    }
}

/// "Prefilled from PDR-000001": the clone form's note.
pub fn prefilled_from(locale: Locale, number: PdrNumber) -> String {
    match locale {
        Locale::En => format!("Prefilled from {number}. Saving creates a new request; {number} stays as it is."),
        Locale::Fr => format!(
            "Prérempli à partir de {number}. L'enregistrement crée une nouvelle demande ; {number} reste inchangée."
        ),
    }
}

/// What is wrong with a form field, as the form shows it next to the field.
pub fn field_error(locale: Locale, error: &DrawdownFieldError) -> String {
    use DrawdownFieldError as E;
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        E::NoOrder => pick("Choose an order.", "Choisissez une commande."),
        E::Name(error) => name_error(locale, error),
        E::Website(WebsiteError::Empty) => pick(
            "Enter the customer's website.",
            "Saisissez le site Web du client.",
        ),
        E::Website(WebsiteError::NotAnHttpUrl) => pick(
            "Enter a full address starting with http:// or https://.",
            "Saisissez une adresse complète commençant par http:// ou https://.",
        ),
        E::Website(WebsiteError::NoHost) => pick(
            "The address needs a host name, such as www.example.com.",
            "L'adresse doit comporter un nom d'hôte, comme www.exemple.com.",
        ),
        E::Email(error) => email_error(locale, error),
        E::Quantity(error) => quantity_error(locale, error),
        E::AboveAvailable { available } => pick(
            &format!(
                "Not enough available: only {} left on this order line.",
                number(locale, *available)
            ),
            &format!(
                "Quantité disponible insuffisante : il n'en reste que {} sur cette ligne de commande.",
                number(locale, *available)
            ),
        ),
        E::Duplicate => pick(
            "This order line is given twice.",
            "Cette ligne de commande figure deux fois.",
        ),
        E::TooManyLines { max } => pick(
            &format!("At most {max} order lines in one request."),
            &format!("{max} lignes de commande au plus dans une demande."),
        ),
        E::NotALineOfTheOrder => pick(
            "This product is not on the chosen order.",
            "Ce produit ne figure pas sur la commande choisie.",
        ),
        E::NothingRequested => pick(
            "Enter a quantity above 0 for at least one product.",
            "Saisissez une quantité supérieure à 0 pour au moins un produit.",
        ),
    }
}

/// Why a step of the procedure was refused.
pub fn transition_refusal(locale: Locale, refusal: &TransitionError) -> String {
    match (refusal, locale) {
        (TransitionError::NotPermitted { transition, .. }, locale) => match (transition.actor(), locale) {
            (Actor::Accounting, Locale::En) => {
                "Only the vendor's accounting team can approve or reject a request."
            }
            (Actor::Accounting, Locale::Fr) => {
                "Seule l'équipe comptable de l'éditeur peut approuver ou rejeter une demande."
            }
            (Actor::Partner, Locale::En) => "Only the requesting partner can accept or cancel its request.",
            (Actor::Partner, Locale::Fr) => {
                "Seul le partenaire demandeur peut accepter ou annuler sa demande."
            }
            (Actor::System, Locale::En) => "Only the portal itself expires requests.",
            (Actor::System, Locale::Fr) => "Seul le portail fait expirer les demandes.",
        }
        .to_string(),
        (TransitionError::NotAllowedFrom { transition, from }, Locale::En) => {
            let done = match transition {
                Transition::Approve => "approved",
                Transition::Reject => "rejected",
                Transition::Accept => "accepted",
                Transition::Cancel => "cancelled",
                Transition::Expire => "expired",
            };
            format!(
                "This request is {}: it can no longer be {done}. Nothing was changed.",
                state_text(*from).text(locale)
            )
        }
        (TransitionError::NotAllowedFrom { transition, from }, Locale::Fr) => {
            let done = match transition {
                Transition::Approve => "approuvée",
                Transition::Reject => "rejetée",
                Transition::Accept => "acceptée",
                Transition::Cancel => "annulée",
                Transition::Expire => "expirée",
            };
            format!(
                "Cette demande est à l'état {} : elle ne peut plus être {done}. Rien n'a été modifié.",
                state_text(*from).text(locale)
            )
        }
    }
}

/// The Save refusal past the partner's hourly limit, with the wait.
pub fn too_many_saves(locale: Locale, retry_after_seconds: u32) -> String {
    let minutes = retry_after_seconds.div_ceil(60).max(1);
    match locale {
        Locale::En => format!("Your organization saved the most requests allowed in an hour. Try again in {minutes} min."),
        Locale::Fr => format!("Votre organisation a enregistré le maximum de demandes permis en une heure. Réessayez dans {minutes} min."),
    }
}

/// What is wrong with a decision's reason.
pub fn reason_error(locale: Locale, error: &ReasonError) -> String {
    match (error, locale) {
        (ReasonError::Empty, Locale::En) => "Give a reason: the partner will see it.".into(),
        (ReasonError::Empty, Locale::Fr) => "Indiquez un motif : le partenaire le verra.".into(),
        (ReasonError::TooLong { max }, Locale::En) => format!("At most {max} characters."),
        (ReasonError::TooLong { max }, Locale::Fr) => format!("{max} caractères au maximum."),
    }
}

/// A quantity that is not one, in the user's language.
pub fn quantity_error(locale: Locale, error: &QuantityError) -> String {
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        QuantityError::Empty => pick(
            "Enter a quantity (0 for none).",
            "Saisissez une quantité (0 pour aucune).",
        ),
        QuantityError::NotWholeNumber => pick("Enter a whole number.", "Saisissez un nombre entier."),
        QuantityError::Negative => pick(
            "The quantity cannot be negative.",
            "La quantité ne peut pas être négative.",
        ),
        QuantityError::Zero => pick(
            "Enter a quantity above 0.",
            "Saisissez une quantité supérieure à 0.",
        ),
        QuantityError::TooLarge { max } => pick(
            &format!("At most {}.", number(locale, *max)),
            &format!("{} au maximum.", number(locale, *max)),
        ),
    }
}
