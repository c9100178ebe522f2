//! What accounts hold.

use std::collections::HashMap;

use super::decode_stored;
use sqlx::{AnyConnection, Row};

use crate::domain::{AccountId, Holding, LicenseModel, ProductId};

/// Per account and product, what accounts hold: their entitlements, less
/// what has been drawn down to customers from those that come from their
/// order lines; and what of it is in use. Both are stored on the rows, so
/// this reads the account's entitlements and nothing of the ledgers.
/// `accounts` is the condition on `e.account_id`, with `$1` its one parameter.
fn holdings_sql(accounts: &str) -> String {
    format!(
        "SELECT e.account_id, p.id, p.name, p.license_model,
                CAST(sum(e.quantity - coalesce(ol.drawn, 0)) AS BIGINT) AS held,
                CAST(sum(e.in_use) AS BIGINT) AS in_use
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         LEFT JOIN order_lines ol ON ol.id = e.order_line_id
         WHERE {accounts}
         GROUP BY e.account_id, p.id, p.name, p.license_model
         ORDER BY e.account_id, p.name"
    )
}

fn holding_from_row(r: &sqlx::any::AnyRow) -> Result<(AccountId, Holding), sqlx::Error> {
    Ok((
        AccountId(r.try_get("account_id")?),
        Holding {
            product_id: ProductId(r.try_get("id")?),
            product_name: r.try_get("name")?,
            license_model: decode_stored(r, "license_model", LicenseModel::parse)?,
            quantity: r.try_get("held")?,
            in_use: r.try_get("in_use")?,
        },
    ))
}

/// Per product, what `account` holds.
#[tracing::instrument(skip(conn))]
pub async fn list_holdings(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<Holding>, sqlx::Error> {
    sqlx::query(&holdings_sql("e.account_id = $1"))
        .bind(account.0)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| holding_from_row(r).map(|(_, holding)| holding))
        .collect()
}

/// What each customer `partner` manages holds, per product, in one query
/// however many customers there are. Customers holding nothing are absent.
#[tracing::instrument(skip(conn))]
pub async fn list_holdings_of_managed_customers(
    conn: &mut AnyConnection,
    partner: AccountId,
) -> Result<HashMap<AccountId, Vec<Holding>>, sqlx::Error> {
    let mut by_customer: HashMap<AccountId, Vec<Holding>> = HashMap::new();
    let rows = sqlx::query(&holdings_sql(
        "e.account_id IN (SELECT id FROM accounts WHERE kind = 'customer' AND managed_by = $1)",
    ))
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (customer, holding) = holding_from_row(r)?;
        by_customer.entry(customer).or_default().push(holding);
    }
    Ok(by_customer)
}
