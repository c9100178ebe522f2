//! Partner drawdown requests: the rows, their lines and their history. The
//! ledger movements and emails that go with each step are the service's
//! (`services::drawdowns`), in the same transaction.

use sqlx::{AnyConnection, Row};

use super::decode_stored;
use crate::domain::{customer_search_key, DrawdownCursor, DrawdownPage, DrawdownSummary};
use crate::domain::{
    AccountId, DrawdownDetail, DrawdownId, DrawdownLine, DrawdownState, EntitlementId, HistoryEntry,
    LineAvailability, ManagedCustomer, NewDrawdown, OpenOrder, OpenOrderLine, OrderId, OrderLineId,
    PdrNumber, ProductId, Reason, Transition, TransitionError, UserId,
};

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct DrawdownFilter {
    /// Only this partner's requests.
    pub partner: Option<AccountId>,
    /// Only requests tied to this customer account.
    pub customer: Option<AccountId>,
    pub state: Option<DrawdownState>,
    /// Part of the customer's name, any case.
    pub customer_search: Option<String>,
    /// Oldest change first (Approvals) instead of newest first.
    pub oldest_first: bool,
    /// Only requests last changed at or after this instant (an export's From).
    pub changed_from: Option<i64>,
    /// Only requests last changed before this instant (an export's Until).
    pub changed_before: Option<i64>,
}

const SUMMARY_SQL: &str =
    "SELECT d.id, d.number, d.partner_id, p.name AS partner_name, o.number AS order_number,
        d.customer_name, d.state, d.changed_at
    FROM drawdown_requests d
    JOIN accounts p ON p.id = d.partner_id
    JOIN orders o ON o.id = d.order_id";

fn summary_from_row(r: &sqlx::any::AnyRow) -> Result<DrawdownSummary, sqlx::Error> {
    Ok(DrawdownSummary {
        id: DrawdownId(r.try_get("id")?),
        number: super::decode_number(r, "number")?,
        partner_id: AccountId(r.try_get("partner_id")?),
        partner_name: r.try_get("partner_name")?,
        order_number: r.try_get("order_number")?,
        customer_name: r.try_get("customer_name")?,
        state: decode_stored(r, "state", DrawdownState::parse)?,
        changed_at: r.try_get("changed_at")?,
    })
}

/// One value bound to a list query.
enum Bound {
    Int(i64),
    Text(String),
}

/// The conditions of a list query and the values they bind, numbered in turn.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    values: Vec<Bound>,
}

impl Conditions {
    /// Binds `value`, returning its placeholder.
    fn bind(&mut self, value: Bound) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds `sql`, whose `#` stands for `value`'s placeholder.
    fn add(&mut self, sql: &str, value: Bound) {
        let placeholder = self.bind(value);
        self.sql.push(sql.replace('#', &placeholder));
    }
}

/// One page of the requests matching `filter`, most recently changed first
/// (or oldest first), starting after `after`, at most `limit` rows.
///
/// Keyset paging: a page costs the same however deep it is. The statement
/// holds only the conditions the filter sets (a `$n IS NULL OR …` would keep
/// SQLite from using an index), and each combination has an index that
/// delivers its rows in order (`drawdown_requests_partner`, `_state`,
/// `_partner_state`, `_customer`). A customer search is a range on the
/// stored lower-case key (`_partner_search`, `_state_search`), so it reads
/// only the matching requests.
#[tracing::instrument(skip(conn))]
pub async fn list_drawdowns(
    conn: &mut AnyConnection,
    filter: &DrawdownFilter,
    after: Option<DrawdownCursor>,
    limit: usize,
) -> Result<DrawdownPage, sqlx::Error> {
    let mut c = Conditions::default();
    if let Some(partner) = filter.partner {
        c.add("d.partner_id = #", Bound::Int(partner.0));
    }
    if let Some(customer) = filter.customer {
        c.add("d.customer_account_id = #", Bound::Int(customer.0));
    }
    if let Some(state) = filter.state {
        c.add("d.state = #", Bound::Text(state.as_str().into()));
    }
    let search = filter.customer_search.as_deref().map(customer_search_key);
    if let Some(search) = search.filter(|s| !s.is_empty()) {
        // Every key starting with `search` sorts from it up to it followed
        // by the greatest code point (bytes compared, on both engines).
        let upper = format!("{search}\u{10FFFF}");
        c.add("d.customer_key >= #", Bound::Text(search));
        c.add("d.customer_key < #", Bound::Text(upper));
    }
    if let Some(from) = filter.changed_from {
        c.add("d.changed_at >= #", Bound::Int(from));
    }
    if let Some(before) = filter.changed_before {
        c.add("d.changed_at < #", Bound::Int(before));
    }
    let (order, beyond) = if filter.oldest_first {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    };
    if let Some(cursor) = after {
        // A row value, which both engines turn into one index range.
        let at = c.bind(Bound::Int(cursor.changed_at));
        let id = c.bind(Bound::Int(cursor.id.0));
        c.sql.push(format!("(d.changed_at, d.id) {beyond} ({at}, {id})"));
    }
    let where_clause = if c.sql.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", c.sql.join(" AND "))
    };
    let sql = format!(
        "{SUMMARY_SQL} {where_clause} ORDER BY d.changed_at {order}, d.id {order} LIMIT {}",
        limit + 1
    );
    let mut query = sqlx::query(&sql);
    for value in c.values {
        query = match value {
            Bound::Int(v) => query.bind(v),
            Bound::Text(v) => query.bind(v),
        };
    }
    let mut rows = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(DrawdownCursor::after)
    } else {
        None
    };
    Ok(DrawdownPage { rows, next })
}

/// One request with its lines and history (with the reminders sent): its page.
#[tracing::instrument(skip(conn))]
pub async fn find_drawdown(
    conn: &mut AnyConnection,
    id: DrawdownId,
) -> Result<Option<DrawdownDetail>, sqlx::Error> {
    let Some(mut detail) = find_drawdown_without_history(conn, id).await? else {
        return Ok(None);
    };
    detail.history = sqlx::query(
        "SELECT h.from_state, h.to_state, u.display_name, h.at, h.reason
         FROM drawdown_history h LEFT JOIN users u ON u.id = h.actor_user_id
         WHERE h.drawdown_request_id = $1 ORDER BY h.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let from: Option<String> = r.try_get("from_state")?;
        Ok(HistoryEntry {
            from: from.as_deref().and_then(DrawdownState::parse),
            to: decode_stored(r, "to_state", DrawdownState::parse)?,
            actor_name: r.try_get("display_name")?,
            at: r.try_get("at")?,
            reason: r.try_get("reason")?,
            reminder: None,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let reminders = super::reminders::list_reminders_of(conn, id).await?;
    if !reminders.is_empty() {
        detail
            .history
            .extend(reminders.into_iter().map(|(kind, at)| HistoryEntry {
                from: Some(kind.state()),
                to: kind.state(),
                actor_name: None,
                at,
                reason: None,
                reminder: Some(kind),
            }));
        // Stable: a step and a reminder of the same second keep this order.
        detail.history.sort_by_key(|h| h.at);
    }
    Ok(Some(detail))
}

/// One request with its lines, its history left empty: what a step needs
/// (the ledger movements and the emails), read in two statements.
#[tracing::instrument(skip(conn))]
pub async fn find_drawdown_without_history(
    conn: &mut AnyConnection,
    id: DrawdownId,
) -> Result<Option<DrawdownDetail>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT d.id, d.number, d.partner_id, p.name AS partner_name, o.number AS order_number,
                d.customer_name, d.state, d.changed_at, d.order_id, d.customer_account_id,
                d.customer_website, d.contact_name, d.contact_email, d.requested_by,
                u.display_name AS requested_by_name, d.cloned_from, c.number AS cloned_from_number, d.reason
         FROM drawdown_requests d
         JOIN accounts p ON p.id = d.partner_id
         JOIN orders o ON o.id = d.order_id
         JOIN users u ON u.id = d.requested_by
         LEFT JOIN drawdown_requests c ON c.id = d.cloned_from
         WHERE d.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let summary = summary_from_row(&r)?;
    let cloned_from = match (
        r.try_get::<Option<i64>, _>("cloned_from")?,
        r.try_get::<Option<i64>, _>("cloned_from_number")?,
    ) {
        (Some(id), Some(n)) => PdrNumber::from_sequence(n).map(|n| (DrawdownId(id), n)),
        _ => None,
    };
    let mut detail = DrawdownDetail {
        summary,
        order_id: OrderId(r.try_get("order_id")?),
        customer_account: r.try_get::<Option<i64>, _>("customer_account_id")?.map(AccountId),
        customer_website: r.try_get("customer_website")?,
        contact_name: r.try_get("contact_name")?,
        contact_email: r.try_get("contact_email")?,
        requested_by: UserId(r.try_get("requested_by")?),
        requested_by_name: r.try_get("requested_by_name")?,
        cloned_from,
        reason: r.try_get("reason")?,
        lines: Vec::new(),
        history: Vec::new(),
    };
    detail.lines = list_requested_lines(conn, id).await?;
    Ok(Some(detail))
}

/// Who may see a request and where its events go: its partner and the
/// customer account it is tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawdownOwner {
    pub partner: AccountId,
    pub customer: Option<AccountId>,
    pub state: DrawdownState,
    pub requested_by: UserId,
}

/// The owner and state of a request, if it exists.
#[tracing::instrument(skip(conn))]
pub async fn find_drawdown_owner(
    conn: &mut AnyConnection,
    id: DrawdownId,
) -> Result<Option<DrawdownOwner>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT partner_id, customer_account_id, state, requested_by FROM drawdown_requests WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(DrawdownOwner {
            partner: AccountId(r.try_get("partner_id")?),
            customer: r.try_get::<Option<i64>, _>("customer_account_id")?.map(AccountId),
            state: decode_stored(&r, "state", DrawdownState::parse)?,
            requested_by: UserId(r.try_get("requested_by")?),
        })
    })
    .transpose()
}

/// The orders of `partner` with something left to draw (deactivated ones
/// left out), each with all its lines and what each has available, oldest
/// order first.
#[tracing::instrument(skip(conn))]
pub async fn list_open_orders(
    conn: &mut AnyConnection,
    partner: AccountId,
) -> Result<Vec<OpenOrder>, sqlx::Error> {
    let lines = super::orders::list_drawable_line_balances(conn, partner).await?;
    let mut orders: Vec<OpenOrder> = Vec::new();
    for line in lines {
        let order_id = line.order_id;
        let open_line = OpenOrderLine {
            availability: LineAvailability {
                line: line.order_line_id,
                product_name: line.product_name,
                available: line.balance.available(),
            },
            term_months: line.term_months,
        };
        match orders.iter_mut().find(|o| o.id == order_id) {
            Some(order) => order.lines.push(open_line),
            None => orders.push(OpenOrder {
                id: order_id,
                number: line.order_number,
                ordered_on: line.ordered_on,
                lines: vec![open_line],
            }),
        }
    }
    orders.retain(|o| o.lines.iter().any(|l| l.availability.available > 0));
    Ok(orders)
}

/// The customers `partner` manages, by name.
#[tracing::instrument(skip(conn))]
pub async fn list_managed_customers(
    conn: &mut AnyConnection,
    partner: AccountId,
) -> Result<Vec<ManagedCustomer>, sqlx::Error> {
    sqlx::query(
        "SELECT id, name, website, contact_name, contact_email FROM accounts
         WHERE kind = 'customer' AND managed_by = $1 ORDER BY name",
    )
    .bind(partner.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(customer_from_row)
    .collect()
}

/// The customers of `partner` a request for `name` or `website` may be tied
/// to: those of the same name (any ASCII case) or the same website domain,
/// through the name's unique index and the domain's index. The caller picks
/// with `domain::matching_customer`, whose rule this only narrows.
#[tracing::instrument(skip(conn))]
pub async fn list_customers_matching(
    conn: &mut AnyConnection,
    partner: AccountId,
    name: &str,
    website: &str,
) -> Result<Vec<ManagedCustomer>, sqlx::Error> {
    let domain = crate::domain::CustomerWebsite::parse(website)
        .map(|w| w.domain())
        .unwrap_or_default();
    // UNION ALL, then sorted and deduplicated here: a few rows, and no
    // temporary B-tree inside the Save's transaction.
    let mut customers = sqlx::query(
        "SELECT id, name, website, contact_name, contact_email FROM accounts
         WHERE kind = 'customer' AND coalesce(managed_by, 0) = $1 AND lower(name) = lower($2)
         UNION ALL
         SELECT id, name, website, contact_name, contact_email FROM accounts
         WHERE kind = 'customer' AND managed_by = $1 AND website_domain = $3 AND $3 <> ''",
    )
    .bind(partner.0)
    .bind(name.trim())
    .bind(domain)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(customer_from_row)
    .collect::<Result<Vec<_>, _>>()?;
    customers.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    customers.dedup_by_key(|c| c.id);
    Ok(customers)
}

fn customer_from_row(r: &sqlx::any::AnyRow) -> Result<ManagedCustomer, sqlx::Error> {
    Ok(ManagedCustomer {
        id: AccountId(r.try_get("id")?),
        name: r.try_get("name")?,
        website: r.try_get("website")?,
        contact_name: r.try_get("contact_name")?,
        contact_email: r.try_get("contact_email")?,
        holdings: Vec::new(),
    })
}

/// Takes the next request number.
async fn take_number(conn: &mut AnyConnection) -> Result<PdrNumber, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("UPDATE drawdown_numbers SET next = next + 1 WHERE id = 1 RETURNING next - 1")
            .fetch_one(&mut *conn)
            .await?;
    PdrNumber::from_sequence(n)
        .ok_or_else(|| sqlx::Error::Protocol(format!("request numbers exhausted at {n}")))
}

/// A request to record.
#[derive(Debug)]
pub struct NewDrawdownRow<'a> {
    pub partner: AccountId,
    pub order: OrderId,
    pub customer_account: Option<AccountId>,
    pub request: &'a NewDrawdown,
    pub requested_by: UserId,
    pub cloned_from: Option<DrawdownId>,
    /// When it is saved, by the services' clock.
    pub at: i64,
}

/// Records a request as Submitted, with its lines and the first history
/// entry. The reservations are the caller's, in the same transaction.
#[tracing::instrument(skip(conn))]
pub async fn insert_drawdown(
    conn: &mut AnyConnection,
    row: &NewDrawdownRow<'_>,
) -> Result<(DrawdownId, PdrNumber), sqlx::Error> {
    let number = take_number(conn).await?;
    let at = row.at;
    let r = row.request;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO drawdown_requests (number, partner_id, order_id, customer_account_id, customer_name,
             customer_website, contact_name, contact_email, state, requested_by, cloned_from, created_at, changed_at,
             customer_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $10, $11, $11, $12) RETURNING id",
    )
    .bind(number.sequence())
    .bind(row.partner.0)
    .bind(row.order.0)
    .bind(row.customer_account.map(|a| a.0))
    .bind(r.customer_account.as_str())
    .bind(r.customer_website.as_str())
    .bind(r.customer_name.as_str())
    .bind(r.customer_email.as_str())
    .bind(row.requested_by.0)
    .bind(row.cloned_from.map(|d| d.0))
    .bind(at)
    .bind(customer_search_key(r.customer_account.as_str()))
    .fetch_one(&mut *conn)
    .await?;
    for (line, quantity) in &r.lines {
        sqlx::query(
            "INSERT INTO drawdown_request_lines (drawdown_request_id, order_line_id, quantity) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(line.0)
        .bind(quantity.get())
        .execute(&mut *conn)
        .await?;
    }
    insert_history(
        conn,
        DrawdownId(id),
        None,
        DrawdownState::Submitted,
        Some(row.requested_by),
        None,
        at,
    )
    .await?;
    Ok((DrawdownId(id), number))
}

async fn insert_history(
    conn: &mut AnyConnection,
    id: DrawdownId,
    from: Option<DrawdownState>,
    to: DrawdownState,
    actor: Option<UserId>,
    reason: Option<&Reason>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(from.map(DrawdownState::as_str))
    .bind(to.as_str())
    .bind(actor.map(|u| u.0))
    .bind(reason.map(Reason::as_str))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why a state change was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ChangeStateError {
    #[error("drawdown request {0} does not exist")]
    NotFound(DrawdownId),
    #[error(transparent)]
    Refused(#[from] TransitionError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves a request from `from` to the transition's target, only if it is
/// still in `from`: the check and the change are one statement, so of two
/// people acting at once exactly one wins and the other is refused with the
/// state the winner left. Records the history entry.
#[tracing::instrument(skip(conn))]
pub async fn change_state(
    conn: &mut AnyConnection,
    id: DrawdownId,
    from: DrawdownState,
    transition: Transition,
    actor: Option<UserId>,
    reason: Option<&Reason>,
    at: i64,
) -> Result<DrawdownState, ChangeStateError> {
    let to = transition.target();
    let done = sqlx::query(
        "UPDATE drawdown_requests SET state = $1, changed_at = $2, reason = coalesce($3, reason)
         WHERE id = $4 AND state = $5",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(reason.map(Reason::as_str))
    .bind(id.0)
    .bind(from.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        let now_in = find_drawdown_owner(conn, id)
            .await?
            .ok_or(ChangeStateError::NotFound(id))?
            .state;
        return Err(TransitionError::NotAllowedFrom {
            transition,
            from: now_in,
        }
        .into());
    }
    insert_history(conn, id, Some(from), to, actor, reason, at).await?;
    Ok(to)
}

/// Ties a request to the customer account that receives its quantities.
pub async fn set_customer_account(
    conn: &mut AnyConnection,
    id: DrawdownId,
    customer: AccountId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE drawdown_requests SET customer_account_id = $1 WHERE id = $2")
        .bind(customer.0)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a request asks of each order line, in the order's line order.
/// Sorted here rather than by the statement: a handful of rows, and SQLite
/// then needs no temporary B-tree inside the step's transaction.
pub async fn list_requested_lines(
    conn: &mut AnyConnection,
    id: DrawdownId,
) -> Result<Vec<DrawdownLine>, sqlx::Error> {
    let mut lines = sqlx::query(
        "SELECT l.order_line_id, ol.product_id, p.name, l.quantity, ol.term_months, ol.line_no
         FROM drawdown_request_lines l
         JOIN order_lines ol ON ol.id = l.order_line_id
         JOIN products p ON p.id = ol.product_id
         WHERE l.drawdown_request_id = $1",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get::<i64, _>("line_no")?,
            DrawdownLine {
                order_line: OrderLineId(r.try_get("order_line_id")?),
                product: ProductId(r.try_get("product_id")?),
                product_name: r.try_get("name")?,
                quantity: r.try_get("quantity")?,
                term_months: r.try_get("term_months")?,
            },
        ))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    lines.sort_by_key(|(line_no, _)| *line_no);
    Ok(lines.into_iter().map(|(_, line)| line).collect())
}

/// Gives the customer account what an accepted request drew.
pub async fn insert_customer_entitlement(
    conn: &mut AnyConnection,
    customer: AccountId,
    id: DrawdownId,
    line: &DrawdownLine,
    at: i64,
) -> Result<EntitlementId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, drawdown_request_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(customer.0)
    .bind(line.product.0)
    .bind(line.quantity)
    .bind(line.term_months)
    .bind(id.0)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    Ok(EntitlementId(id))
}

/// Approved requests whose approval is older than `approved_before` (Unix
/// seconds): the expiry task's work.
#[tracing::instrument(skip(conn))]
pub async fn list_expired_approvals(
    conn: &mut AnyConnection,
    approved_before: i64,
) -> Result<Vec<DrawdownId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM drawdown_requests WHERE state = 'approved' AND changed_at < $1 ORDER BY id",
    )
    .bind(approved_before)
    .fetch_all(&mut *conn)
    .await
    .map(|ids| ids.into_iter().map(DrawdownId).collect())
}

/// How many requests are in each state (states without any are left out).
pub async fn count_drawdowns_by_state(
    conn: &mut AnyConnection,
) -> Result<Vec<(DrawdownState, i64)>, sqlx::Error> {
    let rows = sqlx::query("SELECT state, count(*) AS n FROM drawdown_requests GROUP BY state")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((decode_stored(r, "state", DrawdownState::parse)?, r.try_get("n")?)))
        .collect()
}
