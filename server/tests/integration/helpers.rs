//! A fresh, migrated database in its own folder for every test.

use app::repo::Db;
use tempfile::TempDir;

/// A database file that lives as long as the value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    // Dropped last: removes the folder.
    _dir: TempDir,
}

impl TestDb {
    /// Opens the same file again, as a restarted server would.
    pub async fn reopen(&self) -> Db {
        let db = Db::connect(&self.url).await.expect("reopen");
        db.migrate().await.expect("migrate");
        db
    }
}

/// An empty, migrated database.
pub async fn fresh_db() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("portal.db").display());
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    TestDb { db, url, _dir: dir }
}

/// A migrated database with the demo data.
pub async fn demo_db() -> TestDb {
    let t = fresh_db().await;
    assert!(server::demo::load_if_empty(&t.db).await.expect("demo data"));
    t
}

/// The id of the account with this name.
pub async fn account_id(db: &Db, name: &str) -> app::domain::AccountId {
    let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("account");
    app::domain::AccountId(id)
}

/// How many rows `table` holds (a fixed table name from the test itself).
pub async fn count_rows(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("count")
}
