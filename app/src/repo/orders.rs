//! Partners' orders and their lines.

use sqlx::{AnyConnection, Row};

use super::{is_unique_violation, UniqueKey};
use crate::domain::{
    AccountId, AdminCursor, LineBalance, OrderDate, OrderId, OrderLineBalance, OrderLineId, OrderNumber,
    OrderRow, OrderRowLine, ProductId, Quantity, Standing, TermMonths,
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
    list_lines_of_partner(conn, partner, "").await
}

/// As `list_order_line_balances`, the lines of orders that are not
/// deactivated: what a new drawdown request may draw from.
#[tracing::instrument(skip(conn))]
pub async fn list_drawable_line_balances(
    conn: &mut AnyConnection,
    partner: AccountId,
) -> Result<Vec<OrderLineBalance>, sqlx::Error> {
    list_lines_of_partner(conn, partner, " AND o.deactivated_at IS NULL").await
}

async fn list_lines_of_partner(
    conn: &mut AnyConnection,
    partner: AccountId,
    condition: &str,
) -> Result<Vec<OrderLineBalance>, sqlx::Error> {
    sqlx::query(&format!(
        "{LINE_SQL} WHERE o.partner_id = $1{condition} ORDER BY o.ordered_on, o.number, ol.line_no"
    ))
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_from_row)
    .collect()
}

/// The lines of one order of `partner`, with their balances; none when the
/// order is another partner's, deactivated, or does not exist (what a
/// drawdown request may draw from).
#[tracing::instrument(skip(conn))]
pub async fn list_lines_of_order(
    conn: &mut AnyConnection,
    partner: AccountId,
    order: OrderId,
) -> Result<Vec<OrderLineBalance>, sqlx::Error> {
    sqlx::query(&format!(
        "{LINE_SQL} WHERE ol.order_id = $1 AND o.partner_id = $2 AND o.deactivated_at IS NULL ORDER BY ol.line_no"
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

const ORDER_ROW_SQL: &str =
    "SELECT o.id, o.number, o.partner_id, a.name AS partner, o.ordered_on, o.deactivated_at
    FROM orders o JOIN accounts a ON a.id = o.partner_id";

fn order_row(r: &sqlx::any::AnyRow) -> Result<OrderRow, sqlx::Error> {
    Ok(OrderRow {
        id: OrderId(r.try_get("id")?),
        number: r.try_get("number")?,
        partner_id: AccountId(r.try_get("partner_id")?),
        partner: r.try_get("partner")?,
        ordered_on: r.try_get("ordered_on")?,
        lines: Vec::new(),
        standing: Standing::of(r.try_get("deactivated_at")?),
    })
}

/// The rows' lines, with their balances, in one read.
async fn fill_lines(conn: &mut AnyConnection, rows: &mut [OrderRow]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=rows.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT ol.order_id, ol.product_id, p.name AS product_name, ol.quantity, ol.term_months, ol.reserved, ol.drawn
         FROM order_lines ol JOIN products p ON p.id = ol.product_id
         WHERE ol.order_id IN ({}) ORDER BY ol.order_id, ol.line_no",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for row in rows.iter() {
        query = query.bind(row.id.0);
    }
    for line in query.fetch_all(&mut *conn).await? {
        let order = OrderId(line.try_get("order_id")?);
        if let Some(row) = rows.iter_mut().find(|r| r.id == order) {
            row.lines.push(OrderRowLine {
                product_id: ProductId(line.try_get("product_id")?),
                product_name: line.try_get("product_name")?,
                quantity: line.try_get("quantity")?,
                term_months: line.try_get("term_months")?,
                reserved: line.try_get("reserved")?,
                drawn: line.try_get("drawn")?,
            });
        }
    }
    Ok(())
}

/// A page of orders, newest number first, before `after`, those whose
/// number starts with `search` (any case) when it is not empty: read in
/// the order of `orders_number_key`, each with its lines.
#[tracing::instrument(skip(conn))]
pub async fn list_order_rows(
    conn: &mut AnyConnection,
    search: &str,
    after: Option<&AdminCursor>,
    limit: i64,
) -> Result<Vec<OrderRow>, sqlx::Error> {
    // The first page starts above every number (none is empty), the next
    // below the last shown: a range of orders_number_key either way.
    let (bound, after) = match after {
        Some(cursor) => ("o.number < $2", cursor.key.as_str()),
        None => ("o.number > $2", ""),
    };
    let mut rows = sqlx::query(&format!(
        "{ORDER_ROW_SQL}
         WHERE ($1 = '' OR substr(lower(o.number), 1, length(lower($1))) = lower($1))
           AND {bound}
         ORDER BY o.number DESC LIMIT $3"
    ))
    .bind(search)
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(order_row)
    .collect::<Result<Vec<_>, _>>()?;
    fill_lines(conn, &mut rows).await?;
    Ok(rows)
}

/// One order as Administration shows it, with its lines.
#[tracing::instrument(skip(conn))]
pub async fn find_order_row(conn: &mut AnyConnection, id: OrderId) -> Result<Option<OrderRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{ORDER_ROW_SQL} WHERE o.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row.as_ref().map(order_row).transpose()? else {
        return Ok(None);
    };
    let mut rows = [row];
    fill_lines(conn, &mut rows).await?;
    let [row] = rows;
    Ok(Some(row))
}

/// Stores an order's corrected date.
#[tracing::instrument(skip(conn))]
pub async fn update_order_date(
    conn: &mut AnyConnection,
    id: OrderId,
    ordered_on: OrderDate,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET ordered_on = $1 WHERE id = $2")
        .bind(ordered_on.to_string())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
