//! The drawdown procedure on a real SQLite file: every step for every role,
//! races, the ledger invariant after each test, and the emails each step
//! queues.

use std::sync::Arc;

use app::domain::{
    AccountId, CurrentUser, DrawdownField, DrawdownFieldError, DrawdownForm, DrawdownId, DrawdownState,
    OrderId, OrderLineId, ReasonError, Transition, TransitionError,
};
use app::events::PortalEvent;
use app::repo::Db;
use app::services::DrawdownError;

use crate::helpers::{assert_ledger_invariant, count_rows, line_of, order_id, user, Portal};

pub const PARTNER: &str = "partner@example.com";
pub const ACCOUNTING: &str = "accounting@example.com";
const CUSTOMER: &str = "customer@example.com";
const OTHER_PARTNER: &str = "other-partner@example.com";
const ORDER: &str = "SO-2026-0101";

/// A valid form for a new customer asking `quantity` Bot Creators of ORDER.
async fn form(db: &Db, customer: &str, quantity: &str) -> (Option<OrderId>, DrawdownForm) {
    form_for(db, "Bot Creator", customer, quantity).await
}

/// The same for `product`.
async fn form_for(db: &Db, product: &str, customer: &str, quantity: &str) -> (Option<OrderId>, DrawdownForm) {
    let line = line_of(db, ORDER, product).await;
    (
        Some(order_id(db, ORDER).await),
        DrawdownForm {
            customer_account: customer.into(),
            customer_website: format!("https://{}.example", customer.to_lowercase().replace(' ', "-")),
            customer_name: "Jordan Lee".into(),
            customer_email: "jordan@customer.example".into(),
            quantities: vec![(line, quantity.into())],
        },
    )
}

pub async fn save(
    p: &Portal,
    who: &CurrentUser,
    customer: &str,
    quantity: &str,
) -> Result<DrawdownId, DrawdownError> {
    let (order, form) = form(p.db(), customer, quantity).await;
    p.services().save(who, order, &form, None).await.map(|s| s.id)
}

/// Saves a request for a new `customer` asking `quantity` of `line` of `order`.
pub(crate) async fn save_on(
    p: &Portal,
    who: &CurrentUser,
    order: OrderId,
    line: OrderLineId,
    customer: &str,
    quantity: &str,
) -> Result<DrawdownId, DrawdownError> {
    let form = DrawdownForm {
        customer_account: customer.into(),
        customer_website: format!("https://{}.example", customer.to_lowercase().replace(' ', "-")),
        customer_name: "Jordan Lee".into(),
        customer_email: "jordan@customer.example".into(),
        quantities: vec![(line, quantity.into())],
    };
    p.services()
        .save(who, Some(order), &form, None)
        .await
        .map(|s| s.id)
}

/// Saves a request on the line with room for hundreds (IQ Bot pages, 50,000).
pub(crate) async fn save_roomy(
    p: &Portal,
    who: &CurrentUser,
    customer: &str,
) -> Result<DrawdownId, DrawdownError> {
    let (order, form) = form_for(p.db(), "IQ Bot pages", customer, "100").await;
    p.services().save(who, order, &form, None).await.map(|s| s.id)
}

async fn state_of(p: &Portal, id: DrawdownId) -> DrawdownState {
    p.services()
        .drawdown(&user(p.db(), PARTNER).await, id)
        .await
        .expect("visible")
        .summary
        .state
}

async fn available(db: &Db, line: OrderLineId) -> i64 {
    app::repo::ledger::find_line_balance(&mut db.read().await.expect("conn"), line)
        .await
        .expect("query")
        .expect("line")
        .available()
}

/// Rows that any step may write, and every request's state: a refused step
/// must leave all of it as it was.
async fn footprint(db: &Db) -> (Vec<i64>, Vec<(i64, String, i64)>) {
    let mut counts = Vec::new();
    for table in [
        "drawdown_requests",
        "drawdown_history",
        "ledger_entries",
        "entitlements",
        "outbox",
        "accounts",
    ] {
        counts.push(count_rows(db, table).await);
    }
    let states = sqlx::query_as("SELECT id, state, changed_at FROM drawdown_requests ORDER BY id")
        .fetch_all(&mut *db.read().await.expect("conn"))
        .await
        .expect("states");
    (counts, states)
}

/// Brings a new request to `state` by the allowed steps.
async fn request_in(p: &Portal, state: DrawdownState, customer: &str) -> DrawdownId {
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let id = save_roomy(p, &partner, customer).await.expect("saved");
    let steps: &[(Transition, &CurrentUser)] = match state {
        DrawdownState::Submitted => &[],
        DrawdownState::Approved => &[(Transition::Approve, &accounting)],
        DrawdownState::Rejected => &[(Transition::Reject, &accounting)],
        DrawdownState::Accepted => &[(Transition::Approve, &accounting), (Transition::Accept, &partner)],
        DrawdownState::Cancelled => &[(Transition::Cancel, &partner)],
        DrawdownState::Expired => &[(Transition::Approve, &accounting)],
    };
    for (t, who) in steps {
        p.services()
            .change(who, id, *t, Some("as planned"))
            .await
            .expect("allowed step");
    }
    if state == DrawdownState::Expired {
        // Every approval left waiting this long expires, this one with them.
        age_approvals(p, 31);
        assert!(p.services().expire_due().await.expect("expiry") >= 1);
    }
    assert_eq!(state_of(p, id).await, state);
    id
}

/// Moves the portal's clock `days` on: what was approved before is that old.
fn age_approvals(p: &Portal, days: i64) {
    p.clock().advance(days * 86_400);
}

#[tokio::test]
async fn save_numbers_the_request_reserves_its_lines_and_tells_accounting() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let mut events = p.events.subscribe();

    let first = save(&p, &partner, "Adventure Works", "4").await.expect("saved");
    let second = save(&p, &partner, "Litware", "1").await.expect("saved");

    let detail = p.services().drawdown(&partner, first).await.expect("detail");
    assert_eq!(detail.summary.number.to_string(), "PDR-000001");
    assert_eq!(
        p.services()
            .drawdown(&partner, second)
            .await
            .expect("detail")
            .summary
            .number
            .to_string(),
        "PDR-000002"
    );
    assert_eq!(detail.summary.state, DrawdownState::Submitted);
    assert_eq!(detail.history.len(), 1);
    assert_eq!(detail.history[0].to, DrawdownState::Submitted);
    assert_eq!(detail.history[0].actor_name.as_deref(), Some("Nadia Moreau"));
    assert_eq!(available(p.db(), line).await, 10 - 4 - 1);

    let recipients: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox ORDER BY id")
        .fetch_all(&mut *p.db().read().await.expect("conn"))
        .await
        .expect("outbox");
    assert_eq!(recipients, ["accounting@example.com", "accounting@example.com"]);
    match events.try_recv().expect("an event") {
        PortalEvent::DrawdownChanged { id, state, .. } => {
            assert_eq!((id, state), (first, DrawdownState::Submitted))
        }
        other => panic!("expected the request's event, got {other:?}"),
    }
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_nothing_is_written() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let before = footprint(p.db()).await;
    let order = Some(order_id(p.db(), ORDER).await);
    let bad = DrawdownForm {
        customer_account: "   ".into(),
        customer_website: "contoso dot com".into(),
        customer_name: "".into(),
        customer_email: "not-an-email".into(),
        quantities: vec![(line, "11".into())],
    };
    let Err(DrawdownError::Invalid { problems }) = p.services().save(&partner, order, &bad, None).await
    else {
        panic!("refused as invalid");
    };
    let fields: Vec<DrawdownField> = problems.iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [
            DrawdownField::CustomerAccount,
            DrawdownField::CustomerWebsite,
            DrawdownField::CustomerName,
            DrawdownField::CustomerEmail,
            DrawdownField::Quantity(line),
        ]
    );
    assert_eq!(
        problems[4].error,
        DrawdownFieldError::AboveAvailable { available: 10 }
    );

    // Another partner's order is no order at all.
    let other = user(p.db(), OTHER_PARTNER).await;
    let (order, form) = form(p.db(), "Adventure Works", "1").await;
    let Err(DrawdownError::Invalid { problems }) = p.services().save(&other, order, &form, None).await else {
        panic!("refused");
    };
    assert_eq!(problems[0].field, DrawdownField::Order);

    // Only partners save.
    for who in [ACCOUNTING, CUSTOMER] {
        let who = user(p.db(), who).await;
        assert_eq!(
            save(&p, &who, "Adventure Works", "1").await,
            Err(DrawdownError::Forbidden)
        );
    }
    assert_eq!(footprint(p.db()).await, before);
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn every_step_from_every_state_is_allowed_only_to_its_role() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let customer = user(p.db(), CUSTOMER).await;
    let other = user(p.db(), OTHER_PARTNER).await;
    let roles = [
        ("partner", &partner),
        ("accounting", &accounting),
        ("customer", &customer),
        ("other partner", &other),
    ];
    let allowed = [
        (
            DrawdownState::Submitted,
            Transition::Approve,
            "accounting",
            DrawdownState::Approved,
        ),
        (
            DrawdownState::Submitted,
            Transition::Reject,
            "accounting",
            DrawdownState::Rejected,
        ),
        (
            DrawdownState::Submitted,
            Transition::Cancel,
            "partner",
            DrawdownState::Cancelled,
        ),
        (
            DrawdownState::Approved,
            Transition::Accept,
            "partner",
            DrawdownState::Accepted,
        ),
        (
            DrawdownState::Approved,
            Transition::Cancel,
            "partner",
            DrawdownState::Cancelled,
        ),
    ];
    let mut tried = 0;
    for (i, from) in DrawdownState::ALL.into_iter().enumerate() {
        for transition in [
            Transition::Approve,
            Transition::Reject,
            Transition::Accept,
            Transition::Cancel,
            Transition::Expire,
        ] {
            for (role, who) in roles {
                let id = request_in(&p, from, &format!("Customer {i} {transition} {role}")).await;
                let before = footprint(p.db()).await;
                let result = p.services().change(who, id, transition, Some("checked")).await;
                tried += 1;
                match allowed
                    .iter()
                    .find(|a| (a.0, a.1, a.2) == (from, transition, role))
                {
                    Some(&(_, _, _, to)) => {
                        assert_eq!(result, Ok(to), "{from} {transition} by {role}");
                        assert_eq!(state_of(&p, id).await, to);
                    }
                    None => {
                        match (&result, role) {
                            // Outside their reach: the same answer as a missing request.
                            (Err(DrawdownError::Forbidden), "customer" | "other partner") => {}
                            (Err(DrawdownError::Refused { .. }), "partner" | "accounting") => {}
                            _ => panic!("{from} {transition} by {role}: {result:?}"),
                        }
                        assert_eq!(
                            footprint(p.db()).await,
                            before,
                            "{from} {transition} by {role} wrote"
                        );
                        assert_eq!(state_of(&p, id).await, from);
                    }
                }
                assert_ledger_invariant(p.db()).await;
            }
        }
    }
    assert_eq!(tried, 6 * 5 * 4);
}

#[tokio::test]
async fn a_refusal_says_what_state_the_request_is_in() {
    let p = Portal::demo().await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let partner = user(p.db(), PARTNER).await;
    let id = request_in(&p, DrawdownState::Rejected, "Adventure Works").await;
    assert_eq!(
        p.services()
            .change(&accounting, id, Transition::Approve, None)
            .await,
        Err(DrawdownError::Refused {
            refusal: TransitionError::NotAllowedFrom {
                transition: Transition::Approve,
                from: DrawdownState::Rejected
            }
        })
    );
    let id = request_in(&p, DrawdownState::Approved, "Litware").await;
    assert!(matches!(
        p.services()
            .change(&accounting, id, Transition::Accept, None)
            .await,
        Err(DrawdownError::Refused {
            refusal: TransitionError::NotPermitted { .. }
        })
    ));
    assert_eq!(state_of(&p, id).await, DrawdownState::Approved);
    let _ = partner;
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_the_partner_reads_it() {
    let p = Portal::demo().await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let partner = user(p.db(), PARTNER).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let id = save(&p, &partner, "Adventure Works", "3").await.expect("saved");
    let before = footprint(p.db()).await;
    for blank in [None, Some(""), Some("   ")] {
        assert_eq!(
            p.services()
                .change(&accounting, id, Transition::Reject, blank)
                .await,
            Err(DrawdownError::InvalidReason {
                problem: ReasonError::Empty
            })
        );
    }
    assert_eq!(footprint(p.db()).await, before);
    assert_eq!(available(p.db(), line).await, 7);

    p.services()
        .change(
            &accounting,
            id,
            Transition::Reject,
            Some(" Wrong customer website "),
        )
        .await
        .expect("rejected");
    let detail = p.services().drawdown(&partner, id).await.expect("detail");
    assert_eq!(detail.reason.as_deref(), Some("Wrong customer website"));
    let last = detail.history.last().expect("history");
    assert_eq!(
        (last.from, last.to),
        (Some(DrawdownState::Submitted), DrawdownState::Rejected)
    );
    assert_eq!(last.actor_name.as_deref(), Some("Alex Durand"));
    assert_eq!(last.reason.as_deref(), Some("Wrong customer website"));
    assert_eq!(available(p.db(), line).await, 10, "the reservation is released");
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn acceptance_creates_a_new_customer_or_uses_the_one_the_partner_has() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let contoso = crate::helpers::account_id(p.db(), "Contoso Pharma").await;

    // Same website domain as Contoso Pharma, another spelling of the name.
    let (order, mut tied) = form(p.db(), "Contoso Pharmaceuticals", "2").await;
    tied.customer_website = "https://www.contoso.example/licensing".into();
    let tied = p
        .services()
        .save(&partner, order, &tied, None)
        .await
        .expect("saved")
        .id;
    let fresh = save(&p, &partner, "Adventure Works", "3").await.expect("saved");
    let accounts_before = count_rows(p.db(), "accounts").await;
    for id in [tied, fresh] {
        p.services()
            .change(&accounting, id, Transition::Approve, None)
            .await
            .expect("approved");
        p.services()
            .change(&partner, id, Transition::Accept, None)
            .await
            .expect("accepted");
    }
    assert_eq!(
        count_rows(p.db(), "accounts").await,
        accounts_before + 1,
        "one new customer"
    );
    assert_eq!(holdings(p.db(), contoso).await, [("Bot Creator".to_string(), 2)]);
    let adventure = crate::helpers::account_id(p.db(), "Adventure Works").await;
    assert_eq!(
        holdings(p.db(), adventure).await,
        [("Bot Creator".to_string(), 3)]
    );
    let (visible, _) = app::repo::accounts::list_accounts_visible_to(
        &mut p.db().read().await.expect("conn"),
        &partner,
        None,
        None,
        100,
    )
    .await
    .expect("accounts");
    assert!(
        visible.iter().any(|a| a.name == "Adventure Works"),
        "in Select an account"
    );
    let northwind = crate::helpers::account_id(p.db(), "Northwind Partners").await;
    let bc = holdings(p.db(), northwind)
        .await
        .into_iter()
        .find(|(p, _)| p == "Bot Creator")
        .expect("held")
        .1;
    assert_eq!(
        bc,
        10 + 5 + 3 - 2 - 3,
        "the partner holds what it did not draw down"
    );

    // The New form shows each of the partner's customers with what it holds.
    let offered = p
        .services()
        .form_data(&partner, northwind, None)
        .await
        .expect("form")
        .customers;
    assert!(offered.len() >= 3, "{offered:?}");
    for customer in &offered {
        assert_eq!(
            customer.holdings,
            holdings(p.db(), customer.id).await,
            "{}",
            customer.name
        );
    }
    let adventure_offered = offered.iter().find(|c| c.id == adventure).expect("offered");
    assert_eq!(adventure_offered.holdings, [("Bot Creator".to_string(), 3)]);
    assert_ledger_invariant(p.db()).await;
}

async fn holdings(db: &Db, account: AccountId) -> Vec<(String, i64)> {
    app::repo::entitlements::list_holdings(&mut db.read().await.expect("conn"), account)
        .await
        .expect("holdings")
        .into_iter()
        .map(|h| (h.product_name, h.quantity))
        .collect()
}

#[tokio::test]
async fn sixty_four_concurrent_saves_on_a_line_of_ten_never_reserve_more_than_ten() {
    let p = Arc::new(Portal::demo().await);
    let partner = user(p.db(), PARTNER).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let p = Arc::clone(&p);
            let partner = partner.clone();
            let quantity = (i % 3 + 1).to_string();
            tokio::spawn(async move {
                let result = save(&p, &partner, &format!("Customer {i}"), &quantity).await;
                (quantity.parse::<i64>().expect("number"), result)
            })
        })
        .collect();
    let mut reserved = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.expect("task") {
            (q, Ok(_)) => reserved += q,
            (_, Err(DrawdownError::Invalid { problems })) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].field, DrawdownField::Quantity(line));
                assert!(matches!(
                    problems[0].error,
                    DrawdownFieldError::AboveAvailable { .. }
                ));
                refused += 1;
            }
            (_, Err(other)) => panic!("unexpected: {other:?}"),
        }
    }
    assert!((8..=10).contains(&reserved), "reserved {reserved}");
    assert!(refused >= 54, "refused {refused}");
    assert_eq!(available(p.db(), line).await, 10 - reserved);
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn approve_racing_reject_and_accept_racing_cancel_each_have_one_winner() {
    let p = Arc::new(Portal::demo().await);
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    for round in 0..10 {
        let id = save_roomy(&p, &partner, &format!("Race {round}"))
            .await
            .expect("saved");
        let (a, b) = tokio::join!(
            {
                let p = Arc::clone(&p);
                let who = accounting.clone();
                async move { p.services().change(&who, id, Transition::Approve, None).await }
            },
            {
                let p = Arc::clone(&p);
                let who = accounting.clone();
                async move {
                    p.services()
                        .change(&who, id, Transition::Reject, Some("duplicate"))
                        .await
                }
            }
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(DrawdownError::Refused { .. })), "{loser:?}");
        let history = p.services().drawdown(&partner, id).await.expect("detail").history;
        assert_eq!(history.len(), 2, "one change recorded");

        if state_of(&p, id).await == DrawdownState::Approved {
            let (a, b) = tokio::join!(
                {
                    let p = Arc::clone(&p);
                    let who = partner.clone();
                    async move { p.services().change(&who, id, Transition::Accept, None).await }
                },
                {
                    let p = Arc::clone(&p);
                    let who = partner.clone();
                    async move { p.services().change(&who, id, Transition::Cancel, None).await }
                }
            );
            assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        }
        assert_ledger_invariant(p.db()).await;
    }
    // Run the races across tasks too, so they really interleave on threads.
    let mut handles = Vec::new();
    let mut ids = Vec::new();
    for round in 0..20 {
        let id = save_roomy(&p, &partner, &format!("Threaded {round}"))
            .await
            .expect("saved");
        p.services()
            .change(&accounting, id, Transition::Approve, None)
            .await
            .expect("approved");
        ids.push(id);
        for t in [Transition::Accept, Transition::Cancel] {
            let p = Arc::clone(&p);
            let who = partner.clone();
            handles.push(tokio::spawn(async move {
                (id, p.services().change(&who, id, t, None).await.is_ok())
            }));
        }
    }
    let mut wins = std::collections::HashMap::new();
    for h in handles {
        let (id, won) = h.await.expect("task");
        *wins.entry(id).or_insert(0) += i32::from(won);
    }
    assert_eq!(ids.len(), 20);
    assert!(ids.iter().all(|id| wins[id] == 1), "{wins:?}");
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn an_approval_left_unaccepted_expires_releases_and_tells_the_partner() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let old = save(&p, &partner, "Adventure Works", "2").await.expect("saved");
    p.services()
        .change(&accounting, old, Transition::Approve, None)
        .await
        .expect("approved");
    age_approvals(&p, 31);
    let recent = save(&p, &partner, "Litware", "3").await.expect("saved");
    p.services()
        .change(&accounting, recent, Transition::Approve, None)
        .await
        .expect("approved");

    assert_eq!(p.services().expire_due().await, Ok(1));
    assert_eq!(state_of(&p, old).await, DrawdownState::Expired);
    assert_eq!(state_of(&p, recent).await, DrawdownState::Approved);
    assert_eq!(available(p.db(), line).await, 10 - 3);
    let last = p
        .services()
        .drawdown(&partner, old)
        .await
        .expect("detail")
        .history
        .pop()
        .expect("entry");
    assert_eq!((last.to, last.actor_name), (DrawdownState::Expired, None));
    let subjects: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, subject FROM outbox WHERE subject LIKE '%expired'")
            .fetch_all(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("outbox");
    assert_eq!(
        subjects,
        [(
            "partner@example.com".to_string(),
            "PDR-000001 expired".to_string()
        )]
    );
    assert_eq!(p.services().expire_due().await, Ok(0), "nothing twice");
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
#[ignore = "PostgreSQL only (SQLite serves one process); scripts/test.sh runs it with PORTAL_TEST_POSTGRES_URL and --include-ignored"]
async fn expiry_running_in_two_processes_at_once_expires_each_request_once() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let mut approved = Vec::new();
    for n in 0..8 {
        let id = save(&p, &partner, &format!("Expiring {n}"), "1")
            .await
            .expect("saved");
        p.services()
            .change(&accounting, id, Transition::Approve, None)
            .await
            .expect("approved");
        age_approvals(&p, 31);
        approved.push(id);
    }
    assert_eq!(available(p.db(), line).await, 10 - 8);

    let second_process = p.t.reopen().await;
    let (here, there) = (p.services(), p.services_on(&second_process));
    let (first, second) = tokio::join!(here.expire_due(), there.expire_due());
    assert_eq!(
        first.expect("first") + second.expect("second"),
        8,
        "each expired by one process"
    );
    for id in approved {
        assert_eq!(state_of(&p, id).await, DrawdownState::Expired);
    }
    let expiry_emails: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE subject LIKE '%expired'")
        .fetch_one(&mut *p.db().read().await.expect("conn"))
        .await
        .expect("outbox");
    assert_eq!(expiry_emails, 8, "one email per expired request");
    assert_eq!(
        available(p.db(), line).await,
        10,
        "each reservation released once"
    );
    assert_ledger_invariant(p.db()).await;
}

/// Two requests: the first rejected with `reason`, the second (2 units)
/// approved and accepted; seven emails' worth of steps.
pub async fn reject_one_accept_one(p: &Portal, reason: &str) {
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let s = p.services();
    let rejected = save(p, &partner, "Adventure Works", "1").await.expect("saved");
    s.change(&accounting, rejected, Transition::Reject, Some(reason))
        .await
        .expect("rejected");
    let accepted = save(p, &partner, "Litware", "2").await.expect("saved");
    s.change(&accounting, accepted, Transition::Approve, None)
        .await
        .expect("approved");
    s.change(&partner, accepted, Transition::Accept, None)
        .await
        .expect("accepted");
}

#[tokio::test]
async fn each_step_writes_its_emails_in_the_recipients_language() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    {
        let mut tx = p.db().begin().await.expect("tx");
        app::repo::users::update_user_locale(&mut tx, partner.id, app::i18n::Locale::Fr)
            .await
            .expect("locale");
        tx.commit().await.expect("commit");
    }
    reject_one_accept_one(&p, "Mauvais site").await;
    let cancelled = save(&p, &partner, "Proseware", "1").await.expect("saved");
    p.services()
        .change(&partner, cancelled, Transition::Cancel, None)
        .await
        .expect("cancelled");

    let mail: Vec<(String, String, String)> =
        sqlx::query_as("SELECT recipient, locale, subject FROM outbox ORDER BY id")
            .fetch_all(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("outbox");
    let expected = [
        (
            "accounting@example.com",
            "en",
            "PDR-000001: drawdown request to approve",
        ),
        ("partner@example.com", "fr", "PDR-000001 rejetée"),
        (
            "accounting@example.com",
            "en",
            "PDR-000002: drawdown request to approve",
        ),
        ("partner@example.com", "fr", "PDR-000002 approuvée"),
        // The customer contact is no user: they get the partner's language.
        (
            "jordan@customer.example",
            "fr",
            "Vos nouveaux droits de licence (Northwind Partners)",
        ),
        ("partner@example.com", "fr", "PDR-000002 acceptée"),
        (
            "accounting@example.com",
            "en",
            "PDR-000003: drawdown request to approve",
        ),
    ];
    let got: Vec<(&str, &str, &str)> = mail
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(got, expected);
    let body: String =
        sqlx::query_scalar("SELECT text_body FROM outbox WHERE subject = 'PDR-000001 rejetée'")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("body");
    assert!(body.contains("Motif: Mauvais site"), "{body}");
}

#[tokio::test]
async fn lists_show_each_user_only_what_they_may_see() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let other = user(p.db(), OTHER_PARTNER).await;
    let customer = user(p.db(), CUSTOMER).await;
    let northwind = crate::helpers::account_id(p.db(), "Northwind Partners").await;
    let id = save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    save(&p, &partner, "Litware", "1").await.expect("saved");

    let s = p.services();
    assert_eq!(
        s.list_drawdowns(&partner, northwind, None, None, None)
            .await
            .expect("list")
            .rows
            .len(),
        2
    );
    let found = s
        .list_drawdowns(&partner, northwind, None, Some("adventure".into()), None)
        .await
        .expect("list");
    assert_eq!(
        found
            .rows
            .iter()
            .map(|d| d.customer_name.as_str())
            .collect::<Vec<_>>(),
        ["Adventure Works"]
    );
    assert!(s
        .list_drawdowns(&partner, northwind, Some(DrawdownState::Approved), None, None)
        .await
        .expect("list")
        .rows
        .is_empty());
    assert_eq!(
        s.list_drawdowns(&accounting, northwind, None, None, None)
            .await
            .expect("list")
            .rows
            .len(),
        2
    );
    assert_eq!(
        s.list_approvals(&accounting, None, None)
            .await
            .expect("queue")
            .rows
            .len(),
        2
    );
    let found = s
        .list_approvals(&accounting, Some("LITWARE".into()), None)
        .await
        .expect("queue");
    assert_eq!(
        found
            .rows
            .iter()
            .map(|d| d.customer_name.as_str())
            .collect::<Vec<_>>(),
        ["Litware"]
    );
    assert_eq!(
        s.list_drawdowns(&other, northwind, None, None, None).await,
        Err(DrawdownError::Forbidden)
    );
    assert_eq!(
        s.list_drawdowns(&customer, northwind, None, None, None).await,
        Err(DrawdownError::Forbidden)
    );
    assert_eq!(
        s.list_approvals(&partner, None, None).await,
        Err(DrawdownError::Forbidden)
    );
    assert_eq!(
        s.drawdown(&other, id).await.map(|_| ()),
        Err(DrawdownError::Forbidden)
    );
    assert_eq!(
        s.drawdown(&customer, id).await.map(|_| ()),
        Err(DrawdownError::Forbidden)
    );
    assert_eq!(
        s.drawdown(&partner, DrawdownId(9999)).await.map(|_| ()),
        Err(DrawdownError::Forbidden)
    );
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn a_clone_prefills_the_form_and_leaves_the_original_alone() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let northwind = crate::helpers::account_id(p.db(), "Northwind Partners").await;
    let original = save(&p, &partner, "Adventure Works", "4").await.expect("saved");
    p.services()
        .change(&accounting, original, Transition::Reject, Some("too many"))
        .await
        .expect("rejected");

    let data = p
        .services()
        .form_data(&partner, northwind, Some(original))
        .await
        .expect("form");
    assert_eq!(data.prefill.customer_account, "Adventure Works");
    assert_eq!(data.prefill_order, Some(order_id(p.db(), ORDER).await));
    let mut form = data.prefill.clone();
    form.quantities[0].1 = "2".into();
    let clone = p
        .services()
        .save(&partner, data.prefill_order, &form, Some(original))
        .await
        .expect("saved");
    let detail = p.services().drawdown(&partner, clone.id).await.expect("detail");
    assert_eq!(detail.cloned_from.map(|c| c.0), Some(original));
    assert_eq!(detail.lines[0].quantity, 2);
    assert_eq!(state_of(&p, original).await, DrawdownState::Rejected);

    let other = user(p.db(), OTHER_PARTNER).await;
    let other_account = crate::helpers::account_id(p.db(), "Tailspin Integrators").await;
    assert_eq!(
        p.services()
            .form_data(&other, other_account, Some(original))
            .await
            .map(|_| ()),
        Err(DrawdownError::Forbidden)
    );
    assert_ledger_invariant(p.db()).await;
}
