//! The browser's wire format for what it reads: the answers of server
//! functions and the resources' values the server renders into the page.
//!
//! postcard, not JSON: a serde_json decoder for each type the browser reads
//! was a sixth of the WebAssembly (field names matched as text, maps and
//! sequences both accepted); postcard's reads the fields in order.
//! Errors too: `AppError`'s JSON is internally tagged (`{"error": code}`,
//! the contract of every other client), which postcard cannot read, so the
//! browser reads a twin of it tagged by position (`CompactError`). A server
//! function answers postcard, value or error, only to a caller whose
//! `Accept` names it, as the WebAssembly's calls do; anyone else (scripts,
//! tests, a proxy's health check) is answered JSON.

use bytes::Bytes;
#[cfg(feature = "ssr")]
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::codec::Post;
use leptos::server_fn::{ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::domain::{
    AccountNameError, AdminProblem, BindingError, DrawdownField, DrawdownFieldError, EmailError,
    FieldProblem, ImportCheck, ImportProblem, LicenseFileProblem, OrderLineId, PasswordError,
    ProvisioningError, ReasonError, TransitionError,
};
use crate::error::AppError;

/// The media type of what is written for the WebAssembly.
pub const MEDIA_TYPE: &str = "application/x-postcard";

/// A server function's answer in postcard.
pub struct WireEncoding;

impl ContentType for WireEncoding {
    const CONTENT_TYPE: &'static str = MEDIA_TYPE;
}

impl FormatType for WireEncoding {
    const FORMAT_TYPE: Format = Format::Binary;
}

/// Why an answer could not be encoded or read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("postcard: {0}")]
    Postcard(#[from] postcard::Error),
    #[cfg(feature = "ssr")]
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl<T: Serialize> Encodes<T> for WireEncoding {
    type Error = WireError;

    fn encode(value: &T) -> Result<Bytes, WireError> {
        #[cfg(feature = "ssr")]
        if !request_accepts(MEDIA_TYPE) {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.insert_header(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static(JsonEncoding::CONTENT_TYPE),
                );
            }
            return Ok(<JsonEncoding as Encodes<T>>::encode(value)?);
        }
        Ok(postcard::to_allocvec(value)?.into())
    }
}

impl<T: DeserializeOwned> Decodes<T> for WireEncoding {
    type Error = WireError;

    fn decode(bytes: Bytes) -> Result<T, WireError> {
        Ok(postcard::from_bytes(&bytes)?)
    }
}

/// Whether the request being answered names `media_type` in its `Accept`.
#[cfg(feature = "ssr")]
pub fn request_accepts(media_type: &str) -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| accepts(&parts.headers, media_type))
}

/// Whether `headers` name `media_type` in their `Accept` (the first one, as
/// leptos_axum reads it to tell a plain HTML form post).
#[cfg(feature = "ssr")]
pub fn accepts(headers: &http::HeaderMap, media_type: &str) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains(media_type))
}

/// An error's body and its media type: postcard for the WebAssembly, JSON
/// (the stable codes) for anyone else.
#[cfg(feature = "ssr")]
pub fn error_body(error: &AppError, postcard: bool) -> (&'static str, Vec<u8>) {
    if postcard {
        (MEDIA_TYPE, error_to_wire(error))
    } else {
        (
            JsonEncoding::CONTENT_TYPE,
            serde_json::to_vec(error).unwrap_or_default(),
        )
    }
}

/// `AppError` tagged by position, as postcard writes an enum: the same
/// variants (the compiler checks them against `AppError`).
#[derive(Serialize, Deserialize)]
#[serde(remote = "AppError")]
enum CompactError {
    NotSignedIn,
    WrongCredentials,
    Forbidden,
    NotFound,
    LicenseFileEnded,
    Throttled {
        retry_after: u32,
    },
    TooManySaves {
        retry_after: u32,
    },
    InvalidInput {
        field: String,
    },
    InvalidDrawdown {
        #[serde(with = "compact_problems")]
        problems: Vec<FieldProblem>,
    },
    InvalidDrawdownImport {
        check: Box<ImportCheck>,
    },
    TransitionRefused {
        refusal: TransitionError,
    },
    InvalidReason {
        problem: ReasonError,
    },
    InvalidLicenseFile {
        problems: Vec<LicenseFileProblem>,
    },
    InvalidBinding {
        problem: BindingError,
    },
    InvalidProvisioning {
        problem: ProvisioningError,
    },
    InvalidPassword {
        problem: PasswordError,
    },
    WrongCurrentPassword,
    LinkUnusable,
    InvalidEmail {
        problem: EmailError,
    },
    InvalidDisplayName {
        problem: AccountNameError,
    },
    EmailTaken,
    CannotDeactivateSelf,
    InvalidForm {
        problems: Vec<AdminProblem>,
    },
    InvalidImport {
        problems: Vec<ImportProblem>,
    },
    CrossOrigin,
    TooLarge,
    UnsupportedMediaType,
    Malformed,
    Unavailable,
    Internal,
    Transport {
        detail: String,
    },
}

/// A drawdown form problem whose field is told by position: its JSON names
/// it by a tag with the line beside it (`{"field": "quantity", "line": 7}`),
/// which postcard cannot read either.
#[derive(Serialize, Deserialize)]
#[serde(remote = "FieldProblem")]
struct CompactProblem {
    #[serde(with = "CompactField")]
    field: DrawdownField,
    error: DrawdownFieldError,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "DrawdownField")]
enum CompactField {
    Order,
    CustomerAccount,
    CustomerWebsite,
    CustomerName,
    CustomerEmail,
    Quantity(OrderLineId),
    Quantities,
}

mod compact_problems {
    use super::{CompactProblem, FieldProblem};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    struct Each<'a>(&'a FieldProblem);

    impl Serialize for Each<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            CompactProblem::serialize(self.0, serializer)
        }
    }

    #[derive(Deserialize)]
    struct Read(#[serde(with = "CompactProblem")] FieldProblem);

    pub fn serialize<S: Serializer>(problems: &[FieldProblem], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(problems.iter().map(Each))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<FieldProblem>, D::Error> {
        Ok(Vec::<Read>::deserialize(deserializer)?
            .into_iter()
            .map(|Read(problem)| problem)
            .collect())
    }
}

struct Compact<'a>(&'a AppError);

impl Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        CompactError::serialize(self.0, serializer)
    }
}

#[derive(Deserialize)]
struct Decoded(#[serde(with = "CompactError")] AppError);

/// An error as the browser reads it.
pub fn error_to_wire(error: &AppError) -> Vec<u8> {
    postcard::to_allocvec(&Compact(error)).unwrap_or_default()
}

/// An error the server wrote for the browser; anything else (a proxy's
/// page, a truncated body) is a failed request, told as such.
pub fn error_from_wire(bytes: &[u8]) -> AppError {
    match read_whole::<Decoded>(bytes) {
        Some(Decoded(error)) => error,
        None => AppError::Transport {
            detail: "unreadable error answer".into(),
        },
    }
}

/// `bytes` as one postcard value with nothing after it.
pub fn read_whole<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Arguments in a `POST` body, the answer in postcard.
pub type Wire = Post<WireEncoding>;

/// A resource's codec: its value `Ok` or its `Err`, in postcard, behind a
/// byte that says which.
pub struct WireCodec;

impl<T: Serialize> codee::Encoder<Result<T, AppError>> for WireCodec {
    type Error = String;
    type Encoded = Vec<u8>;

    fn encode(value: &Result<T, AppError>) -> Result<Vec<u8>, String> {
        match value {
            Ok(value) => postcard::to_extend(value, vec![0]).map_err(|e| e.to_string()),
            Err(error) => postcard::to_extend(&Compact(error), vec![1]).map_err(|e| e.to_string()),
        }
    }
}

impl<T: DeserializeOwned> codee::Decoder<Result<T, AppError>> for WireCodec {
    type Error = String;
    type Encoded = [u8];

    fn decode(bytes: &[u8]) -> Result<Result<T, AppError>, String> {
        match bytes.split_first() {
            Some((0, value)) => postcard::from_bytes(value).map(Ok).map_err(|e| e.to_string()),
            Some((1, error)) => postcard::from_bytes::<Decoded>(error)
                .map(|Decoded(error)| Err(error))
                .map_err(|e| e.to_string()),
            _ => Err("empty resource value".into()),
        }
    }
}

/// What a screen reads through a server function, hydrated from the page.
pub type WireResource<T> = leptos::prelude::Resource<Result<T, AppError>, WireCodec>;

/// A resource whose value the page carries in postcard (`Resource::new`,
/// with this module's codec).
#[track_caller]
pub fn wire_resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> WireResource<T>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    leptos::prelude::Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AccountChoices, AccountId, AccountKind, AccountSummary};
    use codee::{Decoder, Encoder};

    fn choices() -> AccountChoices {
        AccountChoices {
            accounts: vec![AccountSummary {
                id: AccountId(7),
                kind: AccountKind::Customer,
                name: "Contoso Pharma".into(),
                managed_by: Some(AccountId(2)),
                managed_by_name: Some("Northwind".into()),
            }],
            more: true,
        }
    }

    #[test]
    fn a_resource_value_reads_back_as_it_was_written() {
        let value: Result<AccountChoices, AppError> = Ok(choices());
        let bytes = WireCodec::encode(&value).expect("encodes");
        assert_eq!(WireCodec::decode(&bytes), Ok(value));
    }

    #[test]
    fn a_resource_error_reads_back_as_the_same_error() {
        let value: Result<AccountChoices, AppError> = Err(AppError::Throttled { retry_after: 30 });
        let bytes = WireCodec::encode(&value).expect("encodes");
        assert_eq!(bytes[0], 1);
        assert_eq!(WireCodec::decode(&bytes), Ok(value));
    }

    #[test]
    fn a_damaged_resource_value_is_an_error_not_a_panic() {
        let bytes = WireCodec::encode(&Ok::<_, AppError>(choices())).expect("encodes");
        for cut in 0..bytes.len() {
            let read: Result<Result<AccountChoices, AppError>, String> = WireCodec::decode(&bytes[..cut]);
            assert!(read.is_err(), "{cut} bytes read as {read:?}");
        }
        let unknown: Result<Result<AccountChoices, AppError>, String> = WireCodec::decode(&[9, 0]);
        assert!(unknown.is_err());
    }
}
