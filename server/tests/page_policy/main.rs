//! Pages and files asked for at the same time, as a browser does, in a test
//! binary of its own: one process, one runtime, as a server runs.
//!
//! Each page keeps its own Content-Security-Policy, with the nonce of its
//! own scripts, and each file the policy of what is not a page. (Leptos' file
//! handler answered a file as a child of the page being rendered on the same
//! thread and took that page's headers: the page went out with the files'
//! policy and its own scripts and stylesheet were blocked.)

use app::repo::Db;
use axum::body::Body;
use http::{header, Request};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::test]
async fn every_page_keeps_its_own_policy_while_files_are_served_beside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("portal.db").display()))
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let site = tempfile::tempdir().expect("site folder");
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).expect("pkg");
    std::fs::write(pkg.join("portal.css"), b"body { margin: 0 }").expect("css");
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("portal")
        .site_root(site.path().to_string_lossy().into_owned())
        .build();
    let app = server::router(server::app_state(db, Default::default(), options));
    let get = |path: &str| Request::get(path).body(Body::empty()).expect("request");
    let mut answers = Vec::new();
    for _ in 0..40 {
        let requests = (0..8).map(|i| {
            let app = app.clone();
            let path = if i % 2 == 0 { "/sign-in" } else { "/pkg/portal.css" };
            async move {
                let response = app.oneshot(get(path)).await.expect("response");
                let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .expect("ascii")
                    .to_owned();
                let body = response.into_body().collect().await.expect("body").to_bytes();
                (path, policy, String::from_utf8_lossy(&body).into_owned())
            }
        });
        answers.extend(futures::future::join_all(requests).await);
    }
    for (path, policy, body) in answers {
        if path == "/sign-in" {
            let nonce = body
                .split("nonce=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("the page's scripts carry a nonce");
            assert!(
                policy.contains(&format!("'nonce-{nonce}'")),
                "a page went out with another policy than its own: {policy}"
            );
        } else {
            assert_eq!(policy, "default-src 'none'; frame-ancestors 'none'", "{path}");
        }
    }
}
