//! Refusals and faults, as any screen shows them.

catalog! {
    /// Refusals and faults, as any screen shows them.
    pub enum ErrorText {
        ErrorForbidden => (
            "You do not have access to this account.",
            "Vous n'avez pas accès à ce compte.",
        ),
        ErrorNotSignedIn => (
            "Your session has ended. Sign in again.",
            "Votre session a pris fin. Reconnectez-vous.",
        ),
        ErrorNotFound => ("Nothing was found here.", "Rien n'a été trouvé ici."),
        ErrorLicenseFileEnded => (
            "This license file was revoked or replaced; use the installation's current file.",
            "Ce fichier de licence a été révoqué ou remplacé ; utilisez le fichier actuel de l'installation.",
        ),
        ErrorInternal => (
            "Something went wrong on our side. Try again in a moment.",
            "Un problème est survenu de notre côté. Réessayez dans un instant.",
        ),
        ErrorInvalidInput => ("Some input is not valid.", "Une saisie n'est pas valide."),
        ErrorInvalidForm => (
            "Some fields need attention; nothing was saved.",
            "Certains champs sont à corriger ; rien n'a été enregistré.",
        ),
        ErrorInvalidImport => (
            "The file has problems; nothing was imported.",
            "Le fichier comporte des erreurs ; rien n'a été importé.",
        ),
        ErrorMalformed => (
            "The portal could not read this request. Reload the page and try again.",
            "Le portail n'a pas pu lire cette demande. Rechargez la page et réessayez.",
        ),
        ErrorUnavailable => (
            "The portal cannot reach its database just now. Nothing was changed; try again in a moment.",
            "Le portail ne joint pas sa base de données pour l'instant. Rien n'a été modifié ; réessayez dans un instant.",
        ),
    }
}
