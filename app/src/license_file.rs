//! Signed license files (SPEC, "File licenses" and "Security promises"): a
//! document a Control Room installation verifies offline with the vendor's
//! public key, valid until its `not_after` (a lease of at most 30 days by
//! default, never past the entitlements' end).
//!
//! The file is the document as JSON, in base64, then a signature block:
//!
//! ```text
//! -----BEGIN LICENSE-----
//! eyJmb3JtYXQiOjIsImxpY2Vuc2UiOiJMSUMtMDAwMDAxIiwiYWNjb3VudCI6IkNvbnRvc28g
//! …
//! -----END LICENSE-----
//! key-id: 3f1c…
//! signature: <base64 Ed25519 signature of every byte from BEGIN to END, newline included>
//! ```
//!
//! No text a user typed (an account or host name) can change the document's
//! structure: it is a JSON string inside base64, whose alphabet has no line
//! break, dash or colon. Only the block's bytes are signed, so no
//! re-encoding can differ between signer and verifier.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const BEGIN: &str = "-----BEGIN LICENSE-----\n";
const END: &str = "-----END LICENSE-----\n";
/// Version 1 was a line-per-field text a name could break; it is refused.
const FORMAT: u32 = 2;
/// Base64 lines of the block, as PEM wraps them.
const LINE: usize = 64;

/// One licensed product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensedProduct {
    pub name: String,
    pub quantity: i64,
    pub term_months: i64,
}

/// What a license file grants, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseDocument {
    /// The license's reference, e.g. `LIC-000001`.
    pub license: String,
    pub account: String,
    pub host_name: String,
    pub host_id: String,
    /// When this copy was signed (a renewal signs a new copy), Unix seconds.
    pub issued_at: i64,
    /// The end of its lease, Unix seconds: the file is refused from then on.
    pub not_after: i64,
    pub products: Vec<LicensedProduct>,
}

/// The signed JSON: the document with its format version first.
#[derive(Serialize, Deserialize)]
struct Signed {
    format: u32,
    #[serde(flatten)]
    document: LicenseDocument,
}

/// Why a license file is refused; each says exactly what failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a license file: {0}")]
    NotALicense(String),
    #[error("the license was signed with another key (key id {found}; this key's id is {expected})")]
    WrongKey { found: String, expected: String },
    #[error("the signature does not match the document: the file was changed after it was signed")]
    Tampered,
    #[error("the license's lease ended at {0}; download its renewed file from the portal")]
    Expired(String),
}

/// The short id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(key: &VerifyingKey) -> String {
    Sha256::digest(key.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A Unix time as RFC 3339, for messages.
pub fn timestamp(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

impl LicenseDocument {
    /// The signed block, exactly as it is signed.
    pub fn to_text(&self) -> String {
        let json = serde_json::to_vec(&Signed {
            format: FORMAT,
            document: self.clone(),
        })
        .unwrap_or_default();
        let encoded = base64::engine::general_purpose::STANDARD.encode(json);
        let mut text = String::from(BEGIN);
        for chunk in encoded.as_bytes().chunks(LINE) {
            // Base64 is ASCII: every chunk is a str.
            text.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            text.push('\n');
        }
        text.push_str(END);
        text
    }

    fn from_text(text: &str) -> Result<Self, VerifyError> {
        let bad = |why: &str| VerifyError::NotALicense(why.to_string());
        let body = text
            .strip_prefix(BEGIN)
            .and_then(|t| t.strip_suffix(END))
            .ok_or_else(|| bad("the document block is missing"))?;
        let encoded: String = body.lines().collect();
        let json = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| bad("the document block is not base64"))?;
        let format = serde_json::from_slice::<serde_json::Value>(&json)
            .ok()
            .and_then(|v| v.get("format").and_then(serde_json::Value::as_u64));
        if format != Some(u64::from(FORMAT)) {
            return Err(bad(
                "unknown format version (a file from before leases: configure it again)",
            ));
        }
        serde_json::from_slice::<Signed>(&json)
            .map(|signed| signed.document)
            .map_err(|e| bad(&format!("unreadable document: {e}")))
    }
}

/// Why the signing key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or write the license signing key {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the license signing key {path} is not one this portal wrote")]
    Malformed { path: String },
    #[error("the license signing key {path} may be read by others (mode {mode:o}); allow its owner only (chmod 600)")]
    TooOpen { path: String, mode: u32 },
}

const KEY_FILE_HEADER: &str = "portal license signing key (ed25519, base64 seed)";

/// The vendor's signing key, kept in `path`: read if it exists, else
/// created with owner-only permissions. A key others could read is refused,
/// since anyone holding it can issue licenses.
pub fn load_or_create_signing_key(path: &std::path::Path) -> Result<SigningKey, KeyFileError> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let shown = path.display().to_string();
    let io = |source| KeyFileError::Io {
        path: shown.clone(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            #[cfg(unix)]
            {
                let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(KeyFileError::TooOpen { path: shown, mode });
                }
            }
            let seed = text
                .strip_prefix(KEY_FILE_HEADER)
                .map(str::trim)
                .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or(KeyFileError::Malformed { path: shown })?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use argon2::password_hash::rand_core::{OsRng, RngCore};
            let mut seed = [0u8; 32];
            OsRng.fill_bytes(&mut seed);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            options.mode(0o600);
            let mut file = options.open(path).map_err(io)?;
            let encoded = base64::engine::general_purpose::STANDARD.encode(seed);
            file.write_all(format!("{KEY_FILE_HEADER}\n{encoded}\n").as_bytes())
                .map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(io(e)),
    }
}

/// The public key as the portal serves it and `license verify` reads it.
pub fn public_key_text(key: &VerifyingKey) -> String {
    format!(
        "key-id: {}\npublic-key: {}\n",
        key_id(key),
        base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
    )
}

/// Reads [`public_key_text`] back.
pub fn parse_public_key(text: &str) -> Option<VerifyingKey> {
    let b64 = text.lines().find_map(|l| l.strip_prefix("public-key: "))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    VerifyingKey::from_bytes(&<[u8; 32]>::try_from(bytes).ok()?).ok()
}

/// The whole file: the document, the signing key's id, the signature.
pub fn sign(document: &LicenseDocument, key: &SigningKey) -> String {
    let text = document.to_text();
    let signature = key.sign(text.as_bytes());
    format!(
        "{text}key-id: {}\nsignature: {}\n",
        key_id(&key.verifying_key()),
        base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
    )
}

/// Checks a file with the vendor's public key at `now` (Unix seconds), and
/// returns what it grants.
pub fn verify(file: &str, key: &VerifyingKey, now: i64) -> Result<LicenseDocument, VerifyError> {
    let bad = |why: &str| VerifyError::NotALicense(why.to_string());
    let end = file
        .find(END)
        .ok_or_else(|| bad("the document block is missing"))?
        + END.len();
    let (text, trailer) = file.split_at(end);
    let mut key_line = None;
    let mut signature_line = None;
    for line in trailer.lines().filter(|l| !l.trim().is_empty()) {
        match line.split_once(": ") {
            Some(("key-id", v)) => key_line = Some(v.trim().to_string()),
            Some(("signature", v)) => signature_line = Some(v.trim().to_string()),
            _ => return Err(bad(&format!("unexpected line after the document: {line:?}"))),
        }
    }
    let found = key_line.ok_or_else(|| bad("the key-id line is missing"))?;
    let expected = key_id(key);
    if found != expected {
        return Err(VerifyError::WrongKey { found, expected });
    }
    let signature = signature_line
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or(VerifyError::Tampered)?;
    key.verify(text.as_bytes(), &signature)
        .map_err(|_| VerifyError::Tampered)?;
    let document = LicenseDocument::from_text(text)?;
    if document.not_after <= now {
        return Err(VerifyError::Expired(timestamp(document.not_after)));
    }
    Ok(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn document() -> LicenseDocument {
        LicenseDocument {
            license: "LIC-000001".into(),
            account: "Contoso Pharma".into(),
            host_name: "cr01.contoso.example".into(),
            host_id: "4C4C4544-0042".into(),
            issued_at: 1_795_000_000,
            not_after: 1_797_592_000,
            products: vec![
                LicensedProduct {
                    name: "Attended Bot Runner".into(),
                    quantity: 10,
                    term_months: 12,
                },
                LicensedProduct {
                    name: "Bot Creator".into(),
                    quantity: 2,
                    term_months: 12,
                },
            ],
        }
    }

    const NOW: i64 = 1_796_000_000;

    #[test]
    fn a_signed_file_verifies_and_reads_back_what_it_grants() {
        let file = sign(&document(), &key(1));
        assert!(file.starts_with(BEGIN), "{file}");
        assert!(
            file.lines()
                .skip(1)
                .take_while(|l| !l.starts_with("-----"))
                .all(|l| l.len() <= LINE),
            "{file}"
        );
        assert_eq!(verify(&file, &key(1).verifying_key(), NOW), Ok(document()));
    }

    #[test]
    fn every_changed_byte_is_refused() {
        let file = sign(&document(), &key(1));
        let public = key(1).verifying_key();
        let mut refused = 0;
        for i in 0..file.len() {
            let mut bytes = file.clone().into_bytes();
            // Change the byte to another printable one.
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let Ok(changed) = String::from_utf8(bytes) else {
                continue;
            };
            if changed == file {
                continue;
            }
            assert!(
                verify(&changed, &public, NOW).is_err(),
                "byte {i} changed and accepted"
            );
            refused += 1;
        }
        assert!(refused > 400, "{refused}");
        // A change in the document is reported as tampering.
        let mut more = document();
        more.products[0].quantity = 99;
        let forged = more.to_text();
        let signature_block = &file[file.find(END).expect("end") + END.len()..];
        assert_eq!(
            verify(&format!("{forged}{signature_block}"), &public, NOW),
            Err(VerifyError::Tampered)
        );
    }

    #[test]
    fn another_key_and_an_expired_file_have_their_own_messages() {
        let file = sign(&document(), &key(1));
        let Err(VerifyError::WrongKey { found, expected }) = verify(&file, &key(2).verifying_key(), NOW)
        else {
            panic!("refused as another key's");
        };
        assert_eq!(found, key_id(&key(1).verifying_key()));
        assert_eq!(expected, key_id(&key(2).verifying_key()));
        let error = verify(&file, &key(1).verifying_key(), 1_797_592_000).expect_err("expired");
        assert_eq!(
            error.to_string(),
            "the license's lease ended at 2026-12-18T11:06:40Z; download its renewed file from the portal"
        );
    }

    #[test]
    fn the_signing_key_is_created_once_for_its_owner_only_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys/license-signing.key");
        let created = load_or_create_signing_key(&path).expect("created");
        let again = load_or_create_signing_key(&path).expect("read");
        assert_eq!(created.to_bytes(), again.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert!(matches!(
                load_or_create_signing_key(&path),
                Err(KeyFileError::TooOpen { mode: 0o644, .. })
            ));
        }
        let public = public_key_text(&created.verifying_key());
        assert_eq!(parse_public_key(&public), Some(created.verifying_key()));
    }

    #[test]
    fn no_name_can_change_the_structure_of_the_file() {
        let mut doc = document();
        doc.account = "Evil\n-----END LICENSE-----\nkey-id: 00\nproduct: Bot Creator | quantity 1000".into();
        doc.host_name =
            "\"},\"products\":[{\"name\":\"Bot Creator\",\"quantity\":1000,\"term_months\":12}],\"x\":{\""
                .into();
        let file = sign(&doc, &key(1));
        assert_eq!(file.matches("-----END LICENSE-----").count(), 1, "{file}");
        let read = verify(&file, &key(1).verifying_key(), NOW).expect("valid");
        assert_eq!(read, doc);
        assert_eq!(read.products.len(), 2);
    }

    #[test]
    fn a_file_of_the_first_format_is_refused_with_its_reason() {
        let old = "-----BEGIN LICENSE-----\nformat: 1\nlicense: LIC-000001\n-----END LICENSE-----\n";
        let signed = key(1).sign(old.as_bytes());
        let file = format!(
            "{old}key-id: {}\nsignature: {}\n",
            key_id(&key(1).verifying_key()),
            base64::engine::general_purpose::STANDARD.encode(signed.to_bytes())
        );
        let Err(VerifyError::NotALicense(why)) = verify(&file, &key(1).verifying_key(), NOW) else {
            panic!("a format 1 file is refused");
        };
        assert!(why.contains("base64"), "{why}");
    }
}
