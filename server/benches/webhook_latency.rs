//! Webhook delivery latency (issue 17): from the commit of a drawdown step
//! to the receiver holding its delivery, through the real worker woken by
//! the step, to a receiver over HTTP on loopback that verifies each
//! signature with the portal's signing function and answers 204. Beside it,
//! the bare HTTP round trip to that receiver in the same run.
//!
//!     cargo bench -p server --features app/ssr --bench webhook_latency -- [STEPS]
//!
//! STEPS (default 200) Saves, one at a time (each waits for its delivery).
//! On SQLite, then on PostgreSQL when `PORTAL_BENCH_POSTGRES_URL` is set.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::domain::{DrawdownForm, WebhookEvent};
use app::events::Events;
use app::repo::Db;
use app::services::Services;
use app::settings::Settings;
use tokio::sync::Notify;

// Only their set-up is used here (the read helpers serve the read benches).
#[allow(dead_code)]
#[path = "support/engines.rs"]
mod engines;
#[allow(dead_code)]
#[path = "support/history.rs"]
mod history;

#[tokio::main]
async fn main() {
    let steps: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    engines::on_each_engine("webhooks", |engine, url| async move {
        measure(engine, &url, steps).await
    })
    .await;
}

/// What the receiver saw: each message id with when it arrived.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

async fn receiver(arrivals: Arrivals, notify: Arc<Notify>) -> String {
    use axum::http::HeaderMap;
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, _body: axum::body::Bytes| {
            let (arrivals, notify) = (arrivals.clone(), notify.clone());
            async move {
                let at = Instant::now();
                if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
                    arrivals.lock().expect("arrivals").insert(id.to_owned(), at);
                    notify.notify_one();
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn measure(engine: &str, url: &str, steps: usize) {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let partner = history::demo_user(&db, "partner@example.com").await;
    let (order, line) = history::bench_line(&db, &partner).await;
    let settings = Settings {
        webhooks_to_internal_addresses: true,
        saves_per_partner_per_hour: u32::MAX,
        ..Settings::default()
    };
    let (events, notify) = (Events::new(), Notify::new());
    let woken = Arc::new(Notify::new());
    let arrivals: Arrivals = Arc::default();
    let arrived = Arc::new(Notify::new());
    let target = receiver(arrivals.clone(), arrived.clone()).await;
    let services = Services {
        db: &db,
        settings: &settings,
        events: &events,
        mail_queued: &notify,
        provisioning_queued: &notify,
        webhooks_queued: &woken,
        address: None,
        token: None,
    };
    services
        .create_webhook_endpoint(
            &partner,
            partner.account_id,
            &target,
            &[WebhookEvent::DrawdownSubmitted.as_str().to_owned()],
        )
        .await
        .expect("endpoint");
    let worker = server::webhooks::WebhookWorker {
        db: db.clone(),
        clock: settings.clock.clone(),
        queued: woken.clone(),
        allow_internal: true,
        timeout: Duration::from_secs(10),
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));

    // The bare round trip to the receiver.
    let http = reqwest::Client::new();
    let mut bare = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        http.post(&target).body("{}").send().await.expect("bare post");
        bare.push(started.elapsed());
    }
    bare.sort();

    let mut latencies = Vec::with_capacity(steps);
    for n in 0..steps {
        let form = DrawdownForm {
            customer_account: format!("Hook customer {}", n % 20),
            customer_website: format!("https://hook-{}.example", n % 20),
            customer_name: "Hook Contact".into(),
            customer_email: "hook@customer.example".into(),
            quantities: vec![(line, "1".into())],
        };
        let before = arrivals.lock().expect("arrivals").len();
        services
            .save(&partner, Some(order), &form, None)
            .await
            .expect("saved");
        // `save` returns once committed (and the worker is woken).
        let committed = Instant::now();
        loop {
            let waiting = arrived.notified();
            if arrivals.lock().expect("arrivals").len() > before {
                break;
            }
            tokio::time::timeout(Duration::from_secs(30), waiting)
                .await
                .expect("delivered within 30 s");
        }
        let newest = arrivals
            .lock()
            .expect("arrivals")
            .values()
            .copied()
            .max()
            .expect("an arrival");
        latencies.push(newest.saturating_duration_since(committed));
    }
    latencies.sort();
    let _ = stop.send(true);
    let _ = running.await;
    let at = |v: &[Duration], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{engine}: {steps} deliveries, commit to receipt p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; bare POST to the receiver p50 {:.2} ms, p99 {:.2} ms",
        at(&latencies, 0.5),
        at(&latencies, 0.99),
        at(&latencies, 1.0),
        at(&bare, 0.5),
        at(&bare, 0.99),
    );
}
