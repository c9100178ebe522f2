//! What operators see of a process: a request id on every request and its
//! log lines, and the Prometheus metrics at `/metrics` (requests by route
//! and status, their latency, the outbox backlog, requests by state).

use std::time::Instant;

use app::domain::DrawdownState;
use app::repo::{drawdowns, outbox};
use app::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;

/// Where Prometheus scrapes.
pub const METRICS_PATH: &str = "/metrics";
/// The header that carries a request's id, in and out.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Latency buckets, in seconds: a page or a server function is expected in
/// tens of milliseconds.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Installs the process's metrics recorder, once; later calls (tests that
/// build several routers) get the same handle.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(LATENCY_BUCKETS)
                .expect("latency buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then the
            // handle renders nothing, which the metrics test would show.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Gives each request an id (the caller's `x-request-id` if it sent a
/// sensible one), runs it inside a span carrying that id, so every log line
/// it causes names it, and returns the id in the response.
pub async fn request_id(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let span = tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Counts each routed request by route and status and records its latency.
/// The route is the pattern (`/licenses/{account}`), never the path, so
/// ids do not make a series each.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("portal_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("portal_http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed);
    response
}

/// `GET /metrics`: the counters, with the database's figures read now.
pub async fn metrics(State(state): State<AppState>) -> Response {
    match database_gauges(&state).await {
        Ok(()) => {}
        Err(err) => {
            tracing::warn!(%err, "metrics: cannot read the database");
            return (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n").into_response();
        }
    }
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics_handle().render(),
    )
        .into_response()
}

async fn database_gauges(state: &AppState) -> Result<(), sqlx::Error> {
    let mut conn = state.db.read().await?;
    let outbox = outbox::count_emails(&mut conn).await?;
    metrics::gauge!("portal_outbox_backlog").set(outbox.unsent as f64);
    // Seen, never retried forever unseen: what keeps failing, and what gave up.
    metrics::gauge!("portal_outbox_retrying").set(outbox.retrying as f64);
    metrics::gauge!("portal_outbox_dead").set(outbox.dead as f64);
    let counts = drawdowns::count_drawdowns_by_state(&mut conn).await?;
    for state in DrawdownState::ALL {
        let n = counts.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n);
        metrics::gauge!("portal_drawdown_requests", "state" => state.as_str()).set(n as f64);
    }
    Ok(())
}
