//! The product catalog.

use super::decode_stored;
use sqlx::{AnyConnection, Row};

use crate::domain::{LicenseModel, ProductId};

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub license_model: LicenseModel,
}

/// Adds a product to the catalog.
#[tracing::instrument(skip(conn))]
pub async fn insert_product(
    conn: &mut AnyConnection,
    sku: &str,
    name: &str,
    model: LicenseModel,
) -> Result<ProductId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (sku, name, license_model) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(sku)
    .bind(name)
    .bind(model.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(ProductId(id))
}

/// Makes a `service` product one whose instances carry a license GUID that
/// cloud entitlements bind to: a Control Room. False for another model.
#[tracing::instrument(skip(conn))]
pub async fn mark_holds_cloud_licenses(conn: &mut AnyConnection, id: ProductId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE products SET holds_cloud_licenses = 1 WHERE id = $1 AND license_model = 'service'",
    )
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The whole catalog, by name.
#[tracing::instrument(skip(conn))]
pub async fn list_products(conn: &mut AnyConnection) -> Result<Vec<Product>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, sku, name, license_model FROM products ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Product {
                id: ProductId(r.try_get("id")?),
                sku: r.try_get("sku")?,
                name: r.try_get("name")?,
                license_model: decode_stored(r, "license_model", LicenseModel::parse)?,
            })
        })
        .collect()
}
