//! The append-only ledger of quantity movements on order lines.

use sqlx::AnyConnection;

use super::now;
use super::orders::{balance_from_row, LINE_BALANCE_SQL};
use crate::domain::{AccountId, BalanceError, LedgerEntryKind, LineBalance, OrderLineId};

/// A movement to record.
#[derive(Debug, Clone, Copy)]
pub struct NewLedgerEntry {
    pub order_line: OrderLineId,
    pub kind: LedgerEntryKind,
    pub quantity: i64,
    /// The drawdown request that causes the movement.
    pub drawdown_request_id: Option<i64>,
    /// For a draw: the customer account that receives the quantity.
    pub to_account: Option<AccountId>,
}

/// Why a movement was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Balance(#[from] BalanceError),
    #[error("order line {0} does not exist")]
    UnknownOrderLine(OrderLineId),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Where one order line stands now.
#[tracing::instrument(skip(conn))]
pub async fn find_line_balance(
    conn: &mut AnyConnection,
    line: OrderLineId,
) -> Result<Option<LineBalance>, sqlx::Error> {
    let row = sqlx::query(&format!(
        "{LINE_BALANCE_SQL} WHERE ol.id = $1 GROUP BY ol.id, ol.quantity"
    ))
    .bind(line.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(balance_from_row).transpose()
}

/// Records a movement if the line's balance allows it, else records nothing.
///
/// The order line's row is locked (PostgreSQL) and the check and the insert
/// are one statement, so no interleaving of transactions can slip a movement
/// past the check: the invariant `available + reserved + drawn = quantity`,
/// none negative, holds at every commit.
#[tracing::instrument(skip(conn))]
pub async fn append_ledger_entry(conn: &mut AnyConnection, entry: NewLedgerEntry) -> Result<(), LedgerError> {
    if entry.quantity <= 0 {
        return Err(BalanceError::NotPositive.into());
    }
    super::lock_row(conn, super::Locked::OrderLine, entry.order_line.0).await?;
    let done = sqlx::query(&format!(
        "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, to_account_id, created_at)
         SELECT $1, $2, $3, $4, $5, $6
         FROM ({LINE_BALANCE_SQL} WHERE ol.id = $1 GROUP BY ol.id, ol.quantity) b
         WHERE CASE WHEN $2 = 'reserve' THEN b.quantity - b.reserved - b.drawn ELSE b.reserved END >= $3"
    ))
    .bind(entry.order_line.0)
    .bind(entry.kind.as_str())
    .bind(entry.quantity)
    .bind(entry.drawdown_request_id)
    .bind(entry.to_account.map(|a| a.0))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    // Refused: say why, from the balance the statement saw.
    let balance = find_line_balance(conn, entry.order_line)
        .await?
        .ok_or(LedgerError::UnknownOrderLine(entry.order_line))?;
    Err(balance
        .apply(entry.kind, entry.quantity)
        .err()
        .unwrap_or(BalanceError::NotPositive)
        .into())
}
