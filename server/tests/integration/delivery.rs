//! What reaches the browser and how (issue 13): pages and server function
//! answers compressed as the browser accepts, the live-update stream never;
//! the built assets served from their brotli and gzip files, and kept a year
//! by browsers when their names carry their hash; server function answers in
//! postcard to the WebAssembly, which asks for it, and JSON to anyone else.

use app::error::AppError;
use axum::body::Body;
use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::helpers::demo_db;
use crate::sessions::{call, portal};

/// The router behind a browser's decoder: what the user's page receives.
async fn fetch_decoded(app: &axum::Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, String) {
    let decoder = tower_http::decompression::Decompression::new(app.clone());
    let response = decoder.oneshot(request).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// The encoding as sent on the wire (the decoder removes the header).
async fn wire_encoding(app: &axum::Router, request: Request<Body>) -> Option<String> {
    let response = app.clone().oneshot(request).await.expect("response");
    response
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().expect("ascii").to_owned())
}

#[tokio::test]
async fn pages_and_answers_are_compressed_as_the_browser_accepts_but_the_live_stream_is_not() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let page = |encoding: &str| {
        Request::get("/sign-in")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .expect("request")
    };
    assert_eq!(wire_encoding(&app, page("br, gzip")).await.as_deref(), Some("br"));
    assert_eq!(wire_encoding(&app, page("gzip")).await.as_deref(), Some("gzip"));
    assert_eq!(wire_encoding(&app, page("identity")).await, None);
    let (status, headers, html) = fetch_decoded(&app, page("br")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("Sign in"),
        "{html:.200}"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store", "a page is never kept");

    let (_, cookie, _) = call(&app, "sign_in", "email=partner%40example.com&password=demo", None).await;
    let cookie = cookie.expect("session");
    let accounts = || {
        Request::post("/api/list_accounts")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT_ENCODING, "gzip")
            .header(header::COOKIE, cookie.as_str())
            .body(Body::from(r#"{"search":null,"selected":null}"#))
            .expect("request")
    };
    assert_eq!(wire_encoding(&app, accounts()).await.as_deref(), Some("gzip"));
    let (status, _, json) = fetch_decoded(&app, accounts()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let answer: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(json.contains("Contoso Pharma"), "{answer}");

    // Each event must reach the browser when it is sent, not when a
    // compressor's buffer fills.
    let stream = Request::get(app::events::EVENTS_PATH)
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .header(header::COOKIE, cookie.as_str())
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(stream).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn the_webassembly_is_answered_postcard_and_every_other_client_json() {
    let t = demo_db().await;
    let app = portal(t.db.clone());
    let (_, cookie, _) = call(&app, "sign_in", "email=partner%40example.com&password=demo", None).await;
    let cookie = cookie.expect("session");
    let accounts = |accept: Option<&str>| {
        let mut request = Request::post("/api/list_accounts")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, cookie.as_str());
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT, accept);
        }
        request
            .body(Body::from(r#"{"search":null,"selected":null}"#))
            .expect("request")
    };
    let answer = |request: Request<Body>| async {
        let response = app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .to_owned();
        (
            content_type,
            response.into_body().collect().await.expect("body").to_bytes(),
        )
    };

    // What the browser's server-function client sends (its output encoding's type).
    let (content_type, postcard) = answer(accounts(Some("application/x-postcard"))).await;
    assert_eq!(content_type, "application/x-postcard");
    let read: app::domain::AccountChoices =
        <app::codec::WireEncoding as leptos::server_fn::Decodes<_>>::decode(postcard)
            .expect("postcard the app reads");

    for accept in [None, Some("*/*"), Some("application/json")] {
        let (content_type, json) = answer(accounts(accept)).await;
        assert_eq!(content_type, "application/json", "Accept {accept:?}");
        let json: app::domain::AccountChoices = serde_json::from_slice(&json).expect("JSON");
        assert_eq!(json, read, "the same answer in both");
    }
    assert!(
        read.accounts.iter().any(|a| a.name == "Contoso Pharma"),
        "{read:?}"
    );

    // Refusals too, from a server function (not signed in) and from the
    // guard in front of them (a body type no server function takes).
    for (content_type, expected) in [
        ("application/json", AppError::NotSignedIn),
        ("text/plain", AppError::UnsupportedMediaType),
    ] {
        let refused = |accept: Option<&str>| {
            let mut request = Request::post("/api/list_accounts").header(header::CONTENT_TYPE, content_type);
            if let Some(accept) = accept {
                request = request.header(header::ACCEPT, accept);
            }
            request.body(Body::from("{}")).expect("request")
        };
        let read = |request: Request<Body>| async {
            let response = app.clone().oneshot(request).await.expect("response");
            let content_type = response.headers()[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .to_owned();
            let status = response.status().as_u16();
            (
                status,
                content_type,
                response.into_body().collect().await.expect("body").to_bytes(),
            )
        };
        let (status, media, body) = read(refused(Some("application/x-postcard"))).await;
        assert_eq!(
            (status, media.as_str()),
            (expected.status(), "application/x-postcard")
        );
        assert_eq!(app::codec::error_from_wire(&body), expected, "{body:?}");
        let (status, media, body) = read(refused(None)).await;
        assert_eq!((status, media.as_str()), (expected.status(), "application/json"));
        assert_eq!(serde_json::from_slice::<AppError>(&body).expect("JSON"), expected);
    }
}

#[tokio::test]
async fn hashed_assets_come_precompressed_and_are_kept_a_year() {
    let t = demo_db().await;
    let site = tempfile::tempdir().expect("site folder");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg");
    let wasm = b"\0asm\x01\0\0\0 the module".to_vec();
    std::fs::write(pkg.join("portal.H4sh.wasm"), &wasm).expect("wasm");
    std::fs::write(pkg.join("portal.H4sh.wasm.br"), b"brotli bytes").expect("br");
    std::fs::write(pkg.join("portal.H4sh.wasm.gz"), b"gzip bytes").expect("gz");
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("portal")
        .site_root(site.path().to_string_lossy().into_owned())
        .hash_files(true)
        .build();
    let app = server::router(server::app_state(t.db.clone(), Default::default(), options));
    let get = |path: &str, encoding: Option<&str>| {
        let mut request = Request::get(path);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::empty()).expect("request")
    };
    for (encoding, served, body) in [
        (Some("gzip, deflate, br"), Some("br"), &b"brotli bytes"[..]),
        (Some("gzip"), Some("gzip"), &b"gzip bytes"[..]),
        (None, None, &wasm[..]),
    ] {
        let response = app
            .clone()
            .oneshot(get("/pkg/portal.H4sh.wasm", encoding))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{encoding:?}");
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().expect("ascii")),
            served,
            "{encoding:?}"
        );
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&bytes[..], body, "{encoding:?}");
    }
    // A name that is not (or no longer) built is not remembered.
    let response = app
        .clone()
        .oneshot(get("/pkg/portal.0ld.wasm", Some("br")))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
}
