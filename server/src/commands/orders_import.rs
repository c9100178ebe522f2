//! `server orders import FILE.csv`: the procedure of Administration's
//! Import orders (CSV) and of the orders API (`app::services::administration::orders`
//! says what the file holds). Every row is checked before anything is
//! written; the file goes in whole or not at all.

use std::io::Read;

use app::domain::ImportSummary;
use app::repo::Db;
use app::services::{AdminError, Caller};

use super::Operator;

/// Checks every row, then imports all orders in one transaction.
pub async fn import_orders(db: &Db, reader: impl Read) -> Result<ImportSummary, AdminError> {
    Operator::new(db)
        .services()
        .import_orders(Caller::Operator, reader)
        .await
}
