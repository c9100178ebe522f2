//! The lists' CSV exports and a customer's holding statement, through the
//! real router: Partner drawdowns (each request's history in a cell),
//! Approvals, Entitlements, and what a customer holds of a product, each
//! parsed back and held against what the screens show.

use app::domain::{
    AccountKind, HoldingBalance, PageRequest, ProductId, Transition, UsageCursor, UsageMovementKind,
};
use app::i18n::{state_text, Locale};
use app::repo::usage::{append_usage_entry, NewUsageEntry, UsageKind, UsageTarget};
use http::{header, Request};

use crate::drawdowns::{save, ACCOUNTING, PARTNER};
use crate::helpers::{account_id, user, Portal};
use crate::matrix::{session_of, Caller};
use crate::sessions::send;

/// The portal's router over `p`'s database and clock.
fn router(p: &Portal) -> axum::Router {
    server::router(crate::helpers::app_state(p.db().clone(), p.settings.clone()))
}

/// GET `path` with `cookie`: the status and the body.
async fn get(app: &axum::Router, cookie: Option<&str>, path: &str) -> (u16, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let (status, headers, body) = send(app, request.body(axum::body::Body::empty()).expect("request")).await;
    if status.is_success() {
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8", "{path}");
    }
    (status.as_u16(), body)
}

/// The header and the rows of a CSV answer.
fn parse(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("a header row")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("an RFC 4180 record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test]
async fn the_partner_drawdowns_csv_holds_the_screens_rows_with_each_requests_history() {
    let p = Portal::demo().await;
    server::demo::walk_history(p.services())
        .await
        .expect("demo history");
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let rejected = save(&p, &partner, "Export Rejected", "2").await.expect("saved");
    p.services()
        .change(
            &accounting,
            rejected,
            Transition::Reject,
            Some("Wrong order, use SO-2026-0042"),
        )
        .await
        .expect("rejected");
    save(&p, &partner, "Export Waiting", "1").await.expect("saved");
    let northwind = partner.account_id;
    let app = router(&p);
    let cookie = session_of(&app, Caller::Partner).await;

    let (status, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (header, rows) = parse(&body);
    assert_eq!(
        header,
        [
            "request",
            "state",
            "partner",
            "order",
            "customer",
            "products",
            "quantity",
            "last_change",
            "history"
        ]
    );
    let screen = p
        .services()
        .list_drawdowns(&partner, northwind, None, None, PageRequest::first(500))
        .await
        .expect("the list");
    let numbers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let shown: Vec<String> = screen.rows.iter().map(|r| r.number.to_string()).collect();
    assert_eq!(numbers, shown, "the screen's rows, in its order");
    for (row, summary) in rows.iter().zip(&screen.rows) {
        let detail = p
            .services()
            .drawdown(&partner, summary.id)
            .await
            .expect("the request");
        assert_eq!(row[1], state_text(summary.state).text(Locale::En));
        let quantity: i64 = detail.lines.iter().map(|l| l.quantity).sum();
        assert_eq!(row[6], quantity.to_string(), "{}", row[0]);
        assert_eq!(
            row[8].lines().count(),
            detail.history.len(),
            "a line per step of {}",
            row[0]
        );
        assert!(
            row[7].ends_with('Z') && row[7].len() == 20,
            "ISO 8601: {}",
            row[7]
        );
    }

    // The screen's filters, in French: the state and the customer search.
    let (status, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv?state=rejected&q=export&lang=fr"),
    )
    .await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&body);
    assert_eq!(header[0], "demande");
    assert_eq!(header[8], "historique");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][1], "Rejeté");
    assert_eq!(rows[0][4], "Export Rejected");
    let steps: Vec<&str> = rows[0][8].lines().collect();
    assert_eq!(steps.len(), 2);
    assert!(steps[0].contains("Soumis, Nadia Moreau"), "{steps:?}");
    assert!(
        steps[1].ends_with("Rejeté, Alex Durand: Wrong order, use SO-2026-0042"),
        "{steps:?}"
    );

    // Days: tomorrow on holds nothing; a day that is no date is named.
    let tomorrow = time::OffsetDateTime::from_unix_timestamp(p.clock().now() + 86_400)
        .expect("a date")
        .date();
    let (status, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv?from={tomorrow}"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(parse(&body).1.is_empty(), "{body}");
    let (status, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv?until=31/12/2026"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("until"), "{body}");
    let (status, _) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv?state=lost"),
    )
    .await;
    assert_eq!(status, 422);

    // Another partner, and nobody.
    let other = session_of(&app, Caller::OtherPartner).await;
    let (status, _) = get(
        &app,
        other.as_deref(),
        &format!("/api/exports/drawdowns/{northwind}.csv"),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = get(&app, None, &format!("/api/exports/drawdowns/{northwind}.csv")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_approvals_csv_is_the_queue_oldest_first_with_its_waiting_time_and_overdue_mark() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let first = save(&p, &partner, "Queue First", "1").await.expect("saved");
    p.clock().advance(3_600);
    save(&p, &partner, "Queue Second", "2").await.expect("saved");
    // The first has waited 49 hours, past the 48-hour target; the second 48.
    p.clock().advance(48 * 3_600);
    let app = router(&p);
    let cookie = session_of(&app, Caller::Accounting).await;
    let (status, body) = get(&app, cookie.as_deref(), "/api/exports/approvals.csv").await;
    assert_eq!(status, 200, "{body}");
    let (header, rows) = parse(&body);
    assert_eq!(header[6..], ["submitted_at", "waiting_hours", "overdue"]);
    let queue = p
        .services()
        .approvals_queue(
            &user(p.db(), ACCOUNTING).await,
            None,
            None,
            PageRequest::first(500),
        )
        .await
        .expect("the queue");
    let numbers: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let shown: Vec<String> = queue.rows.iter().map(|r| r.summary.number.to_string()).collect();
    assert_eq!(numbers, shown, "the queue's rows, oldest first");
    let row = |customer: &str| rows.iter().find(|r| r[3] == customer).expect(customer).clone();
    let (early, late) = (row("Queue First"), row("Queue Second"));
    assert_eq!(
        (early[5].as_str(), early[7].as_str(), early[8].as_str()),
        ("1", "49", "yes")
    );
    assert_eq!(
        (late[5].as_str(), late[7].as_str(), late[8].as_str()),
        ("2", "48", "no")
    );
    let first_number = p
        .services()
        .drawdown(&partner, first)
        .await
        .expect("first")
        .summary
        .number;
    assert_eq!(early[0], first_number.to_string());

    // The Partner filter and the search, in French.
    let other = account_id(p.db(), "Tailspin Integrators").await;
    let (_, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/exports/approvals.csv?partner={other}"),
    )
    .await;
    assert!(parse(&body).1.is_empty(), "another partner's queue: {body}");
    let (_, body) = get(
        &app,
        cookie.as_deref(),
        &format!(
            "/api/exports/approvals.csv?partner={}&q=queue%20s&lang=fr",
            partner.account_id
        ),
    )
    .await;
    let (header, rows) = parse(&body);
    assert_eq!(header[8], "en_retard");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][3].as_str(), rows[0][8].as_str()),
        ("Queue Second", "non")
    );
    let (status, _) = get(&app, cookie.as_deref(), "/api/exports/approvals.csv?partner=x").await;
    assert_eq!(status, 422);

    // A partner does not see the queue.
    let partner_cookie = session_of(&app, Caller::Partner).await;
    let (status, _) = get(&app, partner_cookie.as_deref(), "/api/exports/approvals.csv").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_entitlements_csv_adds_up_to_what_the_screen_shows() {
    let p = Portal::demo().await;
    server::demo::walk_history(p.services())
        .await
        .expect("demo history");
    let app = router(&p);
    for (caller, name) in [
        (Caller::Customer, "Contoso Pharma"),
        (Caller::Partner, "Northwind Partners"),
    ] {
        let account = account_id(p.db(), name).await;
        let viewer = user(p.db(), crate::matrix::email(caller).expect("a signed-in caller")).await;
        let screen = p
            .services()
            .entitlements(&viewer, account)
            .await
            .expect("the screen");
        let cookie = session_of(&app, caller).await;
        let (status, body) = get(
            &app,
            cookie.as_deref(),
            &format!("/api/exports/entitlements/{account}.csv"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (header, rows) = parse(&body);
        assert_eq!(header[0], "product");
        assert!(!rows.is_empty(), "{name} holds something");
        for holding in &screen.holdings {
            let of_product: Vec<&Vec<String>> =
                rows.iter().filter(|r| r[0] == holding.product_name).collect();
            let sum = |column: usize| -> i64 {
                of_product
                    .iter()
                    .map(|r| r[column].parse::<i64>().expect("a number"))
                    .sum()
            };
            match screen.account.kind {
                AccountKind::Customer => {
                    assert_eq!(sum(6), holding.quantity, "{name}: {}", holding.product_name);
                    assert_eq!(sum(7), holding.in_use, "{name}: {}", holding.product_name);
                }
                // A partner holds its lines less what it drew down.
                _ => assert_eq!(
                    sum(6) - sum(11),
                    holding.quantity,
                    "{name}: {}",
                    holding.product_name
                ),
            }
        }
        for line in &screen.order_lines {
            let source = format!("{}/{}", line.order_number, line.line_no);
            let row = rows.iter().find(|r| r[3] == source).expect("the line's row");
            let b = line.balance;
            assert_eq!(
                row[9..],
                [
                    b.available().to_string(),
                    b.reserved.to_string(),
                    b.drawn.to_string()
                ],
                "{source}"
            );
        }
    }
    let other = session_of(&app, Caller::OtherPartner).await;
    let contoso = account_id(p.db(), "Contoso Pharma").await;
    let (status, _) = get(
        &app,
        other.as_deref(),
        &format!("/api/exports/entitlements/{contoso}.csv"),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_customers_holding_statement_walks_back_from_what_it_holds_page_by_page_and_exports_it() {
    let p = Portal::demo().await;
    server::demo::walk_history(p.services())
        .await
        .expect("demo history");
    let contoso = account_id(p.db(), "Contoso Pharma").await;
    let customer = user(p.db(), "customer@example.com").await;
    let (product, entitlement, instance): (i64, i64, i64) = {
        let mut conn = p.db().read().await.expect("conn");
        sqlx::query_as(
            "SELECT p.id, e.id, i.id FROM entitlements e
             JOIN products p ON p.id = e.product_id
             JOIN service_instances i ON i.account_id = e.account_id AND i.product_id = (SELECT id FROM products WHERE sku = 'CR')
             WHERE e.account_id = $1 AND p.sku = 'BC'",
        )
        .bind(contoso.0)
        .fetch_one(&mut *conn)
        .await
        .expect("Contoso's Bot Creator and Control Room")
    };
    let product = ProductId(product);
    // Sixty more movements, one put to use and given back in turn, a second apart.
    for n in 0..60 {
        p.clock().advance(1);
        let mut tx = p.db().begin().await.expect("tx");
        append_usage_entry(
            &mut tx,
            NewUsageEntry {
                entitlement: app::domain::EntitlementId(entitlement),
                kind: if n % 2 == 0 {
                    UsageKind::Assign
                } else {
                    UsageKind::Release
                },
                quantity: 1,
                target: UsageTarget::ControlRoom(app::domain::ServiceInstanceId(instance)),
                user: Some(customer.id),
                at: p.clock().now(),
            },
        )
        .await
        .expect("a usage movement");
        tx.commit().await.expect("commit");
    }

    let first = p
        .services()
        .holding_statement(&customer, contoso, product, None)
        .await
        .expect("the statement");
    assert_eq!(first.entries.len(), 50);
    assert_eq!(
        first.entries[0].after, first.balance,
        "the newest ends at what is held"
    );
    let next: UsageCursor = first.next.expect("older movements remain");
    let second = p
        .services()
        .holding_statement(&customer, contoso, product, Some(next))
        .await
        .expect("the second page");
    let mut all = first.entries.clone();
    all.extend(second.entries.clone());
    assert_eq!(second.next, None);
    // Oldest first from nothing, each movement leads to the balance shown after it.
    let mut running = HoldingBalance::default();
    for e in all.iter().rev() {
        running = running.after(e.kind, e.quantity);
        assert_eq!(running, e.after, "{:?}", e.position);
    }
    let oldest = all.last().expect("movements");
    assert_eq!(
        oldest.kind,
        UsageMovementKind::Received,
        "it starts with what it received"
    );
    assert!(oldest.request.is_some(), "from a request");
    assert_eq!(
        oldest.actor_name.as_deref(),
        Some("Nadia Moreau"),
        "who accepted it"
    );
    assert_eq!(all[0].actor_name.as_deref(), Some(customer.display_name.as_str()));
    assert!(all[0].control_room.is_some());

    // The CSV: every movement oldest first, ending at what is held.
    let app = router(&p);
    let cookie = session_of(&app, Caller::Customer).await;
    let (status, body) = get(
        &app,
        cookie.as_deref(),
        &format!("/api/statements/holdings/{contoso}/{}.csv?lang=fr", product.0),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (header, rows) = parse(&body);
    assert_eq!(header[..3], ["date", "mouvement", "quantite"]);
    assert_eq!(rows.len(), all.len());
    assert_eq!(rows[0][1], "reçu");
    let last = rows.last().expect("rows");
    assert_eq!(
        last[7..],
        [
            first.balance.held.to_string(),
            first.balance.in_use.to_string(),
            first.balance.free().to_string()
        ]
    );
    // A partner's own account has no holding statement; another partner none of Contoso's.
    let other = session_of(&app, Caller::OtherPartner).await;
    let (status, _) = get(
        &app,
        other.as_deref(),
        &format!("/api/statements/holdings/{contoso}/{}.csv", product.0),
    )
    .await;
    assert_eq!(status, 403);
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let partner = user(p.db(), PARTNER).await;
    assert!(p
        .services()
        .holding_statement(&partner, northwind, product, None)
        .await
        .is_err());
}
