//! The `api` edge: each service's own error, as the wire says it
//! (`AppError`, with its stable code and HTTP status). The services know
//! nothing of the wire; this is the one place their refusals become codes.

use crate::error::AppError;
use crate::services::api_tokens::ApiTokenError;
use crate::services::audit::AuditError;
use crate::services::webhooks::WebhookError;
use crate::services::{AccountError, AdminError, DrawdownError, Fault, LicensingError, PeopleError};

impl From<Fault> for AppError {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Unavailable => AppError::Unavailable,
            Fault::Internal => AppError::Internal,
        }
    }
}

impl From<DrawdownError> for AppError {
    fn from(err: DrawdownError) -> Self {
        match err {
            DrawdownError::Forbidden => AppError::Forbidden,
            DrawdownError::Invalid { problems } => AppError::InvalidDrawdown { problems },
            DrawdownError::InvalidImport { check } => AppError::InvalidDrawdownImport { check },
            DrawdownError::InvalidReason { problem } => AppError::InvalidReason { problem },
            DrawdownError::Refused { refusal } => AppError::TransitionRefused { refusal },
            DrawdownError::TooMany { .. } => AppError::InvalidInput { field: "ids".into() },
            DrawdownError::Fault(fault) => fault.into(),
        }
    }
}

impl From<LicensingError> for AppError {
    fn from(err: LicensingError) -> Self {
        match err {
            LicensingError::Forbidden => AppError::Forbidden,
            LicensingError::NotFound => AppError::NotFound,
            LicensingError::FileEnded => AppError::LicenseFileEnded,
            LicensingError::InvalidFile { problems } => AppError::InvalidLicenseFile { problems },
            LicensingError::InvalidBinding { problem } => AppError::InvalidBinding { problem },
            LicensingError::InvalidProvisioning { problem } => AppError::InvalidProvisioning { problem },
            LicensingError::Fault(fault) => fault.into(),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Forbidden => AppError::Forbidden,
            AccountError::Fault(fault) => fault.into(),
        }
    }
}

impl From<AuditError> for AppError {
    fn from(err: AuditError) -> Self {
        match err {
            AuditError::Forbidden => AppError::Forbidden,
            AuditError::Date(problem) => AppError::InvalidInput {
                field: problem.field().into(),
            },
            AuditError::Fault(fault) => fault.into(),
        }
    }
}

impl From<AdminError> for AppError {
    fn from(err: AdminError) -> Self {
        match err {
            AdminError::Forbidden => AppError::Forbidden,
            AdminError::NotFound => AppError::NotFound,
            AdminError::Invalid { problems } => AppError::InvalidForm { problems },
            AdminError::InvalidImport { problems } => AppError::InvalidImport { problems },
            AdminError::Fault(fault) => fault.into(),
        }
    }
}

impl From<ApiTokenError> for AppError {
    fn from(err: ApiTokenError) -> Self {
        match err {
            ApiTokenError::Forbidden => AppError::Forbidden,
            ApiTokenError::NotFound => AppError::NotFound,
            ApiTokenError::Fault(fault) => fault.into(),
        }
    }
}

impl From<WebhookError> for AppError {
    fn from(err: WebhookError) -> Self {
        match err {
            WebhookError::Forbidden => AppError::Forbidden,
            WebhookError::NotFound => AppError::NotFound,
            WebhookError::Invalid(crate::domain::WebhookProblem::NoEvents) => AppError::InvalidInput {
                field: "events".into(),
            },
            WebhookError::Invalid(crate::domain::WebhookProblem::TooManyEndpoints { .. }) => {
                AppError::InvalidInput {
                    field: "endpoints".into(),
                }
            }
            WebhookError::Invalid(_) => AppError::InvalidInput { field: "url".into() },
            WebhookError::PrivateAddress => AppError::InvalidInput {
                field: "url_address".into(),
            },
            WebhookError::Fault(fault) => fault.into(),
        }
    }
}

impl From<PeopleError> for AppError {
    fn from(err: PeopleError) -> Self {
        match err {
            PeopleError::Forbidden => AppError::Forbidden,
            PeopleError::Email(problem) => AppError::InvalidEmail { problem },
            PeopleError::DisplayName(problem) => AppError::InvalidDisplayName { problem },
            PeopleError::EmailTaken => AppError::EmailTaken,
            PeopleError::Password(problem) => AppError::InvalidPassword { problem },
            PeopleError::WrongPassword => AppError::WrongCurrentPassword,
            PeopleError::LinkUnusable => AppError::LinkUnusable,
            PeopleError::OwnUser => AppError::CannotDeactivateSelf,
            PeopleError::WrongKind => AppError::InvalidInput { field: "role".into() },
            PeopleError::AccountDeactivated => AppError::InvalidInput {
                field: "account".into(),
            },
            PeopleError::UserDeactivated => AppError::InvalidInput { field: "user".into() },
            PeopleError::Cursor => AppError::InvalidInput {
                field: "after".into(),
            },
            PeopleError::Fault(fault) => fault.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BindingError, DrawdownState, Transition, TransitionError};

    #[test]
    fn each_service_refusal_keeps_its_code_and_status_on_the_wire() {
        let refusal = TransitionError::NotAllowedFrom {
            transition: Transition::Cancel,
            from: DrawdownState::Accepted,
        };
        let cases: Vec<(AppError, u16)> = vec![
            (DrawdownError::Forbidden.into(), 403),
            (DrawdownError::Refused { refusal }.into(), 409),
            (DrawdownError::Fault(Fault::Unavailable).into(), 503),
            (LicensingError::NotFound.into(), 404),
            (LicensingError::FileEnded.into(), 410),
            (
                LicensingError::InvalidBinding {
                    problem: BindingError::NotCloud,
                }
                .into(),
                422,
            ),
            (LicensingError::Fault(Fault::Internal).into(), 500),
            (AccountError::Forbidden.into(), 403),
            (PeopleError::Forbidden.into(), 403),
            (PeopleError::EmailTaken.into(), 409),
            (PeopleError::LinkUnusable.into(), 410),
            (PeopleError::WrongPassword.into(), 422),
            (
                PeopleError::Password(crate::domain::PasswordError::TooCommon).into(),
                422,
            ),
            (PeopleError::OwnUser.into(), 403),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
        }
    }
}
