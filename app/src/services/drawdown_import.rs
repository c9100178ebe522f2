//! Bulk drawdowns (SPEC, "Bulk drawdowns"): the dry run of a file, and
//! Submit all, which saves every request of the file in one transaction
//! through Save's own step, or none.

use super::drawdowns::Saved;
use super::{DrawdownError, Services};
use crate::domain::{
    check_import, read_import_file, CurrentUser, DrawdownForm, ImportCheck, LineAvailability, OrderId,
};
use crate::events::PortalEvent;
use crate::repo::orders;
use sqlx::AnyConnection;

impl Services<'_> {
    /// The dry run: each row's problems and what the file takes from each
    /// line of `order`, as the order stands now. Nothing is written.
    pub async fn check_drawdown_import(
        &self,
        user: &CurrentUser,
        order: OrderId,
        file: &str,
    ) -> Result<ImportCheck, DrawdownError> {
        super::drawdowns::require_partner(user)?;
        let mut conn = self.db.read().await?;
        Ok(read_and_check(&mut conn, user, order, file).await?.0)
    }

    /// Submit all: every request of the file, or (with the dry run's
    /// problems) none.
    pub async fn submit_drawdown_import(
        &self,
        user: &CurrentUser,
        order: OrderId,
        file: &str,
    ) -> Result<Vec<Saved>, DrawdownError> {
        let mut tx = self.db.begin().await?;
        let (saved, events) = self.submit_import_within(&mut tx, user, order, file).await?;
        tx.commit().await?;
        for event in events {
            self.announce(event);
        }
        Ok(saved)
    }

    /// Submit all's work within `tx`: the saved requests, in the order of
    /// their customers' first rows, and the events to announce once `tx` is
    /// committed.
    pub(crate) async fn submit_import_within(
        &self,
        tx: &mut AnyConnection,
        user: &CurrentUser,
        order: OrderId,
        file: &str,
    ) -> Result<(Vec<Saved>, Vec<PortalEvent>), DrawdownError> {
        super::drawdowns::require_partner(user)?;
        let (check, forms) = read_and_check(tx, user, order, file).await?;
        if !check.is_clean() {
            return Err(DrawdownError::InvalidImport {
                check: Box::new(check),
            });
        }
        let mut saved = Vec::with_capacity(forms.len());
        let mut events = Vec::with_capacity(forms.len());
        for form in &forms {
            // Each request is checked again against what the earlier ones
            // reserved in this transaction, and by Save's own rules.
            let (request, event) = self.save_within(tx, user, Some(order), form, None).await?;
            saved.push(request);
            events.push(event);
        }
        Ok((saved, events))
    }
}

/// Reads the file and checks it against the partner's `order`; an order
/// that is not the partner's (or no longer open) is refused as unknown.
async fn read_and_check(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    order: OrderId,
    file: &str,
) -> Result<(ImportCheck, Vec<DrawdownForm>), DrawdownError> {
    let lines: Vec<LineAvailability> = orders::list_lines_of_order(conn, user.account_id, order)
        .await?
        .into_iter()
        .map(|l| LineAvailability {
            line: l.order_line_id,
            product_name: l.product_name,
            available: l.balance.available(),
        })
        .collect();
    if lines.is_empty() {
        return Err(DrawdownError::Forbidden);
    }
    match read_import_file(file) {
        Ok(rows) => Ok(check_import(&rows, &lines)),
        Err(check) => Ok((check, Vec::new())),
    }
}
