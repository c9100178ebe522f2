//! Stored balances (SPEC, "Scale"): the backfill of a database an older
//! release made, `server ledger check` naming each disagreement, the CHECK
//! constraints, and keyset pages of the request lists.

use std::process::Command;

use app::domain::{DrawdownCursor, DrawdownForm, DrawdownState, Transition};
use app::repo::reconciliation::find_mismatches;
use app::repo::Db;

use crate::helpers::{account_id, assert_ledger_invariant, line_of, order_id, user, Portal};

/// The last migration before balances were stored.
const BEFORE_STORED_BALANCES: i64 = 20261124000004;

/// Runs one statement of set-up data and returns the id it made.
async fn insert(db: &Db, sql: &str) -> i64 {
    let mut conn = db.read().await.expect("conn");
    sqlx::query_scalar(&format!("{sql} RETURNING id"))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs one statement of set-up data that makes no id.
async fn exec(db: &Db, sql: &str) {
    let mut conn = db.read().await.expect("conn");
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn a_populated_database_of_the_previous_release_upgrades_with_every_balance_backfilled() {
    // Arrange: the schema as the previous release left it, with history
    // written the way that release wrote it (ledgers only, no stored figures).
    let t = crate::helpers::fresh_db_at(BEFORE_STORED_BALANCES).await;
    let db = &t.db;
    let partner = insert(
        db,
        "INSERT INTO accounts (kind, name, created_at) VALUES ('partner', 'Adatum Partners', 0)",
    )
    .await;
    let customer = insert(db, &format!(
        "INSERT INTO accounts (kind, name, managed_by, created_at) VALUES ('customer', 'Fabrikam Industries', {partner}, 0)"
    )).await;
    let user = insert(
        db,
        &format!(
            "INSERT INTO users (email, display_name, role, account_id, password_hash, created_at)
         VALUES ('p@adatum.example', 'P', 'partner_user', {partner}, 'x', 0)"
        ),
    )
    .await;
    let runner = insert(
        db,
        "INSERT INTO products (sku, name, license_model) VALUES ('UBR', 'Unattended Bot Runner', 'cloud')",
    )
    .await;
    let cr = insert(db, "INSERT INTO products (sku, name, license_model, holds_cloud_licenses) VALUES ('CR', 'Control Room', 'service', 1)").await;
    let order = insert(db, &format!(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at) VALUES ('SO-1', {partner}, '2026-01-01', 0)"
    )).await;
    let line = insert(db, &format!(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, term_months) VALUES ({order}, 1, {runner}, 20, 12)"
    )).await;
    insert(
        db,
        &format!(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, order_line_id, created_at)
         VALUES ({partner}, {runner}, 20, 12, {line}, 0)"
    ),
    )
    .await;
    // Three requests: accepted (6), approved (4), rejected (5, released).
    let mut requests = Vec::new();
    for (n, state, quantity) in [(1, "accepted", 6), (2, "approved", 4), (3, "rejected", 5)] {
        let id = insert(db, &format!(
            "INSERT INTO drawdown_requests (number, partner_id, order_id, customer_account_id, customer_name,
                 customer_website, contact_name, contact_email, state, requested_by, created_at, changed_at)
             VALUES ({n}, {partner}, {order}, {customer}, 'Fabrikam Industries', 'https://fabrikam.example', 'C',
                     'c@fabrikam.example', '{state}', {user}, {n}, {n})"
        )).await;
        exec(
            db,
            &format!(
                "INSERT INTO drawdown_request_lines (drawdown_request_id, order_line_id, quantity)
             VALUES ({id}, {line}, {quantity})"
            ),
        )
        .await;
        insert(
            db,
            &format!(
                "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, created_at)
             VALUES ({line}, 'reserve', {quantity}, {id}, {n})"
            ),
        )
        .await;
        requests.push((id, state, quantity));
    }
    let (accepted, _, _) = requests[0];
    let (rejected, _, _) = requests[2];
    insert(db, &format!(
        "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, to_account_id, created_at)
         VALUES ({line}, 'draw', 6, {accepted}, {customer}, 9)"
    )).await;
    insert(
        db,
        &format!(
            "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, created_at)
         VALUES ({line}, 'release', 5, {rejected}, 9)"
        ),
    )
    .await;
    let held = insert(db, &format!(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, drawdown_request_id, created_at)
         VALUES ({customer}, {runner}, 6, 12, {accepted}, 9)"
    )).await;
    let room = insert(db, &format!(
        "INSERT INTO service_instances (account_id, entitlement_id, product_id, license_guid, state, created_at, changed_at)
         VALUES ({customer}, {held}, {cr}, 'guid-1', 'ready', 0, 0)"
    )).await;
    // Bound 5, then 2 of them unbound: 3 bound.
    for (kind, quantity) in [("assign", 5), ("release", 2)] {
        insert(
            db,
            &format!(
                "INSERT INTO usage_entries (entitlement_id, kind, quantity, service_instance_id, created_at)
             VALUES ({held}, '{kind}', {quantity}, {room}, 10)"
            ),
        )
        .await;
    }

    // Act: today's migrations.
    db.migrate().await.expect("upgrade");

    // Assert: every stored figure is what the ledgers say, and the check agrees.
    let mut conn = db.read().await.expect("conn");
    let (reserved, drawn): (i64, i64) =
        sqlx::query_as("SELECT reserved, drawn FROM order_lines WHERE id = $1")
            .bind(line)
            .fetch_one(&mut *conn)
            .await
            .expect("line");
    assert_eq!(
        (reserved, drawn),
        (4, 6),
        "4 reserved by the approved request, 6 drawn"
    );
    let in_use: i64 = sqlx::query_scalar("SELECT in_use FROM entitlements WHERE id = $1")
        .bind(held)
        .fetch_one(&mut *conn)
        .await
        .expect("entitlement");
    assert_eq!(in_use, 3);
    let bound: i64 = sqlx::query_scalar("SELECT quantity FROM usage_holdings WHERE service_instance_id = $1")
        .bind(room)
        .fetch_one(&mut *conn)
        .await
        .expect("holding");
    assert_eq!(bound, 3);
    let (checked, mismatches) = find_mismatches(&mut conn).await.expect("check");
    assert!(mismatches.is_empty(), "{mismatches:?}");
    assert_eq!(
        (checked.order_lines, checked.ledger_entries, checked.usage_entries),
        (1, 5, 2)
    );
    drop(conn);
    // The partner's screens read the stored figures.
    let mut conn = db.read().await.expect("conn");
    let lines = app::repo::orders::list_order_line_balances(&mut conn, app::domain::AccountId(partner))
        .await
        .expect("lines");
    assert_eq!(
        (
            lines[0].balance.available(),
            lines[0].balance.reserved,
            lines[0].balance.drawn
        ),
        (10, 4, 6)
    );
    // The search key of the old rows is backfilled: a prefix finds them.
    let filter = app::repo::drawdowns::DrawdownFilter {
        partner: Some(app::domain::AccountId(partner)),
        customer_search: Some("FABRIKAM ind".into()),
        ..Default::default()
    };
    let found = app::repo::drawdowns::list_drawdowns(&mut conn, &filter, None, 50)
        .await
        .expect("search");
    assert_eq!(found.rows.len(), 3);
}

/// Runs `server ledger check` on `url`: (exit status 0, what it printed).
pub(crate) fn ledger_check(url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("PORTAL_DATABASE_URL", url)
        .args(["ledger", "check"])
        .output()
        .expect("the server binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn form(customer: &str, line: app::domain::OrderLineId, quantity: &str) -> DrawdownForm {
    DrawdownForm {
        customer_account: customer.into(),
        customer_website: format!("https://{}.example", customer.to_lowercase().replace(' ', "-")),
        customer_name: "Casey Contact".into(),
        customer_email: "casey@customer.example".into(),
        quantities: vec![(line, quantity.into())],
    }
}

#[tokio::test]
async fn ledger_check_passes_on_a_walked_procedure_and_names_each_stored_figure_that_disagrees() {
    let p = Portal::demo().await;
    let partner = user(p.db(), "partner@example.com").await;
    let accounting = user(p.db(), "accounting@example.com").await;
    let order = order_id(p.db(), "SO-2026-0101").await;
    let line = line_of(p.db(), "SO-2026-0101", "Bot Creator").await;
    let s = p.services();
    let saved = s
        .save(&partner, Some(order), &form("Fabrikam Check", line, "2"), None)
        .await
        .expect("save");
    s.change(&accounting, saved.id, Transition::Approve, None)
        .await
        .expect("approve");
    s.change(&partner, saved.id, Transition::Accept, None)
        .await
        .expect("accept");

    let (clean, text) = ledger_check(&p.t.url);
    assert!(clean, "{text}");
    assert!(
        text.contains("the stored balances agree with the ledgers"),
        "{text}"
    );

    // A stored figure moved behind the ledger's back (within its CHECK).
    let mut conn = p.db().read().await.expect("conn");
    sqlx::query("UPDATE order_lines SET reserved = reserved + 1 WHERE id = $1")
        .bind(line.0)
        .execute(&mut *conn)
        .await
        .expect("tamper");
    drop(conn);
    let (clean, text) = ledger_check(&p.t.url);
    assert!(!clean, "exit status 1 on a mismatch: {text}");
    assert!(
        text.contains(&format!(
            "order line {}: reserved is 1 stored, 0 by the ledger",
            line.0
        )),
        "{text}"
    );
    assert!(
        text.contains("2 stored balances disagree"),
        "ledger and open requests both: {text}"
    );
}

#[tokio::test]
async fn no_stored_counter_can_go_negative_or_past_its_quantity() {
    let t = crate::helpers::demo_db().await;
    let line = line_of(&t.db, "SO-2026-0101", "Control Room").await; // quantity 2
    for sql in [
        "UPDATE order_lines SET reserved = -1 WHERE id = $1",
        "UPDATE order_lines SET drawn = -1 WHERE id = $1",
        "UPDATE order_lines SET reserved = 2, drawn = 1 WHERE id = $1",
        "UPDATE entitlements SET in_use = quantity + 1 WHERE order_line_id = $1",
        "UPDATE entitlements SET in_use = -1 WHERE order_line_id = $1",
    ] {
        let mut tx = t.db.begin().await.expect("tx");
        let refused = sqlx::query(sql).bind(line.0).execute(&mut *tx).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().to_lowercase().contains("check")),
            "{sql}: {refused:?}"
        );
    }
    let mut tx = t.db.begin().await.expect("tx");
    let refused = sqlx::query(
        "INSERT INTO usage_holdings (entitlement_id, license_file_id, quantity) VALUES (1, 1, -1)",
    )
    .execute(&mut *tx)
    .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn the_request_lists_page_through_every_request_once_in_a_stable_order() {
    let p = Portal::demo().await;
    let partner = user(p.db(), "partner@example.com").await;
    let accounting = user(p.db(), "accounting@example.com").await;
    let northwind = account_id(p.db(), "Northwind Partners").await;
    let order = order_id(p.db(), "SO-2026-0101").await;
    let line = line_of(p.db(), "SO-2026-0101", "IQ Bot pages").await;
    let s = p.services();
    let already = s
        .list_drawdowns(&partner, northwind, None, None, None)
        .await
        .expect("list")
        .rows
        .len();
    let made = 2 * app::domain::DRAWDOWN_PAGE_SIZE + 7;
    for i in 0..made {
        s.save(
            &partner,
            Some(order),
            &form(&format!("Paging {i:03}"), line, "1"),
            None,
        )
        .await
        .expect("save");
    }

    // Newest first, page by page, until there is no next page.
    let mut seen = Vec::new();
    let mut after: Option<DrawdownCursor> = None;
    let mut pages = 0;
    loop {
        let page = s
            .list_drawdowns(&partner, northwind, None, None, after)
            .await
            .expect("page");
        assert!(page.rows.len() <= app::domain::DRAWDOWN_PAGE_SIZE);
        seen.extend(page.rows);
        pages += 1;
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), made + already, "every request once");
    assert_eq!(pages, (made + already).div_ceil(app::domain::DRAWDOWN_PAGE_SIZE));
    let mut ids: Vec<_> = seen.iter().map(|d| d.id).collect();
    assert!(
        seen.windows(2)
            .all(|w| (w[0].changed_at, w[0].id) > (w[1].changed_at, w[1].id)),
        "newest change first, then highest id"
    );
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), seen.len(), "no request twice");

    // Approvals: oldest first, and a search narrows by the name's start, any case.
    let first = s.list_approvals(&accounting, None, None).await.expect("queue");
    assert_eq!(first.rows.len(), app::domain::DRAWDOWN_PAGE_SIZE);
    let second = s
        .list_approvals(&accounting, None, first.next)
        .await
        .expect("queue");
    assert!(
        first.rows.last().map(|d| (d.changed_at, d.id)) < second.rows.first().map(|d| (d.changed_at, d.id))
    );
    let found = s
        .list_approvals(&accounting, Some("  PAGING 10".into()), None)
        .await
        .expect("search");
    let names: Vec<_> = found.rows.iter().map(|d| d.customer_name.as_str()).collect();
    assert_eq!(names.len(), 7, "Paging 100 to 106: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("Paging 10")));
    // A screen refreshing what it shows reads that many rows from the top.
    let shown = s
        .list_approvals(&accounting, None, app::domain::PageRequest::first(80))
        .await
        .expect("refresh");
    assert_eq!(shown.rows.len(), 80);
    assert_eq!(shown.rows[..50], first.rows[..]);
    // A search longer than any name matches nothing.
    let long = "x".repeat(201);
    let none = s
        .list_drawdowns(
            &partner,
            northwind,
            Some(DrawdownState::Submitted),
            Some(long),
            None,
        )
        .await
        .expect("long search");
    assert!(none.rows.is_empty() && none.next.is_none());
    // Names are compared lower-cased by Unicode's rules, not only ASCII's.
    s.save(&partner, Some(order), &form("Émile Électrique", line, "1"), None)
        .await
        .expect("save");
    let found = s
        .list_drawdowns(&partner, northwind, None, Some("ÉMILE é".into()), None)
        .await
        .expect("search");
    assert_eq!(
        found
            .rows
            .iter()
            .map(|d| d.customer_name.as_str())
            .collect::<Vec<_>>(),
        ["Émile Électrique"]
    );
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn select_an_account_offers_a_page_of_a_large_partners_customers_and_finds_the_others_by_name() {
    use app::domain::{AccountKind, AccountSummary};
    use app::repo::accounts::{insert_account, list_accounts_visible_to, NewAccount};
    let p = Portal::demo().await;
    let partner = user(p.db(), "partner@example.com").await;
    let other = user(p.db(), "other-partner@example.com").await;
    let accounting = user(p.db(), "accounting@example.com").await;
    let mut tx = p.db().begin().await.expect("tx");
    for i in 0..150 {
        let name = format!("Scale customer {i:03}");
        insert_account(
            &mut tx,
            &NewAccount {
                kind: AccountKind::Customer,
                name: &name,
                website: None,
                contact_name: None,
                contact_email: None,
                managed_by: Some(partner.account_id),
            },
            p.clock().now(),
        )
        .await
        .expect("customer");
    }
    tx.commit().await.expect("commit");
    let names = |accounts: &[AccountSummary]| accounts.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    let mut conn = p.db().read().await.expect("conn");

    let (page, more) = list_accounts_visible_to(&mut conn, &partner, None, None, 100)
        .await
        .expect("page");
    assert!(more, "more customers than one page");
    assert_eq!(page.len(), 101, "own account and 100 customers");
    assert_eq!(page[0].name, "Northwind Partners");
    let customers = names(&page[1..]);
    let mut sorted = customers.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(customers, sorted, "by name");

    let (found, more) = list_accounts_visible_to(&mut conn, &partner, Some(" scale CUSTOMER 14"), None, 100)
        .await
        .expect("search");
    assert!(!more);
    assert_eq!(
        names(&found[1..]),
        (140..150)
            .map(|i| format!("Scale customer {i}"))
            .collect::<Vec<_>>()
    );

    // The account in the URL is offered even off the page, if it may be seen.
    let last = account_id(p.db(), "Scale customer 149").await;
    let (page, _) = list_accounts_visible_to(&mut conn, &partner, Some("Contoso"), Some(last), 100)
        .await
        .expect("selected");
    assert_eq!(
        names(&page),
        ["Northwind Partners", "Contoso Pharma", "Scale customer 149"]
    );
    let (page, _) = list_accounts_visible_to(&mut conn, &other, None, Some(last), 100)
        .await
        .expect("other partner");
    assert!(
        !names(&page).contains(&"Scale customer 149".to_string()),
        "never another partner's"
    );

    let (page, more) = list_accounts_visible_to(&mut conn, &accounting, None, None, 100)
        .await
        .expect("vendor staff");
    assert!(more && page.len() == 100);
    assert!(page.iter().all(|a| a.kind != AccountKind::Vendor));
}

#[tokio::test]
async fn license_files_and_service_instances_come_a_page_at_a_time_current_files_first() {
    use app::domain::{EntitlementId, LicenseFileForm, LicenseFileState, ListRows, ProductId};
    use app::repo::cloud_services::insert_ready_instances;
    let p = Portal::demo().await;
    let (contoso, partner) = crate::licenses::contoso(&p).await;
    let view = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("files");
    let attended = view
        .entitlements
        .iter()
        .find(|e| e.product_name == "Attended Bot Runner")
        .expect("file entitlement")
        .id;
    let form = |host: String| LicenseFileForm {
        host_id: format!("host-{host}"),
        host_name: host,
        quantities: vec![(attended, "1".to_string())],
    };
    // 58 files issued and revoked, each giving its one unit back when its
    // lease ends (as the sweep does then), then two current ones.
    let after_leases = p.clock().now() + p.settings.license_lease.whole_seconds() + 1;
    for i in 0..58 {
        let file = p
            .services()
            .configure_license_file(&partner, contoso, &form(format!("old{i:02}.contoso.local")), None)
            .await
            .expect("issued");
        p.services()
            .revoke_license_file(&partner, contoso, file)
            .await
            .expect("revoked");
        assert_eq!(
            p.services().release_lapsed_license_files(after_leases).await,
            Ok(1)
        );
    }
    for host in ["cr-a.contoso.local", "cr-b.contoso.local"] {
        p.services()
            .configure_license_file(&partner, contoso, &form(host.into()), None)
            .await
            .expect("current");
    }

    let first = p
        .services()
        .file_licenses(&partner, contoso, ListRows::FIRST)
        .await
        .expect("first page");
    assert_eq!(first.files.len(), 50);
    assert!(first.more_files, "60 files, one page shown");
    let hosts = |files: &[app::domain::LicenseFileSummary]| {
        files.iter().map(|f| f.host_name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        hosts(&first.files[..3]),
        ["cr-b.contoso.local", "cr-a.contoso.local", "old57.contoso.local"]
    );
    assert!(first.files[..2]
        .iter()
        .all(|f| f.state == LicenseFileState::Active));
    assert!(first.files[2..]
        .iter()
        .all(|f| f.state == LicenseFileState::Revoked));
    assert!(
        first
            .files
            .iter()
            .all(|f| f.lines.len() == 1 && f.lines[0].quantity == 1),
        "each file shows what it held"
    );
    let all = p
        .services()
        .file_licenses(&partner, contoso, ListRows::after(first.files.len()))
        .await
        .expect("after Load more");
    assert!(!all.more_files);
    assert_eq!(all.files.len(), 60);
    assert_eq!(
        all.files[..50],
        first.files[..],
        "Load more keeps the rows shown, in order"
    );
    assert_eq!(all.files[59].host_name, "old00.contoso.local");

    // 70 more Control Rooms for Contoso, as an accepted request would give.
    let before = p
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("instances")
        .instances
        .len();
    let (entitlement, product): (i64, i64) = {
        let mut conn = p.db().read().await.expect("conn");
        sqlx::query_as(
            "SELECT e.id, e.product_id FROM entitlements e JOIN products p ON p.id = e.product_id
             WHERE e.account_id = $1 AND p.sku = 'CR'",
        )
        .bind(contoso.0)
        .fetch_one(&mut *conn)
        .await
        .expect("Control Room entitlement")
    };
    let mut tx = p.db().begin().await.expect("tx");
    insert_ready_instances(
        &mut tx,
        contoso,
        EntitlementId(entitlement),
        ProductId(product),
        70,
        p.clock().now(),
    )
    .await
    .expect("instances");
    tx.commit().await.expect("commit");
    let first = p
        .services()
        .cloud_services(&partner, contoso, ListRows::FIRST)
        .await
        .expect("first page");
    assert_eq!(first.instances.len(), 50);
    assert!(first.more_instances);
    let all = p
        .services()
        .cloud_services(&partner, contoso, ListRows::after(50))
        .await
        .expect("second page");
    assert_eq!(all.instances.len(), before + 70);
    assert!(!all.more_instances);
    assert_eq!(all.instances[..50], first.instances[..]);
    let control_rooms = all
        .instances
        .iter()
        .take_while(|i| i.holds_cloud_licenses)
        .count();
    assert!(
        all.instances[control_rooms..]
            .iter()
            .all(|i| !i.holds_cloud_licenses),
        "Control Rooms first"
    );
}
