//! Partners' orders and their lines.

use sqlx::{AnyConnection, Row};

use super::{is_unique_violation, UniqueKey};
use crate::domain::{
    AccountId, LineBalance, OrderDate, OrderId, OrderLineBalance, OrderLineId, OrderNumber, ProductId,
    Quantity, TermMonths,
};

/// Why an order could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum InsertOrderError {
    #[error("an order with this number already exists")]
    NumberTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const NUMBER_KEY: UniqueKey = UniqueKey {
    constraint: "orders_number_key",
    sqlite_columns: "orders.number",
};

/// Records an order (without lines).
#[tracing::instrument(skip(conn))]
pub async fn insert_order(
    conn: &mut AnyConnection,
    partner: AccountId,
    number: &OrderNumber,
    ordered_on: OrderDate,
    at: i64,
) -> Result<OrderId, InsertOrderError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(number.as_str())
    .bind(partner.0)
    .bind(ordered_on.to_string())
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| if is_unique_violation(&e, &NUMBER_KEY) { InsertOrderError::NumberTaken } else { e.into() })?;
    Ok(OrderId(id))
}

/// Adds a line to an order, and the partner's entitlement that comes from it:
/// what a partner buys, it holds until it draws it down to a customer.
#[tracing::instrument(skip(conn))]
pub async fn insert_order_line(
    conn: &mut AnyConnection,
    order: OrderId,
    line_no: i64,
    product: ProductId,
    quantity: Quantity,
    term: TermMonths,
    at: i64,
) -> Result<OrderLineId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, term_months)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(order.0)
    .bind(line_no)
    .bind(product.0)
    .bind(quantity.get())
    .bind(term.get())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, order_line_id, created_at)
         SELECT o.partner_id, $2, $3, $4, $1, $5 FROM orders o WHERE o.id = $6",
    )
    .bind(id)
    .bind(product.0)
    .bind(quantity.get())
    .bind(term.get())
    .bind(at)
    .bind(order.0)
    .execute(&mut *conn)
    .await?;
    Ok(OrderLineId(id))
}

/// Whether an order with this number exists.
#[tracing::instrument(skip(conn))]
pub async fn order_number_exists(
    conn: &mut AnyConnection,
    number: &OrderNumber,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE number = $1")
        .bind(number.as_str())
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

/// An order line's stored balance, with what the screens show of it.
const LINE_SQL: &str = "SELECT ol.id AS order_line_id, ol.quantity, ol.reserved, ol.drawn,
        ol.order_id, o.number, o.ordered_on, ol.line_no, ol.term_months, p.name AS product_name
    FROM order_lines ol
    JOIN orders o ON o.id = ol.order_id
    JOIN products p ON p.id = ol.product_id";

fn line_from_row(r: &sqlx::any::AnyRow) -> Result<OrderLineBalance, sqlx::Error> {
    Ok(OrderLineBalance {
        order_id: OrderId(r.try_get("order_id")?),
        order_line_id: OrderLineId(r.try_get("order_line_id")?),
        order_number: r.try_get("number")?,
        ordered_on: r.try_get("ordered_on")?,
        line_no: r.try_get("line_no")?,
        product_name: r.try_get("product_name")?,
        term_months: r.try_get("term_months")?,
        balance: balance_from_row(r)?,
    })
}

/// Every line of every order of `partner`, with its balance, by order and line.
#[tracing::instrument(skip(conn))]
pub async fn list_order_line_balances(
    conn: &mut AnyConnection,
    partner: AccountId,
) -> Result<Vec<OrderLineBalance>, sqlx::Error> {
    sqlx::query(&format!(
        "{LINE_SQL} WHERE o.partner_id = $1 ORDER BY o.ordered_on, o.number, ol.line_no"
    ))
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_from_row)
    .collect()
}

/// The lines of one order of `partner`, with their balances; none when the
/// order is another partner's or does not exist.
#[tracing::instrument(skip(conn))]
pub async fn list_lines_of_order(
    conn: &mut AnyConnection,
    partner: AccountId,
    order: OrderId,
) -> Result<Vec<OrderLineBalance>, sqlx::Error> {
    sqlx::query(&format!(
        "{LINE_SQL} WHERE ol.order_id = $1 AND o.partner_id = $2 ORDER BY ol.line_no"
    ))
    .bind(order.0)
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_from_row)
    .collect()
}

pub(super) fn balance_from_row(r: &sqlx::any::AnyRow) -> Result<LineBalance, sqlx::Error> {
    Ok(LineBalance {
        quantity: r.try_get("quantity")?,
        reserved: r.try_get("reserved")?,
        drawn: r.try_get("drawn")?,
    })
}
