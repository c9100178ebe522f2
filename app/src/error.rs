//! The one error type that crosses the wire from server functions to the
//! browser. Stable snake_case codes; no database or internal text, ever:
//! that goes to the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::{
    AccountNameError, AdminProblem, AdminRule, BindingError, EmailError, FieldProblem, ImportCheck,
    ImportProblem, LicenseFileProblem, PasswordError, ProvisioningError, ReasonError, TransitionError,
};
use crate::i18n::{self, AccountText, DrawdownsText, ErrorText, LicensesText, Locale, SignInText};

/// What a server function can answer instead of its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    /// No valid session: sign in first.
    #[error("not signed in")]
    NotSignedIn,
    /// The sign-in email and password do not match a user. One message for
    /// both cases, so the form does not reveal who has an account.
    #[error("wrong email or password")]
    WrongCredentials,
    /// Signed in, but this is outside what the user may see or do.
    #[error("forbidden")]
    Forbidden,
    /// The thing asked for does not exist (or is not the caller's to know of).
    #[error("not found")]
    NotFound,
    /// The license file was revoked or replaced: it is not downloaded or
    /// renewed any more.
    #[error("the license file was revoked or replaced")]
    LicenseFileEnded,
    /// Too many failed sign-ins for this account or from this address:
    /// every attempt is refused until `retry_after` seconds have passed.
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled { retry_after: u32 },
    /// The partner saved as many requests as it may in an hour; the next
    /// Save is taken after `retry_after` seconds.
    #[error("too many requests saved; retry in {retry_after} s")]
    TooManySaves { retry_after: u32 },
    /// A field broke a rule; `field` names the form field.
    #[error("{field} is not valid")]
    InvalidInput { field: String },
    /// The drawdown request form has problems, each next to its field;
    /// nothing was saved.
    #[error("the drawdown request is not valid")]
    InvalidDrawdown { problems: Vec<FieldProblem> },
    /// A bulk import of drawdown requests has problems, each row's with its
    /// column, beside what the file would take from each order line;
    /// nothing was saved.
    #[error("the import is not valid")]
    InvalidDrawdownImport { check: Box<ImportCheck> },
    /// The request's state or the caller's role does not allow this step
    /// (also when another person's step got there first); nothing changed.
    #[error("{refusal}")]
    TransitionRefused { refusal: TransitionError },
    /// The reason given with a decision is not valid.
    #[error("{problem}")]
    InvalidReason { problem: ReasonError },
    /// The license file form has problems, each next to its field; no file
    /// was issued and nothing was released.
    #[error("the license file is not valid")]
    InvalidLicenseFile { problems: Vec<LicenseFileProblem> },
    /// A binding to a Control Room or an unbinding was refused.
    #[error("{problem}")]
    InvalidBinding { problem: BindingError },
    /// A provisioning request was refused.
    #[error("{problem}")]
    InvalidProvisioning { problem: ProvisioningError },
    /// A new password breaks the policy, or its confirmation differs.
    #[error("{problem}")]
    InvalidPassword { problem: PasswordError },
    /// The current password typed (to change it) is not the user's.
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    /// A one-time link (invitation, reset) was used, expired or never was.
    #[error("the link was used or has expired")]
    LinkUnusable,
    /// The email address of a new user is not one.
    #[error("{problem}")]
    InvalidEmail { problem: EmailError },
    /// A user's display name is not one.
    #[error("{problem}")]
    InvalidDisplayName { problem: AccountNameError },
    /// Another user already has this email address.
    #[error("a user with this email already exists")]
    EmailTaken,
    /// Nobody deactivates themselves.
    #[error("you cannot deactivate yourself")]
    CannotDeactivateSelf,
    /// An Administration form has problems, each next to its field; nothing
    /// was written. A name, SKU or number another has is a conflict (409)
    /// when it is the only kind of problem.
    #[error("the form is not valid")]
    InvalidForm { problems: Vec<AdminProblem> },
    /// An orders file has problems, each by line and column; nothing was
    /// imported.
    #[error("the file is not valid")]
    InvalidImport { problems: Vec<ImportProblem> },
    /// A state change from a page that is not the portal's own (its
    /// `Origin` or `Sec-Fetch-Site` says another site); nothing changed.
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// A body larger than the endpoint takes; nothing was read.
    #[error("request too large")]
    TooLarge,
    /// A server function called with a body type it does not take (JSON
    /// functions take `application/json` only).
    #[error("unsupported body type")]
    UnsupportedMediaType,
    /// The request was not one the server function reads (a body that is
    /// not its JSON, a missing argument); what was wrong is in the log.
    #[error("malformed request")]
    Malformed,
    /// The database does not answer (down, restarting, every connection
    /// busy): nothing was done; the same request may be sent again.
    #[error("the database is unavailable")]
    Unavailable,
    /// Something failed on the server; details are in its log.
    #[error("internal error")]
    Internal,
    /// In the browser only: the request did not reach the server or its
    /// answer was unreadable. Never sent by the server.
    #[error("request failed: {detail}")]
    Transport { detail: String },
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server, a request the function could not read: a 400 whose
    /// cause stays in the log. In the browser, a call that failed on the way.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            tracing::info!(error = %value, "server function request refused");
            match value {
                ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_) => AppError::Malformed,
                _ => AppError::Internal,
            }
        }
        #[cfg(not(feature = "ssr"))]
        AppError::Transport {
            detail: value.to_string(),
        }
    }

    /// The answer's body, in postcard for the WebAssembly (its calls'
    /// `Accept` names it) and JSON for anyone else; on the server, the
    /// answer's status follows the error (`AppError::status`), so proxies
    /// and alerts can read it.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::use_context;
            // A plain HTML form post (before the page hydrates) is answered
            // with a redirect back to the form, the error in its URL: keep that.
            let from_html_form = crate::codec::request_accepts("text/html");
            let for_browser = crate::codec::request_accepts(crate::codec::MEDIA_TYPE);
            let (content_type, body) = crate::codec::error_body(self, for_browser);
            if let (false, Some(response)) = (from_html_form, use_context::<leptos_axum::ResponseOptions>()) {
                if let Ok(status) = axum::http::StatusCode::from_u16(self.status()) {
                    response.set_status(status);
                }
                response.insert_header(
                    axum::http::header::CONTENT_TYPE,
                    axum::http::HeaderValue::from_static(content_type),
                );
                if let AppError::Throttled { retry_after } | AppError::TooManySaves { retry_after } = self {
                    response.insert_header(axum::http::header::RETRY_AFTER, (*retry_after).into());
                }
            }
            body.into()
        }
        #[cfg(not(feature = "ssr"))]
        crate::codec::error_to_wire(self).into()
    }

    /// The browser reads errors in postcard only (no JSON decoder in the
    /// WebAssembly); the server reads them as it writes them to other clients.
    fn de(data: leptos::server_fn::Bytes) -> Self {
        #[cfg(feature = "ssr")]
        {
            <JsonEncoding as leptos::server_fn::Decodes<Self>>::decode(data).unwrap_or_else(|e| {
                Self::from_server_fn_error(ServerFnErrorErr::Deserialization(e.to_string()))
            })
        }
        #[cfg(not(feature = "ssr"))]
        crate::codec::error_from_wire(&data)
    }
}

impl AppError {
    /// The HTTP status of an answer with this error (SPEC, "Security
    /// promises"): 401 not signed in, 403 not allowed, 404 not found, 409 the
    /// request's state changed meanwhile, 422 invalid with the fields named,
    /// 400 malformed, 500 only for a fault of the portal.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::WrongCredentials => 401,
            AppError::Forbidden | AppError::CrossOrigin | AppError::CannotDeactivateSelf => 403,
            AppError::LinkUnusable => 410,
            AppError::EmailTaken => 409,
            AppError::InvalidForm { problems } if problems.iter().all(|p| p.rule == AdminRule::Taken) => 409,
            AppError::UnsupportedMediaType => 415,
            AppError::TooLarge => 413,
            AppError::NotFound => 404,
            AppError::LicenseFileEnded => 410,
            AppError::TransitionRefused {
                refusal: TransitionError::NotPermitted { .. },
            } => 403,
            AppError::TransitionRefused {
                refusal: TransitionError::NotAllowedFrom { .. },
            } => 409,
            AppError::InvalidInput { .. }
            | AppError::InvalidDrawdown { .. }
            | AppError::InvalidDrawdownImport { .. }
            | AppError::InvalidReason { .. }
            | AppError::InvalidLicenseFile { .. }
            | AppError::InvalidBinding { .. }
            | AppError::InvalidProvisioning { .. }
            | AppError::InvalidPassword { .. }
            | AppError::WrongCurrentPassword
            | AppError::InvalidEmail { .. }
            | AppError::InvalidDisplayName { .. }
            | AppError::InvalidForm { .. }
            | AppError::InvalidImport { .. } => 422,
            AppError::Malformed => 400,
            AppError::Throttled { .. } | AppError::TooManySaves { .. } => 429,
            AppError::Unavailable => 503,
            AppError::Internal | AppError::Transport { .. } => 500,
        }
    }

    /// What to tell the user, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::NotSignedIn => ErrorText::ErrorNotSignedIn.text(locale).into(),
            AppError::WrongCredentials => SignInText::WrongCredentials.text(locale).into(),
            AppError::Throttled { retry_after } => i18n::throttled(locale, *retry_after),
            AppError::TooManySaves { retry_after } => i18n::too_many_saves(locale, *retry_after),
            AppError::Forbidden => ErrorText::ErrorForbidden.text(locale).into(),
            AppError::NotFound => ErrorText::ErrorNotFound.text(locale).into(),
            AppError::LicenseFileEnded => ErrorText::ErrorLicenseFileEnded.text(locale).into(),
            AppError::InvalidInput { .. } => ErrorText::ErrorInvalidInput.text(locale).into(),
            AppError::InvalidDrawdown { .. } => DrawdownsText::ErrorInvalidDrawdown.text(locale).into(),
            AppError::InvalidDrawdownImport { .. } => {
                i18n::ImportText::ErrorInvalidImport.text(locale).into()
            }
            AppError::TransitionRefused { refusal } => i18n::transition_refusal(locale, refusal),
            AppError::InvalidReason { problem } => i18n::reason_error(locale, problem),
            AppError::InvalidLicenseFile { .. } => LicensesText::ErrorInvalidLicenseFile.text(locale).into(),
            AppError::InvalidBinding { problem } => i18n::binding_error(locale, problem),
            AppError::InvalidProvisioning { problem } => i18n::provisioning_error(locale, problem),
            AppError::InvalidPassword { problem } => i18n::password_error(locale, problem),
            AppError::WrongCurrentPassword => AccountText::WrongCurrentPassword.text(locale).into(),
            AppError::LinkUnusable => AccountText::LinkUnusable.text(locale).into(),
            AppError::InvalidEmail { problem } => i18n::email_error(locale, problem),
            AppError::InvalidDisplayName { problem } => i18n::name_error(locale, problem),
            AppError::EmailTaken => AccountText::EmailTaken.text(locale).into(),
            AppError::CannotDeactivateSelf => AccountText::CannotDeactivateSelf.text(locale).into(),
            AppError::InvalidForm { .. } => ErrorText::ErrorInvalidForm.text(locale).into(),
            AppError::InvalidImport { .. } => ErrorText::ErrorInvalidImport.text(locale).into(),
            AppError::Malformed
            | AppError::CrossOrigin
            | AppError::UnsupportedMediaType
            | AppError::TooLarge => ErrorText::ErrorMalformed.text(locale).into(),
            AppError::Unavailable => ErrorText::ErrorUnavailable.text(locale).into(),
            AppError::Internal | AppError::Transport { .. } => ErrorText::ErrorInternal.text(locale).into(),
        }
    }

    /// Logs an unexpected server-side failure and hides it from the caller.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// As the services classify it (`services::Fault`): 503 when the
    /// database cannot be reached, else 500.
    fn from(err: sqlx::Error) -> Self {
        crate::services::Fault::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    //! The wire form of every error the portal answers, pinned: the UI, API
    //! clients and the end-to-end tests read these codes, so changing one is
    //! a breaking change to make on purpose.
    use super::*;
    use crate::domain::*;

    fn wire(error: &AppError) -> String {
        serde_json::to_string(error).expect("serializes")
    }

    #[test]
    fn every_error_code_is_stable_snake_case_at_every_level() {
        let line = OrderLineId(7);
        let cases: Vec<(AppError, u16, &str)> = vec![
            (AppError::NotSignedIn, 401, r#"{"error":"not_signed_in"}"#),
            (
                AppError::WrongCredentials,
                401,
                r#"{"error":"wrong_credentials"}"#,
            ),
            (AppError::Forbidden, 403, r#"{"error":"forbidden"}"#),
            (AppError::NotFound, 404, r#"{"error":"not_found"}"#),
            (
                AppError::LicenseFileEnded,
                410,
                r#"{"error":"license_file_ended"}"#,
            ),
            (
                AppError::InvalidInput {
                    field: "language".into(),
                },
                422,
                r#"{"error":"invalid_input","field":"language"}"#,
            ),
            (
                AppError::InvalidDrawdown {
                    problems: vec![
                        FieldProblem {
                            field: DrawdownField::Order,
                            error: DrawdownFieldError::NoOrder,
                        },
                        FieldProblem {
                            field: DrawdownField::CustomerAccount,
                            error: DrawdownFieldError::Name(AccountNameError::TooLong { max: 200 }),
                        },
                        FieldProblem {
                            field: DrawdownField::CustomerWebsite,
                            error: DrawdownFieldError::Website(WebsiteError::NotAnHttpUrl),
                        },
                        FieldProblem {
                            field: DrawdownField::CustomerEmail,
                            error: DrawdownFieldError::Email(EmailError::Invalid),
                        },
                        FieldProblem {
                            field: DrawdownField::Quantity(line),
                            error: DrawdownFieldError::Quantity(QuantityError::TooLarge {
                                max: 1_000_000_000,
                            }),
                        },
                        FieldProblem {
                            field: DrawdownField::Quantity(line),
                            error: DrawdownFieldError::AboveAvailable { available: 3 },
                        },
                        FieldProblem {
                            field: DrawdownField::Quantities,
                            error: DrawdownFieldError::NothingRequested,
                        },
                    ],
                },
                422,
                concat!(
                    r#"{"error":"invalid_drawdown","problems":["#,
                    r#"{"field":{"field":"order"},"error":"no_order"},"#,
                    r#"{"field":{"field":"customer_account"},"error":{"name":{"too_long":{"max":200}}}},"#,
                    r#"{"field":{"field":"customer_website"},"error":{"website":"not_an_http_url"}},"#,
                    r#"{"field":{"field":"customer_email"},"error":{"email":"invalid"}},"#,
                    r#"{"field":{"field":"quantity","line":7},"error":{"quantity":{"too_large":{"max":1000000000}}}},"#,
                    r#"{"field":{"field":"quantity","line":7},"error":{"above_available":{"available":3}}},"#,
                    r#"{"field":{"field":"quantities"},"error":"nothing_requested"}]}"#,
                ),
            ),
            (
                AppError::InvalidDrawdownImport {
                    check: Box::new(ImportCheck {
                        file_problems: vec![],
                        rows: vec![CheckedRow {
                            line: 2,
                            customer_account: "C".into(),
                            product: "P".into(),
                            quantity: "1".into(),
                            problems: vec![ImportRowProblem {
                                column: Some(ImportColumn::Product),
                                rule: ImportRule::ProductTwice { line: 1 },
                            }],
                        }],
                        lines: vec![],
                        requests: 1,
                    }),
                },
                422,
                concat!(
                    r#"{"error":"invalid_drawdown_import","check":{"file_problems":[],"rows":[{"line":2,"#,
                    r#""customer_account":"C","product":"P","quantity":"1","problems":[{"column":"product","#,
                    r#""rule":{"product_twice":{"line":1}}}]}],"lines":[],"requests":1}}"#,
                ),
            ),
            (
                AppError::TransitionRefused {
                    refusal: TransitionError::NotPermitted {
                        transition: Transition::Approve,
                        actor: Actor::Partner,
                    },
                },
                403,
                r#"{"error":"transition_refused","refusal":{"not_permitted":{"transition":"approve","actor":"partner"}}}"#,
            ),
            (
                AppError::TransitionRefused {
                    refusal: TransitionError::NotAllowedFrom {
                        transition: Transition::Accept,
                        from: DrawdownState::Cancelled,
                    },
                },
                409,
                r#"{"error":"transition_refused","refusal":{"not_allowed_from":{"transition":"accept","from":"cancelled"}}}"#,
            ),
            (
                AppError::InvalidReason {
                    problem: ReasonError::TooLong { max: 2000 },
                },
                422,
                r#"{"error":"invalid_reason","problem":{"too_long":{"max":2000}}}"#,
            ),
            (
                AppError::InvalidLicenseFile {
                    problems: vec![
                        LicenseFileProblem {
                            field: LicenseFileField::HostName,
                            error: LicenseFileFieldError::HostName(HostNameError::Format),
                        },
                        LicenseFileProblem {
                            field: LicenseFileField::HostId,
                            error: LicenseFileFieldError::HostId(HostIdError::TooLong { max: 64 }),
                        },
                        LicenseFileProblem {
                            field: LicenseFileField::Quantity(EntitlementId(4)),
                            error: LicenseFileFieldError::MoreThanFree { free: 2 },
                        },
                        LicenseFileProblem {
                            field: LicenseFileField::HostId,
                            error: LicenseFileFieldError::HostHasFile,
                        },
                    ],
                },
                422,
                concat!(
                    r#"{"error":"invalid_license_file","problems":["#,
                    r#"{"field":"host_name","error":{"host_name":"format"}},"#,
                    r#"{"field":"host_id","error":{"host_id":{"too_long":{"max":64}}}},"#,
                    r#"{"field":{"quantity":4},"error":{"more_than_free":{"free":2}}},"#,
                    r#"{"field":"host_id","error":"host_has_file"}]}"#,
                ),
            ),
            (
                AppError::InvalidBinding {
                    problem: BindingError::Quantity(QuantityError::Zero),
                },
                422,
                r#"{"error":"invalid_binding","problem":{"quantity":"zero"}}"#,
            ),
            (
                AppError::InvalidBinding {
                    problem: BindingError::NotBound,
                },
                422,
                r#"{"error":"invalid_binding","problem":"not_bound"}"#,
            ),
            (
                AppError::InvalidProvisioning {
                    problem: ProvisioningError::Tenant(TenantNameError::Length { min: 3, max: 40 }),
                },
                422,
                r#"{"error":"invalid_provisioning","problem":{"tenant":{"length":{"min":3,"max":40}}}}"#,
            ),
            (
                AppError::InvalidProvisioning {
                    problem: ProvisioningError::NotReady(InstanceState::Active),
                },
                422,
                r#"{"error":"invalid_provisioning","problem":{"not_ready":"active"}}"#,
            ),
            (AppError::Malformed, 400, r#"{"error":"malformed"}"#),
            (
                AppError::Throttled { retry_after: 840 },
                429,
                r#"{"error":"throttled","retry_after":840}"#,
            ),
            (
                AppError::TooManySaves { retry_after: 60 },
                429,
                r#"{"error":"too_many_saves","retry_after":60}"#,
            ),
            (AppError::CrossOrigin, 403, r#"{"error":"cross_origin"}"#),
            (AppError::TooLarge, 413, r#"{"error":"too_large"}"#),
            (
                AppError::UnsupportedMediaType,
                415,
                r#"{"error":"unsupported_media_type"}"#,
            ),
            (AppError::Unavailable, 503, r#"{"error":"unavailable"}"#),
            (AppError::Internal, 500, r#"{"error":"internal"}"#),
            (
                AppError::InvalidPassword {
                    problem: PasswordError::TooShort { min: 12 },
                },
                422,
                r#"{"error":"invalid_password","problem":{"too_short":{"min":12}}}"#,
            ),
            (
                AppError::InvalidPassword {
                    problem: PasswordError::TooCommon,
                },
                422,
                r#"{"error":"invalid_password","problem":"too_common"}"#,
            ),
            (
                AppError::WrongCurrentPassword,
                422,
                r#"{"error":"wrong_current_password"}"#,
            ),
            (AppError::LinkUnusable, 410, r#"{"error":"link_unusable"}"#),
            (
                AppError::InvalidEmail {
                    problem: EmailError::Invalid,
                },
                422,
                r#"{"error":"invalid_email","problem":"invalid"}"#,
            ),
            (
                AppError::InvalidDisplayName {
                    problem: AccountNameError::Empty,
                },
                422,
                r#"{"error":"invalid_display_name","problem":"empty"}"#,
            ),
            (AppError::EmailTaken, 409, r#"{"error":"email_taken"}"#),
            (
                AppError::CannotDeactivateSelf,
                403,
                r#"{"error":"cannot_deactivate_self"}"#,
            ),
            (
                AppError::InvalidForm {
                    problems: vec![
                        AdminProblem {
                            field: AdminField::Name,
                            rule: AdminRule::Taken,
                        },
                        AdminProblem {
                            field: AdminField::Quantity(2),
                            rule: AdminRule::Quantity(QuantityError::Zero),
                        },
                        AdminProblem {
                            field: AdminField::OrderNumber,
                            rule: AdminRule::OrderNumber(OrderNumberError::BadCharacter),
                        },
                    ],
                },
                422,
                concat!(
                    r#"{"error":"invalid_form","problems":["#,
                    r#"{"field":"name","rule":"taken"},"#,
                    r#"{"field":{"quantity":2},"rule":{"quantity":"zero"}},"#,
                    r#"{"field":"order_number","rule":{"order_number":"bad_character"}}]}"#,
                ),
            ),
            (
                AppError::InvalidForm {
                    problems: vec![AdminProblem {
                        field: AdminField::Sku,
                        rule: AdminRule::Taken,
                    }],
                },
                409,
                r#"{"error":"invalid_form","problems":[{"field":"sku","rule":"taken"}]}"#,
            ),
            (
                AppError::InvalidImport {
                    problems: vec![ImportProblem {
                        line: 3,
                        column: "order_date".into(),
                        rule: AdminRule::DiffersFromLine { line: 2 },
                    }],
                },
                422,
                r#"{"error":"invalid_import","problems":[{"line":3,"column":"order_date","rule":{"differs_from_line":{"line":2}}}]}"#,
            ),
        ];
        for (error, status, json) in &cases {
            assert_eq!(wire(error), *json, "{error:?}");
            assert_eq!(error.status(), *status, "{error:?}");
            let back: AppError = serde_json::from_str(json).expect("reads back");
            assert_eq!(&back, error);
            let wire = crate::codec::error_to_wire(error);
            assert_eq!(
                &crate::codec::error_from_wire(&wire),
                error,
                "the browser's form, {wire:?}"
            );
        }
    }
}
