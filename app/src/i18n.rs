//! English and French, through one typed catalog: every message is one arm
//! holding both languages, so a missing translation does not compile. The
//! server uses the same catalog (e-mails, errors), so wording never drifts.

use serde::{Deserialize, Serialize};

use crate::domain::{
    AccountNameError, Actor, BindingError, DrawdownFieldError, DrawdownState, EmailError, HostIdError,
    HostNameError, InstanceState, LicenseFileFieldError, LicenseFileState, PdrNumber, ProvisioningError,
    QuantityError, ReasonError, Region, TenantNameError, Transition, TransitionError, WebsiteError,
};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    /// Every language, in the order of the Language select.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];
    /// Name of the cookie that remembers a visitor's choice.
    pub const COOKIE: &'static str = "portal_lang";

    /// The BCP 47 tag, as in `<html lang>` and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The language's own name, as the Language select shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::Fr => "Français",
        }
    }

    /// Reads a tag such as `fr`, `fr-CA` or `EN`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// The best supported language for an `Accept-Language` header: the
    /// highest-weighted supported tag, the earliest on a tie; English if none.
    pub fn negotiate(accept_language: &str) -> Self {
        let mut best: Option<(f32, Locale)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// Every fixed text of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    ProductName,
    SkipToContent,
    Loading,
    Language,
    // Sign-in
    SignInHeading,
    SignInIntro,
    Email,
    Password,
    SignIn,
    SigningIn,
    SignOut,
    SignedInAs,
    WrongCredentials,
    // Navigation
    MainNavigation,
    LicensesAndCloudServices,
    AccountViews,
    SelectAnAccount,
    FindAnAccount,
    OwnAccount,
    ManagedCustomers,
    Partners,
    Customers,
    Entitlements,
    // Entitlements view
    EntitlementsHeading,
    HeldByProduct,
    Product,
    LicenseModel,
    QuantityHeld,
    OrderLines,
    OrderLinesHint,
    Order,
    OrderDate,
    Term,
    Quantity,
    Available,
    Reserved,
    Drawn,
    NoEntitlements,
    NoEntitlementsHint,
    NoOrders,
    NoAccounts,
    ModelCloud,
    ModelFile,
    ModelService,
    // Partner drawdowns
    PartnerDrawdowns,
    Approvals,
    ControlRoomToBindTo,
    License,
    FileLicenses,
    CloudLicenses,
    CloudServices,
    ErrorInvalidLicenseFile,
    StateReadyForProvisioning,
    StateProvisioning,
    StateActive,
    StateFailed,
    RegionEuCentral,
    RegionUsEast,
    RegionApSoutheast,
    ReadOnlyLicenses,
    PartnerStockNotice,
    CloudLicensesHint,
    NoControlRooms,
    NoControlRoomsHint,
    LicenseGuid,
    CopyLicenseGuid,
    Copied,
    CopyFailed,
    BoundEntitlements,
    NothingBound,
    Unbind,
    EntitlementToBind,
    QuantityToBind,
    Bind,
    CloudEntitlements,
    FileEntitlements,
    NoCloudEntitlements,
    NoFileEntitlements,
    FromRequest,
    InUse,
    Free,
    NotProvisioned,
    FileLicensesHint,
    ConfigureLicenseFile,
    ReconfigureLicenseFile,
    ReconfigureHint,
    HostName,
    HostId,
    HostIdHint,
    IssueLicenseFile,
    Close,
    Reconfigure,
    Revoke,
    Download,
    LicenseFilesCaption,
    Host,
    Products,
    Issued,
    Expires,
    State,
    Actions,
    FileActive,
    FileReplaced,
    FileRevoked,
    Renew,
    ValidUntil,
    NoLicenseFiles,
    CloudServicesHint,
    NoServices,
    ServicesCaption,
    Service,
    Region,
    Tenant,
    Address,
    Provision,
    Retry,
    TenantName,
    TenantNameHint,
    StartProvisioning,
    ChooseRegion,
    DrawdownsHeading,
    ApprovalsHeading,
    ApprovalsHint,
    New,
    StateFilter,
    AllStates,
    SearchByCustomer,
    Number,
    Partner,
    Customer,
    LastChange,
    NoDrawdowns,
    NoDrawdownsHint,
    NoDrawdownMatches,
    NoApprovals,
    LoadMore,
    RowsShown,
    FilesShown,
    InstancesShown,
    NewDrawdownHeading,
    ChooseAnOrder,
    AssignToCustomerAccount,
    AssignToCustomerAccountHint,
    CustomerWebsite,
    CustomerName,
    CustomerEmail,
    Save,
    Saving,
    NoOpenOrders,
    EffectHeading,
    AvailableNow,
    AvailableAfter,
    CustomerWillHold,
    NewCustomerNotice,
    BackToList,
    ErrorInvalidDrawdown,
    StateSubmitted,
    StateApproved,
    StateRejected,
    StateAccepted,
    StateCancelled,
    StateExpired,
    CustomerAccount,
    CustomerContact,
    RequestedBy,
    ClonedFrom,
    RequestedQuantities,
    ChooseOrderForQuantities,
    ReasonGiven,
    Accept,
    CancelRequest,
    Clone,
    Approve,
    Reject,
    Reason,
    ReasonHint,
    Decision,
    History,
    When,
    Who,
    From,
    To,
    TheServer,
    Created,
    // Errors
    ErrorForbidden,
    ErrorNotSignedIn,
    ErrorNotFound,
    ErrorLicenseFileEnded,
    ErrorInternal,
    ErrorInvalidInput,
    ErrorMalformed,
    ErrorUnavailable,
    ProvisioningFailedHint,
    PageNotFound,
    BackToStart,
}

impl T {
    /// The text in `locale`.
    pub fn text(self, locale: Locale) -> &'static str {
        let (en, fr) = match self {
            T::ProductName => ("Licenses & Cloud", "Licences & Cloud"),
            T::SkipToContent => ("Skip to content", "Aller au contenu"),
            T::Loading => ("Loading…", "Chargement…"),
            T::Language => ("Language", "Langue"),
            T::SignInHeading => ("Sign in", "Connexion"),
            T::SignInIntro => (
                "Manage your license entitlements and those of your customers.",
                "Gérez vos droits de licence et ceux de vos clients.",
            ),
            T::Email => ("Email", "Adresse e-mail"),
            T::Password => ("Password", "Mot de passe"),
            T::SignIn => ("Sign in", "Se connecter"),
            T::SigningIn => ("Signing in…", "Connexion…"),
            T::SignOut => ("Sign out", "Se déconnecter"),
            T::SignedInAs => ("Signed in as", "Connecté en tant que"),
            T::WrongCredentials => (
                "Wrong email or password.",
                "Adresse e-mail ou mot de passe incorrect.",
            ),
            T::MainNavigation => ("Main", "Principal"),
            T::LicensesAndCloudServices => ("Licenses and cloud services", "Licences et services cloud"),
            T::AccountViews => ("Account views", "Vues du compte"),
            T::SelectAnAccount => ("Select an account", "Sélectionner un compte"),
            T::FindAnAccount => ("Find an account", "Rechercher un compte"),
            T::OwnAccount => ("Your account", "Votre compte"),
            T::ManagedCustomers => ("Your customers", "Vos clients"),
            T::Partners => ("Partners", "Partenaires"),
            T::Customers => ("Customers", "Clients"),
            T::Entitlements => ("Entitlements", "Droits de licence"),
            T::EntitlementsHeading => ("Entitlements", "Droits de licence"),
            T::HeldByProduct => ("Held by product", "Détenus par produit"),
            T::Product => ("Product", "Produit"),
            T::LicenseModel => ("License model", "Modèle de licence"),
            T::QuantityHeld => ("Quantity held", "Quantité détenue"),
            T::OrderLines => ("Order lines", "Lignes de commande"),
            T::OrderLinesHint => (
                "What each order line still has available to draw down, what pending requests reserve, and what has been drawn to customers.",
                "Ce que chaque ligne de commande a encore de disponible, ce que réservent les demandes en cours et ce qui a été prélevé pour des clients.",
            ),
            T::Order => ("Order", "Commande"),
            T::OrderDate => ("Order date", "Date de commande"),
            T::Term => ("Term", "Durée"),
            T::Quantity => ("Quantity", "Quantité"),
            T::Available => ("Available", "Disponible"),
            T::Reserved => ("Reserved", "Réservé"),
            T::Drawn => ("Drawn", "Prélevé"),
            T::NoEntitlements => (
                "This account holds no entitlements yet.",
                "Ce compte ne détient encore aucun droit de licence.",
            ),
            T::NoEntitlementsHint => (
                "Entitlements appear here once an order is placed or a drawdown request for this account is accepted.",
                "Les droits apparaissent ici dès qu'une commande est passée ou qu'une demande de prélèvement pour ce compte est acceptée.",
            ),
            T::NoOrders => ("This account has no orders yet.", "Ce compte n'a encore aucune commande."),
            T::NoAccounts => (
                "No account is open to you yet. Ask your administrator for access.",
                "Aucun compte ne vous est encore ouvert. Demandez l'accès à votre administrateur.",
            ),
            T::ModelCloud => ("Cloud", "Cloud"),
            T::ModelFile => ("File", "Fichier"),
            T::ModelService => ("Service", "Service"),
            T::PartnerDrawdowns => ("Partner drawdowns", "Prélèvements des partenaires"),
            T::Approvals => ("Approvals", "Approbations"),
            T::ControlRoomToBindTo => ("Control Room", "Control Room"),
            T::License => ("License", "Licence"),
            T::FileLicenses => ("File licenses", "Licences basées sur des fichiers"),
            T::CloudLicenses => ("Cloud licenses", "Licences cloud"),
            T::CloudServices => ("Cloud services", "Services cloud"),
            T::ErrorInvalidLicenseFile => ("The license file was not issued: correct the fields marked.", "Le fichier de licence n'a pas été émis : corrigez les champs signalés."),
            T::StateReadyForProvisioning => ("Ready for provisioning", "Prêt pour le provisionnement"),
            T::StateProvisioning => ("Provisioning", "Provisionnement en cours"),
            T::StateActive => ("Active", "Actif"),
            T::StateFailed => ("Failed", "Échec"),
            T::RegionEuCentral => ("Europe (Frankfurt)", "Europe (Francfort)"),
            T::RegionUsEast => ("US East (Virginia)", "Est des États-Unis (Virginie)"),
            T::RegionApSoutheast => ("Asia Pacific (Singapore)", "Asie-Pacifique (Singapour)"),
            T::ReadOnlyLicenses => ("You can look at this account's licenses and services; its partner manages them.", "Vous pouvez consulter les licences et services de ce compte ; son partenaire les gère."),
            T::PartnerStockNotice => ("Your order stock is drawn down to customer accounts, where it is bound, configured and provisioned. Choose a customer in Select an account.", "Votre stock de commandes est prélevé vers les comptes clients, où il est lié, configuré et provisionné. Choisissez un client dans Sélectionner un compte."),
            T::CloudLicensesHint => ("Each Control Room has a license GUID. The cloud entitlements bound to it are what that Control Room may use.", "Chaque Control Room a un GUID de licence. Les droits cloud qui lui sont liés sont ceux que cette Control Room peut utiliser."),
            T::NoControlRooms => ("This account has no Control Room yet.", "Ce compte n'a pas encore de Control Room."),
            T::NoControlRoomsHint => ("A Control Room comes with an accepted drawdown request that includes one.", "Une Control Room arrive avec une demande de prélèvement acceptée qui en comprend une."),
            T::LicenseGuid => ("License GUID", "GUID de licence"),
            T::CopyLicenseGuid => ("Copy license GUID", "Copier le GUID de licence"),
            T::Copied => ("Copied", "Copié"),
            T::CopyFailed => ("Copy failed: select the GUID and copy it.", "La copie a échoué : sélectionnez le GUID et copiez-le."),
            T::BoundEntitlements => ("Bound entitlements", "Droits liés"),
            T::NothingBound => ("Nothing is bound to this Control Room yet.", "Aucun droit n'est encore lié à cette Control Room."),
            T::Unbind => ("Unbind", "Délier"),
            T::EntitlementToBind => ("Entitlement to bind", "Droit à lier"),
            T::QuantityToBind => ("Quantity to bind", "Quantité à lier"),
            T::Bind => ("Bind", "Lier"),
            T::CloudEntitlements => ("Cloud entitlements of this account", "Droits cloud de ce compte"),
            T::FileEntitlements => ("File-based entitlements of this account", "Droits basés sur des fichiers de ce compte"),
            T::NoCloudEntitlements => ("This account holds no cloud entitlement.", "Ce compte ne détient aucun droit cloud."),
            T::NoFileEntitlements => ("This account holds no file-based entitlement.", "Ce compte ne détient aucun droit basé sur des fichiers."),
            T::FromRequest => ("From request", "Issu de la demande"),
            T::InUse => ("In use", "Utilisé"),
            T::Free => ("Free", "Disponible"),
            T::NotProvisioned => ("not provisioned yet", "pas encore provisionnée"),
            T::FileLicensesHint => ("A license file lets one Control Room installation run without the cloud. It is signed, so the Control Room can check offline that nobody changed it, and valid until the date shown: renew it and give the Control Room the new file before then.", "Un fichier de licence permet à une installation de Control Room de fonctionner sans le cloud. Il est signé : la Control Room vérifie hors ligne que personne ne l'a modifié, et il est valide jusqu'à la date indiquée : renouvelez-le et donnez le nouveau fichier à la Control Room avant."),
            T::ConfigureLicenseFile => ("Configure a license file", "Configurer un fichier de licence"),
            T::ReconfigureLicenseFile => ("Reconfigure the license file", "Reconfigurer le fichier de licence"),
            T::ReconfigureHint => ("The new file replaces the current one, whose copies stay valid until their date: its quantities stay in use until then, so the new file takes free quantities of its own.", "Le nouveau fichier remplace le fichier actuel, dont les copies restent valides jusqu'à leur date : ses quantités restent utilisées jusque-là, et le nouveau fichier prend ses propres quantités disponibles."),
            T::HostName => ("Host name", "Nom d'hôte"),
            T::HostId => ("Host ID", "ID d'hôte"),
            T::HostIdHint => ("As the Control Room shows it under Settings, License.", "Tel que la Control Room l'affiche sous Paramètres, Licence."),
            T::IssueLicenseFile => ("Issue license file", "Émettre le fichier de licence"),
            T::Close => ("Close", "Fermer"),
            T::Reconfigure => ("Reconfigure", "Reconfigurer"),
            T::Revoke => ("Revoke", "Révoquer"),
            T::Download => ("Download", "Télécharger"),
            T::LicenseFilesCaption => ("License files", "Fichiers de licence"),
            T::Host => ("Host", "Hôte"),
            T::Products => ("Products", "Produits"),
            T::Issued => ("Issued", "Émis le"),
            T::Expires => ("Expires", "Expire le"),
            T::ValidUntil => ("Valid until", "Valide jusqu'au"),
            T::Renew => ("Renew", "Renouveler"),
            T::State => ("State", "État"),
            T::Actions => ("Actions", "Actions"),
            T::FileActive => ("Active", "Actif"),
            T::FileReplaced => ("Replaced", "Remplacé"),
            T::FileRevoked => ("Revoked", "Révoqué"),
            T::NoLicenseFiles => ("No license file yet.", "Aucun fichier de licence pour l'instant."),
            T::CloudServicesHint => ("The Control Rooms and IQ Bot servers this account holds. Provision one to have it run in the vendor's cloud.", "Les Control Rooms et serveurs IQ Bot que détient ce compte. Provisionnez-en un pour le faire fonctionner dans le cloud de l'éditeur."),
            T::NoServices => ("This account holds no cloud service yet.", "Ce compte ne détient encore aucun service cloud."),
            T::ServicesCaption => ("Service instances", "Instances de service"),
            T::Service => ("Service", "Service"),
            T::Region => ("Region", "Région"),
            T::Tenant => ("Tenant", "Locataire"),
            T::Address => ("Address", "Adresse"),
            T::Provision => ("Provision", "Provisionner"),
            T::Retry => ("Retry", "Réessayer"),
            T::TenantName => ("Tenant name", "Nom du locataire"),
            T::TenantNameHint => ("Lowercase letters, digits and hyphens, 3 to 40: it becomes the instance's address.", "Lettres minuscules, chiffres et tirets, de 3 à 40 : il devient l'adresse de l'instance."),
            T::StartProvisioning => ("Start provisioning", "Lancer le provisionnement"),
            T::ChooseRegion => ("Choose a region", "Choisissez une région"),
            T::DrawdownsHeading => ("Partner drawdown requests", "Demandes de prélèvement des partenaires"),
            T::ApprovalsHeading => (
                "Requests waiting for approval",
                "Demandes en attente d'approbation",
            ),
            T::ApprovalsHint => (
                "Submitted requests of every partner, oldest first. Open one to approve or reject it.",
                "Demandes soumises de tous les partenaires, les plus anciennes d'abord. Ouvrez-en une pour l'approuver ou la rejeter.",
            ),
            T::New => ("New", "Nouveau"),
            T::StateFilter => ("State", "État"),
            T::AllStates => ("All states", "Tous les états"),
            T::SearchByCustomer => ("Search by customer", "Rechercher par client"),
            T::Number => ("Number", "Numéro"),
            T::Partner => ("Partner", "Partenaire"),
            T::Customer => ("Customer", "Client"),
            T::LastChange => ("Last change", "Dernière modification"),
            T::NoDrawdowns => (
                "No drawdown requests yet.",
                "Aucune demande de prélèvement pour l'instant.",
            ),
            T::NoDrawdownsHint => (
                "Use New to draw entitlements from one of your orders down to a customer.",
                "Utilisez Nouveau pour prélever des droits sur l'une de vos commandes au profit d'un client.",
            ),
            T::NoDrawdownMatches => (
                "No request matches this filter.",
                "Aucune demande ne correspond à ce filtre.",
            ),
            T::NoApprovals => (
                "No request is waiting for approval.",
                "Aucune demande n'attend d'approbation.",
            ),
            T::LoadMore => ("Load more", "Afficher plus"),
            T::RowsShown => ("requests shown", "demandes affichées"),
            T::FilesShown => ("license files shown", "fichiers de licence affichés"),
            T::InstancesShown => ("services shown", "services affichés"),
            T::NewDrawdownHeading => (
                "New partner drawdown request",
                "Nouvelle demande de prélèvement d'un partenaire",
            ),
            T::ChooseAnOrder => ("Choose an order", "Choisir une commande"),
            T::AssignToCustomerAccount => ("Assign to customer account", "Attribuer au compte client"),
            T::AssignToCustomerAccountHint => (
                "One of your customers, or the name of a new customer account.",
                "L'un de vos clients, ou le nom d'un nouveau compte client.",
            ),
            T::CustomerWebsite => ("Customer website", "Site Web du client"),
            T::CustomerName => ("Customer name", "Nom du contact client"),
            T::CustomerEmail => ("Customer email", "Courriel du client"),
            T::Save => ("Save", "Enregistrer"),
            T::Saving => ("Saving…", "Enregistrement…"),
            T::NoOpenOrders => (
                "None of your orders has anything left to draw down.",
                "Aucune de vos commandes n'a encore de quantité à prélever.",
            ),
            T::EffectHeading => ("Effect of this request", "Effet de cette demande"),
            T::AvailableNow => ("Available now", "Disponible maintenant"),
            T::AvailableAfter => ("Available after saving", "Disponible après enregistrement"),
            T::CustomerWillHold => ("Customer will hold", "Le client détiendra"),
            T::NewCustomerNotice => (
                "No customer of yours has this name or website: a new customer account will be created when the request is accepted.",
                "Aucun de vos clients n'a ce nom ni ce site Web : un nouveau compte client sera créé à l'acceptation de la demande.",
            ),
            T::BackToList => ("Back to the requests", "Retour aux demandes"),
            T::ErrorInvalidDrawdown => (
                "Correct the fields marked below. Nothing was saved.",
                "Corrigez les champs signalés ci-dessous. Rien n'a été enregistré.",
            ),
            T::StateSubmitted => ("Submitted", "Soumis"),
            T::StateApproved => ("Approved", "Approuvé"),
            T::StateRejected => ("Rejected", "Rejeté"),
            T::StateAccepted => ("Accepted", "Accepté"),
            T::StateCancelled => ("Cancelled", "Annulé"),
            T::StateExpired => ("Expired", "Expiré"),
            T::CustomerAccount => ("Customer account", "Compte client"),
            T::CustomerContact => ("Customer contact", "Contact client"),
            T::RequestedBy => ("Requested by", "Demandée par"),
            T::ClonedFrom => ("Cloned from", "Clonée à partir de"),
            T::RequestedQuantities => ("Requested quantities", "Quantités demandées"),
            T::ChooseOrderForQuantities => (
                "Choose an order: its lines appear here.",
                "Choisissez une commande : ses lignes s’affichent ici.",
            ),
            T::ReasonGiven => ("Reason given", "Motif indiqué"),
            T::Accept => ("Accept", "Accepter"),
            T::CancelRequest => ("Cancel request", "Annuler la demande"),
            T::Clone => ("Clone", "Cloner"),
            T::Approve => ("Approve", "Approuver"),
            T::Reject => ("Reject", "Rejeter"),
            T::Reason => ("Reason", "Motif"),
            T::ReasonHint => (
                "Required to reject; the partner sees it.",
                "Obligatoire pour rejeter ; le partenaire le voit.",
            ),
            T::Decision => ("Decision", "Décision"),
            T::History => ("History", "Historique"),
            T::When => ("When", "Quand"),
            T::Who => ("Who", "Qui"),
            T::From => ("From", "De"),
            T::To => ("To", "À"),
            T::TheServer => ("The portal (expiry)", "Le portail (expiration)"),
            T::Created => ("New request", "Nouvelle demande"),
            T::ErrorForbidden => (
                "You do not have access to this account.",
                "Vous n'avez pas accès à ce compte.",
            ),
            T::ErrorNotSignedIn => (
                "Your session has ended. Sign in again.",
                "Votre session a pris fin. Reconnectez-vous.",
            ),
            T::ErrorNotFound => ("Nothing was found here.", "Rien n'a été trouvé ici."),
            T::ErrorLicenseFileEnded => (
                "This license file was revoked or replaced; use the installation's current file.",
                "Ce fichier de licence a été révoqué ou remplacé ; utilisez le fichier actuel de l'installation.",
            ),
            T::ErrorInternal => (
                "Something went wrong on our side. Try again in a moment.",
                "Un problème est survenu de notre côté. Réessayez dans un instant.",
            ),
            T::ErrorInvalidInput => ("Some input is not valid.", "Une saisie n'est pas valide."),
            T::ProvisioningFailedHint => (
                "The vendor's cloud could not start it. Retry; if it fails again, contact the vendor.",
                "Le cloud de l'éditeur n'a pas pu le démarrer. Réessayez ; en cas de nouvel échec, contactez l'éditeur.",
            ),
            T::ErrorUnavailable => (
                "The portal cannot reach its database just now. Nothing was changed; try again in a moment.",
                "Le portail ne joint pas sa base de données pour l'instant. Rien n'a été modifié ; réessayez dans un instant.",
            ),
            T::ErrorMalformed => (
                "The portal could not read this request. Reload the page and try again.",
                "Le portail n'a pas pu lire cette demande. Rechargez la page et réessayez.",
            ),
            T::PageNotFound => ("Page not found", "Page introuvable"),
            T::BackToStart => ("Back to the start page", "Retour à l'accueil"),
        };
        match locale {
            Locale::En => en,
            Locale::Fr => fr,
        }
    }
}

/// "12 months" / "12 mois".
pub fn months(locale: Locale, n: i64) -> String {
    match (locale, n) {
        (Locale::En, 1) => "1 month".into(),
        (Locale::En, n) => format!("{n} months"),
        (Locale::Fr, n) => format!("{n} mois"),
    }
}

/// A whole number with the locale's thousands separator.
pub fn number(locale: Locale, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match locale {
        Locale::En => ",",
        // French uses a narrow no-break space.
        Locale::Fr => "\u{202f}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The name of a request state.
pub fn state_text(state: DrawdownState) -> T {
    match state {
        DrawdownState::Submitted => T::StateSubmitted,
        DrawdownState::Approved => T::StateApproved,
        DrawdownState::Rejected => T::StateRejected,
        DrawdownState::Accepted => T::StateAccepted,
        DrawdownState::Cancelled => T::StateCancelled,
        DrawdownState::Expired => T::StateExpired,
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

/// A moment, in UTC: the same text on the server and in the browser.
pub fn date_time(locale: Locale, unix_seconds: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix_seconds) else {
        return String::new();
    };
    let (y, mo, d, h, mi) = (t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute());
    match locale {
        Locale::En => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02} UTC"),
        Locale::Fr => format!("{d:02}/{mo:02}/{y} {h:02}:{mi:02} UTC"),
    }
}

/// What is wrong with a form field, as the form shows it next to the field.
pub fn field_error(locale: Locale, error: &DrawdownFieldError) -> String {
    use DrawdownFieldError as E;
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        E::NoOrder => pick("Choose an order.", "Choisissez une commande."),
        E::Name(AccountNameError::Empty) => pick("Enter a name.", "Saisissez un nom."),
        E::Name(AccountNameError::Characters) => pick(
            "Remove the invisible or control characters.",
            "Retirez les caractères invisibles ou de contrôle.",
        ),
        E::Name(AccountNameError::TooLong { max }) => pick(
            &format!("At most {max} characters."),
            &format!("{max} caractères au maximum."),
        ),
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
        E::Email(EmailError::Empty) => pick("Enter an email address.", "Saisissez une adresse e-mail."),
        E::Email(EmailError::Invalid) => pick(
            "Enter a valid email address, such as name@example.com.",
            "Saisissez une adresse e-mail valide, comme nom@exemple.com.",
        ),
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

/// The sign-in refusal after too many failures, with the wait in minutes.
pub fn throttled(locale: Locale, retry_after_seconds: u32) -> String {
    let minutes = retry_after_seconds.div_ceil(60).max(1);
    match (locale, minutes) {
        (Locale::En, 1) => "Too many failed sign-ins. Try again in a minute.".into(),
        (Locale::En, m) => format!("Too many failed sign-ins. Try again in {m} minutes."),
        (Locale::Fr, 1) => "Trop de connexions échouées. Réessayez dans une minute.".into(),
        (Locale::Fr, m) => format!("Trop de connexions échouées. Réessayez dans {m} minutes."),
    }
}

/// Under a revoked or replaced file: when what it holds is free again.
pub fn quantities_return_on(locale: Locale, unix_seconds: i64) -> String {
    let at = date_time(locale, unix_seconds);
    match locale {
        Locale::En => format!("Quantities return on {at}"),
        Locale::Fr => format!("Quantités rendues le {at}"),
    }
}

/// After Renew: the file to download again.
pub fn file_renewed(locale: Locale, reference: &str) -> String {
    match locale {
        Locale::En => format!("{reference} renewed: download it again for its Control Room."),
        Locale::Fr => format!("{reference} renouvelé : téléchargez-le à nouveau pour sa Control Room."),
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

/// What is wrong with a field of the license file form.
pub fn license_file_error(locale: Locale, error: &LicenseFileFieldError) -> String {
    use LicenseFileFieldError as E;
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        E::HostName(HostNameError::Empty) => pick(
            "Enter the Control Room's host name.",
            "Saisissez le nom d'hôte de la Control Room.",
        ),
        E::HostName(HostNameError::TooLong) => pick(
            "A host name has at most 253 characters.",
            "Un nom d'hôte comporte 253 caractères au maximum.",
        ),
        E::HostName(HostNameError::Format) => pick(
            "Use letters, digits and hyphens, in parts separated by dots (cr01.example.local).",
            "Utilisez des lettres, des chiffres et des tirets, en parties séparées par des points (cr01.exemple.local).",
        ),
        E::HostId(HostIdError::Empty) => pick(
            "Enter the host id the Control Room reports.",
            "Saisissez l'identifiant d'hôte indiqué par la Control Room.",
        ),
        E::HostId(HostIdError::TooLong { max }) => pick(
            &format!("At most {max} characters."),
            &format!("{max} caractères au maximum."),
        ),
        E::HostId(HostIdError::Characters) => pick(
            "Use letters, digits, hyphens, colons, dots and underscores only.",
            "Utilisez uniquement des lettres, des chiffres, des tirets, deux-points, points et tirets bas.",
        ),
        E::Quantity(error) => quantity_error(locale, error),
        E::MoreThanFree { free } => pick(
            &format!("Only {} free.", number(locale, *free)),
            &format!("Seulement {} disponible(s).", number(locale, *free)),
        ),
        E::NotAFileEntitlement => pick(
            "This is not a file-based entitlement of this account.",
            "Ce n'est pas un droit basé sur des fichiers de ce compte.",
        ),
        E::NothingChosen => pick(
            "Choose a quantity above 0 for at least one product.",
            "Choisissez une quantité supérieure à 0 pour au moins un produit.",
        ),
        E::HostHasFile => pick(
            "This installation already has a license file: reconfigure that one.",
            "Cette installation a déjà un fichier de licence : reconfigurez-le.",
        ),
    }
}

/// Why a binding or unbinding was refused.
pub fn binding_error(locale: Locale, error: &BindingError) -> String {
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        BindingError::Quantity(error) => quantity_error(locale, error),
        BindingError::MoreThanFree { free } => pick(
            &format!("Only {} free to bind.", number(locale, *free)),
            &format!("Seulement {} disponible(s) à lier.", number(locale, *free)),
        ),
        BindingError::NotCloud => pick(
            "Only cloud entitlements bind to a Control Room.",
            "Seuls les droits cloud se lient à une Control Room.",
        ),
        BindingError::NotBound => pick(
            "Nothing of this entitlement is bound to this Control Room any more.",
            "Rien de ce droit n'est plus lié à cette Control Room.",
        ),
    }
}

/// A tenant name that is not one, or taken.
pub fn tenant_error(locale: Locale, error: &TenantNameError) -> String {
    let fr = locale == Locale::Fr;
    let pick = |en: &str, fr_text: &str| if fr { fr_text.to_string() } else { en.to_string() };
    match error {
        TenantNameError::Empty => pick("Enter a tenant name.", "Saisissez un nom de locataire."),
        TenantNameError::Length { min, max } => pick(
            &format!("A tenant name has {min} to {max} characters."),
            &format!("Un nom de locataire comporte de {min} à {max} caractères."),
        ),
        TenantNameError::Characters => pick(
            "Use lowercase letters, digits and hyphens only.",
            "Utilisez uniquement des lettres minuscules, des chiffres et des tirets.",
        ),
        TenantNameError::Ends => pick(
            "Start with a letter and end with a letter or a digit.",
            "Commencez par une lettre et terminez par une lettre ou un chiffre.",
        ),
        TenantNameError::Taken => pick(
            "This tenant name is taken: choose another.",
            "Ce nom de locataire est déjà pris : choisissez-en un autre.",
        ),
    }
}

/// Why provisioning was refused.
pub fn provisioning_error(locale: Locale, error: &ProvisioningError) -> String {
    let fr = locale == Locale::Fr;
    match error {
        ProvisioningError::Tenant(error) => tenant_error(locale, error),
        ProvisioningError::NoRegion => (if fr {
            "Choisissez une région."
        } else {
            "Choose a region."
        })
        .into(),
        ProvisioningError::NotReady(state) => {
            let state = instance_state_text(locale, *state);
            if fr {
                format!("Cette instance est à l'état « {state} » : elle ne peut pas être provisionnée maintenant.")
            } else {
                format!("This instance is {state}: it cannot be provisioned now.")
            }
        }
    }
}

/// A service instance's state, as its badge shows it.
pub fn instance_state_text(locale: Locale, state: InstanceState) -> &'static str {
    match state {
        InstanceState::Ready => T::StateReadyForProvisioning.text(locale),
        InstanceState::Provisioning => T::StateProvisioning.text(locale),
        InstanceState::Active => T::StateActive.text(locale),
        InstanceState::Failed => T::StateFailed.text(locale),
    }
}

/// A license file's state.
pub fn file_state_text(locale: Locale, state: LicenseFileState) -> &'static str {
    match state {
        LicenseFileState::Active => T::FileActive.text(locale),
        LicenseFileState::Replaced => T::FileReplaced.text(locale),
        LicenseFileState::Revoked => T::FileRevoked.text(locale),
    }
}

/// The accessible name of an Unbind, Download or Provision button that
/// names what it acts on.
pub fn action_on(locale: Locale, action: T, subject: &str) -> String {
    format!("{} {subject}", action.text(locale))
}

/// A region's name.
pub fn region_text(locale: Locale, region: Region) -> &'static str {
    match region {
        Region::EuCentral => T::RegionEuCentral.text(locale),
        Region::UsEast => T::RegionUsEast.text(locale),
        Region::ApSoutheast => T::RegionApSoutheast.text(locale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_highest_weighted_supported_language() {
        assert_eq!(Locale::negotiate("fr-CA,fr;q=0.9,en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("de-DE,de;q=0.9,fr;q=0.5,en;q=0.7"), Locale::En);
        assert_eq!(Locale::negotiate("en;q=0.2, fr;q=0.6"), Locale::Fr);
        assert_eq!(Locale::negotiate("fr;q=0"), Locale::En);
    }

    #[test]
    fn accept_language_without_a_supported_language_falls_back_to_english() {
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("de, ja;q=0.5"), Locale::En);
        assert_eq!(Locale::negotiate(";;;,,q=abc"), Locale::En);
    }

    #[test]
    fn the_french_labels_are_those_of_the_spec() {
        let fr = |t: T| t.text(Locale::Fr);
        assert_eq!(fr(T::Email), "Adresse e-mail");
        assert_eq!(fr(T::Password), "Mot de passe");
        assert_eq!(fr(T::SignIn), "Se connecter");
        assert_eq!(fr(T::SignOut), "Se déconnecter");
        assert_eq!(fr(T::Language), "Langue");
        assert_eq!(fr(T::LicensesAndCloudServices), "Licences et services cloud");
        assert_eq!(fr(T::SelectAnAccount), "Sélectionner un compte");
        assert_eq!(fr(T::Entitlements), "Droits de licence");
        assert_eq!(fr(T::PartnerDrawdowns), "Prélèvements des partenaires");
        assert_eq!(fr(T::Approvals), "Approbations");
        assert_eq!(fr(T::New), "Nouveau");
        assert_eq!(
            fr(T::NewDrawdownHeading),
            "Nouvelle demande de prélèvement d'un partenaire"
        );
        assert_eq!(fr(T::Order), "Commande");
        assert_eq!(fr(T::AssignToCustomerAccount), "Attribuer au compte client");
        assert_eq!(fr(T::CustomerWebsite), "Site Web du client");
        assert_eq!(fr(T::CustomerName), "Nom du contact client");
        assert_eq!(fr(T::CustomerEmail), "Courriel du client");
        assert_eq!(
            quantity_for(Locale::Fr, "Bot Creator"),
            "Quantité pour Bot Creator"
        );
        assert_eq!(fr(T::Save), "Enregistrer");
        assert_eq!(fr(T::Accept), "Accepter");
        assert_eq!(fr(T::CancelRequest), "Annuler la demande");
        assert_eq!(fr(T::Clone), "Cloner");
        assert_eq!(fr(T::Approve), "Approuver");
        assert_eq!(fr(T::Reject), "Rejeter");
        assert_eq!(fr(T::Reason), "Motif");
        let states: Vec<_> = DrawdownState::ALL.iter().map(|s| fr(state_text(*s))).collect();
        assert_eq!(
            states,
            ["Soumis", "Approuvé", "Rejeté", "Accepté", "Annulé", "Expiré"]
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands_in_each_language() {
        assert_eq!(number(Locale::En, 1234567), "1,234,567");
        assert_eq!(number(Locale::Fr, 1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(number(Locale::En, 999), "999");
        assert_eq!(number(Locale::En, -1000), "-1,000");
    }

    #[test]
    fn terms_read_naturally() {
        assert_eq!(months(Locale::En, 1), "1 month");
        assert_eq!(months(Locale::En, 36), "36 months");
        assert_eq!(months(Locale::Fr, 12), "12 mois");
    }
}
