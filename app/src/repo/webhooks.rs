//! Webhook endpoints and deliveries. A delivery is queued in the
//! transaction of the change it announces, one per endpoint subscribed, and
//! claimed by one worker at a time with a lease, as emails are.

use sqlx::{AnyConnection, Row};

use crate::domain::{AccountId, DeliveryState, UserId, WebhookDelivery, WebhookEndpoint, WebhookEvent};

fn endpoint_from_row(r: &sqlx::any::AnyRow) -> Result<WebhookEndpoint, sqlx::Error> {
    let events: String = r.try_get("events")?;
    Ok(WebhookEndpoint {
        id: r.try_get("id")?,
        account_id: AccountId(r.try_get("account_id")?),
        url: r.try_get("url")?,
        events: events.split(',').filter_map(WebhookEvent::parse).collect(),
        secret: r.try_get("secret")?,
        created_at: r.try_get("created_at")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

const ENDPOINT_COLUMNS: &str =
    "id, account_id, url, events, secret, created_at, disabled_at FROM webhook_endpoints";

#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip(conn, secret))]
pub async fn insert_endpoint(
    conn: &mut AnyConnection,
    account: AccountId,
    url: &str,
    events: &[WebhookEvent],
    secret: &str,
    created_by: UserId,
    at: i64,
) -> Result<i64, sqlx::Error> {
    let events: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    let row = sqlx::query(
        "INSERT INTO webhook_endpoints (account_id, url, events, secret, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account.0)
    .bind(url)
    .bind(events.join(","))
    .bind(secret)
    .bind(created_by.0)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    row.try_get("id")
}

/// How many endpoints of an account are in use (not disabled).
#[tracing::instrument(skip(conn))]
pub async fn count_endpoints_in_use(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM webhook_endpoints WHERE account_id = $1 AND disabled_at IS NULL")
        .bind(account.0)
        .fetch_one(&mut *conn)
        .await
}

/// The endpoints of an account, newest first, at most `limit`.
#[tracing::instrument(skip(conn))]
pub async fn list_endpoints(
    conn: &mut AnyConnection,
    account: AccountId,
    limit: i64,
) -> Result<Vec<WebhookEndpoint>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(account.0)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(endpoint_from_row)
    .collect()
}

#[tracing::instrument(skip(conn))]
pub async fn find_endpoint(
    conn: &mut AnyConnection,
    account: AccountId,
    id: i64,
) -> Result<Option<WebhookEndpoint>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} WHERE account_id = $1 AND id = $2"
    ))
    .bind(account.0)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(endpoint_from_row)
    .transpose()
}

/// Stops an endpoint receiving events; its pending deliveries die with it.
#[tracing::instrument(skip(conn))]
pub async fn disable_endpoint(
    conn: &mut AnyConnection,
    account: AccountId,
    id: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE webhook_endpoints SET disabled_at = $3 WHERE account_id = $1 AND id = $2 AND disabled_at IS NULL")
        .bind(account.0)
        .bind(id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET dead_at = $2, last_error = 'endpoint disabled'
         WHERE endpoint_id = $1 AND delivered_at IS NULL AND dead_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Queues `event` to every active endpoint of `account` that takes it;
/// how many deliveries were queued.
#[tracing::instrument(skip(conn, payload))]
pub async fn enqueue_event(
    conn: &mut AnyConnection,
    account: AccountId,
    event: WebhookEvent,
    message_id: &str,
    payload: &str,
    at: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (endpoint_id, message_id, event_type, payload, created_at, next_attempt_at)
         SELECT id, $3, $2, $4, $5, $5 FROM webhook_endpoints
         WHERE account_id = $1 AND disabled_at IS NULL AND (',' || events || ',') LIKE ('%,' || $2 || ',%')",
    )
    .bind(account.0)
    .bind(event.as_str())
    .bind(message_id)
    .bind(payload)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A delivery a worker holds.
#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub attempt: i64,
    pub url: String,
    pub secret: String,
    pub message_id: String,
    pub payload: String,
}

/// Claims up to `limit` due deliveries for `lease_seconds`.
#[tracing::instrument(skip(conn))]
pub async fn claim_due_deliveries(
    conn: &mut AnyConnection,
    limit: i64,
    lease_seconds: i64,
    at: i64,
) -> Result<Vec<ClaimedDelivery>, sqlx::Error> {
    let skip_locked = super::skip_locked(conn);
    let rows = sqlx::query(&format!(
        "UPDATE webhook_deliveries SET claimed_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $2
                        AND (claimed_until IS NULL OR claimed_until < $2)
                      ORDER BY next_attempt_at, id LIMIT $3 {skip_locked})
         RETURNING id, attempts, endpoint_id, message_id, payload"
    ))
    .bind(at + lease_seconds)
    .bind(at)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    // The claimed rows' endpoints in one read, not one per row.
    let mut endpoints: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get("endpoint_id"))
        .collect::<Result<_, _>>()?;
    endpoints.sort_unstable();
    endpoints.dedup();
    let mut targets = std::collections::HashMap::new();
    if !endpoints.is_empty() {
        let placeholders: Vec<String> = (1..=endpoints.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT id, url, secret FROM webhook_endpoints WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in &endpoints {
            query = query.bind(*id);
        }
        for t in query.fetch_all(&mut *conn).await? {
            let (url, secret): (String, String) = (t.try_get("url")?, t.try_get("secret")?);
            targets.insert(t.try_get::<i64, _>("id")?, (url, secret));
        }
    }
    let mut claimed = Vec::new();
    for r in &rows {
        let endpoint: i64 = r.try_get("endpoint_id")?;
        let (url, secret) = targets
            .get(&endpoint)
            .cloned()
            .ok_or_else(|| sqlx::Error::RowNotFound)?;
        claimed.push(ClaimedDelivery {
            id: r.try_get("id")?,
            attempt: r.try_get("attempts")?,
            url,
            secret,
            message_id: r.try_get("message_id")?,
            payload: r.try_get("payload")?,
        });
    }
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Records an attempt's outcome: delivered, to retry at `retry_at`, or dead.
#[tracing::instrument(skip(conn))]
pub async fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    state: DeliveryState,
    status: Option<u16>,
    error: Option<&str>,
    at: i64,
    retry_at: i64,
) -> Result<(), sqlx::Error> {
    let sql = match state {
        DeliveryState::Delivered => {
            "UPDATE webhook_deliveries SET delivered_at = $2, claimed_until = NULL, last_status = $3, last_error = $4 WHERE id = $1"
        }
        DeliveryState::Dead => {
            "UPDATE webhook_deliveries SET dead_at = $2, claimed_until = NULL, last_status = $3, last_error = $4 WHERE id = $1"
        }
        DeliveryState::Pending => {
            "UPDATE webhook_deliveries SET next_attempt_at = $5, claimed_until = NULL, last_status = $3, last_error = $4 WHERE id = $1"
        }
    };
    sqlx::query(sql)
        .bind(id)
        .bind(at)
        .bind(status.map(i64::from))
        .bind(error)
        .bind(retry_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An endpoint's deliveries, newest first, at most `limit`.
#[tracing::instrument(skip(conn))]
pub async fn list_deliveries(
    conn: &mut AnyConnection,
    endpoint: i64,
    limit: i64,
) -> Result<Vec<WebhookDelivery>, sqlx::Error> {
    sqlx::query(
        "SELECT id, message_id, event_type, attempts, last_status, last_error, created_at, delivered_at, dead_at
         FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(endpoint)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let delivered_at: Option<i64> = r.try_get("delivered_at")?;
        let dead_at: Option<i64> = r.try_get("dead_at")?;
        Ok(WebhookDelivery {
            id: r.try_get("id")?,
            message_id: r.try_get("message_id")?,
            event_type: r.try_get("event_type")?,
            state: match (delivered_at, dead_at) {
                (Some(_), _) => DeliveryState::Delivered,
                (None, Some(_)) => DeliveryState::Dead,
                (None, None) => DeliveryState::Pending,
            },
            attempts: r.try_get("attempts")?,
            last_status: r.try_get("last_status")?,
            last_error: r.try_get("last_error")?,
            created_at: r.try_get("created_at")?,
            delivered_at,
        })
    })
    .collect()
}

/// Queues a delivery of `endpoint` again, now (Redeliver): the same message
/// id, attempts counted afresh. False if it is not the endpoint's.
#[tracing::instrument(skip(conn))]
pub async fn redeliver(
    conn: &mut AnyConnection,
    endpoint: i64,
    delivery: i64,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET delivered_at = NULL, dead_at = NULL, claimed_until = NULL, attempts = 0, next_attempt_at = $3
         WHERE id = $2 AND endpoint_id = $1",
    )
    .bind(endpoint)
    .bind(delivery)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When the next pending delivery falls due; `None` when none waits.
pub async fn next_delivery_due(conn: &mut AnyConnection) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS BIGINT)
         FROM webhook_deliveries WHERE delivered_at IS NULL AND dead_at IS NULL",
    )
    .fetch_one(&mut *conn)
    .await
}
