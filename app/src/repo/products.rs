//! The product catalog.

use super::{decode_stored, is_unique_violation, UniqueKey};
use sqlx::{AnyConnection, Row};

use crate::domain::{AdminCursor, LicenseModel, ProductId, ProductRow, Standing};

/// Why a product could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum ProductWriteError {
    #[error("another product has this SKU")]
    SkuTaken,
    #[error("another product has this name")]
    NameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const SKU_KEY: UniqueKey = UniqueKey {
    constraint: "products_sku_key",
    sqlite_columns: "products.sku",
};

const NAME_KEY: UniqueKey = UniqueKey {
    constraint: "products_name_key",
    sqlite_columns: "products.name",
};

fn write_error(e: sqlx::Error) -> ProductWriteError {
    if is_unique_violation(&e, &SKU_KEY) {
        ProductWriteError::SkuTaken
    } else if is_unique_violation(&e, &NAME_KEY) {
        ProductWriteError::NameTaken
    } else {
        e.into()
    }
}

/// Adds a product to the catalog.
#[tracing::instrument(skip(conn))]
pub async fn insert_product(
    conn: &mut AnyConnection,
    sku: &str,
    name: &str,
    model: LicenseModel,
) -> Result<ProductId, ProductWriteError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO products (sku, name, license_model) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(sku)
    .bind(name)
    .bind(model.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(write_error)?;
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

/// Stores a product's new SKU, name, model and Control Room mark.
#[tracing::instrument(skip(conn))]
pub async fn update_product(
    conn: &mut AnyConnection,
    id: ProductId,
    sku: &str,
    name: &str,
    model: LicenseModel,
    control_room: bool,
) -> Result<(), ProductWriteError> {
    sqlx::query(
        "UPDATE products SET sku = $1, name = $2, license_model = $3, holds_cloud_licenses = $4 WHERE id = $5",
    )
    .bind(sku)
    .bind(name)
    .bind(model.as_str())
    .bind(i64::from(control_room))
    .bind(id.0)
    .execute(&mut *conn)
    .await
    .map_err(write_error)?;
    Ok(())
}

/// Whether any order line is of this product: its license model is then
/// what the partners' entitlements were delivered by, and stays.
#[tracing::instrument(skip(conn))]
pub async fn product_is_ordered(conn: &mut AnyConnection, id: ProductId) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM order_lines WHERE product_id = $1 LIMIT 1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

const ROW_SQL: &str =
    "SELECT id, sku, name, license_model, holds_cloud_licenses, deactivated_at FROM products";

fn product_row(r: &sqlx::any::AnyRow) -> Result<ProductRow, sqlx::Error> {
    Ok(ProductRow {
        id: ProductId(r.try_get("id")?),
        sku: r.try_get("sku")?,
        name: r.try_get("name")?,
        model: decode_stored(r, "license_model", LicenseModel::parse)?,
        control_room: r.try_get::<i64, _>("holds_cloud_licenses")? != 0,
        standing: Standing::of(r.try_get("deactivated_at")?),
    })
}

/// The whole catalog, deactivated products included, by name (what an
/// import looks products up in: a small list).
#[tracing::instrument(skip(conn))]
pub async fn list_products(conn: &mut AnyConnection) -> Result<Vec<ProductRow>, sqlx::Error> {
    sqlx::query(&format!("{ROW_SQL} ORDER BY name, id"))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(product_row)
        .collect()
}

/// One product.
#[tracing::instrument(skip(conn))]
pub async fn find_product(
    conn: &mut AnyConnection,
    id: ProductId,
) -> Result<Option<ProductRow>, sqlx::Error> {
    let row = sqlx::query(&format!("{ROW_SQL} WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(product_row).transpose()
}

/// A page of the catalog by name, after `after`, those whose name or SKU
/// starts with `search` (any case) when it is not empty.
#[tracing::instrument(skip(conn))]
pub async fn list_product_rows(
    conn: &mut AnyConnection,
    search: &str,
    after: Option<&AdminCursor>,
    limit: i64,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    let (key, id) = after.map(|c| (c.key.as_str(), c.id)).unwrap_or(("", -1));
    sqlx::query(&format!(
        "{ROW_SQL}
         WHERE ($1 = '' OR substr(lower(name), 1, length(lower($1))) = lower($1)
                        OR substr(lower(sku), 1, length(lower($1))) = lower($1))
           AND (name > $2 OR (name = $2 AND id > $3))
         ORDER BY name, id LIMIT $4"
    ))
    .bind(search)
    .bind(key)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(product_row)
    .collect()
}
