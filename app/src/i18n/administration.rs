//! The Administration tab of vendor admins (SPEC, "Administration"): its
//! sections, lists and forms, and what is wrong with a form or a file.

use super::{name_error, number, quantity_error, Locale};
use crate::domain::{AdminRule, LicenseModel, OrderNumberError, Standing, TermError, WebsiteError};

catalog! {
    /// The Administration area and the names of its sections: the header
    /// and the area's frame are in the main WebAssembly module, the rest of
    /// Administration in its own chunk, with `AdminText`.
    pub enum SectionText {
        Administration => ("Administration", "Administration"),
        AdministrationSections => ("Administration sections", "Sections de l'administration"),
        AdministratorsOnly => ("Only the vendor's administrators work here.", "Seuls les administrateurs de l'éditeur travaillent ici."),
        Partners => ("Partners", "Partenaires"),
        Customers => ("Customers", "Clients"),
        Users => ("Users", "Utilisateurs"),
        Products => ("Products", "Produits"),
        Orders => ("Orders", "Commandes"),
        AuditLog => ("Audit log", "Journal d'audit"),
    }
}

catalog! {
    /// Administration's sections: lists and forms.
    pub enum AdminText {
        PartnersHint => (
            "The vendor's partners. A deactivated partner's users cannot sign in; nothing it holds or did is deleted.",
            "Les partenaires de l'éditeur. Les utilisateurs d'un partenaire désactivé ne peuvent plus se connecter ; rien de ce qu'il détient ou a fait n'est supprimé.",
        ),
        CustomersHint => (
            "Customers and the partner that manages each. A deactivated customer's users cannot sign in.",
            "Les clients et le partenaire qui gère chacun. Les utilisateurs d'un client désactivé ne peuvent plus se connecter.",
        ),
        UsersHint => (
            "Everyone who signs in. A new user gets an email with a link to choose a password, valid for 72 hours.",
            "Toutes les personnes qui se connectent. Un nouvel utilisateur reçoit un e-mail avec un lien pour choisir un mot de passe, valable 72 heures.",
        ),
        ProductsHint => (
            "The catalog orders are made of. A deactivated product is offered to no new order; orders that have it keep it.",
            "Le catalogue dont les commandes sont faites. Un produit désactivé n'est proposé à aucune nouvelle commande ; les commandes qui l'ont le gardent.",
        ),
        OrdersHint => (
            "Partners' orders, newest first. A deactivated order offers nothing to new drawdown requests; what was reserved or drawn stays.",
            "Les commandes des partenaires, les plus récentes en premier. Une commande désactivée n'offre plus rien aux nouvelles demandes de prélèvement ; ce qui a été réservé ou prélevé reste.",
        ),
        NewPartner => ("New partner", "Nouveau partenaire"),
        NewCustomer => ("New customer", "Nouveau client"),
        NewUser => ("New user", "Nouvel utilisateur"),
        NewProduct => ("New product", "Nouveau produit"),
        NewOrder => ("New order", "Nouvelle commande"),
        Search => ("Search", "Rechercher"),
        SearchHint => ("The start of a name, an email or a number", "Le début d'un nom, d'une adresse e-mail ou d'un numéro"),
        Name => ("Name", "Nom"),
        Website => ("Website", "Site Web"),
        ContactName => ("Contact name", "Nom du contact"),
        ContactEmail => ("Contact email", "Courriel du contact"),
        ManagingPartner => ("Managing partner", "Partenaire gestionnaire"),
        FindPartner => ("Find a partner", "Trouver un partenaire"),
        FindAccount => ("Find an account", "Trouver un compte"),
        FindHint => ("Type the start of its name to narrow the list", "Tapez le début de son nom pour réduire la liste"),
        Choose => ("Choose…", "Choisir…"),
        Email => ("Email", "Adresse e-mail"),
        DisplayName => ("Display name", "Nom affiché"),
        Account => ("Account", "Compte"),
        Sku => ("SKU", "SKU"),
        LicenseModel => ("License model", "Modèle de licence"),
        ModelCloud => ("Cloud (bound to a Control Room's GUID)", "Cloud (associé au GUID d'une Control Room)"),
        ModelFile => ("File (signed license file)", "Fichier (fichier de licence signé)"),
        ModelService => ("Service (an instance to provision)", "Service (une instance à provisionner)"),
        ControlRoom => ("Control Room: cloud licenses bind to its GUID", "Control Room : les licences cloud s'associent à son GUID"),
        OrderNumber => ("Order number", "Numéro de commande"),
        Partner => ("Partner", "Partenaire"),
        OrderDate => ("Order date", "Date de commande"),
        Product => ("Product", "Produit"),
        Quantity => ("Quantity", "Quantité"),
        TermMonths => ("Term (months)", "Durée (mois)"),
        AddLine => ("Add line", "Ajouter une ligne"),
        RemoveLine => ("Remove line", "Retirer la ligne"),
        Lines => ("Lines", "Lignes"),
        TotalQuantity => ("Total quantity", "Quantité totale"),
        ImportOrders => ("Import orders (CSV)", "Importer des commandes (CSV)"),
        ImportHint => (
            "A header, then one row per order line: order_number, partner, order_date (YYYY-MM-DD), product (SKU or name), quantity, term_months. All rows or none.",
            "Un en-tête, puis une ligne par ligne de commande : order_number, partner, order_date (AAAA-MM-JJ), product (SKU ou nom), quantity, term_months. Toutes les lignes ou aucune.",
        ),
        ImportRefused => (
            "Nothing was imported. Mend these rows and import the file again:",
            "Rien n'a été importé. Corrigez ces lignes et importez à nouveau le fichier :",
        ),
        ImportProblems => ("Problems of the file", "Problèmes du fichier"),
        Line => ("Line", "Ligne"),
        Column => ("Column", "Colonne"),
        Problem => ("Problem", "Problème"),
        Edit => ("Edit", "Modifier"),
        Deactivate => ("Deactivate", "Désactiver"),
        Reactivate => ("Reactivate", "Réactiver"),
        SendInvitation => ("Send invitation", "Envoyer l'invitation"),
        ResetPassword => ("Reset password", "Réinitialiser le mot de passe"),
        CloseForm => ("Close the form", "Fermer le formulaire"),
        Active => ("Active", "Actif"),
        Deactivated => ("Deactivated", "Désactivé"),
        OrderActive => ("Active", "Active"),
        OrderDeactivated => ("Deactivated", "Désactivée"),
        Date => ("Date", "Date"),
        NothingMatches => ("Nothing matches this search.", "Rien ne correspond à cette recherche."),
        Saved => ("Saved.", "Enregistré."),
    }
}

/// The heading of the form that edits `name`.
pub fn editing(locale: Locale, name: &str) -> String {
    match locale {
        Locale::En => format!("Edit {name}"),
        Locale::Fr => format!("Modifier {name}"),
    }
}

/// The legend of an order line of the form.
pub fn order_line(locale: Locale, n: usize) -> String {
    match locale {
        Locale::En => format!("Line {n}"),
        Locale::Fr => format!("Ligne {n}"),
    }
}

/// After an import.
pub fn imported(locale: Locale, orders: u32, lines: u32) -> String {
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    let (o, l) = (plural(orders), plural(lines));
    let (orders, lines) = (number(locale, orders.into()), number(locale, lines.into()));
    match locale {
        Locale::En => format!("Imported {orders} order{o} with {lines} line{l}."),
        Locale::Fr => format!("{orders} commande{o} importée{o}, avec {lines} ligne{l}."),
    }
}

/// After Reset password.
pub fn reset_link_sent(locale: Locale, email: &str) -> String {
    match locale {
        Locale::En => format!("A link to reset the password was sent to {email}."),
        Locale::Fr => format!("Un lien de réinitialisation du mot de passe a été envoyé à {email}."),
    }
}

/// A license model, as the Products list and form show it.
pub fn model_text(model: LicenseModel) -> AdminText {
    match model {
        LicenseModel::Cloud => AdminText::ModelCloud,
        LicenseModel::File => AdminText::ModelFile,
        LicenseModel::Service => AdminText::ModelService,
    }
}

/// A row's standing, as a list shows it (an order is feminine in French).
pub fn standing_text(standing: Standing, of_order: bool) -> AdminText {
    match (standing, of_order) {
        (Standing::Active, false) => AdminText::Active,
        (Standing::Deactivated, false) => AdminText::Deactivated,
        (Standing::Active, true) => AdminText::OrderActive,
        (Standing::Deactivated, true) => AdminText::OrderDeactivated,
    }
}

/// What is wrong with a field of a form or a cell of an orders file.
pub fn admin_rule_text(locale: Locale, rule: &AdminRule) -> String {
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match rule {
        AdminRule::Name(error) => name_error(locale, error),
        AdminRule::Website(WebsiteError::Empty | WebsiteError::NotAnHttpUrl) => pick(
            "Enter a full address starting with http:// or https://, or leave it empty.",
            "Saisissez une adresse complète commençant par http:// ou https://, ou laissez vide.",
        ),
        AdminRule::Website(WebsiteError::NoHost) => pick(
            "The address needs a host name, such as www.example.com.",
            "L'adresse doit comporter un nom d'hôte, comme www.exemple.com.",
        ),
        AdminRule::Email(error) => super::email_error(locale, error),
        AdminRule::Sku => pick(
            "1 to 20 letters, digits or dashes.",
            "1 à 20 lettres, chiffres ou tirets.",
        ),
        AdminRule::OrderNumber(OrderNumberError::Empty) => {
            pick("Enter the order number.", "Saisissez le numéro de commande.")
        }
        AdminRule::OrderNumber(OrderNumberError::TooLong { max }) => pick(
            &format!("At most {max} characters."),
            &format!("{max} caractères au maximum."),
        ),
        AdminRule::OrderNumber(OrderNumberError::BadCharacter) => pick(
            "Letters, digits, '-', '_', '/' and '.' only.",
            "Lettres, chiffres, « - », « _ », « / » et « . » seulement.",
        ),
        AdminRule::Date => pick(
            "Enter a date as YYYY-MM-DD.",
            "Saisissez une date au format AAAA-MM-JJ.",
        ),
        AdminRule::Quantity(error) => quantity_error(locale, error),
        AdminRule::Term(TermError::NotWholeNumber) => pick(
            "Enter a whole number of months.",
            "Saisissez un nombre entier de mois.",
        ),
        AdminRule::Term(TermError::OutOfRange { max }) => pick(
            &format!("Between 1 and {max} months."),
            &format!("Entre 1 et {max} mois."),
        ),
        AdminRule::Required => pick("Choose one.", "Choisissez-en un."),
        AdminRule::Taken => pick("Another one has this already.", "Un autre l'a déjà."),
        AdminRule::Deactivated => pick(
            "It is deactivated: reactivate it first.",
            "Il est désactivé : réactivez-le d'abord.",
        ),
        AdminRule::WrongKind => pick(
            "Not an account of the right kind.",
            "Ce compte n'est pas du bon type.",
        ),
        AdminRule::Repeated => pick(
            "This product is on another line of the order.",
            "Ce produit figure sur une autre ligne de la commande.",
        ),
        AdminRule::NoLines => pick("Add at least one line.", "Ajoutez au moins une ligne."),
        AdminRule::TooManyLines { max } => pick(
            &format!("At most {max} lines in one order."),
            &format!("{max} lignes au plus dans une commande."),
        ),
        AdminRule::InUse => pick(
            "Orders have this product: its license model stays.",
            "Des commandes ont ce produit : son modèle de licence ne change plus.",
        ),
        AdminRule::NotAService => pick(
            "Only a service product can be a Control Room.",
            "Seul un produit de type service peut être une Control Room.",
        ),
        AdminRule::UnknownProduct => pick(
            "No product has this SKU or name.",
            "Aucun produit n'a ce SKU ni ce nom.",
        ),
        AdminRule::UnknownPartner => pick("No partner has this name.", "Aucun partenaire ne porte ce nom."),
        AdminRule::AmbiguousPartner => pick(
            "Several partners have this name.",
            "Plusieurs partenaires portent ce nom.",
        ),
        AdminRule::DiffersFromLine { line } => pick(
            &format!("Differs from line {line} of the same order."),
            &format!("Diffère de la ligne {line} de la même commande."),
        ),
        AdminRule::RepeatedFromLine { line } => pick(
            &format!("Already on line {line} of the same order."),
            &format!("Figure déjà à la ligne {line} de la même commande."),
        ),
        AdminRule::MissingColumn => pick("This column is missing.", "Cette colonne manque."),
        AdminRule::Unreadable => pick(
            "This row cannot be read as CSV.",
            "Cette ligne ne peut pas être lue en CSV.",
        ),
        AdminRule::NoRows => pick(
            "The file has no order rows.",
            "Le fichier n'a aucune ligne de commande.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountNameError, QuantityError};

    #[test]
    fn the_french_labels_are_those_of_the_spec() {
        let fr = |t: AdminText| t.text(Locale::Fr);
        let section = |t: SectionText| t.text(Locale::Fr);
        assert_eq!(section(SectionText::Partners), "Partenaires");
        assert_eq!(section(SectionText::Customers), "Clients");
        assert_eq!(section(SectionText::Products), "Produits");
        assert_eq!(section(SectionText::Orders), "Commandes");
        assert_eq!(section(SectionText::AuditLog), "Journal d'audit");
        assert_eq!(fr(AdminText::NewPartner), "Nouveau partenaire");
        assert_eq!(fr(AdminText::NewUser), "Nouvel utilisateur");
        assert_eq!(fr(AdminText::NewOrder), "Nouvelle commande");
        assert_eq!(fr(AdminText::ContactEmail), "Courriel du contact");
        assert_eq!(fr(AdminText::ManagingPartner), "Partenaire gestionnaire");
        assert_eq!(fr(AdminText::DisplayName), "Nom affiché");
        assert_eq!(fr(AdminText::LicenseModel), "Modèle de licence");
        assert_eq!(fr(AdminText::OrderNumber), "Numéro de commande");
        assert_eq!(fr(AdminText::OrderDate), "Date de commande");
        assert_eq!(fr(AdminText::TermMonths), "Durée (mois)");
        assert_eq!(fr(AdminText::AddLine), "Ajouter une ligne");
        assert_eq!(fr(AdminText::ImportOrders), "Importer des commandes (CSV)");
        assert_eq!(fr(AdminText::ResetPassword), "Réinitialiser le mot de passe");
    }

    #[test]
    fn every_rule_reads_in_both_languages() {
        let rules = [
            AdminRule::Name(AccountNameError::Empty),
            AdminRule::Website(WebsiteError::NoHost),
            AdminRule::Sku,
            AdminRule::OrderNumber(OrderNumberError::BadCharacter),
            AdminRule::Date,
            AdminRule::Quantity(QuantityError::Zero),
            AdminRule::Term(TermError::OutOfRange { max: 120 }),
            AdminRule::Taken,
            AdminRule::DiffersFromLine { line: 4 },
            AdminRule::NoRows,
        ];
        for rule in rules {
            let (en, fr) = (
                admin_rule_text(Locale::En, &rule),
                admin_rule_text(Locale::Fr, &rule),
            );
            assert!(
                !en.is_empty() && !fr.is_empty() && en != fr,
                "{rule:?}: {en} / {fr}"
            );
        }
        assert_eq!(imported(Locale::En, 1, 2), "Imported 1 order with 2 lines.");
        assert_eq!(imported(Locale::Fr, 2, 1), "2 commandes importées, avec 1 ligne.");
        assert_eq!(
            admin_rule_text(Locale::En, &AdminRule::RepeatedFromLine { line: 3 }),
            "Already on line 3 of the same order."
        );
    }
}
