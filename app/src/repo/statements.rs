//! What an order line's statement reads: the line, its movements a page at
//! a time (newest first for the screen, oldest first for the export), each
//! with its cause and who made it, and what the newer movements moved (to
//! walk back from the stored balance).

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use super::orders::balance_from_row;
use crate::domain::{
    AccountId, DrawdownId, LedgerEntryKind, LedgerMovement, LineBalance, OrderLineId, PdrNumber,
};

/// The line a statement is of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub order_number: String,
    pub product_name: String,
    pub partner_id: AccountId,
    pub partner_name: String,
    pub balance: LineBalance,
}

/// The line, if it exists.
#[tracing::instrument(skip(conn))]
pub async fn find_statement_line(
    conn: &mut AnyConnection,
    line: OrderLineId,
) -> Result<Option<StatementLine>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT o.number, p.name AS product_name, o.partner_id, a.name AS partner_name,
                ol.quantity, ol.reserved, ol.drawn
         FROM order_lines ol
         JOIN orders o ON o.id = ol.order_id
         JOIN products p ON p.id = ol.product_id
         JOIN accounts a ON a.id = o.partner_id
         WHERE ol.id = $1",
    )
    .bind(line.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(StatementLine {
            order_number: r.try_get("number")?,
            product_name: r.try_get("product_name")?,
            partner_id: AccountId(r.try_get("partner_id")?),
            partner_name: r.try_get("partner_name")?,
            balance: balance_from_row(&r)?,
        })
    })
    .transpose()
}

/// Which movements of a line to read, in which order.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    /// Newest first, older than this id (all without one).
    NewestBefore(Option<i64>),
    /// Oldest first, newer than this id.
    OldestAfter(i64),
}

/// Who made the step behind a movement: the history entry of its request's
/// step (Save for a reserve, acceptance for a draw, the end for a release).
const ACTOR_SQL: &str =
    "(SELECT u.display_name FROM drawdown_history h LEFT JOIN users u ON u.id = h.actor_user_id
      WHERE h.drawdown_request_id = e.drawdown_request_id
        AND ((e.kind = 'reserve' AND h.to_state = 'submitted')
          OR (e.kind = 'draw' AND h.to_state = 'accepted')
          OR (e.kind = 'release' AND h.to_state IN ('rejected', 'cancelled', 'expired')))
      ORDER BY h.id LIMIT 1)";

/// Up to `limit` movements of `line` in `direction`, created between
/// `from` and `until` (Unix seconds, inclusive), with their causes.
#[tracing::instrument(skip(conn))]
pub async fn list_movements(
    conn: &mut AnyConnection,
    line: OrderLineId,
    direction: Direction,
    from: Option<i64>,
    until: Option<i64>,
    limit: usize,
) -> Result<Vec<LedgerMovement>, sqlx::Error> {
    let (position, order, cursor) = match direction {
        Direction::NewestBefore(before) => ("e.id < $2", "DESC", before.unwrap_or(i64::MAX)),
        Direction::OldestAfter(after) => ("e.id > $2", "ASC", after),
    };
    let sql = format!(
        "SELECT e.id, e.created_at, e.kind, e.quantity, e.drawdown_request_id, d.number,
                c.name AS customer_name, {ACTOR_SQL} AS actor_name
         FROM ledger_entries e
         LEFT JOIN drawdown_requests d ON d.id = e.drawdown_request_id
         LEFT JOIN accounts c ON c.id = e.to_account_id
         WHERE e.order_line_id = $1 AND {position} AND e.created_at >= $3 AND e.created_at <= $4
         ORDER BY e.id {order}
         LIMIT {limit}"
    );
    sqlx::query(&sql)
        .bind(line.0)
        .bind(cursor)
        .bind(from.unwrap_or(i64::MIN))
        .bind(until.unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let request = match (
                r.try_get::<Option<i64>, _>("drawdown_request_id")?,
                r.try_get::<Option<i64>, _>("number")?,
            ) {
                (Some(id), Some(n)) => PdrNumber::from_sequence(n).map(|n| (DrawdownId(id), n)),
                _ => None,
            };
            Ok(LedgerMovement {
                id: r.try_get("id")?,
                at: r.try_get("created_at")?,
                kind: decode_stored(r, "kind", LedgerEntryKind::parse)?,
                quantity: r.try_get("quantity")?,
                request,
                customer_name: r.try_get("customer_name")?,
                actor_name: r.try_get("actor_name")?,
            })
        })
        .collect()
}

/// What the movements of `line` from id `from_id` on moved, as (reserved,
/// drawn): how far the stored balance is from the balance before `from_id`.
/// Read from the covering index `ledger_entries_line_movements`.
#[tracing::instrument(skip(conn))]
pub async fn sum_movements_since(
    conn: &mut AnyConnection,
    line: OrderLineId,
    from_id: i64,
) -> Result<(i64, i64), sqlx::Error> {
    let row = sqlx::query(
        "SELECT CAST(coalesce(sum(CASE kind WHEN 'reserve' THEN quantity ELSE -quantity END), 0) AS BIGINT) AS reserved,
                CAST(coalesce(sum(CASE kind WHEN 'draw' THEN quantity ELSE 0 END), 0) AS BIGINT) AS drawn
         FROM ledger_entries WHERE order_line_id = $1 AND id >= $2",
    )
    .bind(line.0)
    .bind(from_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("reserved")?, row.try_get("drawn")?))
}
