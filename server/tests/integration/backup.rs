//! `server backup FILE` while the portal writes: the copy opens, agrees with
//! its ledgers and holds what was committed before it began.

use std::process::Command;

use app::repo::Engine;

use crate::balances::ledger_check;
use crate::drawdowns::{save_roomy, PARTNER};
use crate::helpers::{count_rows, user, Portal};

fn backup(url: &str, file: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("PORTAL_DATABASE_URL", url)
        .arg("backup")
        .arg(file)
        .output()
        .expect("the server binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn a_backup_made_while_the_portal_writes_is_consistent_and_restores() {
    let p = Portal::demo().await;
    let folder = tempfile::tempdir().expect("folder");
    let file = folder.path().join("copies/portal-backup.db");
    if p.db().engine() == Engine::Postgres {
        let (ok, text) = backup(&p.t.url, &file);
        assert!(!ok && text.contains("pg_dump"), "{text}");
        assert!(!file.exists());
        return;
    }
    let partner = user(p.db(), PARTNER).await;
    let before = count_rows(p.db(), "drawdown_requests").await;

    // Saves go on while the copy is made, from another process.
    let url = p.t.url.clone();
    let target = file.clone();
    let copy = tokio::task::spawn_blocking(move || backup(&url, &target));
    let mut saved = 0;
    while !copy.is_finished() {
        save_roomy(&p, &partner, "Adventure Works").await.expect("saved");
        saved += 1;
    }
    let (ok, text) = copy.await.expect("joined");
    assert!(ok, "{text}");
    assert!(text.contains("backed up to"), "{text}");
    let after = count_rows(p.db(), "drawdown_requests").await;
    assert_eq!(after, before + saved);

    // The copy: a database of its own that agrees with its ledgers, holding
    // every request committed before the copy began and none half-written.
    let restored = format!("sqlite://{}", file.display());
    let (clean, report) = ledger_check(&restored);
    assert!(clean, "{report}");
    let db = app::repo::Db::connect(&restored).await.expect("the copy opens");
    db.migrate().await.expect("the copy is up to date");
    let copied = count_rows(&db, "drawdown_requests").await;
    assert!(
        (before..=after).contains(&copied),
        "{before} <= {copied} <= {after}"
    );
    let reserved: i64 = sqlx::query_scalar(
        "SELECT CAST(count(*) AS BIGINT) FROM drawdown_requests r
         WHERE NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.drawdown_request_id = r.id)",
    )
    .fetch_one(&mut *db.read().await.expect("conn"))
    .await
    .expect("count");
    assert_eq!(reserved, 0, "every copied request has its ledger entries");

    // A backup never overwrites.
    let (ok, text) = backup(&p.t.url, &file);
    assert!(!ok && text.contains("exists"), "{text}");
}
