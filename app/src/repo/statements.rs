//! What an order line's statement reads: the line, its movements a page at
//! a time (newest first for the screen, oldest first for the export), each
//! with its cause and who made it, and what the newer movements moved (to
//! walk back from the stored balance).

use sqlx::{AnyConnection, Row};

use super::orders::balance_from_row;
use super::{decode_request_ref, decode_stored};
use crate::domain::{
    AccountId, HoldingBalance, HoldingEntry, LedgerEntryKind, LedgerMovement, LineBalance, OrderLineId,
    ProductId, UsageCursor, UsageMovementKind,
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
            let request = decode_request_ref(r, "drawdown_request_id", "number")?;
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

/// The customer and product a holding's statement is of, with what the
/// customer holds of it now (the stored quantities and in use), if the
/// account exists.
#[tracing::instrument(skip(conn))]
pub async fn find_holding(
    conn: &mut AnyConnection,
    account: AccountId,
    product: ProductId,
) -> Result<Option<(String, HoldingBalance)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT p.name,
                CAST(coalesce(sum(e.quantity), 0) AS BIGINT) AS held,
                CAST(coalesce(sum(e.in_use), 0) AS BIGINT) AS in_use
         FROM products p
         LEFT JOIN entitlements e ON e.product_id = p.id AND e.account_id = $1
         WHERE p.id = $2
         GROUP BY p.name",
    )
    .bind(account.0)
    .bind(product.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("name")?,
            HoldingBalance {
                held: r.try_get("held")?,
                in_use: r.try_get("in_use")?,
            },
        ))
    })
    .transpose()
}

/// Every movement of `account`'s entitlements to `product`: each grant (an
/// entitlement from an accepted request, by whoever accepted it) and each
/// usage entry, as one relation ordered by `(at, source, id)`. `$1` is the
/// account, `$2` the product.
const HOLDING_MOVEMENTS_SQL: &str = "
    SELECT e.created_at AS at, CAST(0 AS BIGINT) AS source, e.id AS id, 'receive' AS kind, e.quantity AS quantity,
           e.drawdown_request_id AS request_id, d.number AS number,
           CAST(NULL AS TEXT) AS control_room, CAST(NULL AS TEXT) AS license_file,
           (SELECT u.display_name FROM drawdown_history h LEFT JOIN users u ON u.id = h.actor_user_id
            WHERE h.drawdown_request_id = e.drawdown_request_id AND h.to_state = 'accepted'
            ORDER BY h.id LIMIT 1) AS actor_name
    FROM entitlements e JOIN drawdown_requests d ON d.id = e.drawdown_request_id
    WHERE e.account_id = $1 AND e.product_id = $2
    UNION ALL
    SELECT u.created_at, CAST(1 AS BIGINT), u.id, u.kind, u.quantity,
           CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
           coalesce(si.tenant_name, si.license_guid), lf.host_name, us.display_name
    FROM usage_entries u
    JOIN entitlements e ON e.id = u.entitlement_id
    LEFT JOIN service_instances si ON si.id = u.service_instance_id
    LEFT JOIN license_files lf ON lf.id = u.license_file_id
    LEFT JOIN users us ON us.id = u.user_id
    WHERE e.account_id = $1 AND e.product_id = $2";

/// Which movements of a holding to read, in which order.
#[derive(Debug, Clone, Copy)]
pub enum HoldingDirection {
    /// Newest first, before this position (all without one).
    NewestBefore(Option<UsageCursor>),
    /// Oldest first, after this position (all without one).
    OldestAfter(Option<UsageCursor>),
}

/// Up to `limit` movements of `account`'s entitlements to `product` in
/// `direction`, made between `from` and `until` (Unix seconds, inclusive),
/// their balances left at zero (see `with_holding_balance`).
///
/// A customer's own movements are few next to an order line's (each is a
/// person binding or configuring), and both index ranges
/// (`entitlements_account`, `usage_entries_entitlement`) hold the
/// customer's alone, so the page is sorted after the read.
#[tracing::instrument(skip(conn))]
pub async fn list_holding_movements(
    conn: &mut AnyConnection,
    account: AccountId,
    product: ProductId,
    direction: HoldingDirection,
    from: Option<i64>,
    until: Option<i64>,
    limit: usize,
) -> Result<Vec<HoldingEntry>, sqlx::Error> {
    let (position, order, cursor) = match direction {
        HoldingDirection::NewestBefore(before) => (
            "<",
            "DESC",
            before.unwrap_or(UsageCursor {
                at: i64::MAX,
                source: 0,
                id: 0,
            }),
        ),
        HoldingDirection::OldestAfter(after) => (
            ">",
            "ASC",
            after.unwrap_or(UsageCursor {
                at: i64::MIN,
                source: 0,
                id: 0,
            }),
        ),
    };
    let sql = format!(
        "SELECT * FROM ({HOLDING_MOVEMENTS_SQL}) m
         WHERE (m.at, m.source, m.id) {position} ($3, $4, $5) AND m.at >= $6 AND m.at <= $7
         ORDER BY m.at {order}, m.source {order}, m.id {order}
         LIMIT {limit}"
    );
    sqlx::query(&sql)
        .bind(account.0)
        .bind(product.0)
        .bind(cursor.at)
        .bind(cursor.source)
        .bind(cursor.id)
        .bind(from.unwrap_or(i64::MIN))
        .bind(until.unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let request = decode_request_ref(r, "request_id", "number")?;
            Ok(HoldingEntry {
                position: UsageCursor {
                    at: r.try_get("at")?,
                    source: r.try_get("source")?,
                    id: r.try_get("id")?,
                },
                kind: decode_stored(r, "kind", UsageMovementKind::parse)?,
                quantity: r.try_get("quantity")?,
                request,
                control_room: r.try_get("control_room")?,
                license_file: r.try_get("license_file")?,
                actor_name: r.try_get("actor_name")?,
                after: HoldingBalance::default(),
            })
        })
        .collect()
}

/// What the movements of the holding from `position` on (inclusive) moved:
/// how far what is held now is from the balance just before it.
#[tracing::instrument(skip(conn))]
pub async fn sum_holding_movements_since(
    conn: &mut AnyConnection,
    account: AccountId,
    product: ProductId,
    position: UsageCursor,
) -> Result<HoldingBalance, sqlx::Error> {
    let sql = format!(
        "SELECT CAST(coalesce(sum(CASE kind WHEN 'receive' THEN quantity ELSE 0 END), 0) AS BIGINT) AS held,
                CAST(coalesce(sum(CASE kind WHEN 'assign' THEN quantity WHEN 'release' THEN -quantity ELSE 0 END), 0)
                     AS BIGINT) AS in_use
         FROM ({HOLDING_MOVEMENTS_SQL}) m
         WHERE (m.at, m.source, m.id) >= ($3, $4, $5)"
    );
    let row = sqlx::query(&sql)
        .bind(account.0)
        .bind(product.0)
        .bind(position.at)
        .bind(position.source)
        .bind(position.id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(HoldingBalance {
        held: row.try_get("held")?,
        in_use: row.try_get("in_use")?,
    })
}
