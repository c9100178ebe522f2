//! What accounts hold.

use super::decode_stored;
use sqlx::{AnyConnection, Row};

use crate::domain::{AccountId, Holding, LicenseModel, ProductId};

/// Per product, what `account` holds: its entitlements, less what has been
/// drawn down to customers from those that come from its order lines; and
/// what of it is in use, from the usage ledger.
#[tracing::instrument(skip(conn))]
pub async fn list_holdings(
    conn: &mut AnyConnection,
    account: AccountId,
) -> Result<Vec<Holding>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.license_model,
                CAST(sum(e.quantity - coalesce(d.drawn, 0)) AS BIGINT) AS held,
                CAST(coalesce(sum(u.in_use), 0) AS BIGINT) AS in_use
         FROM entitlements e
         JOIN products p ON p.id = e.product_id
         LEFT JOIN (SELECT order_line_id, sum(quantity) AS drawn FROM ledger_entries
                    WHERE kind = 'draw' GROUP BY order_line_id) d ON d.order_line_id = e.order_line_id
         LEFT JOIN (SELECT entitlement_id, sum(CASE kind WHEN 'assign' THEN quantity ELSE -quantity END) AS in_use
                    FROM usage_entries GROUP BY entitlement_id) u ON u.entitlement_id = e.id
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
                in_use: r.try_get("in_use")?,
            })
        })
        .collect()
}
