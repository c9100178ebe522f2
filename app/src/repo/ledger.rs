//! The append-only ledger of quantity movements on order lines, and the
//! balance stored on each line that the movements explain.

use sqlx::AnyConnection;

use super::orders::balance_from_row;
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
    /// When it happened, by the services' clock.
    pub at: i64,
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
    let row = sqlx::query("SELECT quantity, reserved, drawn FROM order_lines WHERE id = $1")
        .bind(line.0)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(balance_from_row).transpose()
}

/// The guarded move of a line's stored balance for each kind of movement:
/// the condition that makes it allowed is in the statement itself.
fn balance_update(kind: LedgerEntryKind) -> &'static str {
    match kind {
        LedgerEntryKind::Reserve => {
            "UPDATE order_lines SET reserved = reserved + $2 WHERE id = $1 AND quantity - reserved - drawn >= $2"
        }
        LedgerEntryKind::Release => "UPDATE order_lines SET reserved = reserved - $2 WHERE id = $1 AND reserved >= $2",
        LedgerEntryKind::Draw => {
            "UPDATE order_lines SET reserved = reserved - $2, drawn = drawn + $2 WHERE id = $1 AND reserved >= $2"
        }
    }
}

/// Records a movement if the line's balance allows it, else records nothing.
///
/// The line's stored balance moves by a conditional UPDATE, and the entry
/// that explains it is written in the same transaction. On PostgreSQL the
/// UPDATE takes the row's lock and re-checks its condition against the row
/// as the previous holder committed it, so no interleaving slips a movement
/// past the check; SQLite has one writer. The columns' CHECK constraints
/// back this up: no part of a line can go negative or past its quantity.
#[tracing::instrument(skip(conn))]
pub async fn append_ledger_entry(conn: &mut AnyConnection, entry: NewLedgerEntry) -> Result<(), LedgerError> {
    if entry.quantity <= 0 {
        return Err(BalanceError::NotPositive.into());
    }
    let moved = sqlx::query(balance_update(entry.kind))
        .bind(entry.order_line.0)
        .bind(entry.quantity)
        .execute(&mut *conn)
        .await?;
    if moved.rows_affected() != 1 {
        // Refused: say why, from the balance the statement saw.
        let balance = find_line_balance(conn, entry.order_line)
            .await?
            .ok_or(LedgerError::UnknownOrderLine(entry.order_line))?;
        return Err(balance
            .apply(entry.kind, entry.quantity)
            .err()
            .unwrap_or(BalanceError::NotPositive)
            .into());
    }
    sqlx::query(
        "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, to_account_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.order_line.0)
    .bind(entry.kind.as_str())
    .bind(entry.quantity)
    .bind(entry.drawdown_request_id)
    .bind(entry.to_account.map(|a| a.0))
    .bind(entry.at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
