//! `server license verify FILE`, run as the real binary, with the key from
//! the data folder or the public key as the portal serves it.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use app::license_file::{load_or_create_signing_key, sign, LicenseDocument, LicensedProduct};
use app::settings::Settings;
use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::fresh_db;

fn document(not_after: i64) -> LicenseDocument {
    LicenseDocument {
        license: "LIC-000042".into(),
        account: "Contoso Pharma".into(),
        host_name: "cr01.contoso.example".into(),
        host_id: "4C4C4544-0042".into(),
        issued_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        not_after,
        products: vec![LicensedProduct {
            name: "Attended Bot Runner".into(),
            quantity: 10,
            term_months: 12,
        }],
    }
}

/// Runs `server license verify` and returns (success, stdout + stderr).
fn verify(file: &Path, key_file: &Path, public_key: Option<&Path>) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("PORTAL_LICENSE_KEY_FILE", key_file)
        .args(["license", "verify"])
        .arg(file);
    if let Some(public_key) = public_key {
        command.arg("--public-key").arg(public_key);
    }
    let out = command.output().expect("the server binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn license_verify_accepts_a_signed_file_and_says_why_others_fail() {
    let dir = tempfile::tempdir().expect("dir");
    let key_file = dir.path().join("data/license-signing.key");
    let key = load_or_create_signing_key(&key_file).expect("key");
    let in_a_month = time::OffsetDateTime::now_utc().unix_timestamp() + 30 * 86_400;
    let good = dir.path().join("good.lic");
    std::fs::write(&good, sign(&document(in_a_month), &key)).expect("write");

    let (ok, out) = verify(&good, &key_file, None);
    assert!(ok, "{out}");
    assert!(
        out.contains("is valid: LIC-000042 for Contoso Pharma on cr01.contoso.example"),
        "{out}"
    );
    assert!(out.contains("Attended Bot Runner: 10 for 12 months"), "{out}");
    assert!(out.contains("valid offline until "), "{out}");

    // The public key as the portal serves it verifies the file too.
    let t = fresh_db().await;
    let settings = Settings {
        license_signing_key: Arc::new(key.clone()),
        ..Settings::default()
    };
    let app = server::router(crate::helpers::app_state(t.db.clone(), settings));
    let response = app
        .oneshot(
            Request::get(server::LICENSE_PUBLIC_KEY_PATH)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert!(response.status().is_success());
    let served = response.into_body().collect().await.expect("body").to_bytes();
    let public_key = dir.path().join("portal.pub");
    std::fs::write(&public_key, &served).expect("write");
    let elsewhere = dir.path().join("no-such.key");
    let (ok, out) = verify(&good, &elsewhere, Some(&public_key));
    assert!(ok, "{out}");

    let tampered = dir.path().join("tampered.lic");
    // The same signature under a document granting 90.
    let good_text = std::fs::read_to_string(&good).expect("read");
    let mut more = document(in_a_month);
    more.products[0].quantity = 90;
    let signature = &good_text[good_text.find("-----END LICENSE-----\n").expect("end") + 22..];
    let text = format!("{}{signature}", more.to_text());
    std::fs::write(&tampered, text).expect("write");
    let (ok, out) = verify(&tampered, &key_file, None);
    assert!(!ok);
    assert!(out.contains("the file was changed after it was signed"), "{out}");

    let other_key_file = dir.path().join("other.key");
    load_or_create_signing_key(&other_key_file).expect("other key");
    let (ok, out) = verify(&good, &other_key_file, None);
    assert!(!ok);
    assert!(out.contains("signed with another key"), "{out}");

    let expired = dir.path().join("expired.lic");
    std::fs::write(&expired, sign(&document(in_a_month - 31 * 86_400), &key)).expect("write");
    let (ok, out) = verify(&expired, &key_file, None);
    assert!(!ok);
    assert!(out.contains("the license's lease ended at"), "{out}");
}
