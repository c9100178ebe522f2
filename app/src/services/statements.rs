//! Ledger statements (SPEC, "Ledger statements and exports"): an order
//! line's movements with their causes and the running balance, for the
//! screen a page at a time and for the CSV export a chunk at a time.

use super::{DrawdownError, Services};
use crate::domain::{
    may_view_drawdowns_of, with_running_balance, CurrentUser, LedgerMovement, LineBalance, LineStatement,
    OrderLineId, StatementEntry, STATEMENT_PAGE_SIZE,
};
use crate::repo::statements::{self, Direction, StatementLine};

/// The line `user` asks the statement of, if they may read it: vendor
/// staff every line, a partner's users the lines of its own orders.
async fn readable_line(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    line: OrderLineId,
) -> Result<StatementLine, DrawdownError> {
    statements::find_statement_line(conn, line)
        .await?
        .filter(|l| may_view_drawdowns_of(user, l.partner_id))
        .ok_or(DrawdownError::Forbidden)
}

/// Where an export stands between two chunks.
#[derive(Debug, Clone)]
pub struct ExportCursor {
    pub line: OrderLineId,
    /// The id of the last movement written.
    pub after_id: i64,
    /// The line's balance after it.
    pub balance: LineBalance,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

impl Services<'_> {
    /// A page of the statement of `line`, newest first, starting before the
    /// movement with id `before` (from the newest without one).
    pub async fn line_statement(
        &self,
        user: &CurrentUser,
        line: OrderLineId,
        before: Option<i64>,
    ) -> Result<LineStatement, DrawdownError> {
        let mut tx = self.db.snapshot().await?;
        let found = readable_line(&mut tx, user, line).await?;
        let mut movements = statements::list_movements(
            &mut tx,
            line,
            Direction::NewestBefore(before),
            None,
            None,
            STATEMENT_PAGE_SIZE + 1,
        )
        .await?;
        // The balance after the newest movement of this page: the stored
        // one, less what every newer movement moved.
        let after_newest = match before {
            None => found.balance,
            Some(id) => {
                let (reserved, drawn) = statements::sum_movements_since(&mut tx, line, id).await?;
                LineBalance {
                    reserved: found.balance.reserved - reserved,
                    drawn: found.balance.drawn - drawn,
                    ..found.balance
                }
            }
        };
        tx.commit().await?;
        let next = (movements.len() > STATEMENT_PAGE_SIZE).then(|| {
            movements.truncate(STATEMENT_PAGE_SIZE);
            movements.last().map_or(0, |m| m.id)
        });
        Ok(LineStatement {
            order_line: line,
            order_number: found.order_number,
            product_name: found.product_name,
            partner_id: found.partner_id,
            partner_name: found.partner_name,
            balance: found.balance,
            entries: with_running_balance(movements, after_newest),
            next,
        })
    }

    /// Where the export of `line` between `from` and `until` starts, if
    /// `user` may read it: before its first movement in the range, with the
    /// balance the line had then. The line's own facts come with it.
    pub async fn start_line_export(
        &self,
        user: &CurrentUser,
        line: OrderLineId,
        from: Option<i64>,
        until: Option<i64>,
    ) -> Result<(StatementLine, Option<ExportCursor>), DrawdownError> {
        let mut tx = self.db.snapshot().await?;
        let found = readable_line(&mut tx, user, line).await?;
        let first =
            statements::list_movements(&mut tx, line, Direction::OldestAfter(i64::MIN), from, until, 1)
                .await?;
        let cursor = match first.first() {
            None => None,
            Some(m) => {
                let (reserved, drawn) = statements::sum_movements_since(&mut tx, line, m.id).await?;
                Some(ExportCursor {
                    line,
                    after_id: m.id - 1,
                    balance: LineBalance {
                        reserved: found.balance.reserved - reserved,
                        drawn: found.balance.drawn - drawn,
                        ..found.balance
                    },
                    from,
                    until,
                })
            }
        };
        tx.commit().await?;
        Ok((found, cursor))
    }

    /// The next `chunk` movements of an export, oldest first, each with the
    /// balance after it, and where the export goes on (`None`: done).
    pub async fn line_export_chunk(
        &self,
        cursor: ExportCursor,
        chunk: usize,
    ) -> Result<(Vec<StatementEntry>, Option<ExportCursor>), DrawdownError> {
        let movements: Vec<LedgerMovement> = {
            let mut conn = self.db.read().await?;
            statements::list_movements(
                &mut conn,
                cursor.line,
                Direction::OldestAfter(cursor.after_id),
                cursor.from,
                cursor.until,
                chunk,
            )
            .await?
        };
        let mut balance = cursor.balance;
        let entries: Vec<StatementEntry> = movements
            .into_iter()
            .map(|m| {
                balance = crate::domain::balance_after(balance, m.kind, m.quantity);
                m.with_balance_after(balance)
            })
            .collect();
        let next = (entries.len() == chunk).then(|| ExportCursor {
            after_id: entries.last().map_or(cursor.after_id, |e| e.id),
            balance,
            ..cursor
        });
        Ok((entries, next))
    }
}
