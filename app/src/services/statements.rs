//! Ledger statements (SPEC, "Ledger statements and exports"): an order
//! line's movements with their causes and the running balance, for the
//! screen a page at a time and for the CSV export a chunk at a time.

use super::{DrawdownError, Services};
use crate::domain::{
    may_view_account, may_view_drawdowns_of, with_holding_balance, with_running_balance, AccountId,
    AccountKind, CurrentUser, HoldingBalance, HoldingEntry, HoldingStatement, LedgerMovement, LineBalance,
    LineStatement, OrderLineId, ProductId, StatementEntry, UsageCursor, STATEMENT_PAGE_SIZE,
};
use crate::repo::accounts;
use crate::repo::statements::{self, Direction, HoldingDirection, StatementLine};

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

/// The customer account whose holding `user` asks the statement of, if
/// they may read it (its own users, its partner's, vendor staff): its name.
async fn readable_holder(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    account: AccountId,
) -> Result<String, DrawdownError> {
    accounts::find_account(conn, account)
        .await?
        .filter(|a| a.kind == AccountKind::Customer && may_view_account(user, a))
        .map(|a| a.name)
        .ok_or(DrawdownError::Forbidden)
}

/// Where a holding's export stands between two chunks.
#[derive(Debug, Clone, Copy)]
pub struct HoldingExportCursor {
    pub account: AccountId,
    pub product: ProductId,
    /// The last movement written (none yet: from the first in the range).
    pub after: Option<UsageCursor>,
    /// The balance after it.
    pub balance: HoldingBalance,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

impl Services<'_> {
    /// A page of the statement of what `account` holds of `product`, newest
    /// first, starting before `before` (from the newest without one).
    pub async fn holding_statement(
        &self,
        user: &CurrentUser,
        account: AccountId,
        product: ProductId,
        before: Option<UsageCursor>,
    ) -> Result<HoldingStatement, DrawdownError> {
        let mut tx = self.db.snapshot().await?;
        let account_name = readable_holder(&mut tx, user, account).await?;
        let (product_name, balance) = statements::find_holding(&mut tx, account, product)
            .await?
            .ok_or(DrawdownError::Forbidden)?;
        let mut entries = statements::list_holding_movements(
            &mut tx,
            account,
            product,
            HoldingDirection::NewestBefore(before),
            None,
            None,
            STATEMENT_PAGE_SIZE + 1,
        )
        .await?;
        let after_newest = match (before, entries.first()) {
            (Some(_), Some(newest)) => {
                let moved =
                    statements::sum_holding_movements_since(&mut tx, account, product, newest.position)
                        .await?;
                newest_balance(balance, moved, newest)
            }
            _ => balance,
        };
        tx.commit().await?;
        let next = (entries.len() > STATEMENT_PAGE_SIZE).then(|| {
            entries.truncate(STATEMENT_PAGE_SIZE);
            entries.last().map(|e| e.position)
        });
        Ok(HoldingStatement {
            account_id: account,
            account_name,
            product_id: product,
            product_name,
            balance,
            entries: with_holding_balance(entries, after_newest),
            next: next.flatten(),
        })
    }

    /// Where the export of a holding's statement between `from` and
    /// `until` starts, if `user` may read it: before its first movement in
    /// the range, with the balance then. The holder's and product's names
    /// come with it.
    pub async fn start_holding_export(
        &self,
        user: &CurrentUser,
        account: AccountId,
        product: ProductId,
        from: Option<i64>,
        until: Option<i64>,
    ) -> Result<(String, String, Option<HoldingExportCursor>), DrawdownError> {
        let mut tx = self.db.snapshot().await?;
        let account_name = readable_holder(&mut tx, user, account).await?;
        let (product_name, balance) = statements::find_holding(&mut tx, account, product)
            .await?
            .ok_or(DrawdownError::Forbidden)?;
        let first = statements::list_holding_movements(
            &mut tx,
            account,
            product,
            HoldingDirection::OldestAfter(None),
            from,
            until,
            1,
        )
        .await?;
        let cursor = match first.first() {
            None => None,
            Some(m) => {
                let moved =
                    statements::sum_holding_movements_since(&mut tx, account, product, m.position).await?;
                Some(HoldingExportCursor {
                    account,
                    product,
                    after: None,
                    balance: HoldingBalance {
                        held: balance.held - moved.held,
                        in_use: balance.in_use - moved.in_use,
                    },
                    from,
                    until,
                })
            }
        };
        tx.commit().await?;
        Ok((account_name, product_name, cursor))
    }

    /// The next `chunk` movements of a holding's export, oldest first, each
    /// with the balance after it, and where the export goes on.
    pub async fn holding_export_chunk(
        &self,
        cursor: HoldingExportCursor,
        chunk: usize,
    ) -> Result<(Vec<HoldingEntry>, Option<HoldingExportCursor>), DrawdownError> {
        let mut entries = {
            let mut conn = self.db.read().await?;
            statements::list_holding_movements(
                &mut conn,
                cursor.account,
                cursor.product,
                HoldingDirection::OldestAfter(cursor.after),
                cursor.from,
                cursor.until,
                chunk,
            )
            .await?
        };
        let mut balance = cursor.balance;
        for e in &mut entries {
            balance = balance.after(e.kind, e.quantity);
            e.after = balance;
        }
        let next = (entries.len() == chunk).then(|| HoldingExportCursor {
            after: entries.last().map(|e| e.position),
            balance,
            ..cursor
        });
        Ok((entries, next))
    }
}

/// The balance after `newest`, from what is held now less what the
/// movements from it on moved, plus its own movement back.
fn newest_balance(now: HoldingBalance, moved: HoldingBalance, newest: &HoldingEntry) -> HoldingBalance {
    HoldingBalance {
        held: now.held - moved.held,
        in_use: now.in_use - moved.in_use,
    }
    .after(newest.kind, newest.quantity)
}
