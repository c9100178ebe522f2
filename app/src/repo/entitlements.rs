//! What accounts hold.

use super::decode_stored;
use sqlx::{AnyConnection, Row};

use crate::domain::{AccountId, Holding, LicenseModel, ProductId};

/// Per product, what `account` holds: its entitlements, less what has been
/// drawn down to customers from those that come from its order lines.
#[tracing::instrument(skip(conn))]
pub async fn list_holdings(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<Holding>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.license_model,
                CAST(sum(e.quantity - coalesce(d.drawn, 0)) AS BIGINT) AS held
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         LEFT JOIN (SELECT order_line_id, sum(quantity) AS drawn FROM ledger_entries
                    WHERE kind = 'draw' GROUP BY order_line_id) d ON d.order_line_id = e.order_line_id
         WHERE e.account_id = $1
         GROUP BY p.id, p.name, p.license_model
         ORDER BY p.name",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Holding {
                product_id: ProductId(r.try_get("id")?),
                product_name: r.try_get("name")?,
                license_model: decode_stored(r, "license_model", LicenseModel::parse)?,
                quantity: r.try_get("held")?,
            })
        })
        .collect()
}
