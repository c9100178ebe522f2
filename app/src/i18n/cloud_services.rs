//! Cloud services: instances, regions and provisioning.

use super::Locale;
use crate::domain::{InstanceState, ProvisioningError, Region, TenantNameError};

catalog! {
    /// Cloud services: instances, regions and provisioning.
    pub enum CloudServicesText {
        CloudServices => ("Cloud services", "Services cloud"),
        StateReadyForProvisioning => ("Ready for provisioning", "Prêt pour le provisionnement"),
        StateProvisioning => ("Provisioning", "Provisionnement en cours"),
        StateActive => ("Active", "Actif"),
        StateFailed => ("Failed", "Échec"),
        RegionEuCentral => ("Europe (Frankfurt)", "Europe (Francfort)"),
        RegionUsEast => ("US East (Virginia)", "Est des États-Unis (Virginie)"),
        RegionApSoutheast => ("Asia Pacific (Singapore)", "Asie-Pacifique (Singapour)"),
        CloudServicesHint => ("The Control Rooms and IQ Bot servers this account holds. Provision one to have it run in the vendor's cloud.", "Les Control Rooms et serveurs IQ Bot que détient ce compte. Provisionnez-en un pour le faire fonctionner dans le cloud de l'éditeur."),
        NoServices => ("This account holds no cloud service yet.", "Ce compte ne détient encore aucun service cloud."),
        ServicesCaption => ("Service instances", "Instances de service"),
        Service => ("Service", "Service"),
        Region => ("Region", "Région"),
        Tenant => ("Tenant", "Locataire"),
        Address => ("Address", "Adresse"),
        Provision => ("Provision", "Provisionner"),
        Retry => ("Retry", "Réessayer"),
        TenantName => ("Tenant name", "Nom du locataire"),
        TenantNameHint => ("Lowercase letters, digits and hyphens, 3 to 40: it becomes the instance's address.", "Lettres minuscules, chiffres et tirets, de 3 à 40 : il devient l'adresse de l'instance."),
        StartProvisioning => ("Start provisioning", "Lancer le provisionnement"),
        ChooseRegion => ("Choose a region", "Choisissez une région"),
        InstancesShown => ("services shown", "services affichés"),
        ProvisioningFailedHint => (
            "The vendor's cloud could not start it. Retry; if it fails again, contact the vendor.",
            "Le cloud de l'éditeur n'a pas pu le démarrer. Réessayez ; en cas de nouvel échec, contactez l'éditeur.",
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
        InstanceState::Ready => CloudServicesText::StateReadyForProvisioning.text(locale),
        InstanceState::Provisioning => CloudServicesText::StateProvisioning.text(locale),
        InstanceState::Active => CloudServicesText::StateActive.text(locale),
        InstanceState::Failed => CloudServicesText::StateFailed.text(locale),
    }
}

/// A region's name.
pub fn region_text(locale: Locale, region: Region) -> &'static str {
    match region {
        Region::EuCentral => CloudServicesText::RegionEuCentral.text(locale),
        Region::UsEast => CloudServicesText::RegionUsEast.text(locale),
        Region::ApSoutheast => CloudServicesText::RegionApSoutheast.text(locale),
    }
}
