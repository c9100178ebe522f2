//! Live updates across server processes on one PostgreSQL database: what
//! a process publishes goes out with `NOTIFY`, and each process passes on
//! to its own open event streams what the others sent. A browser connected
//! to any process hears of a change made on any other.

use app::events::{Events, PortalEvent};
use app::repo::notifications::{notify, Work, EVENTS_CHANNEL, WORK_CHANNEL};
use app::repo::{Db, Engine};
use app::state::AppState;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::{mpsc, watch};

/// What travels on the channel: the event, and which process sent it, so
/// that the sender does not deliver it to its own streams a second time.
#[derive(Debug, Serialize, Deserialize)]
struct Relayed {
    origin: uuid::Uuid,
    event: PortalEvent,
}

/// The relay of one process, ready to start.
pub struct Relay {
    url: String,
    outgoing: mpsc::UnboundedReceiver<PortalEvent>,
}

impl Relay {
    /// The events hub of a process on the database at `url`, and the relay
    /// that shares it with the other processes: PostgreSQL only, since
    /// SQLite has one server process.
    pub fn for_database(db: &Db, url: &str) -> (Events, Option<Relay>) {
        if db.engine() != Engine::Postgres {
            return (Events::new(), None);
        }
        let (events, outgoing) = Events::relayed();
        let relay = Relay {
            url: url.to_string(),
            outgoing,
        };
        (events, Some(relay))
    }

    /// Starts relaying the events of `state` until shutdown, and waking its
    /// workers for work other processes queued. Returns once this process
    /// listens, so no change made after start-up is missed.
    pub async fn start(self, state: &AppState, shutdown: watch::Receiver<bool>) -> Result<(), sqlx::Error> {
        let origin = uuid::Uuid::new_v4();
        let mut listener = PgListener::connect(&self.url).await?;
        listener.listen_all([EVENTS_CHANNEL, WORK_CHANNEL]).await?;
        tokio::spawn(send(state.db.clone(), origin, self.outgoing));
        tokio::spawn(receive(listener, origin, state.clone(), shutdown));
        Ok(())
    }
}

async fn send(db: Db, origin: uuid::Uuid, mut outgoing: mpsc::UnboundedReceiver<PortalEvent>) {
    while let Some(event) = outgoing.recv().await {
        let payload = match serde_json::to_string(&Relayed { origin, event }) {
            Ok(payload) => payload,
            Err(err) => {
                tracing::error!(%err, "cannot encode a live event");
                continue;
            }
        };
        let sent = async {
            let mut conn = db.read().await?;
            notify(&mut conn, EVENTS_CHANNEL, &payload).await
        };
        if let Err(err) = sent.await {
            tracing::warn!(%err, "could not tell the other processes of a change");
        }
    }
}

async fn receive(
    mut listener: PgListener,
    origin: uuid::Uuid,
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
) {
    let events = &state.events;
    loop {
        let received = tokio::select! {
            received = listener.try_recv() => received,
            _ = shutdown.wait_for(|down| *down) => return,
        };
        match received {
            Ok(Some(notification)) if notification.channel() == WORK_CHANNEL => {
                match Work::parse(notification.payload()) {
                    Some(Work::Mail) => state.mail_queued.notify_one(),
                    Some(Work::Provisioning) => state.provisioning_queued.notify_one(),
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "ignored a wake-up for unknown work"
                    ),
                }
            }
            Ok(Some(notification)) => match serde_json::from_str::<Relayed>(notification.payload()) {
                Ok(relayed) if relayed.origin != origin => events.deliver(relayed.event),
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "ignored a live event that does not parse"),
            },
            // The connection dropped and was made again: what was sent in
            // between is lost, so every open browser refetches what it shows.
            Ok(None) => {
                tracing::warn!("the live-event connection to the database was lost and is back");
                events.resync();
                state.mail_queued.notify_one();
                state.provisioning_queued.notify_one();
            }
            Err(err) => {
                tracing::warn!(%err, "live events from other processes are interrupted; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
