//! CSV exports of the lists (SPEC, "Ledger statements and exports"): Partner
//! drawdowns with each request's history, Approvals, and Entitlements. Each
//! starts by checking who asks and for what, as the screen does, then reads
//! a chunk at a time, so the answer streams with flat memory.

use super::drawdowns::{drawdowns_filter, list_page};
use super::{AccountError, DrawdownError, Services};
use crate::domain::{
    may_view_account, may_weigh_drawdowns, AccountId, CurrentUser, DrawdownCursor, DrawdownState,
    DrawdownSummary, HistoryEntry, PageRequest,
};
use crate::repo::accounts;
use crate::repo::drawdowns::DrawdownFilter;
use crate::repo::exports::{self, EntitlementRow};

/// The days an export covers: instants from `from`, before `before`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportRange {
    pub from: Option<i64>,
    pub before: Option<i64>,
}

/// The requests an export writes, as the caller may read them.
#[derive(Debug, Clone)]
pub struct RequestExport {
    filter: DrawdownFilter,
}

/// One request of an export, with what it asks and its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedRequest {
    pub summary: DrawdownSummary,
    /// `(product, quantity)` in the order's line order.
    pub lines: Vec<(String, i64)>,
    pub history: Vec<HistoryEntry>,
    /// Seconds since its last change, by the services' clock.
    pub waiting: i64,
    /// Submitted and waiting past the approval target.
    pub overdue: bool,
}

impl ExportedRequest {
    /// What it asks in all.
    pub fn quantity(&self) -> i64 {
        self.lines.iter().map(|(_, q)| q).sum()
    }
}

/// The entitlements an export writes: an account the caller may read.
#[derive(Debug, Clone, Copy)]
pub struct EntitlementExport {
    pub account: AccountId,
    pub range: ExportRange,
}

impl Services<'_> {
    /// The Partner drawdowns export of `account` with the screen's filters,
    /// if `user` may read that list; the range applies to the last change.
    pub async fn start_drawdowns_export(
        &self,
        user: &CurrentUser,
        account: AccountId,
        state: Option<DrawdownState>,
        customer_search: Option<String>,
        range: ExportRange,
    ) -> Result<RequestExport, DrawdownError> {
        let mut conn = self.db.read().await?;
        let filter = drawdowns_filter(&mut conn, user, account, state, customer_search).await?;
        Ok(RequestExport {
            filter: DrawdownFilter {
                changed_from: range.from,
                changed_before: range.before,
                ..filter
            },
        })
    }

    /// The Approvals export (the queue: Submitted, oldest first) with the
    /// screen's Partner filter and search, for whoever may see the queue.
    pub fn start_approvals_export(
        &self,
        user: &CurrentUser,
        partner: Option<AccountId>,
        customer_search: Option<String>,
        range: ExportRange,
    ) -> Result<RequestExport, DrawdownError> {
        if !may_weigh_drawdowns(user) {
            return Err(DrawdownError::Forbidden);
        }
        Ok(RequestExport {
            filter: DrawdownFilter {
                partner,
                state: Some(DrawdownState::Submitted),
                customer_search,
                oldest_first: true,
                changed_from: range.from,
                changed_before: range.before,
                ..Default::default()
            },
        })
    }

    /// The next `chunk` requests of an export after `after`, with their
    /// lines and histories (three statements), and where it goes on.
    pub async fn requests_export_chunk(
        &self,
        export: &RequestExport,
        after: Option<DrawdownCursor>,
        chunk: usize,
    ) -> Result<(Vec<ExportedRequest>, Option<DrawdownCursor>), DrawdownError> {
        let mut tx = self.db.snapshot().await?;
        let page = list_page(
            &mut tx,
            &export.filter,
            PageRequest {
                after,
                rows: u32::try_from(chunk).ok(),
            },
        )
        .await?;
        let ids: Vec<_> = page.rows.iter().map(|r| r.id).collect();
        let mut lines = exports::list_lines_of(&mut tx, &ids).await?;
        let mut histories = exports::list_histories_of(&mut tx, &ids).await?;
        tx.commit().await?;
        let now = self.settings.clock.now();
        let target = self.settings.approval_target.whole_seconds();
        let rows = page
            .rows
            .into_iter()
            .map(|summary| {
                let waiting = (now - summary.changed_at).max(0);
                ExportedRequest {
                    lines: lines.remove(&summary.id).unwrap_or_default(),
                    history: histories.remove(&summary.id).unwrap_or_default(),
                    waiting,
                    overdue: summary.state == DrawdownState::Submitted && waiting > target,
                    summary,
                }
            })
            .collect();
        Ok((rows, page.next))
    }

    /// The Entitlements export of `account`, if `user` may read it, with the
    /// account's name.
    pub async fn start_entitlements_export(
        &self,
        user: &CurrentUser,
        account: AccountId,
        range: ExportRange,
    ) -> Result<(String, EntitlementExport), AccountError> {
        let mut conn = self.db.read().await?;
        let found = accounts::find_account(&mut conn, account)
            .await?
            .filter(|a| may_view_account(user, a))
            .ok_or(AccountError::Forbidden)?;
        Ok((found.name, EntitlementExport { account, range }))
    }

    /// The next `chunk` entitlements of an export after the one with id
    /// `after`, oldest first.
    pub async fn entitlements_export_chunk(
        &self,
        export: EntitlementExport,
        after: i64,
        chunk: usize,
    ) -> Result<Vec<EntitlementRow>, AccountError> {
        let mut conn = self.db.read().await?;
        Ok(exports::list_entitlement_rows(
            &mut conn,
            export.account,
            after,
            export.range.from,
            export.range.before,
            chunk,
        )
        .await?)
    }
}
