//! Repositories on a real SQLite file: migrations, demo data, ledger sums and
//! the order line invariant.

use app::domain::{BalanceError, LedgerEntryKind, LineBalance, OrderLineId};
use app::repo::ledger::{append_ledger_entry, find_line_balance, LedgerError, NewLedgerEntry};
use app::repo::{entitlements, orders, Db, Engine};

use crate::helpers::{account_id, count_rows, demo_db, fresh_db, line_of};

fn entry(
    line: OrderLineId,
    kind: LedgerEntryKind,
    quantity: i64,
    to: Option<app::domain::AccountId>,
) -> NewLedgerEntry {
    NewLedgerEntry {
        order_line: line,
        kind,
        quantity,
        drawdown_request_id: None,
        to_account: to,
        at: 1_780_000_000,
    }
}

async fn balance(db: &Db, line: OrderLineId) -> LineBalance {
    find_line_balance(&mut db.read().await.expect("conn"), line)
        .await
        .expect("query")
        .expect("line exists")
}

async fn ledger_rows(db: &Db) -> i64 {
    count_rows(db, "ledger_entries").await
}

#[tokio::test]
async fn migrations_apply_twice_without_harm_and_enable_wal_and_foreign_keys() {
    let t = fresh_db().await;
    t.db.migrate().await.expect("second migrate is a no-op");
    let mut conn = t.db.read().await.expect("conn");
    if t.db.engine() == Engine::Sqlite {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .expect("pragma");
        let fks: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .expect("pragma");
        assert_eq!(mode, "wal");
        assert_eq!(fks, 1);
    }
    // A foreign key is enforced: an order of a partner that does not exist.
    let refused = sqlx::query(
        "INSERT INTO orders (number, partner_id, ordered_on, created_at) VALUES ('X', 999, '2026-01-01', 0)",
    )
    .execute(&mut *conn)
    .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn demo_data_loads_once_and_gives_northwind_its_order_lines() {
    let t = demo_db().await;
    assert!(
        !server::demo::load_if_empty(&t.db).await.expect("second load"),
        "loads only into an empty database"
    );
    let northwind = account_id(&t.db, "Northwind Partners").await;
    let mut conn = t.db.read().await.expect("conn");
    let lines = orders::list_order_line_balances(&mut conn, northwind)
        .await
        .expect("lines");
    // SO-2026-0042 too: the server draws it down to Contoso when it walks
    // the demo history (`demo::walk_history`), which this test does not.
    assert_eq!(lines.len(), 14);
    assert!(lines
        .iter()
        .all(|l| l.balance == LineBalance::new(l.balance.quantity)));
    let holdings = entitlements::list_holdings(&mut conn, northwind)
        .await
        .expect("holdings");
    let held: Vec<(&str, i64)> = holdings
        .iter()
        .map(|h| (h.product_name.as_str(), h.quantity))
        .collect();
    assert_eq!(
        held,
        [
            ("Attended Bot Runner", 50),
            ("Bot Creator", 18),
            ("Control Room", 3),
            ("IQ Bot pages", 80_000),
            ("IQ Bot server", 1),
            ("Unattended Bot Runner", 40)
        ]
    );
}

#[tokio::test]
async fn ledger_sums_give_each_line_its_split_and_draws_move_holdings_to_the_customer() {
    let t = demo_db().await;
    let northwind = account_id(&t.db, "Northwind Partners").await;
    let contoso = account_id(&t.db, "Contoso Pharma").await;
    let line = line_of(&t.db, "SO-2026-0101", "Unattended Bot Runner").await;

    let mut tx = t.db.begin().await.expect("tx");
    append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Reserve, 10, None))
        .await
        .expect("reserve");
    append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Release, 3, None))
        .await
        .expect("release");
    append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Draw, 4, Some(contoso)))
        .await
        .expect("draw");
    tx.commit().await.expect("commit");

    let b = balance(&t.db, line).await;
    assert_eq!((b.quantity, b.available(), b.reserved, b.drawn), (25, 18, 3, 4));
    let mut conn = t.db.read().await.expect("conn");
    let runners = |h: Vec<app::domain::Holding>| {
        h.into_iter()
            .find(|h| h.product_name == "Unattended Bot Runner")
            .map(|h| h.quantity)
    };
    // The partner holds what it has not drawn down: 25 + 10 + 5 − 4.
    assert_eq!(
        runners(
            entitlements::list_holdings(&mut conn, northwind)
                .await
                .expect("holdings")
        ),
        Some(36)
    );
}

#[tokio::test]
async fn a_movement_the_balance_does_not_allow_is_refused_and_writes_nothing() {
    let t = demo_db().await;
    let line = line_of(&t.db, "SO-2026-0101", "Control Room").await; // quantity 2
    let before = ledger_rows(&t.db).await;

    let mut tx = t.db.begin().await.expect("tx");
    let refused = append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Reserve, 3, None)).await;
    assert!(matches!(
        refused,
        Err(LedgerError::Balance(BalanceError::NotEnoughAvailable {
            available: 2,
            requested: 3
        }))
    ));
    let refused = append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Release, 1, None)).await;
    assert!(matches!(
        refused,
        Err(LedgerError::Balance(BalanceError::NotEnoughReserved {
            reserved: 0,
            requested: 1
        }))
    ));
    tx.commit().await.expect("commit");

    assert_eq!(ledger_rows(&t.db).await, before);
    assert_eq!(balance(&t.db, line).await, LineBalance::new(2));
}

#[tokio::test]
async fn ledger_entries_cannot_be_changed_or_deleted() {
    let t = demo_db().await;
    let line = line_of(&t.db, "SO-2026-0101", "Bot Creator").await;
    let mut tx = t.db.begin().await.expect("tx");
    append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Reserve, 1, None))
        .await
        .expect("reserve");
    tx.commit().await.expect("commit");
    // Each in a transaction of its own: PostgreSQL ends a transaction at its
    // first error.
    let mut tx = t.db.begin().await.expect("tx");
    let update = sqlx::query("UPDATE ledger_entries SET quantity = 100")
        .execute(&mut *tx)
        .await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    tx.rollback().await.expect("rollback");
    let mut tx = t.db.begin().await.expect("tx");
    let delete = sqlx::query("DELETE FROM ledger_entries").execute(&mut *tx).await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
}

#[tokio::test]
async fn concurrent_reservations_never_overdraw_a_line_nor_meet_a_locked_database() {
    let t = demo_db().await;
    let line = line_of(&t.db, "SO-2026-0187", "Bot Creator").await; // quantity 5
    let attempts = 32;
    let mut tasks = Vec::new();
    for _ in 0..attempts {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await?;
            let result = append_ledger_entry(&mut tx, entry(line, LedgerEntryKind::Reserve, 1, None)).await;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(result)
        }));
    }
    let mut reserved = 0;
    let mut refused = 0;
    for task in tasks {
        match task
            .await
            .expect("task")
            .expect("no database error, no lock error")
        {
            Ok(()) => reserved += 1,
            Err(LedgerError::Balance(BalanceError::NotEnoughAvailable { .. })) => refused += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!((reserved, refused), (5, attempts - 5));
    let b = balance(&t.db, line).await;
    assert_eq!((b.available(), b.reserved, b.drawn), (0, 5, 0));
    assert!(b.is_consistent());
}
