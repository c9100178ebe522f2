//! `server product add`: the vendor's catalog; the procedure of
//! Administration's New product.

use app::domain::{AdminField, AdminRule, LicenseModel, ProductForm, ProductId};
use app::repo::Db;
use app::services::{AdminError, Caller};

use super::Operator;

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
    #[error("{0}")]
    Refused(AdminError),
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
    let form = ProductForm {
        sku: sku.into(),
        name: name.into(),
        model,
        control_room,
    };
    let operator = Operator::new(db);
    operator
        .services()
        .create_product(Caller::Operator, &form)
        .await
        .map_err(|e| match e {
            AdminError::Invalid { problems } => match problems.first().map(|p| (p.field, &p.rule)) {
                Some((_, AdminRule::Taken)) => AddProductError::Taken,
                Some((AdminField::Sku, _)) => AddProductError::BadSku,
                Some((AdminField::Name, _)) => AddProductError::BadName,
                Some((AdminField::LicenseModel, _)) => AddProductError::NotAService,
                _ => AddProductError::Refused(AdminError::Invalid { problems }),
            },
            other => AddProductError::Refused(other),
        })
}
