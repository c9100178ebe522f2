//! The account selector and the account views.

catalog! {
    /// The account selector and the account views.
    pub enum AccountsText {
        AccountViews => ("Account views", "Vues du compte"),
        SelectAnAccount => ("Select an account", "Sélectionner un compte"),
        FindAnAccount => ("Find an account", "Rechercher un compte"),
        OwnAccount => ("Your account", "Votre compte"),
        ManagedCustomers => ("Your customers", "Vos clients"),
        Partners => ("Partners", "Partenaires"),
        Customers => ("Customers", "Clients"),
        NoAccounts => (
            "No account is open to you yet. Ask your administrator for access.",
            "Aucun compte ne vous est encore ouvert. Demandez l'accès à votre administrateur.",
        ),
    }
}
