//! The partner drawdown procedure (SPEC, "Partner drawdown request"): Save,
//! approve, reject, accept, cancel, expire, and what the screens read.

use super::webhooks::{queue_drawdown_events, DrawdownChange};
use super::Services;
use super::{service_error_faults, Fault};
use crate::domain::TransitionError;
use crate::domain::{
    matching_customer, may_view_account, may_view_drawdowns_of, search_can_match_a_name, AccountId,
    AccountKind, Actor, BalanceError, CurrentUser, DrawdownDetail, DrawdownField, DrawdownFieldError,
    DrawdownForm, DrawdownFormData, DrawdownId, DrawdownPage, DrawdownState, FieldProblem, LedgerEntryKind,
    LineAvailability, OrderId, PageRequest, PdrNumber, Reason, ReasonError, Transition,
};
use crate::domain::{AuditKind, AuditObject};
use crate::events::PortalEvent;
use crate::i18n::Locale;
use crate::mail::{compose, Notice, RequestFacts};
use crate::repo::drawdowns::{
    self as requests, ChangeStateError, DrawdownFilter, DrawdownOwner, NewDrawdownRow,
};
use crate::repo::ledger::{append_ledger_entry, LedgerError, NewLedgerEntry};
use crate::repo::{accounts, audit, cloud_services, orders, outbox, users};
use serde_json::json;
use sqlx::AnyConnection;

/// A drawdown request as the audit log names it: by its PDR number, under
/// the partner's account.
/// The reason given with `transition`, if it needs one or one was typed.
pub(crate) fn read_reason(
    reason: Option<&str>,
    transition: Transition,
) -> Result<Option<Reason>, DrawdownError> {
    match (
        reason.map(str::trim).filter(|r| !r.is_empty()),
        transition.needs_reason(),
    ) {
        (Some(text), _) => Reason::parse(text)
            .map(Some)
            .map_err(|problem| DrawdownError::InvalidReason { problem }),
        (None, true) => Err(DrawdownError::InvalidReason {
            problem: ReasonError::Empty,
        }),
        (None, false) => Ok(None),
    }
}

fn drawdown_object(id: DrawdownId, number: &PdrNumber, partner: AccountId) -> AuditObject {
    AuditObject {
        kind: "drawdown_request",
        id: Some(id.0),
        label: number.to_string(),
        account: Some(partner),
    }
}

fn audit_kind_of(transition: Transition) -> AuditKind {
    match transition {
        Transition::Approve => AuditKind::DrawdownApproved,
        Transition::Reject => AuditKind::DrawdownRejected,
        Transition::Accept => AuditKind::DrawdownAccepted,
        Transition::Cancel => AuditKind::DrawdownCancelled,
        Transition::Expire => AuditKind::DrawdownExpired,
    }
}

/// Why a step of the drawdown procedure, or a read of its screens, did not
/// happen. Mapped to the wire (`AppError`) at the `api` edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawdownError {
    /// Outside what the user may see or do; also a request or account that
    /// does not exist, so ids cannot be probed.
    #[error("forbidden")]
    Forbidden,
    /// The form broke rules, each named with its field.
    #[error("the request is not valid: {problems:?}")]
    Invalid { problems: Vec<FieldProblem> },
    #[error("the reason is not valid: {problem}")]
    InvalidReason { problem: ReasonError },
    /// More requests at once than one Approve selected takes (or none).
    #[error("between 1 and {max} requests at once")]
    TooMany { max: usize },
    /// A bulk import has problems (each row's, with the dry run's figures);
    /// nothing was saved.
    #[error("the import has {} problems", check.problem_count())]
    InvalidImport { check: Box<crate::domain::ImportCheck> },
    /// The state machine refuses the step (from this state, or by this actor).
    #[error("{refusal}")]
    Refused { refusal: TransitionError },
    #[error(transparent)]
    Fault(Fault),
}

service_error_faults!(DrawdownError);

impl DrawdownError {
    fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        Self::Fault(Fault::internal(context, err))
    }
}

/// A request that was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub id: DrawdownId,
    pub number: PdrNumber,
}

pub(super) fn require_partner(user: &CurrentUser) -> Result<(), DrawdownError> {
    match Actor::of(user.role) {
        Some(Actor::Partner) => Ok(()),
        _ => Err(DrawdownError::Forbidden),
    }
}

/// One page of a request list. A search no customer name can match (too
/// long, or with a hidden character) is not sent to the database.
pub(super) async fn list_page(
    conn: &mut AnyConnection,
    filter: &DrawdownFilter,
    page: PageRequest,
) -> Result<DrawdownPage, DrawdownError> {
    let matches_nothing = filter
        .customer_search
        .as_deref()
        .is_some_and(|s| !search_can_match_a_name(s));
    if matches_nothing {
        return Ok(DrawdownPage {
            rows: Vec::new(),
            next: None,
        });
    }
    Ok(requests::list_drawdowns(conn, filter, page.after, page.limit()).await?)
}

/// What the Partner drawdowns list of `account` shows, if `user` may read
/// it: a partner's own requests, or those tied to one of its customers.
pub(super) async fn drawdowns_filter(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    account: AccountId,
    state: Option<DrawdownState>,
    customer_search: Option<String>,
) -> Result<DrawdownFilter, DrawdownError> {
    let account = accounts::find_account(conn, account)
        .await?
        .filter(|a| may_view_account(user, a))
        .ok_or(DrawdownError::Forbidden)?;
    let (partner, customer) = match account.kind {
        AccountKind::Partner => (account.id, None),
        AccountKind::Customer => (
            account.managed_by.ok_or(DrawdownError::Forbidden)?,
            Some(account.id),
        ),
        AccountKind::Vendor => return Err(DrawdownError::Forbidden),
    };
    if !may_view_drawdowns_of(user, partner) {
        return Err(DrawdownError::Forbidden);
    }
    Ok(DrawdownFilter {
        partner: Some(partner),
        customer,
        state,
        customer_search,
        ..Default::default()
    })
}

fn ledger_failure(err: LedgerError) -> DrawdownError {
    DrawdownError::internal("ledger movement refused inside a state change", err)
}

impl Services<'_> {
    /// The requests shown for one account of "Select an account": a
    /// partner's own requests, or those tied to one of its customers.
    pub async fn list_drawdowns(
        &self,
        user: &CurrentUser,
        account: AccountId,
        state: Option<DrawdownState>,
        customer_search: Option<String>,
        page: impl Into<PageRequest>,
    ) -> Result<DrawdownPage, DrawdownError> {
        let mut conn = self.db.read().await?;
        let filter = drawdowns_filter(&mut conn, user, account, state, customer_search).await?;
        list_page(&mut conn, &filter, page.into()).await
    }

    /// Submitted requests of every partner, oldest first: accounting's queue.
    pub async fn list_approvals(
        &self,
        user: &CurrentUser,
        customer_search: Option<String>,
        page: impl Into<PageRequest>,
    ) -> Result<DrawdownPage, DrawdownError> {
        if !user.role.is_vendor_staff() {
            return Err(DrawdownError::Forbidden);
        }
        let filter = DrawdownFilter {
            state: Some(DrawdownState::Submitted),
            customer_search,
            oldest_first: true,
            ..Default::default()
        };
        let mut conn = self.db.read().await?;
        list_page(&mut conn, &filter, page.into()).await
    }

    /// One request's page. A request outside the user's reach and one that
    /// does not exist get the same answer, so ids cannot be probed.
    pub async fn drawdown(
        &self,
        user: &CurrentUser,
        id: DrawdownId,
    ) -> Result<DrawdownDetail, DrawdownError> {
        let mut conn = self.db.read().await?;
        requests::find_drawdown(&mut conn, id)
            .await?
            .filter(|d| may_view_drawdowns_of(user, d.summary.partner_id))
            .ok_or(DrawdownError::Forbidden)
    }

    /// What the New form offers. `account` is the account selected when
    /// New was pressed: a customer of the partner is prefilled. `clone`
    /// prefills from an earlier request instead.
    pub async fn form_data(
        &self,
        user: &CurrentUser,
        account: AccountId,
        clone: Option<DrawdownId>,
    ) -> Result<DrawdownFormData, DrawdownError> {
        require_partner(user)?;
        let partner = user.account_id;
        let mut conn = self.db.read().await?;
        let orders = requests::list_open_orders(&mut conn, partner).await?;
        let mut customers = requests::list_managed_customers(&mut conn, partner).await?;
        let mut holdings =
            crate::repo::entitlements::list_holdings_of_managed_customers(&mut conn, partner).await?;
        for customer in &mut customers {
            customer.holdings = holdings
                .remove(&customer.id)
                .unwrap_or_default()
                .into_iter()
                .map(|h| (h.product_name, h.quantity))
                .collect();
        }
        let mut prefill = DrawdownForm::default();
        let mut prefill_order = None;
        let mut cloned_from = None;
        if let Some(clone) = clone {
            let source = requests::find_drawdown(&mut conn, clone)
                .await?
                .filter(|d| d.summary.partner_id == partner)
                .ok_or(DrawdownError::Forbidden)?;
            prefill = DrawdownForm {
                customer_account: source.summary.customer_name.clone(),
                customer_website: source.customer_website.clone(),
                customer_name: source.contact_name.clone(),
                customer_email: source.contact_email.clone(),
                quantities: source
                    .lines
                    .iter()
                    .map(|l| (l.order_line, l.quantity.to_string()))
                    .collect(),
            };
            prefill_order = orders.iter().find(|o| o.id == source.order_id).map(|o| o.id);
            cloned_from = Some((source.summary.id, source.summary.number));
        } else if let Some(customer) = customers.iter().find(|c| c.id == account) {
            prefill.customer_account = customer.name.clone();
            prefill.customer_website = customer.website.clone().unwrap_or_default();
            prefill.customer_name = customer.contact_name.clone().unwrap_or_default();
            prefill.customer_email = customer.contact_email.clone().unwrap_or_default();
        }
        Ok(DrawdownFormData {
            partner_id: partner,
            cloned_from,
            orders,
            customers,
            prefill_order,
            prefill,
        })
    }

    /// Save: checks the form against the order as it stands now, records the
    /// request as Submitted with the next number, reserves each line, and
    /// queues the email to accounting; all or nothing.
    pub async fn save(
        &self,
        user: &CurrentUser,
        order: Option<OrderId>,
        form: &DrawdownForm,
        cloned_from: Option<DrawdownId>,
    ) -> Result<Saved, DrawdownError> {
        let mut tx = self.db.begin().await?;
        let (saved, event) = self.save_within(&mut tx, user, order, form, cloned_from).await?;
        tx.commit().await?;
        self.announce(event);
        Ok(saved)
    }

    /// Save's work within `tx`: the saved request, and the event to announce
    /// once `tx` is committed.
    pub(crate) async fn save_within(
        &self,
        tx: &mut AnyConnection,
        user: &CurrentUser,
        order: Option<OrderId>,
        form: &DrawdownForm,
        cloned_from: Option<DrawdownId>,
    ) -> Result<(Saved, PortalEvent), DrawdownError> {
        require_partner(user)?;
        let partner = user.account_id;
        let balances = match order {
            None => Vec::new(),
            Some(order) => orders::list_lines_of_order(tx, partner, order).await?,
        };
        // Another partner's order is as good as none.
        let order_lines: Option<Vec<LineAvailability>> = (!balances.is_empty()).then(|| {
            balances
                .iter()
                .map(|l| LineAvailability {
                    line: l.order_line_id,
                    product_name: l.product_name.clone(),
                    available: l.balance.available(),
                })
                .collect()
        });
        let request = form
            .validate(order_lines.as_deref())
            .map_err(|problems| DrawdownError::Invalid {
                problems: problems
                    .into_iter()
                    .map(|(field, error)| FieldProblem { field, error })
                    .collect(),
            })?;
        let order = order.ok_or(DrawdownError::Fault(Fault::Internal))?;
        if let Some(source) = cloned_from {
            let owner = requests::find_drawdown_owner(tx, source).await?;
            if owner.is_none_or(|o| o.partner != partner) {
                return Err(DrawdownError::Forbidden);
            }
        }
        let customers = requests::list_customers_matching(
            tx,
            partner,
            request.customer_account.as_str(),
            request.customer_website.as_str(),
        )
        .await?;
        let tied = matching_customer(
            &customers,
            request.customer_account.as_str(),
            request.customer_website.as_str(),
        )
        .map(|c| c.id);
        // One moment for the whole change: its rows and emails agree on it.
        let at = self.settings.clock.now();
        let (id, number) = requests::insert_drawdown(
            tx,
            &NewDrawdownRow {
                partner,
                order,
                customer_account: tied,
                request: &request,
                requested_by: user.id,
                cloned_from,
                at,
            },
        )
        .await?;
        for (line, quantity) in &request.lines {
            let reserved = append_ledger_entry(
                tx,
                NewLedgerEntry {
                    order_line: *line,
                    kind: LedgerEntryKind::Reserve,
                    quantity: quantity.get(),
                    drawdown_request_id: Some(id.0),
                    to_account: None,
                    at,
                },
            )
            .await;
            // Dropping the transaction rolls the whole request back.
            match reserved {
                Ok(()) => {}
                Err(LedgerError::Balance(BalanceError::NotEnoughAvailable { available, .. })) => {
                    return Err(DrawdownError::Invalid {
                        problems: vec![FieldProblem {
                            field: DrawdownField::Quantity(*line),
                            error: DrawdownFieldError::AboveAvailable { available },
                        }],
                    })
                }
                Err(err) => return Err(ledger_failure(err)),
            }
        }
        // What the email says, from what this transaction already read.
        let facts = RequestFacts {
            id,
            number,
            link: self.request_link(partner, id),
            partner_name: user.account_name.clone(),
            order_number: balances
                .first()
                .map(|l| l.order_number.clone())
                .unwrap_or_default(),
            customer_name: request.customer_account.as_str().to_string(),
            lines: request
                .lines
                .iter()
                .map(|(line, quantity)| {
                    let product = balances.iter().find(|l| l.order_line_id == *line);
                    (
                        product.map(|l| l.product_name.clone()).unwrap_or_default(),
                        quantity.get(),
                    )
                })
                .collect(),
        };
        for (address, locale) in self.accounting_recipients(tx).await? {
            outbox::enqueue_email(tx, &compose(Notice::Submitted, &facts, locale, &address), at).await?;
        }
        let after = json!({
            "state": DrawdownState::Submitted.as_str(),
            "order": facts.order_number,
            "customer": facts.customer_name,
            "lines": facts.lines.iter().map(|(product, quantity)| json!({ "product": product, "quantity": quantity })).collect::<Vec<_>>(),
        });
        audit::record(
            tx,
            at,
            &self.actor(Some(user)),
            AuditKind::DrawdownSaved,
            &drawdown_object(id, &number, partner),
            None,
            Some(&after),
        )
        .await?;
        let number_text = number.to_string();
        let change = DrawdownChange {
            id,
            number: &number_text,
            state: DrawdownState::Submitted,
            partner,
            order,
            customer: tied,
        };
        queue_drawdown_events(tx, &change, at).await?;
        let event = PortalEvent::DrawdownChanged {
            id,
            partner,
            customer: tied,
            order,
            state: DrawdownState::Submitted,
        };
        Ok((Saved { id, number }, event))
    }

    /// A step of a signed-in user: approve or reject (accounting), accept or
    /// cancel (the requesting partner). `reason` is required to reject.
    pub async fn change(
        &self,
        user: &CurrentUser,
        id: DrawdownId,
        transition: Transition,
        reason: Option<&str>,
    ) -> Result<DrawdownState, DrawdownError> {
        let actor = Actor::of(user.role).ok_or(DrawdownError::Forbidden)?;
        self.apply(Some(user), actor, id, transition, reason).await
    }

    /// Expires every approval older than the configured lifetime; returns
    /// how many expired. Safe to run in several processes at once: each
    /// expiry is a state change that only one of them wins.
    pub async fn expire_due(&self) -> Result<usize, DrawdownError> {
        let cutoff = self.settings.clock.now() - self.settings.approval_lifetime.whole_seconds();
        let due = {
            let mut conn = self.db.read().await?;
            requests::list_expired_approvals(&mut conn, cutoff).await?
        };
        let mut expired = 0;
        for id in due {
            match self
                .apply(None, Actor::System, id, Transition::Expire, None)
                .await
            {
                Ok(_) => expired += 1,
                // Accepted or cancelled in the meantime.
                Err(DrawdownError::Refused { .. }) => {}
                Err(err) => tracing::warn!(%id, %err, "could not expire an approved request"),
            }
        }
        Ok(expired)
    }

    async fn apply(
        &self,
        user: Option<&CurrentUser>,
        actor: Actor,
        id: DrawdownId,
        transition: Transition,
        reason: Option<&str>,
    ) -> Result<DrawdownState, DrawdownError> {
        let reason = read_reason(reason, transition)?;
        let mut tx = self.db.begin().await?;
        let (to, event) = self
            .apply_within(&mut tx, user, actor, id, transition, reason)
            .await?;
        tx.commit().await?;
        self.announce(event);
        Ok(to)
    }

    /// A step's work within `tx`, its reason already read: the new state,
    /// and the event to announce once `tx` is committed.
    pub(crate) async fn apply_within(
        &self,
        tx: &mut AnyConnection,
        user: Option<&CurrentUser>,
        actor: Actor,
        id: DrawdownId,
        transition: Transition,
        reason: Option<Reason>,
    ) -> Result<(DrawdownState, PortalEvent), DrawdownError> {
        let owner = requests::find_drawdown_owner(tx, id)
            .await?
            .ok_or(DrawdownError::Forbidden)?;
        if user.is_some_and(|u| !may_view_drawdowns_of(u, owner.partner)) {
            return Err(DrawdownError::Forbidden);
        }
        crate::domain::next_state(owner.state, transition, actor)
            .map_err(|refusal| DrawdownError::Refused { refusal })?;
        let at = self.settings.clock.now();
        let to = requests::change_state(
            tx,
            id,
            owner.state,
            transition,
            user.map(|u| u.id),
            reason.as_ref(),
            at,
        )
        .await
        .map_err(|err| match err {
            ChangeStateError::Refused(refusal) => DrawdownError::Refused { refusal },
            ChangeStateError::NotFound(_) => DrawdownError::Forbidden,
            ChangeStateError::Database(err) => err.into(),
        })?;
        // Read once: the ledger, the customer and the emails all use it.
        let request = requests::find_drawdown_without_history(tx, id)
            .await?
            .ok_or(DrawdownError::Fault(Fault::Internal))?;
        let mut customer_account = owner.customer;
        // Reject, cancel and expire give the quantities back to the order;
        // accept moves them to the customer, who then holds them.
        let movement = match transition {
            Transition::Approve => None,
            Transition::Reject | Transition::Cancel | Transition::Expire => {
                Some((LedgerEntryKind::Release, None))
            }
            Transition::Accept => Some((
                LedgerEntryKind::Draw,
                Some(self.customer_for_acceptance(tx, &request, &owner, at).await?),
            )),
        };
        if let Some((kind, to_account)) = movement {
            for line in &request.lines {
                let entry = NewLedgerEntry {
                    order_line: line.order_line,
                    kind,
                    quantity: line.quantity,
                    drawdown_request_id: Some(id.0),
                    to_account,
                    at,
                };
                append_ledger_entry(tx, entry).await.map_err(ledger_failure)?;
                if let Some(customer) = to_account {
                    let entitlement =
                        requests::insert_customer_entitlement(tx, customer, id, line, at).await?;
                    // A service held is that many instances, ready to provision.
                    cloud_services::insert_ready_instances(
                        tx,
                        customer,
                        entitlement,
                        line.product,
                        line.quantity,
                        at,
                    )
                    .await?;
                }
            }
            if let Some(customer) = to_account.filter(|c| owner.customer != Some(*c)) {
                requests::set_customer_account(tx, id, customer).await?;
                customer_account = Some(customer);
            }
        }
        self.queue_emails(tx, &request, &owner, transition, reason.as_ref(), at)
            .await?;
        let mut after = json!({ "state": to.as_str() });
        if let Some(reason) = &reason {
            after["reason"] = json!(reason.as_str());
        }
        audit::record(
            tx,
            at,
            &self.actor(user),
            audit_kind_of(transition),
            &drawdown_object(id, &request.summary.number, owner.partner),
            Some(&json!({ "state": owner.state.as_str() })),
            Some(&after),
        )
        .await?;
        let number_text = request.summary.number.to_string();
        let change = DrawdownChange {
            id,
            number: &number_text,
            state: to,
            partner: owner.partner,
            order: request.order_id,
            customer: customer_account,
        };
        queue_drawdown_events(tx, &change, at).await?;
        let event = PortalEvent::DrawdownChanged {
            id,
            partner: owner.partner,
            customer: customer_account,
            order: request.order_id,
            state: to,
        };
        Ok((to, event))
    }

    /// The customer account an accepted request gives its quantities to:
    /// the one it was tied to at Save, else one the partner has come to
    /// manage since with the same name or website domain, else a new one.
    async fn customer_for_acceptance(
        &self,
        tx: &mut AnyConnection,
        request: &DrawdownDetail,
        owner: &DrawdownOwner,
        at: i64,
    ) -> Result<AccountId, DrawdownError> {
        if let Some(customer) = owner.customer {
            return Ok(customer);
        }
        accounts::lock_customers_of(tx, owner.partner).await?;
        let customers = requests::list_customers_matching(
            tx,
            owner.partner,
            &request.summary.customer_name,
            &request.customer_website,
        )
        .await?;
        if let Some(existing) = matching_customer(
            &customers,
            &request.summary.customer_name,
            &request.customer_website,
        ) {
            return Ok(existing.id);
        }
        let account = accounts::NewAccount {
            kind: AccountKind::Customer,
            name: &request.summary.customer_name,
            website: Some(&request.customer_website),
            contact_name: Some(&request.contact_name),
            contact_email: Some(&request.contact_email),
            managed_by: Some(owner.partner),
        };
        accounts::insert_account(tx, &account, at)
            .await
            .map_err(|err| DrawdownError::internal("could not create the customer account", err))
    }

    async fn queue_emails(
        &self,
        tx: &mut AnyConnection,
        request: &DrawdownDetail,
        owner: &DrawdownOwner,
        transition: Transition,
        reason: Option<&Reason>,
        at: i64,
    ) -> Result<(), DrawdownError> {
        let facts = self.facts(request);
        let (partner_email, partner_locale) = users::find_mail_address(tx, owner.requested_by)
            .await?
            .ok_or(DrawdownError::Fault(Fault::Internal))?;
        let to_partner = |notice| compose(notice, &facts, partner_locale, &partner_email);
        let mut messages = Vec::new();
        match transition {
            Transition::Approve => messages.push(to_partner(Notice::Approved {
                reason: reason.map(Reason::as_str),
                accept_within_days: self.settings.approval_lifetime.whole_days(),
            })),
            Transition::Reject => messages.push(to_partner(Notice::Rejected {
                reason: reason.map(Reason::as_str).unwrap_or_default(),
            })),
            Transition::Accept => {
                let contact_locale: Locale = users::find_locale_by_email(tx, &request.contact_email)
                    .await?
                    .unwrap_or(partner_locale);
                messages.push(compose(
                    Notice::AcceptedForCustomer,
                    &facts,
                    contact_locale,
                    &request.contact_email,
                ));
                messages.push(to_partner(Notice::AcceptedForPartner));
            }
            Transition::Expire => messages.push(to_partner(Notice::Expired)),
            // The partner cancelled it themselves; nobody waits on it.
            Transition::Cancel => {}
        }
        for message in &messages {
            outbox::enqueue_email(tx, message, at).await?;
        }
        Ok(())
    }

    /// The request's page in the portal, as emails link it.
    fn request_link(&self, partner: AccountId, id: DrawdownId) -> String {
        format!(
            "{}/licenses/{partner}/drawdowns/{id}",
            self.settings.public_url.trim_end_matches('/'),
        )
    }

    /// What every email of the request says about it.
    pub(super) fn facts(&self, d: &DrawdownDetail) -> RequestFacts {
        let id = d.summary.id;
        RequestFacts {
            id,
            number: d.summary.number,
            link: self.request_link(d.summary.partner_id, id),
            partner_name: d.summary.partner_name.clone(),
            order_number: d.summary.order_number.clone(),
            customer_name: d.summary.customer_name.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| (l.product_name.clone(), l.quantity))
                .collect(),
        }
    }

    /// After a commit: tell open browsers, wake the email worker.
    pub(crate) fn announce(&self, event: PortalEvent) {
        self.events.publish(event);
        self.mail_queued.notify_one();
        self.webhooks_queued.notify_one();
    }
}
