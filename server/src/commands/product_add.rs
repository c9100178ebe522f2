//! `server product add`: the vendor's catalog.

use app::domain::{LicenseModel, ProductId};
use app::repo::{products, Db};

/// Why a product was not added.
#[derive(Debug, thiserror::Error)]
pub enum AddProductError {
    #[error("sku: 1 to 20 letters, digits or '-'")]
    BadSku,
    #[error("name: 1 to 200 characters")]
    BadName,
    #[error("sku or name: a product with this SKU or name already exists")]
    Taken,
    #[error("--control-room: only a service product can be a Control Room")]
    NotAService,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<sqlx::Error> for AddProductError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Adds a product to the catalog. `control_room`: a service whose instances
/// carry a license GUID that cloud entitlements bind to.
pub async fn add_product(
    db: &Db,
    sku: &str,
    name: &str,
    model: LicenseModel,
    control_room: bool,
) -> Result<ProductId, AddProductError> {
    let sku = sku.trim();
    let name = name.trim();
    if sku.is_empty() || sku.len() > 20 || !sku.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AddProductError::BadSku);
    }
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AddProductError::BadName);
    }
    if control_room && model != LicenseModel::Service {
        return Err(AddProductError::NotAService);
    }
    let mut tx = db.begin().await?;
    let id = products::insert_product(&mut tx, sku, name, model)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => AddProductError::Taken,
            _ => AddProductError::Internal(e.to_string()),
        })?;
    if control_room {
        products::mark_holds_cloud_licenses(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(id)
}
