//! Accounting's workspace (SPEC, "Accounting's workspace"): the Decision
//! panel of a request, the Approvals queue and its bulk approval.

use super::drawdowns::list_page;
use super::{DrawdownError, Services};
use crate::domain::{
    may_weigh_drawdowns, AccountId, ApprovalsPage, BulkApproval, BulkOutcome, CurrentUser, DecisionPanel,
    DrawdownId, DrawdownState, PageRequest, QueuedRequest, Role, Transition, UserEmail, BULK_APPROVAL_MAX,
};
use crate::i18n::Locale;
use crate::repo::drawdowns::DrawdownFilter;
use crate::repo::{accounting, entitlements, users};
use sqlx::AnyConnection;

/// Each active user of `role`, and `team` if set (in its user's language
/// if it is one's address), each address once.
async fn team_addresses(
    tx: &mut AnyConnection,
    role: Role,
    team: Option<&UserEmail>,
) -> Result<Vec<(String, Locale)>, sqlx::Error> {
    let mut addresses = users::list_mail_addresses_of_role(tx, role).await?;
    if let Some(team) = team.map(UserEmail::as_str) {
        if !addresses.iter().any(|(address, _)| address == team) {
            let locale = users::find_locale_by_email(tx, team).await?.unwrap_or_default();
            addresses.push((team.to_owned(), locale));
        }
    }
    Ok(addresses)
}

impl Services<'_> {
    /// Who an email to accounting goes to: each accounting user in their
    /// language, and the team's address if one is configured.
    pub(super) async fn accounting_recipients(
        &self,
        tx: &mut AnyConnection,
    ) -> Result<Vec<(String, Locale)>, sqlx::Error> {
        team_addresses(tx, Role::Accounting, self.settings.accounting_email.as_ref()).await
    }

    /// Who an escalation goes to: the configured address, else each vendor admin.
    pub(super) async fn escalation_recipients(
        &self,
        tx: &mut AnyConnection,
    ) -> Result<Vec<(String, Locale)>, sqlx::Error> {
        match &self.settings.escalation_email {
            Some(address) => {
                let locale = users::find_locale_by_email(tx, address.as_str())
                    .await?
                    .unwrap_or_default();
                Ok(vec![(address.as_str().to_owned(), locale)])
            }
            None => team_addresses(tx, Role::VendorAdmin, None).await,
        }
    }

    /// What accounting weighs before deciding request `id`, read in one
    /// snapshot from the stored balances. A request that does not exist and
    /// a caller outside accounting get the same answer.
    pub async fn decision_panel(
        &self,
        user: &CurrentUser,
        id: DrawdownId,
    ) -> Result<DecisionPanel, DrawdownError> {
        if !may_weigh_drawdowns(user) {
            return Err(DrawdownError::Forbidden);
        }
        let mut tx = self.db.snapshot().await?;
        let subject = accounting::find_decision_subject(&mut tx, id)
            .await?
            .ok_or(DrawdownError::Forbidden)?;
        let lines = accounting::list_decision_lines(&mut tx, id, subject.state).await?;
        let holdings = match subject.customer {
            Some(customer) => entitlements::list_holdings(&mut tx, customer).await?,
            None => Vec::new(),
        };
        let open_requests = accounting::list_related_open_requests(&mut tx, &subject).await?;
        let past_decisions = accounting::list_past_decisions(&mut tx, subject.partner, id).await?;
        tx.commit().await?;
        Ok(DecisionPanel {
            lines,
            customer: subject.customer,
            holdings,
            open_requests,
            past_decisions,
        })
    }

    /// The Approvals queue: Submitted requests, oldest first, of one partner
    /// or all, each with its total quantity and how long it has waited
    /// (past the target: overdue), and on the first page the partners with
    /// requests waiting.
    pub async fn approvals_queue(
        &self,
        user: &CurrentUser,
        partner: Option<AccountId>,
        customer_search: Option<String>,
        page: PageRequest,
    ) -> Result<ApprovalsPage, DrawdownError> {
        if !may_weigh_drawdowns(user) {
            return Err(DrawdownError::Forbidden);
        }
        let filter = DrawdownFilter {
            partner,
            state: Some(DrawdownState::Submitted),
            customer_search,
            oldest_first: true,
            ..Default::default()
        };
        let mut tx = self.db.snapshot().await?;
        let listed = list_page(&mut tx, &filter, page).await?;
        let ids: Vec<DrawdownId> = listed.rows.iter().map(|r| r.id).collect();
        let totals = accounting::list_requested_totals(&mut tx, &ids).await?;
        let partners = match page.after {
            None => accounting::list_waiting_partners(&mut tx).await?,
            Some(_) => Vec::new(),
        };
        tx.commit().await?;
        let now = self.settings.clock.now();
        let target = self.settings.approval_target.whole_seconds();
        let rows = listed
            .rows
            .into_iter()
            .map(|summary| {
                let waiting = (now - summary.changed_at).max(0);
                QueuedRequest {
                    quantity: totals.get(&summary.id).copied().unwrap_or(0),
                    waiting,
                    overdue: waiting > target,
                    summary,
                }
            })
            .collect();
        Ok(ApprovalsPage {
            rows,
            next: listed.next,
            partners,
        })
    }

    /// Approve selected: each request approved in its own transaction, as
    /// if one by one; one that left Submitted meanwhile says where it is now
    /// and the others go on.
    pub async fn approve_drawdowns(
        &self,
        user: &CurrentUser,
        ids: &[DrawdownId],
    ) -> Result<Vec<BulkApproval>, DrawdownError> {
        if crate::domain::Actor::of(user.role) != Some(crate::domain::Actor::Accounting) {
            return Err(DrawdownError::Forbidden);
        }
        if ids.is_empty() || ids.len() > BULK_APPROVAL_MAX {
            return Err(DrawdownError::TooMany {
                max: BULK_APPROVAL_MAX,
            });
        }
        let mut results = Vec::with_capacity(ids.len());
        for &id in ids {
            if results.iter().any(|r: &BulkApproval| r.id == id) {
                continue;
            }
            let attempt = self.change(user, id, Transition::Approve, None).await;
            // One read after the attempt: the number to show, and where a
            // refused request stands now.
            let found = {
                let mut conn = self.db.read().await?;
                accounting::find_number_and_state(&mut conn, id).await?
            };
            let (number, outcome) = match (attempt, found) {
                (_, None) | (Err(DrawdownError::Forbidden), _) => (None, BulkOutcome::NotFound),
                (Ok(_), Some((number, _))) => (Some(number), BulkOutcome::Approved),
                (Err(DrawdownError::Refused { .. }), Some((number, now))) => {
                    (Some(number), BulkOutcome::Moved(now))
                }
                (Err(error), Some((number, _))) => {
                    tracing::warn!(%id, %error, "a request of Approve selected failed");
                    (Some(number), BulkOutcome::Failed)
                }
            };
            results.push(BulkApproval { id, number, outcome });
        }
        Ok(results)
    }
}
