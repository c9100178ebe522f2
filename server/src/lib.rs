//! The portal's server: HTTP serving, start-up, demo data, admin commands.

pub mod api_v1;
pub mod audit_export;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod exports;
pub mod live;
pub mod mail;
pub mod ops;
pub mod orders_api;
pub mod provisioning;
pub mod relay;
pub mod security;
pub mod webhooks;

use app::repo::{self, Db};
use app::settings::Settings;
use app::state::AppState;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// The whole HTTP application: pages, server functions, the live-update
/// stream, static files. Streams end when `shutting_down` turns true.
pub fn router(state: AppState) -> Router {
    router_with_shutdown(state, tokio::sync::watch::channel(false).1)
}

/// The app's routes, found once per process. Finding them runs the app with
/// resource loading held back by a flag of Leptos' that is global to the
/// process: a page rendered meanwhile, on any thread, would wait on its
/// resources for ever (leptos-rs/leptos#4773). Once per process, before any
/// router exists, no page can be rendering then; the test binaries build a
/// router per test, in parallel, and used to hang now and then.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router_with_shutdown(state: AppState, shutting_down: tokio::sync::watch::Receiver<bool>) -> Router {
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security::provide_page_policy();
        }
    };
    ops::metrics_handle();
    Router::new()
        .route(HEALTH_PATH, axum::routing::get(|| async { "up\n" }))
        .route(READY_PATH, axum::routing::get(ready))
        .route(app::events::EVENTS_PATH, axum::routing::get(live::event_stream))
        .route(LICENSE_PUBLIC_KEY_PATH, axum::routing::get(license_public_key))
        .route(
            security::CSP_REPORT_PATH,
            axum::routing::post(security::csp_report).layer(axum::extract::DefaultBodyLimit::max(
                security::CSP_REPORT_MAX_BYTES,
            )),
        )
        .route(LICENSE_FILE_PATH, axum::routing::get(download_license_file))
        .route(
            audit_export::AUDIT_EXPORT_PATH,
            axum::routing::get(audit_export::export),
        )
        .route(
            exports::line_statement::LINE_STATEMENT_PATH,
            axum::routing::get(exports::line_statement::export),
        )
        .route(
            exports::holding_statement::HOLDING_STATEMENT_PATH,
            axum::routing::get(exports::holding_statement::export),
        )
        .route(
            exports::requests::DRAWDOWNS_EXPORT_PATH,
            axum::routing::get(exports::requests::drawdowns),
        )
        .route(
            exports::requests::APPROVALS_EXPORT_PATH,
            axum::routing::get(exports::requests::approvals),
        )
        .route(
            exports::entitlements::ENTITLEMENTS_EXPORT_PATH,
            axum::routing::get(exports::entitlements::export),
        )
        .route(
            provisioning::CALLBACK_PATH,
            axum::routing::post(provisioning::callback),
        )
        .route(
            orders_api::ORDERS_IMPORT_PATH,
            axum::routing::post(orders_api::import)
                .layer(axum::extract::DefaultBodyLimit::max(orders_api::MAX_FILE_BYTES)),
        )
        .route(
            api_v1::docs::OPENAPI_PATH,
            axum::routing::get(api_v1::docs::document),
        )
        .route(api_v1::docs::DOCS_PATH, axum::routing::get(api_v1::docs::page))
        .nest(api_v1::API_V1_PREFIX, api_v1::routes(state.clone()))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(static_files(&state, context))
        // Routed requests only: a route pattern is known for them.
        .route_layer(axum::middleware::from_fn(ops::track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .layer(axum::middleware::from_fn(ops::request_id))
        .layer(compression())
        .layer(axum::Extension(live::ShuttingDown(shutting_down)))
        .with_state(state)
}

/// The site's files (the built assets under `/pkg`, the favicon), from
/// their `.br` or `.gz` twins when the browser takes those; any other path
/// is rendered by the app, whose router answers it with the not-found page
/// and its 404.
///
/// Not `leptos_axum::file_and_error_handler`: it answers a file inside a
/// reactive owner made with `Owner::new()`, a child of whatever owner is
/// current on the thread, which under load was a page being rendered at
/// the same time; the file's answer then took that page's response headers,
/// and the page went out without its Content-Security-Policy (its
/// stylesheet and scripts blocked, the page never hydrated: one page in a
/// few hundred in the end-to-end tests).
fn static_files(
    state: &AppState,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> axum::routing::MethodRouter<AppState> {
    use axum::extract::Request;
    use axum::response::IntoResponse;
    use tower::ServiceExt;
    let options = state.leptos_options.clone();
    let page = leptos_axum::render_app_async_with_context(context, move || shell(options.clone()));
    let files = tower_http::services::ServeDir::new(state.leptos_options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip();
    axum::routing::any(move |request: Request| {
        let (page, files) = (page.clone(), files.clone());
        async move {
            let (parts, body) = request.into_parts();
            let probe = Request::from_parts(parts.clone(), axum::body::Body::empty());
            let Ok(file) = files.oneshot(probe).await;
            // Anything but a file (none there, a folder, a name the file
            // system refuses, a POST) is the app's to answer.
            if file.status().is_success() || file.status() == axum::http::StatusCode::NOT_MODIFIED {
                file.into_response()
            } else {
                page(Request::from_parts(parts, body)).await
            }
        }
    })
}

/// Brotli or gzip, as the browser accepts, for pages and server function
/// answers. Not for the live-update stream (the default predicate leaves
/// `text/event-stream` alone: each event must reach the browser when sent),
/// nor for what is already compressed (the built assets are served from
/// their `.br` and `.gz` files, made by `cargo leptos build --precompress`).
/// Quality 4: a page compresses in well under a millisecond, where brotli's
/// default of 11 takes tens of milliseconds for a few percent less.
fn compression() -> tower_http::compression::CompressionLayer {
    tower_http::compression::CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(tower_http::CompressionLevel::Precise(4))
}

/// The operators' listener: `/metrics` alone, kept off the public one
/// (SPEC, "Operators' endpoints").
pub fn metrics_router(state: AppState) -> Router {
    ops::metrics_handle();
    Router::new()
        .route(ops::METRICS_PATH, axum::routing::get(ops::metrics))
        .with_state(state)
}

/// Answers 200 while the process runs: for a supervisor's liveness probe.
pub const HEALTH_PATH: &str = "/healthz";
/// Answers 200 while the process can serve (the database answers and it is
/// not shutting down), else 503: for a load balancer's readiness probe.
pub const READY_PATH: &str = "/readyz";

async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::Extension(live::ShuttingDown(shutting_down)): axum::Extension<live::ShuttingDown>,
) -> (axum::http::StatusCode, &'static str) {
    use axum::http::StatusCode;
    if *shutting_down.borrow() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else if state.db.is_ready().await {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n")
    }
}

/// Where a Control Room (or anyone) fetches the key that verifies license files.
pub const LICENSE_PUBLIC_KEY_PATH: &str = "/license/public-key";

async fn license_public_key(axum::extract::State(state): axum::extract::State<AppState>) -> String {
    app::license_file::public_key_text(&state.settings.license_signing_key.verifying_key())
}

/// Where a license file downloads from.
pub use app::api::licenses::LICENSE_FILE_ROUTE as LICENSE_FILE_PATH;

/// A license file, as issued, for a signed-in user who may see its account;
/// 404 for anyone else, so ids cannot be probed.
async fn download_license_file(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use app::services::LicensingError;
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let user = match security::signed_in_user(&state, &headers).await {
        Ok(user) => user,
        Err(answer) => return answer,
    };
    match state
        .services()
        .license_file_download(&user, app::domain::LicenseFileId(id))
        .await
    {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.file_name),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            file.signed_text,
        )
            .into_response(),
        Err(LicensingError::NotFound | LicensingError::Forbidden) => {
            (StatusCode::NOT_FOUND, "no such license file\n").into_response()
        }
        Err(error) => security::error_response(&error.into()),
    }
}

/// Builds the shared state of one process.
pub fn app_state(db: Db, settings: Settings, leptos_options: LeptosOptions) -> AppState {
    AppState {
        leptos_options,
        db,
        events: app::events::Events::new(),
        mail_queued: Arc::new(tokio::sync::Notify::new()),
        provisioning_queued: Arc::new(tokio::sync::Notify::new()),
        webhooks_queued: Arc::new(tokio::sync::Notify::new()),
        sign_in_throttle: Arc::new(app::throttle::SignInThrottle::new()),
        reset_throttle: Arc::new(app::throttle::SignInThrottle::new()),
        save_limit: Arc::new(app::throttle::save_limit(settings.saves_per_partner_per_hour)),
        api_limit: Arc::new(app::throttle::api_limit(settings.api_calls_per_token_per_minute)),
        settings: Arc::new(settings),
    }
}

/// Serves the portal until Ctrl-C or SIGTERM, with its background work
/// (email delivery, provisioning, expiry of approvals, session clean-up);
/// then finishes requests in flight and the email batch in hand.
pub async fn serve(
    state: AppState,
    metrics_addr: Option<std::net::SocketAddr>,
    relay: Option<relay::Relay>,
    mail: mail::MailWorker,
    provisioning: provisioning::ProvisioningWorker,
) -> std::io::Result<()> {
    let webhooks = webhooks::WebhookWorker {
        db: state.db.clone(),
        clock: state.settings.clock.clone(),
        queued: state.webhooks_queued.clone(),
        allow_internal: state.settings.webhooks_to_internal_addresses,
        timeout: webhooks::DELIVERY_TIMEOUT,
    };
    let addr = state.leptos_options.site_addr;
    let (shutting_down, watch) = tokio::sync::watch::channel(false);
    if let Some(relay) = relay {
        relay
            .start(&state, watch.clone())
            .await
            .map_err(std::io::Error::other)?;
    }
    spawn_session_sweeper(state.db.clone(), state.settings.clock.clone());
    spawn_expiry(state.clone());
    let mail_task = tokio::spawn(mail.run(watch.clone()));
    let provisioning_task = tokio::spawn(provisioning.run(watch.clone()));
    let webhooks_task = tokio::spawn(webhooks.run(watch.clone()));
    if let Some(metrics_addr) = metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        tracing::info!("metrics on http://{metrics_addr}{}", ops::METRICS_PATH);
        let mut stopping = watch.clone();
        let metrics = metrics_router(state.clone());
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stopping.wait_for(|stopping| *stopping).await;
            };
            if let Err(err) = axum::serve(without_nagle(listener), metrics)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::error!(%err, "the metrics listener stopped");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{addr}");
    let router = router_with_shutdown(state, watch);
    let served = axum::serve(
        without_nagle(listener),
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = shutting_down.send(true);
    })
    .await;
    let _ = mail_task.await;
    let _ = provisioning_task.await;
    let _ = webhooks_task.await;
    served
}

/// Answers go out as they are written: with Nagle's algorithm on, the last
/// chunk of a streamed page waits for the client's delayed ACK (40 ms on
/// Linux) on a kept-alive connection, which was most of the p99 of a page.
fn without_nagle(
    listener: tokio::net::TcpListener,
) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    use axum::serve::ListenerExt;
    fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(%err, "TCP_NODELAY could not be set");
        }
    }
    listener.tap_io(set_nodelay as fn(&mut tokio::net::TcpStream))
}

/// Idempotency answers forgotten per minute at most: far more than the
/// partners' systems can store in one (each is a write of the API).
const IDEMPOTENCY_SWEEP_BATCH: i64 = 5_000;

/// Every minute, expires approvals left unaccepted too long, sends the
/// reminders due, gives back what revoked and replaced license files held
/// once their lease ended, and forgets idempotency answers past 24 hours.
fn spawn_expiry(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match state.services().expire_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(requests = n, "approved requests expired"),
                Err(err) => tracing::warn!(%err, "could not expire approved requests"),
            }
            match state.services().send_due_reminders().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "reminders and escalations sent"),
                Err(err) => tracing::warn!(%err, "could not send reminders"),
            }
            match state
                .services()
                .release_lapsed_license_files(state.settings.clock.now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(files = n, "ended license files gave their quantities back"),
                Err(err) => tracing::warn!(%err, "could not release ended license files"),
            }
            // Replays are answered for 24 hours; older answers only take room.
            match state
                .services()
                .forget_idempotent_answers(IDEMPOTENCY_SWEEP_BATCH)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "idempotency answers older than 24 hours forgotten"),
                Err(err) => tracing::warn!(%err, "could not forget old idempotency answers"),
            }
        }
    });
}

/// Expired sessions are refused at once; this only keeps the table small.
fn spawn_session_sweeper(db: Db, clock: app::clock::Clock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let swept = async {
                let mut tx = db.begin().await?;
                let n = repo::sessions::delete_expired_sessions(&mut tx, clock.now()).await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(n)
            };
            match swept.await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "could not remove expired sessions"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

/// Creates the folder of a SQLite database file if it is missing.
pub fn ensure_database_folder(url: &str) -> std::io::Result<()> {
    if !url.starts_with("sqlite:") {
        return Ok(());
    }
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    /// Without it, the last chunk of a kept-alive answer waited 40 ms for
    /// the client's delayed ACK (p99 of the Entitlements page: 54 ms → 9 ms).
    #[tokio::test]
    async fn accepted_connections_send_without_nagle() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("its address");
        let mut listener = super::without_nagle(listener);
        let client = tokio::net::TcpStream::connect(addr);
        let ((stream, _), _client) = tokio::join!(listener.accept(), client);
        assert!(
            stream.nodelay().expect("the option"),
            "TCP_NODELAY on an accepted connection"
        );
    }
}
