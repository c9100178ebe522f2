//! What the CSV exports read beside the lists they follow: the lines and the
//! history of a chunk of requests (one statement each, whatever the chunk's
//! size), and an account's entitlements a chunk at a time.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use crate::domain::{
    add_months, AccountId, DrawdownId, DrawdownState, HistoryEntry, LicenseModel, LineBalance, PdrNumber,
    ReminderKind,
};

/// `$1, $2, …` for `n` values.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// What each of `requests` asks, product by product in the order's line
/// order: `(product name, quantity)`.
#[tracing::instrument(skip_all, fields(requests = requests.len()))]
pub async fn list_lines_of(
    conn: &mut AnyConnection,
    requests: &[DrawdownId],
) -> Result<HashMap<DrawdownId, Vec<(String, i64)>>, sqlx::Error> {
    let mut lines: HashMap<DrawdownId, Vec<(String, i64)>> = HashMap::new();
    if requests.is_empty() {
        return Ok(lines);
    }
    let sql = format!(
        "SELECT l.drawdown_request_id, p.name, l.quantity
         FROM drawdown_request_lines l
         JOIN order_lines ol ON ol.id = l.order_line_id
         JOIN products p ON p.id = ol.product_id
         WHERE l.drawdown_request_id IN ({})
         ORDER BY l.drawdown_request_id, ol.line_no",
        placeholders(requests.len())
    );
    let mut query = sqlx::query(&sql);
    for id in requests {
        query = query.bind(id.0);
    }
    for r in query.fetch_all(&mut *conn).await? {
        lines
            .entry(DrawdownId(r.try_get("drawdown_request_id")?))
            .or_default()
            .push((r.try_get("name")?, r.try_get("quantity")?));
    }
    Ok(lines)
}

/// Each of `requests`' history, oldest first, with the reminders sent.
#[tracing::instrument(skip_all, fields(requests = requests.len()))]
pub async fn list_histories_of(
    conn: &mut AnyConnection,
    requests: &[DrawdownId],
) -> Result<HashMap<DrawdownId, Vec<HistoryEntry>>, sqlx::Error> {
    let mut histories: HashMap<DrawdownId, Vec<HistoryEntry>> = HashMap::new();
    if requests.is_empty() {
        return Ok(histories);
    }
    let list = placeholders(requests.len());
    let steps = format!(
        "SELECT h.drawdown_request_id, h.from_state, h.to_state, u.display_name, h.at, h.reason
         FROM drawdown_history h LEFT JOIN users u ON u.id = h.actor_user_id
         WHERE h.drawdown_request_id IN ({list})
         ORDER BY h.drawdown_request_id, h.id"
    );
    let mut query = sqlx::query(&steps);
    for id in requests {
        query = query.bind(id.0);
    }
    for r in query.fetch_all(&mut *conn).await? {
        let from: Option<String> = r.try_get("from_state")?;
        histories
            .entry(DrawdownId(r.try_get("drawdown_request_id")?))
            .or_default()
            .push(HistoryEntry {
                from: from.as_deref().and_then(DrawdownState::parse),
                to: decode_stored(&r, "to_state", DrawdownState::parse)?,
                actor_name: r.try_get("display_name")?,
                at: r.try_get("at")?,
                reason: r.try_get("reason")?,
                reminder: None,
            });
    }
    let reminders = format!(
        "SELECT drawdown_request_id, kind, sent_at FROM drawdown_reminders
         WHERE drawdown_request_id IN ({list})"
    );
    let mut query = sqlx::query(&reminders);
    for id in requests {
        query = query.bind(id.0);
    }
    for r in query.fetch_all(&mut *conn).await? {
        let kind = decode_stored(&r, "kind", ReminderKind::parse)?;
        histories
            .entry(DrawdownId(r.try_get("drawdown_request_id")?))
            .or_default()
            .push(HistoryEntry {
                from: Some(kind.state()),
                to: kind.state(),
                actor_name: None,
                at: r.try_get("sent_at")?,
                reason: None,
                reminder: Some(kind),
            });
    }
    for history in histories.values_mut() {
        // Stable: a step and a reminder of the same second keep this order.
        history.sort_by_key(|h| h.at);
    }
    Ok(histories)
}

/// Where an entitlement came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntitlementSource {
    /// A line of the partner's own order, with the line's balance now.
    OrderLine {
        order_number: String,
        line_no: i64,
        balance: LineBalance,
    },
    /// An accepted drawdown request.
    Drawdown(PdrNumber),
}

/// One entitlement of an account, as its export writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementRow {
    pub id: i64,
    pub product_name: String,
    pub sku: String,
    pub license_model: LicenseModel,
    pub source: EntitlementSource,
    pub starts_at: i64,
    pub ends_at: i64,
    pub quantity: i64,
    pub in_use: i64,
}

/// The entitlements of `account` after the one with id `after`, in the order
/// they were created, those starting between `from` and `before` alone, at
/// most `limit`. `entitlements_account` holds the account's rows in id order.
#[tracing::instrument(skip(conn))]
pub async fn list_entitlement_rows(
    conn: &mut AnyConnection,
    account: AccountId,
    after: i64,
    from: Option<i64>,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<EntitlementRow>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT e.id, p.name, p.sku, p.license_model, e.quantity, e.in_use, e.term_months, e.created_at,
                o.number AS order_number, ol.line_no, ol.quantity AS line_quantity, ol.reserved, ol.drawn,
                d.number AS request_number
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         LEFT JOIN order_lines ol ON ol.id = e.order_line_id
         LEFT JOIN orders o ON o.id = ol.order_id
         LEFT JOIN drawdown_requests d ON d.id = e.drawdown_request_id
         WHERE e.account_id = $1 AND e.id > $2",
    );
    let mut bound = vec![account.0, after];
    if let Some(from) = from {
        bound.push(from);
        sql.push_str(&format!(" AND e.created_at >= ${}", bound.len()));
    }
    if let Some(before) = before {
        bound.push(before);
        sql.push_str(&format!(" AND e.created_at < ${}", bound.len()));
    }
    sql.push_str(&format!(" ORDER BY e.id LIMIT {limit}"));
    let mut query = sqlx::query(&sql);
    for value in bound {
        query = query.bind(value);
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let order_number: Option<String> = r.try_get("order_number")?;
            let request_number: Option<i64> = r.try_get("request_number")?;
            let source = match (order_number, request_number) {
                (Some(order_number), _) => EntitlementSource::OrderLine {
                    order_number,
                    line_no: r.try_get("line_no")?,
                    balance: LineBalance {
                        quantity: r.try_get("line_quantity")?,
                        reserved: r.try_get("reserved")?,
                        drawn: r.try_get("drawn")?,
                    },
                },
                (None, Some(_)) => EntitlementSource::Drawdown(super::decode_number(r, "request_number")?),
                (None, None) => {
                    return Err(sqlx::Error::Decode("an entitlement without a source".into()));
                }
            };
            let created_at: i64 = r.try_get("created_at")?;
            Ok(EntitlementRow {
                id: r.try_get("id")?,
                product_name: r.try_get("name")?,
                sku: r.try_get("sku")?,
                license_model: decode_stored(r, "license_model", LicenseModel::parse)?,
                source,
                starts_at: created_at,
                ends_at: add_months(created_at, r.try_get("term_months")?),
                quantity: r.try_get("quantity")?,
                in_use: r.try_get("in_use")?,
            })
        })
        .collect()
}
