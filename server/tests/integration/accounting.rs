//! Accounting's workspace on a real database: the Decision panel against
//! the stored balances, the Approvals queue and Approve selected (with a
//! request that lost a race), emails to each accounting user in their
//! language, and reminders and escalation by an injected clock, once each
//! even with two processes.

use app::domain::{
    BulkOutcome, DrawdownId, DrawdownState, LineBalance, PageRequest, ReminderKind, Role, Transition,
};
use app::i18n::Locale;
use app::repo::ledger::find_line_balance;
use app::services::people::{FirstPassword, NewUser};
use app::services::{Caller, DrawdownError};

use crate::drawdowns::{save, ACCOUNTING, PARTNER};
use crate::helpers::{assert_ledger_invariant, line_of, order_id, user, Portal};

const ORDER: &str = "SO-2026-0101";
const DAY: i64 = 86_400;

async fn stored(p: &Portal, line: app::domain::OrderLineId) -> LineBalance {
    let mut conn = p.db().read().await.expect("conn");
    find_line_balance(&mut conn, line)
        .await
        .expect("read")
        .expect("line")
}

/// (recipient, subject) of every queued email whose subject contains `part`.
async fn emails(p: &Portal, part: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT recipient, subject FROM outbox WHERE subject LIKE $1 ORDER BY id")
        .bind(format!("%{part}%"))
        .fetch_all(&mut *p.db().read().await.expect("conn"))
        .await
        .expect("outbox")
}

#[tokio::test]
async fn the_decision_panel_shows_the_stored_balances_before_and_after_and_what_surrounds_the_request() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let decided = save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    p.services()
        .change(&accounting, decided, Transition::Reject, Some("Wrong customer"))
        .await
        .expect("rejected");
    let other = save(&p, &partner, "Litware", "2").await.expect("saved");
    let weighed = save(&p, &partner, "Contoso Pharma", "3").await.expect("saved");

    let panel = p
        .services()
        .decision_panel(&accounting, weighed)
        .await
        .expect("panel");
    let now = stored(&p, line).await;
    let figures = panel
        .lines
        .iter()
        .find(|l| l.order_line == line)
        .expect("the line");
    assert_eq!(figures.requested, 3);
    assert_eq!(figures.before.quantity, now.quantity);
    assert_eq!(figures.before.reserved, now.reserved - 3, "without this request");
    assert_eq!(figures.before.available(), now.available() + 3);
    assert_eq!(
        (figures.after.reserved, figures.after.drawn),
        (now.reserved - 3, now.drawn + 3)
    );
    let open: Vec<DrawdownId> = panel.open_requests.iter().map(|r| r.id).collect();
    assert_eq!(
        open,
        [other],
        "the other open request on the order, not itself nor the rejected one"
    );
    assert_eq!(panel.open_requests[0].quantity, 2);
    let past: Vec<(DrawdownId, DrawdownState)> =
        panel.past_decisions.iter().map(|d| (d.id, d.decision)).collect();
    assert_eq!(past, [(decided, DrawdownState::Rejected)]);
    assert_eq!(panel.past_decisions[0].reason.as_deref(), Some("Wrong customer"));

    // Contoso Pharma is a customer the partner manages: what it holds shows.
    let contoso = p
        .services()
        .drawdown(&accounting, weighed)
        .await
        .expect("detail")
        .customer_account;
    assert_eq!(panel.customer, contoso);
    assert!(contoso.is_some(), "tied to the managed customer at Save");
    let held_before = panel
        .holdings
        .iter()
        .find(|h| h.product_name == "Bot Creator")
        .map_or(0, |h| h.quantity);

    // Drawn: the figures are the line as it stands.
    p.services()
        .change(&accounting, weighed, Transition::Approve, None)
        .await
        .expect("approved");
    p.services()
        .change(&partner, weighed, Transition::Accept, None)
        .await
        .expect("accepted");
    let panel = p
        .services()
        .decision_panel(&accounting, weighed)
        .await
        .expect("panel");
    let figures = panel
        .lines
        .iter()
        .find(|l| l.order_line == line)
        .expect("the line");
    assert_eq!(
        (figures.before, figures.after),
        (stored(&p, line).await, stored(&p, line).await)
    );
    let held_after = panel
        .holdings
        .iter()
        .find(|h| h.product_name == "Bot Creator")
        .map_or(0, |h| h.quantity);
    assert_eq!(held_after, held_before + 3, "the customer now holds the 3 drawn");

    // Accounting's alone (and the vendor admins'): a partner is refused.
    assert_eq!(
        p.services().decision_panel(&partner, weighed).await.err(),
        Some(DrawdownError::Forbidden)
    );
    assert_eq!(
        p.services()
            .decision_panel(&accounting, DrawdownId(999_999))
            .await
            .err(),
        Some(DrawdownError::Forbidden)
    );
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn approve_selected_approves_each_and_says_which_one_changed_meanwhile() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let mut ids = Vec::new();
    for customer in ["Bulk One", "Bulk Two", "Bulk Three"] {
        ids.push(save(&p, &partner, customer, "1").await.expect("saved"));
    }
    p.clock().advance(3 * DAY);
    let queue = p
        .services()
        .approvals_queue(&accounting, Some(partner.account_id), None, PageRequest::first(0))
        .await
        .expect("queue");
    let queued: Vec<DrawdownId> = queue.rows.iter().map(|r| r.summary.id).collect();
    assert_eq!(queued, ids, "oldest first");
    assert!(queue
        .rows
        .iter()
        .all(|r| r.quantity == 1 && r.waiting == 3 * DAY && r.overdue));
    assert!(queue
        .partners
        .iter()
        .any(|w| w.id == partner.account_id && w.waiting == 3));

    // Accounting selected three; the partner cancels the second before the click lands.
    p.services()
        .change(&partner, ids[1], Transition::Cancel, None)
        .await
        .expect("cancelled");
    let outcomes = p
        .services()
        .approve_drawdowns(&accounting, &ids)
        .await
        .expect("approved");
    let got: Vec<(DrawdownId, BulkOutcome)> = outcomes.iter().map(|o| (o.id, o.outcome)).collect();
    assert_eq!(
        got,
        [
            (ids[0], BulkOutcome::Approved),
            (ids[1], BulkOutcome::Moved(DrawdownState::Cancelled)),
            (ids[2], BulkOutcome::Approved),
        ]
    );
    assert!(outcomes.iter().all(|o| o.number.is_some()));
    for (id, state) in [
        (ids[0], DrawdownState::Approved),
        (ids[1], DrawdownState::Cancelled),
        (ids[2], DrawdownState::Approved),
    ] {
        assert_eq!(
            p.services()
                .drawdown(&accounting, id)
                .await
                .expect("detail")
                .summary
                .state,
            state
        );
    }
    assert_eq!(
        emails(&p, "approved").await.len(),
        2,
        "one approval email per approved request"
    );

    // Nobody else approves, and no more than the limit at once.
    assert_eq!(
        p.services().approve_drawdowns(&partner, &ids).await.err(),
        Some(DrawdownError::Forbidden)
    );
    let admin = user(p.db(), "admin@example.com").await;
    assert_eq!(
        p.services().approve_drawdowns(&admin, &ids).await.err(),
        Some(DrawdownError::Forbidden)
    );
    let too_many: Vec<DrawdownId> = (1..=101).map(DrawdownId).collect();
    assert!(matches!(
        p.services().approve_drawdowns(&accounting, &too_many).await,
        Err(DrawdownError::TooMany { max: 100 })
    ));
    let gone = p
        .services()
        .approve_drawdowns(&accounting, &[DrawdownId(999_999)])
        .await
        .expect("answered");
    assert_eq!((gone[0].outcome, gone[0].number), (BulkOutcome::NotFound, None));
    assert_ledger_invariant(p.db()).await;
}

/// A second accounting user who reads French.
async fn french_colleague(p: &Portal) {
    let accounting = user(p.db(), ACCOUNTING).await;
    let id = p
        .services()
        .create_user(
            Caller::Operator,
            None,
            NewUser {
                email: "comptable@example.com".into(),
                display_name: "Camille Comptable".into(),
                role: Role::Accounting,
                account: accounting.account_id,
            },
            FirstPassword::Password(
                app::domain::NewPassword::parse("a long enough password".into()).expect("policy"),
            ),
        )
        .await
        .expect("created");
    let mut tx = p.db().begin().await.expect("tx");
    app::repo::users::update_user_locale(&mut tx, id, Locale::Fr)
        .await
        .expect("locale");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_saved_request_is_announced_to_each_accounting_user_in_their_language_and_to_the_team_address() {
    let mut p = Portal::demo().await;
    p.settings.accounting_email =
        Some(app::domain::UserEmail::parse("ledger-team@example.com").expect("address"));
    french_colleague(&p).await;
    let partner = user(p.db(), PARTNER).await;
    save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    let mut got = emails(&p, "PDR-000001").await;
    got.sort();
    assert_eq!(
        got,
        [
            (
                "accounting@example.com".to_string(),
                "PDR-000001: drawdown request to approve".to_string()
            ),
            (
                "comptable@example.com".to_string(),
                "PDR-000001 : demande de prélèvement à approuver".to_string()
            ),
            (
                "ledger-team@example.com".to_string(),
                "PDR-000001: drawdown request to approve".to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn reminders_fire_once_each_when_due_and_never_after_the_request_moved_on() {
    let p = Portal::demo().await;
    french_colleague(&p).await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let waiting = save(&p, &partner, "Waiting Long", "1").await.expect("saved");
    let decided = save(&p, &partner, "Decided Soon", "1").await.expect("saved");

    // Before the target (48 h): nothing.
    p.clock().advance(47 * 3600);
    assert_eq!(p.services().send_due_reminders().await, Ok(0));
    p.services()
        .change(&accounting, decided, Transition::Approve, None)
        .await
        .expect("approved");

    // Past it: accounting is reminded of the one still waiting, each user in their language.
    p.clock().advance(2 * 3600);
    assert_eq!(p.services().send_due_reminders().await, Ok(1));
    assert_eq!(p.services().send_due_reminders().await, Ok(0), "once");
    let mut reminded = emails(&p, "PDR-000001").await;
    reminded.retain(|(_, subject)| subject.contains("Reminder") || subject.contains("Rappel"));
    reminded.sort();
    assert_eq!(
        reminded,
        [
            (
                "accounting@example.com".to_string(),
                "Reminder: PDR-000001 has waited 2 d for your approval".to_string()
            ),
            (
                "comptable@example.com".to_string(),
                "Rappel : PDR-000001 attend votre approbation depuis 2 j".to_string()
            ),
        ]
    );

    // Five days: escalated, to the vendor admins as no address is configured.
    p.clock().advance(3 * DAY);
    assert_eq!(p.services().send_due_reminders().await, Ok(1));
    assert_eq!(
        emails(&p, "Escalation").await,
        [(
            "admin@example.com".to_string(),
            "Escalation: PDR-000001 undecided for 5 d".to_string()
        )]
    );
    let history = p
        .services()
        .drawdown(&accounting, waiting)
        .await
        .expect("detail")
        .history;
    let kinds: Vec<Option<ReminderKind>> = history.iter().map(|h| h.reminder).collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(ReminderKind::Accounting),
            Some(ReminderKind::Escalation)
        ]
    );

    // The approved one: its partner is reminded 7 days and 1 day before the
    // 30-day approval ends, once each; accepted, nothing more.
    // Now 121 h after the saves; the approval was at 47 h: 7 days before
    // its end is 23 days after it.
    p.clock().advance(47 * 3600 + 23 * DAY - 121 * 3600 + 3600);
    p.services()
        .change(&accounting, waiting, Transition::Reject, Some("Too late"))
        .await
        .expect("rejected");
    assert_eq!(p.services().send_due_reminders().await, Ok(1));
    assert_eq!(
        emails(&p, "expires in").await,
        [(
            "partner@example.com".to_string(),
            "PDR-000002 expires in 7 d: accept it".to_string()
        )]
    );
    assert_eq!(p.services().send_due_reminders().await, Ok(0));
    p.services()
        .change(&partner, decided, Transition::Accept, None)
        .await
        .expect("accepted");
    p.clock().advance(6 * DAY);
    assert_eq!(
        p.services().send_due_reminders().await,
        Ok(0),
        "accepted: no 1-day reminder"
    );
    assert_eq!(emails(&p, "expires in 1 d").await, []);
    assert_eq!(
        emails(&p, "PDR-000001")
            .await
            .iter()
            .filter(|(_, s)| s.contains("Escalation"))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_one_day_reminder_follows_the_seven_day_one_for_an_approval_left_waiting() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let id = save(&p, &partner, "Slow Partner", "1").await.expect("saved");
    p.services()
        .change(&accounting, id, Transition::Approve, None)
        .await
        .expect("approved");
    p.clock().advance(23 * DAY);
    assert_eq!(p.services().send_due_reminders().await, Ok(1));
    p.clock().advance(6 * DAY);
    assert_eq!(p.services().send_due_reminders().await, Ok(1));
    assert_eq!(
        emails(&p, "expires in").await,
        [
            (
                "partner@example.com".to_string(),
                "PDR-000001 expires in 7 d: accept it".to_string()
            ),
            (
                "partner@example.com".to_string(),
                "PDR-000001 expires in 1 d: accept it".to_string()
            ),
        ]
    );
    let order = order_id(p.db(), ORDER).await;
    assert!(order.0 > 0);
}

#[tokio::test]
#[ignore = "PostgreSQL only (SQLite serves one process); scripts/test.sh runs it with PORTAL_TEST_POSTGRES_URL and --include-ignored"]
async fn reminders_sent_by_two_processes_at_once_go_out_once() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    for n in 0..8 {
        save(&p, &partner, &format!("Reminded {n}"), "1")
            .await
            .expect("saved");
    }
    p.clock().advance(3 * DAY);
    let second_process = p.t.reopen().await;
    let (here, there) = (p.services(), p.services_on(&second_process));
    let (first, second) = tokio::join!(here.send_due_reminders(), there.send_due_reminders());
    assert_eq!(
        first.expect("first") + second.expect("second"),
        8,
        "each reminder by one process"
    );
    let reminders: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE subject LIKE 'Reminder:%'")
        .fetch_one(&mut *p.db().read().await.expect("conn"))
        .await
        .expect("outbox");
    assert_eq!(reminders, 8, "one email per request to the one accounting user");
}
