//! Signed license files (SPEC, "File licenses"): a readable document a
//! Control Room installation verifies offline with the vendor's public key.
//!
//! The file is the document, then a signature block:
//!
//! ```text
//! -----BEGIN LICENSE-----
//! format: 1
//! license: LIC-000001
//! account: Contoso Pharma
//! host-name: cr01.contoso.example
//! host-id: 4C4C4544-0042
//! issued-at: 2026-11-24T12:00:00Z
//! expires-at: 2027-11-24T12:00:00Z
//! product: Attended Bot Runner | quantity 10 | term 12 months
//! -----END LICENSE-----
//! key-id: 3f1c…
//! signature: <base64 Ed25519 signature of every byte from BEGIN to END, newline included>
//! ```
//!
//! Only the document's bytes are signed, so no re-encoding can differ
//! between signer and verifier.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

const BEGIN: &str = "-----BEGIN LICENSE-----\n";
const END: &str = "-----END LICENSE-----\n";
const FORMAT: &str = "1";

/// One licensed product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensedProduct {
    pub name: String,
    pub quantity: i64,
    pub term_months: i64,
}

/// What a license file grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseDocument {
    /// The license's reference, e.g. `LIC-000001`.
    pub license: String,
    pub account: String,
    pub host_name: String,
    pub host_id: String,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
    pub products: Vec<LicensedProduct>,
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
    #[error("the license expired at {0}")]
    Expired(String),
}

/// The short id of a public key: the first 16 hex digits of its SHA-256.
pub fn key_id(key: &VerifyingKey) -> String {
    Sha256::digest(key.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn timestamp(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn parse_timestamp(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Keeps a value on its own line: line breaks inside it become spaces.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ").trim().to_string()
}

impl LicenseDocument {
    /// The document's text, exactly as it is signed.
    pub fn to_text(&self) -> String {
        let mut text = String::from(BEGIN);
        text.push_str(&format!("format: {FORMAT}\n"));
        text.push_str(&format!("license: {}\n", one_line(&self.license)));
        text.push_str(&format!("account: {}\n", one_line(&self.account)));
        text.push_str(&format!("host-name: {}\n", one_line(&self.host_name)));
        text.push_str(&format!("host-id: {}\n", one_line(&self.host_id)));
        text.push_str(&format!("issued-at: {}\n", timestamp(self.issued_at)));
        text.push_str(&format!("expires-at: {}\n", timestamp(self.expires_at)));
        for p in &self.products {
            text.push_str(&format!(
                "product: {} | quantity {} | term {} months\n",
                one_line(&p.name).replace('|', "/"),
                p.quantity,
                p.term_months
            ));
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
        let mut fields = std::collections::BTreeMap::new();
        let mut products = Vec::new();
        for line in body.lines() {
            let (key, value) = line
                .split_once(": ")
                .ok_or_else(|| bad(&format!("unreadable line {line:?}")))?;
            if key == "product" {
                let parts: Vec<&str> = value.split(" | ").collect();
                let [name, quantity, term] = parts[..] else {
                    return Err(bad(&format!("unreadable product {value:?}")));
                };
                let quantity = quantity.strip_prefix("quantity ").and_then(|q| q.parse().ok());
                let term = term
                    .strip_prefix("term ")
                    .and_then(|t| t.strip_suffix(" months"))
                    .and_then(|t| t.parse().ok());
                match (quantity, term) {
                    (Some(quantity), Some(term_months)) => products.push(LicensedProduct {
                        name: name.to_string(),
                        quantity,
                        term_months,
                    }),
                    _ => return Err(bad(&format!("unreadable product {value:?}"))),
                }
            } else {
                fields.insert(key.to_string(), value.to_string());
            }
        }
        let field = |k: &str| {
            fields
                .get(k)
                .cloned()
                .ok_or_else(|| bad(&format!("the {k} line is missing")))
        };
        if field("format")? != FORMAT {
            return Err(bad("unknown format version"));
        }
        let time_field = |k: &str| {
            field(k).and_then(|v| parse_timestamp(&v).ok_or_else(|| bad(&format!("unreadable {k}"))))
        };
        Ok(Self {
            license: field("license")?,
            account: field("account")?,
            host_name: field("host-name")?,
            host_id: field("host-id")?,
            issued_at: time_field("issued-at")?,
            expires_at: time_field("expires-at")?,
            products,
        })
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
    if document.expires_at <= now {
        return Err(VerifyError::Expired(timestamp(document.expires_at)));
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
            expires_at: 1_826_536_000,
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

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signed_file_verifies_and_reads_back_what_it_grants() {
        let file = sign(&document(), &key(1));
        assert!(
            file.contains("product: Attended Bot Runner | quantity 10 | term 12 months\n"),
            "{file}"
        );
        assert!(file.contains("expires-at: 2027-11-18T"), "{file}");
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
        let changed = file.replace("quantity 10", "quantity 99");
        assert_eq!(verify(&changed, &public, NOW), Err(VerifyError::Tampered));
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
        let error = verify(&file, &key(1).verifying_key(), 1_826_536_000).expect_err("expired");
        assert_eq!(error.to_string(), "the license expired at 2027-11-18T11:06:40Z");
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
    fn values_cannot_forge_lines() {
        let mut doc = document();
        doc.account = "Evil\nproduct: Bot Creator | quantity 1000 | term 12 months".into();
        let file = sign(&doc, &key(1));
        let read = verify(&file, &key(1).verifying_key(), NOW).expect("valid");
        assert_eq!(read.products.len(), 2);
        assert!(read.account.starts_with("Evil product:"));
    }
}
