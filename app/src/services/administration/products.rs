//! The product catalog (Administration → Products; `server product add`).

use serde_json::{json, Value};

use super::accounts::changed;
use super::{page_of, require_admin, search_text, AdminError, PAGE_READ};
use crate::domain::{
    AdminCursor, AdminField, AdminPage, AdminRule, AuditKind, AuditObject, ProductDetails, ProductForm,
    ProductId, ProductRow, Standing,
};
use crate::repo::audit;
use crate::repo::products::{self, ProductWriteError};
use crate::repo::{set_deactivated, Deactivatable};
use crate::services::{Caller, Services};

impl Services<'_> {
    /// A page of the catalog by name, those whose name or SKU starts with `search`.
    pub async fn product_rows(
        &self,
        by: Caller<'_>,
        search: &str,
        after: Option<AdminCursor>,
    ) -> Result<AdminPage<ProductRow>, AdminError> {
        require_admin(by)?;
        let Some(search) = search_text(search) else {
            return Ok(page_of(Vec::new()));
        };
        let mut conn = self.db.read().await?;
        let rows = products::list_product_rows(&mut conn, search, after.as_ref(), PAGE_READ).await?;
        Ok(page_of(
            rows.into_iter()
                .map(|row| {
                    let cursor = AdminCursor {
                        key: row.name.clone(),
                        id: row.id.0,
                    };
                    (row, cursor)
                })
                .collect(),
        ))
    }

    /// The products an order may be of: the active ones, by name.
    pub async fn orderable_products(&self, by: Caller<'_>) -> Result<Vec<ProductRow>, AdminError> {
        require_admin(by)?;
        let mut conn = self.db.read().await?;
        let mut rows = products::list_products(&mut conn).await?;
        rows.retain(|p| p.standing == Standing::Active);
        Ok(rows)
    }

    /// Adds a product to the catalog.
    pub async fn create_product(&self, by: Caller<'_>, form: &ProductForm) -> Result<ProductId, AdminError> {
        require_admin(by)?;
        let details = form
            .parse()
            .map_err(|problems| AdminError::Invalid { problems })?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let id = products::insert_product(
            &mut tx,
            details.sku.as_str(),
            details.name.as_str(),
            details.model,
        )
        .await
        .map_err(taken)?;
        if details.control_room {
            products::mark_holds_cloud_licenses(&mut tx, id).await?;
        }
        audit::record(
            &mut tx,
            now,
            &self.actor(by.signed_in()),
            AuditKind::ProductCreated,
            &product_object(id, details.name.as_str()),
            None,
            Some(&details_json(&details)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a product's SKU and name; its license model and Control Room
    /// mark too while no order has it (after, they are what its
    /// entitlements were delivered by).
    pub async fn update_product(
        &self,
        by: Caller<'_>,
        id: ProductId,
        form: &ProductForm,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let details = form
            .parse()
            .map_err(|problems| AdminError::Invalid { problems })?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let before = products::find_product(&mut tx, id)
            .await?
            .ok_or(AdminError::NotFound)?;
        let model_changes = before.model != details.model || before.control_room != details.control_room;
        if model_changes && products::product_is_ordered(&mut tx, id).await? {
            return Err(AdminError::field(AdminField::LicenseModel, AdminRule::InUse));
        }
        products::update_product(
            &mut tx,
            id,
            details.sku.as_str(),
            details.name.as_str(),
            details.model,
            details.control_room,
        )
        .await
        .map_err(taken)?;
        let (was, is) = changed(row_json(&before), details_json(&details));
        if !is.as_object().is_some_and(serde_json::Map::is_empty) {
            audit::record(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                AuditKind::ProductChanged,
                &product_object(id, details.name.as_str()),
                Some(&was),
                Some(&is),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deactivates a product (no new order or import takes it; orders
    /// that have it keep it) or reactivates it.
    pub async fn set_product_active(
        &self,
        by: Caller<'_>,
        id: ProductId,
        active: bool,
    ) -> Result<(), AdminError> {
        require_admin(by)?;
        let now = self.settings.clock.now();
        let mut tx = self.db.begin().await?;
        let product = products::find_product(&mut tx, id)
            .await?
            .ok_or(AdminError::NotFound)?;
        if set_deactivated(&mut tx, Deactivatable::Products, id.0, (!active).then_some(now)).await? {
            audit::record_standing(
                &mut tx,
                now,
                &self.actor(by.signed_in()),
                (AuditKind::ProductDeactivated, AuditKind::ProductReactivated),
                &product_object(id, &product.name),
                active,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn taken(e: ProductWriteError) -> AdminError {
    match e {
        ProductWriteError::SkuTaken => AdminError::field(AdminField::Sku, AdminRule::Taken),
        ProductWriteError::NameTaken => AdminError::field(AdminField::Name, AdminRule::Taken),
        ProductWriteError::Database(e) => e.into(),
    }
}

fn product_object(id: ProductId, name: &str) -> AuditObject {
    AuditObject {
        kind: "product",
        id: Some(id.0),
        label: name.to_owned(),
        account: None,
    }
}

fn details_json(details: &ProductDetails) -> Value {
    json!({
        "sku": details.sku.as_str(),
        "name": details.name.as_str(),
        "license_model": details.model.as_str(),
        "control_room": details.control_room,
    })
}

fn row_json(row: &ProductRow) -> Value {
    json!({
        "sku": row.sku,
        "name": row.name,
        "license_model": row.model.as_str(),
        "control_room": row.control_room,
    })
}
