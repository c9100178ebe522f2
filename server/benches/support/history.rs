//! A ledger with history, for the benchmarks: an order line of the demo
//! partner large enough for any run, and accepted drawdowns on it seeded in
//! bulk with everything that goes with them, so `server ledger check` is
//! clean.

use app::domain::{CurrentUser, OrderId, OrderLineId};
use app::repo::Db;

/// A demo user, as the services see it.
pub async fn demo_user(db: &Db, email: &str) -> CurrentUser {
    let mut conn = db.read().await.expect("conn");
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .expect("user");
    app::repo::users::find_user(&mut conn, app::domain::UserId(id))
        .await
        .expect("query")
        .expect("user")
}

/// An order of the demo partner with one line large enough for any run:
/// the history and the benchmark's own cycles all draw from it, the worst
/// case for a balance summed from the ledger.
pub async fn bench_line(db: &Db, partner: &CurrentUser) -> (OrderId, OrderLineId) {
    let mut tx = db.begin().await.expect("tx");
    let order: i64 = sqlx::query_scalar(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at) VALUES ('SO-BENCH', $1, '2026-01-01', 0) RETURNING id",
    )
    .bind(partner.account_id.0)
    .fetch_one(&mut *tx)
    .await
    .expect("order");
    let line: i64 = sqlx::query_scalar(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, term_months)
         SELECT $1, 1, id, 1000000000000, 12 FROM products WHERE name = 'IQ Bot pages' RETURNING id",
    )
    .bind(order)
    .fetch_one(&mut *tx)
    .await
    .expect("line");
    sqlx::query(
        "INSERT INTO entitlements (account_id, product_id, quantity, term_months, order_line_id, created_at)
         SELECT $1, product_id, quantity, term_months, id, 0 FROM order_lines WHERE id = $2",
    )
    .bind(partner.account_id.0)
    .bind(line)
    .execute(&mut *tx)
    .await
    .expect("entitlement");
    tx.commit().await.expect("commit");
    (OrderId(order), OrderLineId(line))
}

/// Seeds `requests` accepted drawdowns of one unit each on `line`, spread
/// over customers of the partner (one per 100 requests, at most 5,000):
/// two ledger entries each (reserve, draw), with their request rows, lines,
/// history and the customers' entitlements, and the line's stored balance
/// moved to match, so `server ledger check` is clean. Bulk SQL, in one
/// transaction; both engines take it as it is.
pub async fn seed_history(db: &Db, partner: &CurrentUser, order: OrderId, line: OrderLineId, requests: i64) {
    if requests == 0 {
        return;
    }
    let customers = (requests / 100).clamp(1, 5000);
    let (p, o, l, u) = (partner.account_id.0, order.0, line.0, partner.id.0);
    let series =
        |n: i64| format!("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n})");
    let mut tx = db.begin().await.expect("tx");
    let base: i64 = sqlx::query_scalar("SELECT next FROM drawdown_numbers WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .expect("numbers");
    let after: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM accounts")
        .fetch_one(&mut *tx)
        .await
        .expect("accounts");
    sqlx::query(&format!(
        "{} INSERT INTO accounts (kind, name, website, contact_name, contact_email, managed_by, created_at)
         SELECT 'customer', 'History customer ' || i, 'https://history-' || i || '.example/', 'Contact',
                'contact@history.example', {p}, 0 FROM s",
        series(customers)
    ))
    .execute(&mut *tx)
    .await
    .expect("customers");
    // Other partners of the vendor, one order each: a vendor with years of
    // history has many, so no read of one partner's orders may walk all.
    let partners = (requests / 1000).clamp(1, 500);
    sqlx::query(&format!(
        "{} INSERT INTO accounts (kind, name, created_at) SELECT 'partner', 'History partner ' || i, 0 FROM s",
        series(partners)
    ))
    .execute(&mut *tx)
    .await
    .expect("partners");
    sqlx::query(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at)
         SELECT 'SO-HIST-' || id, id, '2025-06-01', 0 FROM accounts WHERE kind = 'partner' AND name LIKE 'History partner %'",
    )
    .execute(&mut *tx)
    .await
    .expect("their orders");
    // Ids of one INSERT are consecutive on both engines (a sequence's cache
    // of 1 on PostgreSQL); the request of number base + i - 1 goes to the
    // (i mod customers)-th of them.
    let first_customer: i64 = sqlx::query_scalar("SELECT min(id) FROM accounts WHERE id > $1")
        .bind(after)
        .fetch_one(&mut *tx)
        .await
        .expect("first customer");
    let t0 = app::clock::Clock::system().now() - 10 * requests;
    let statements = [
        format!(
            "{} INSERT INTO drawdown_requests (number, partner_id, order_id, customer_account_id, customer_name,
                 customer_website, contact_name, contact_email, state, requested_by, created_at, changed_at, customer_key)
             SELECT {base} - 1 + i, {p}, {o}, c.id, c.name, c.website, 'Contact', 'contact@history.example',
                    'accepted', {u}, {t0} + 10 * i, {t0} + 10 * i, lower(c.name)
             FROM s JOIN accounts c ON c.id = {first_customer} + (i % {customers})",
            series(requests)
        ),
        format!(
            "INSERT INTO drawdown_request_lines (drawdown_request_id, order_line_id, quantity)
             SELECT id, {l}, 1 FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, created_at)
             SELECT {l}, 'reserve', 1, id, created_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO ledger_entries (order_line_id, kind, quantity, drawdown_request_id, to_account_id, created_at)
             SELECT {l}, 'draw', 1, id, customer_account_id, changed_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, NULL, 'submitted', {u}, created_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, 'submitted', 'approved', {u}, created_at + 5 FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO drawdown_history (drawdown_request_id, from_state, to_state, actor_user_id, at)
             SELECT id, 'approved', 'accepted', {u}, changed_at FROM drawdown_requests WHERE number >= {base}"
        ),
        format!(
            "INSERT INTO entitlements (account_id, product_id, quantity, term_months, drawdown_request_id, created_at)
             SELECT d.customer_account_id, ol.product_id, 1, ol.term_months, d.id, d.changed_at
             FROM drawdown_requests d JOIN order_lines ol ON ol.id = {l} WHERE d.number >= {base}"
        ),
        format!("UPDATE order_lines SET drawn = drawn + {requests} WHERE id = {l}"),
        format!("UPDATE drawdown_numbers SET next = {base} + {requests} WHERE id = 1"),
    ];
    for sql in &statements {
        sqlx::query(sql)
            .execute(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    tx.commit().await.expect("commit");
    // Fresh statistics, as a database that grew over years has.
    let mut conn = db.read().await.expect("conn");
    sqlx::query("ANALYZE").execute(&mut *conn).await.expect("analyze");
}
