//! The Entitlements tab: what an account holds and its order lines.

catalog! {
    /// The Entitlements tab: what an account holds and its order lines.
    pub enum EntitlementsText {
        Entitlements => ("Entitlements", "Droits de licence"),
        EntitlementsHeading => ("Entitlements", "Droits de licence"),
        HeldByProduct => ("Held by product", "Détenus par produit"),
        LicenseModel => ("License model", "Modèle de licence"),
        QuantityHeld => ("Quantity held", "Quantité détenue"),
        OrderLines => ("Order lines", "Lignes de commande"),
        OrderLinesHint => (
            "What each order line still has available to draw down, what pending requests reserve, and what has been drawn to customers.",
            "Ce que chaque ligne de commande a encore de disponible, ce que réservent les demandes en cours et ce qui a été prélevé pour des clients.",
        ),
        OrderDate => ("Order date", "Date de commande"),
        Term => ("Term", "Durée"),
        Available => ("Available", "Disponible"),
        Reserved => ("Reserved", "Réservé"),
        Drawn => ("Drawn", "Prélevé"),
        NoEntitlements => (
            "This account holds no entitlements yet.",
            "Ce compte ne détient encore aucun droit de licence.",
        ),
        NoEntitlementsHint => (
            "Entitlements appear here once an order is placed or a drawdown request for this account is accepted.",
            "Les droits apparaissent ici dès qu'une commande est passée ou qu'une demande de prélèvement pour ce compte est acceptée.",
        ),
        NoOrders => ("This account has no orders yet.", "Ce compte n'a encore aucune commande."),
        ModelCloud => ("Cloud", "Cloud"),
        ModelFile => ("File", "Fichier"),
        ModelService => ("Service", "Service"),
        ReadOnlyLicenses => ("You can look at this account's licenses and services; its partner manages them.", "Vous pouvez consulter les licences et services de ce compte ; son partenaire les gère."),
        PartnerStockNotice => ("Your order stock is drawn down to customer accounts, where it is bound, configured and provisioned. Choose a customer in Select an account.", "Votre stock de commandes est prélevé vers les comptes clients, où il est lié, configuré et provisionné. Choisissez un client dans Sélectionner un compte."),
    }
}
