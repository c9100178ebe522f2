//! The live-update stream: server-sent events, one stream per open browser,
//! carrying only the changes its signed-in user may see.

use std::convert::Infallible;

use app::auth::Activity;
use app::events::{EVENT_NAME, RESYNC};
use app::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use futures::stream::{self, Stream, StreamExt};
use tokio::sync::{broadcast, watch};

/// Flips to `true` when the server starts shutting down: open streams end,
/// so graceful shutdown does not wait for browsers that never hang up.
#[derive(Clone)]
pub struct ShuttingDown(pub watch::Receiver<bool>);

/// `GET /api/events`.
pub async fn event_stream(
    State(state): State<AppState>,
    Extension(ShuttingDown(mut shutdown)): Extension<ShuttingDown>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    // Opening the stream is the page's own doing; its later checks are not.
    let user = app::auth::user_from_headers(&state.db, &state.settings, &headers, Activity::User)
        .await
        .map_err(|_| StatusCode::UNAUTHORIZED)?;
    let receiver = state.events.subscribe();
    let resyncs = state.events.resyncs();
    let resync = || Event::default().event(EVENT_NAME).data(RESYNC);
    let signed_in = SignedIn {
        db: state.db.clone(),
        settings: state.settings.clone(),
        headers,
        user,
    };
    let events = stream::unfold(
        (receiver, resyncs, signed_in),
        move |(mut receiver, mut resyncs, mut signed_in)| async move {
            loop {
                let received = tokio::select! {
                    received = receiver.recv() => received,
                    // Events from other processes may have been missed.
                    Ok(()) = resyncs.changed() => return Some((Ok(resync()), (receiver, resyncs, signed_in))),
                };
                match received {
                    Ok(event) if event.concerns(&signed_in.user) => {
                        // Signed out elsewhere, or expired: the stream ends
                        // before it carries anything more.
                        if !signed_in.still_signed_in().await {
                            return None;
                        }
                        if let Some(event) = event.seen_by(&signed_in.user) {
                            let event = Event::default().event(EVENT_NAME).data(event.to_wire());
                            return Some((Ok(event), (receiver, resyncs, signed_in)));
                        }
                    }
                    Ok(_) => {}
                    // Fell behind: whatever was missed, the browser refetches all it shows.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        return Some((Ok(resync()), (receiver, resyncs, signed_in)))
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        },
    );
    let until_shutdown = async move {
        // A router without a shutdown signal (tests) keeps its streams open.
        if shutdown.wait_for(|down| *down).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    Ok(Sse::new(events.take_until(until_shutdown)).keep_alive(KeepAlive::default()))
}

/// Who a stream is for, and how to ask again whether their session lasts.
struct SignedIn {
    db: app::repo::Db,
    settings: std::sync::Arc<app::settings::Settings>,
    headers: HeaderMap,
    user: app::domain::CurrentUser,
}

impl SignedIn {
    /// Reads the session again, so a stream never outlives its session by an
    /// event; the user read back (a changed role, say) is kept.
    async fn still_signed_in(&mut self) -> bool {
        match app::auth::user_from_headers(&self.db, &self.settings, &self.headers, Activity::Background)
            .await
        {
            Ok(user) => {
                self.user = user;
                true
            }
            Err(_) => false,
        }
    }
}
