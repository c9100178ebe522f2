//! Cloud licenses (bindings to a Control Room) and file licenses.

use super::{date_time, number, quantity_error, Locale};
use crate::domain::{BindingError, HostIdError, HostNameError, LicenseFileFieldError, LicenseFileState};

catalog! {
    /// Cloud licenses (bindings to a Control Room) and file licenses.
    pub enum LicensesText {
        ControlRoomToBindTo => ("Control Room", "Control Room"),
        License => ("License", "Licence"),
        FileLicenses => ("File licenses", "Licences basées sur des fichiers"),
        CloudLicenses => ("Cloud licenses", "Licences cloud"),
        ErrorInvalidLicenseFile => ("The license file was not issued: correct the fields marked.", "Le fichier de licence n'a pas été émis : corrigez les champs signalés."),
        CloudLicensesHint => ("Each Control Room has a license GUID. The cloud entitlements bound to it are what that Control Room may use.", "Chaque Control Room a un GUID de licence. Les droits cloud qui lui sont liés sont ceux que cette Control Room peut utiliser."),
        NoControlRooms => ("This account has no Control Room yet.", "Ce compte n'a pas encore de Control Room."),
        NoControlRoomsHint => ("A Control Room comes with an accepted drawdown request that includes one.", "Une Control Room arrive avec une demande de prélèvement acceptée qui en comprend une."),
        LicenseGuid => ("License GUID", "GUID de licence"),
        CopyLicenseGuid => ("Copy license GUID", "Copier le GUID de licence"),
        BoundEntitlements => ("Bound entitlements", "Droits liés"),
        NothingBound => ("Nothing is bound to this Control Room yet.", "Aucun droit n'est encore lié à cette Control Room."),
        Unbind => ("Unbind", "Délier"),
        EntitlementToBind => ("Entitlement to bind", "Droit à lier"),
        QuantityToBind => ("Quantity to bind", "Quantité à lier"),
        Bind => ("Bind", "Lier"),
        CloudEntitlements => ("Cloud entitlements of this account", "Droits cloud de ce compte"),
        FileEntitlements => ("File-based entitlements of this account", "Droits basés sur des fichiers de ce compte"),
        NoCloudEntitlements => ("This account holds no cloud entitlement.", "Ce compte ne détient aucun droit cloud."),
        NoFileEntitlements => ("This account holds no file-based entitlement.", "Ce compte ne détient aucun droit basé sur des fichiers."),
        FromRequest => ("From request", "Issu de la demande"),
        InUse => ("In use", "Utilisé"),
        Free => ("Free", "Disponible"),
        NotProvisioned => ("not provisioned yet", "pas encore provisionnée"),
        FileLicensesHint => ("A license file lets one Control Room installation run without the cloud. It is signed, so the Control Room can check offline that nobody changed it, and valid until the date shown: renew it and give the Control Room the new file before then.", "Un fichier de licence permet à une installation de Control Room de fonctionner sans le cloud. Il est signé : la Control Room vérifie hors ligne que personne ne l'a modifié, et il est valide jusqu'à la date indiquée : renouvelez-le et donnez le nouveau fichier à la Control Room avant."),
        ConfigureLicenseFile => ("Configure a license file", "Configurer un fichier de licence"),
        ReconfigureLicenseFile => ("Reconfigure the license file", "Reconfigurer le fichier de licence"),
        ReconfigureHint => ("The new file replaces the current one, whose copies stay valid until their date: its quantities stay in use until then, so the new file takes free quantities of its own.", "Le nouveau fichier remplace le fichier actuel, dont les copies restent valides jusqu'à leur date : ses quantités restent utilisées jusque-là, et le nouveau fichier prend ses propres quantités disponibles."),
        HostName => ("Host name", "Nom d'hôte"),
        HostId => ("Host ID", "ID d'hôte"),
        HostIdHint => ("As the Control Room shows it under Settings, License.", "Tel que la Control Room l'affiche sous Paramètres, Licence."),
        IssueLicenseFile => ("Issue license file", "Émettre le fichier de licence"),
        Reconfigure => ("Reconfigure", "Reconfigurer"),
        Revoke => ("Revoke", "Révoquer"),
        Download => ("Download", "Télécharger"),
        LicenseFilesCaption => ("License files", "Fichiers de licence"),
        Host => ("Host", "Hôte"),
        Products => ("Products", "Produits"),
        Issued => ("Issued", "Émis le"),
        Expires => ("Expires", "Expire le"),
        FileActive => ("Active", "Actif"),
        FileReplaced => ("Replaced", "Remplacé"),
        FileRevoked => ("Revoked", "Révoqué"),
        Renew => ("Renew", "Renouveler"),
        ValidUntil => ("Valid until", "Valide jusqu'au"),
        NoLicenseFiles => ("No license file yet.", "Aucun fichier de licence pour l'instant."),
        FilesShown => ("license files shown", "fichiers de licence affichés"),
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

/// A license file's state.
pub fn file_state_text(locale: Locale, state: LicenseFileState) -> &'static str {
    match state {
        LicenseFileState::Active => LicensesText::FileActive.text(locale),
        LicenseFileState::Replaced => LicensesText::FileReplaced.text(locale),
        LicenseFileState::Revoked => LicensesText::FileRevoked.text(locale),
    }
}
