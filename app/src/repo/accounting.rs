//! What the Decision panel reads: the requested order lines' stored
//! balances, the other open requests for the same
//! customer or order, and the partner's last decisions (what the customer
//! holds is `entitlements::list_holdings`). Each statement is
//! served by an index; the service runs them in one read transaction.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use std::collections::HashMap;

use crate::domain::{
    AccountId, DecisionLine, DrawdownId, DrawdownState, LineBalance, OrderId, OrderLineId, PastDecision,
    PdrNumber, RelatedRequest, WaitingPartner, PAST_DECISIONS, RELATED_REQUESTS,
};

fn pdr_number(r: &sqlx::any::AnyRow) -> Result<PdrNumber, sqlx::Error> {
    super::decode_number(r, "number")
}

/// Each line the request asks for, with its order line's stored balance.
#[tracing::instrument(skip(conn))]
pub async fn list_decision_lines(
    conn: &mut AnyConnection,
    request: DrawdownId,
    state: DrawdownState,
) -> Result<Vec<DecisionLine>, sqlx::Error> {
    sqlx::query(
        "SELECT rl.order_line_id, p.name AS product_name, rl.quantity AS requested,
                ol.quantity, ol.reserved, ol.drawn
         FROM drawdown_request_lines rl
         JOIN order_lines ol ON ol.id = rl.order_line_id
         JOIN products p ON p.id = ol.product_id
         WHERE rl.drawdown_request_id = $1
         ORDER BY ol.line_no",
    )
    .bind(request.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let now = LineBalance {
            quantity: r.try_get("quantity")?,
            reserved: r.try_get("reserved")?,
            drawn: r.try_get("drawn")?,
        };
        Ok(DecisionLine::from_stored(
            OrderLineId(r.try_get("order_line_id")?),
            r.try_get("product_name")?,
            r.try_get("requested")?,
            now,
            state,
        ))
    })
    .collect()
}

/// The request being decided, as the panel's reads need it.
#[derive(Debug, Clone)]
pub struct DecisionSubject {
    pub request: DrawdownId,
    pub state: DrawdownState,
    pub partner: AccountId,
    pub order: OrderId,
    pub customer: Option<AccountId>,
    /// The stored lower-case key of the customer's name.
    pub customer_key: String,
}

/// The request, if it exists.
#[tracing::instrument(skip(conn))]
pub async fn find_decision_subject(
    conn: &mut AnyConnection,
    request: DrawdownId,
) -> Result<Option<DecisionSubject>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT state, partner_id, order_id, customer_account_id, customer_key FROM drawdown_requests WHERE id = $1",
    )
    .bind(request.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(DecisionSubject {
            request,
            state: decode_stored(&r, "state", DrawdownState::parse)?,
            partner: AccountId(r.try_get("partner_id")?),
            order: OrderId(r.try_get("order_id")?),
            customer: r.try_get::<Option<i64>, _>("customer_account_id")?.map(AccountId),
            customer_key: r.try_get("customer_key")?,
        })
    })
    .transpose()
}

/// The other Submitted or Approved requests for the same customer (the
/// account it is tied to, or the same name under the same partner) or for
/// the same order: those for the same customer first (a duplicate is what
/// accounting looks for), then the newest.
///
/// Three indexed reads, each keeping only the newest it may need (the first
/// `RELATED_REQUESTS` of the same customer are among the first of either
/// customer read; of the order's, twice as many leave room for those also
/// of the same customer), so an order with thousands of open requests
/// costs what one with a handful does. Their quantities are summed for the
/// rows kept alone; a request found by two reads is listed once.
#[tracing::instrument(skip(conn))]
pub async fn list_related_open_requests(
    conn: &mut AnyConnection,
    to: &DecisionSubject,
) -> Result<Vec<RelatedRequest>, sqlx::Error> {
    const OPEN: &str = "d.state IN ('submitted', 'approved') AND d.id <> $1";
    let newest = |same_customer: u8, condition: &str, limit: usize| {
        format!(
            "SELECT * FROM (SELECT d.id AS id, {same_customer} AS same_customer, d.changed_at AS changed_at
             FROM drawdown_requests d WHERE {condition} AND {OPEN}
             ORDER BY d.changed_at DESC, d.id DESC LIMIT {limit}) AS newest"
        )
    };
    let sql = format!(
        "SELECT d.id AS id, d.number AS number, d.state AS state, d.customer_name AS customer_name,
                o.number AS order_number, d.changed_at AS changed_at,
                (SELECT CAST(sum(l.quantity) AS BIGINT) FROM drawdown_request_lines l
                 WHERE l.drawdown_request_id = d.id) AS quantity
         FROM ({} UNION ALL {} UNION ALL {}) m
         JOIN drawdown_requests d ON d.id = m.id
         JOIN orders o ON o.id = d.order_id
         ORDER BY m.same_customer DESC, m.changed_at DESC, m.id DESC",
        newest(1, "d.partner_id = $3 AND d.customer_key = $4", RELATED_REQUESTS),
        newest(1, "d.customer_account_id = $5", RELATED_REQUESTS),
        newest(0, "d.order_id = $2", 2 * RELATED_REQUESTS),
    );
    let rows = sqlx::query(&sql)
        .bind(to.request.0)
        .bind(to.order.0)
        .bind(to.partner.0)
        .bind(&to.customer_key)
        // No account: matches nothing (ids start at 1).
        .bind(to.customer.map_or(0, |c| c.0))
        .fetch_all(&mut *conn)
        .await?;
    let mut related: Vec<RelatedRequest> = Vec::with_capacity(RELATED_REQUESTS);
    for r in &rows {
        let id = DrawdownId(r.try_get("id")?);
        if related.len() == RELATED_REQUESTS || related.iter().any(|seen| seen.id == id) {
            continue;
        }
        related.push(RelatedRequest {
            id,
            number: pdr_number(r)?,
            state: decode_stored(r, "state", DrawdownState::parse)?,
            customer_name: r.try_get("customer_name")?,
            order_number: r.try_get("order_number")?,
            quantity: r.try_get::<Option<i64>, _>("quantity")?.unwrap_or(0),
            changed_at: r.try_get("changed_at")?,
        });
    }
    Ok(related)
}

/// How many of the partner's most recently changed requests the last
/// decisions are looked for among.
const DECIDED_AMONG: usize = 200;

/// The partner's last approvals and rejections, newest first, `except` the
/// request being decided.
#[tracing::instrument(skip(conn))]
pub async fn list_past_decisions(
    conn: &mut AnyConnection,
    partner: AccountId,
    except: DrawdownId,
) -> Result<Vec<PastDecision>, sqlx::Error> {
    // Among the partner's requests changed most recently (a decision
    // changes a request; what follows it only later): an index range, not
    // the partner's whole history. A decision older than the last
    // DECIDED_AMONG changes is no "last decision" any more.
    let sql = format!(
        "SELECT d.id, d.number, h.to_state, d.customer_name, h.at, h.reason,
                (SELECT CAST(sum(l.quantity) AS BIGINT) FROM drawdown_request_lines l WHERE l.drawdown_request_id = d.id) AS quantity
         FROM drawdown_history h JOIN drawdown_requests d ON d.id = h.drawdown_request_id
         WHERE h.drawdown_request_id IN
               (SELECT r.id FROM drawdown_requests r
                WHERE r.partner_id = $1 AND r.id <> $2 AND r.state <> 'submitted'
                ORDER BY r.changed_at DESC, r.id DESC LIMIT {DECIDED_AMONG})
           AND h.to_state IN ('approved', 'rejected')
         ORDER BY h.at DESC, h.id DESC
         LIMIT {PAST_DECISIONS}"
    );
    sqlx::query(&sql)
        .bind(partner.0)
        .bind(except.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(PastDecision {
                id: DrawdownId(r.try_get("id")?),
                number: pdr_number(r)?,
                decision: decode_stored(r, "to_state", DrawdownState::parse)?,
                customer_name: r.try_get("customer_name")?,
                quantity: r.try_get::<Option<i64>, _>("quantity")?.unwrap_or(0),
                at: r.try_get("at")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// The total quantity each of `requests` asks for, in one statement.
#[tracing::instrument(skip(conn))]
pub async fn list_requested_totals(
    conn: &mut AnyConnection,
    requests: &[DrawdownId],
) -> Result<HashMap<DrawdownId, i64>, sqlx::Error> {
    if requests.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (1..=requests.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT drawdown_request_id, CAST(sum(quantity) AS BIGINT) AS quantity
         FROM drawdown_request_lines WHERE drawdown_request_id IN ({})
         GROUP BY drawdown_request_id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in requests {
        query = query.bind(id.0);
    }
    query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                DrawdownId(r.try_get("drawdown_request_id")?),
                r.try_get("quantity")?,
            ))
        })
        .collect()
}

/// Every partner with requests waiting for a decision, by name, with how
/// many: the queue's Partner filter. Reads the Submitted requests alone
/// (`drawdown_requests_state`).
#[tracing::instrument(skip(conn))]
pub async fn list_waiting_partners(conn: &mut AnyConnection) -> Result<Vec<WaitingPartner>, sqlx::Error> {
    sqlx::query(
        "SELECT d.partner_id, a.name, CAST(count(*) AS BIGINT) AS waiting
         FROM drawdown_requests d JOIN accounts a ON a.id = d.partner_id
         WHERE d.state = 'submitted'
         GROUP BY d.partner_id, a.name
         ORDER BY lower(a.name), d.partner_id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(WaitingPartner {
            id: AccountId(r.try_get("partner_id")?),
            name: r.try_get("name")?,
            waiting: r.try_get("waiting")?,
        })
    })
    .collect()
}

/// A request's PDR number and state, if it exists.
#[tracing::instrument(skip(conn))]
pub async fn find_number_and_state(
    conn: &mut AnyConnection,
    request: DrawdownId,
) -> Result<Option<(PdrNumber, DrawdownState)>, sqlx::Error> {
    let row = sqlx::query("SELECT number, state FROM drawdown_requests WHERE id = $1")
        .bind(request.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((pdr_number(&r)?, decode_stored(&r, "state", DrawdownState::parse)?)))
        .transpose()
}
