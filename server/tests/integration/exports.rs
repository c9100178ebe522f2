//! Ledger statements over HTTP from a real server process: an order line's
//! statement page by page and as CSV. The export of a long history streams
//! with flat memory (the server's peak RSS is read from /proc) and its rows
//! add up to the ledger's sums. PORTAL_EXPORT_ROWS sets how many movements
//! (200,000 by default, a test run's worth; PORTAL_EXPORT_ROWS=1000000 for a
//! vendor's years).

use std::time::Instant;

use app::domain::{LedgerEntryKind, LineBalance, Transition};
use app::repo::ledger::find_line_balance;

use crate::drawdowns::{save, ACCOUNTING, PARTNER};
use crate::helpers::{assert_ledger_invariant, line_of, user, Portal};
use crate::processes::ServerProcess;

const ORDER: &str = "SO-2026-0101";

/// A figure of process `pid`'s /proc status (`VmHWM`, `RssAnon`…), in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|v| v.strip_prefix(':')))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Samples the server's anonymous memory (its heap: what the export itself
/// allocates; the database file it maps is counted apart, as `RssFile`)
/// every 20 ms until stopped; returns the highest seen.
fn watch_heap(pid: u32) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<u64>) {
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let watcher = tokio::spawn(async move {
        // A sampling period, not a wait for anything: each tick reads once.
        let mut every = tokio::time::interval(std::time::Duration::from_millis(20));
        let mut peak = 0;
        loop {
            tokio::select! {
                _ = &mut stopped => return peak.max(memory_kib(pid, "RssAnon")),
                _ = every.tick() => peak = peak.max(memory_kib(pid, "RssAnon")),
            }
        }
    });
    (stop, watcher)
}

async fn get(server: &ServerProcess, cookie: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .header("cookie", cookie)
        .header("accept", "application/json")
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn a_line_statement_shows_each_movement_with_its_cause_and_running_balance_and_exports_it() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    let accounting = user(p.db(), ACCOUNTING).await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    let accepted = save(&p, &partner, "Statement Accepted", "3")
        .await
        .expect("saved");
    p.services()
        .change(&accounting, accepted, Transition::Approve, None)
        .await
        .expect("approved");
    p.services()
        .change(&partner, accepted, Transition::Accept, None)
        .await
        .expect("accepted");
    let rejected = save(&p, &partner, "Statement Rejected", "2")
        .await
        .expect("saved");
    p.services()
        .change(&accounting, rejected, Transition::Reject, Some("No"))
        .await
        .expect("rejected");

    let statement = p
        .services()
        .line_statement(&partner, line, None)
        .await
        .expect("statement");
    let kinds: Vec<(LedgerEntryKind, i64)> = statement.entries.iter().map(|e| (e.kind, e.quantity)).collect();
    assert_eq!(
        kinds,
        [
            (LedgerEntryKind::Release, 2),
            (LedgerEntryKind::Reserve, 2),
            (LedgerEntryKind::Draw, 3),
            (LedgerEntryKind::Reserve, 3),
        ],
        "newest first"
    );
    assert_eq!(
        statement.entries[0].after, statement.balance,
        "the newest ends at the stored balance"
    );
    assert_eq!(
        statement.entries[2].customer_name.as_deref(),
        Some("Statement Accepted")
    );
    assert_eq!(
        statement.entries[2].actor_name.as_deref(),
        Some("Nadia Moreau"),
        "the partner accepted"
    );
    assert_eq!(
        statement.entries[0].actor_name.as_deref(),
        Some("Alex Durand"),
        "accounting rejected"
    );
    assert_eq!(statement.entries[0].request.map(|(id, _)| id), Some(rejected));
    assert_eq!(statement.entries[3].after.reserved, 3);
    assert_eq!(statement.next, None);

    // Over HTTP: the partner's CSV in French, another partner refused, a bad date named.
    let server = ServerProcess::start(&p.t, None).await;
    let cookie = server.sign_in(PARTNER).await;
    let csv = get(
        &server,
        &cookie,
        &format!("/api/statements/lines/{line}.csv?lang=fr"),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.expect("body");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().expect("headers").iter().collect::<Vec<_>>(),
        [
            "date",
            "mouvement",
            "quantite",
            "demande",
            "client",
            "par",
            "disponible_apres",
            "reserve_apres",
            "preleve_apres"
        ]
    );
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 4);
    assert_eq!(&records[1][1], "prélèvement");
    assert_eq!(&records[1][4], "Statement Accepted");
    assert!(
        records[0][0].ends_with('Z') && records[0][0].contains('T'),
        "ISO 8601: {}",
        &records[0][0]
    );
    let last = &records[3];
    assert_eq!(
        (
            last[6].parse::<i64>().ok(),
            last[7].parse::<i64>().ok(),
            last[8].parse::<i64>().ok()
        ),
        (
            Some(statement.balance.available()),
            Some(statement.balance.reserved),
            Some(statement.balance.drawn)
        )
    );
    let other = server.sign_in("other-partner@example.com").await;
    assert_eq!(
        get(&server, &other, &format!("/api/statements/lines/{line}.csv"))
            .await
            .status(),
        403
    );
    let bad = get(
        &server,
        &cookie,
        &format!("/api/statements/lines/{line}.csv?from=yesterday"),
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.expect("body").contains("\"from\""));
    let none = get(
        &server,
        &cookie,
        &format!("/api/statements/lines/{line}.csv?from=2000-01-01&until=2000-01-31"),
    )
    .await;
    assert_eq!(
        none.text().await.expect("body").lines().count(),
        1,
        "the header alone"
    );
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn a_long_history_exports_with_flat_memory_and_adds_up_to_the_ledger() {
    let rows: i64 = std::env::var("PORTAL_EXPORT_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let p = Portal::demo().await;
    let line = line_of(p.db(), ORDER, "Bot Creator").await;
    // Reserve and release in pairs (1 to 5 each), as years of requests
    // saved and rejected would: the stored balance is unchanged by them.
    let mut tx = p.db().begin().await.expect("tx");
    sqlx::query(&format!(
        "INSERT INTO ledger_entries (order_line_id, kind, quantity, created_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
         SELECT {line}, CASE WHEN i % 2 = 1 THEN 'reserve' ELSE 'release' END, 1 + ((i + 1) / 2) % 5, 1700000000 + i FROM n"
    ))
    .execute(&mut *tx)
    .await
    .expect("history");
    tx.commit().await.expect("commit");
    let stored: LineBalance = find_line_balance(&mut p.db().read().await.expect("conn"), line)
        .await
        .expect("read")
        .expect("line");

    let server = ServerProcess::start(&p.t, None).await;
    let cookie = server.sign_in(PARTNER).await;
    let heap_before = memory_kib(server.pid(), "RssAnon");
    let (stop, watcher) = watch_heap(server.pid());
    let started = Instant::now();
    let mut response = get(&server, &cookie, &format!("/api/statements/lines/{line}.csv")).await;
    assert_eq!(response.status(), 200);
    // Read as it comes, a line at a time: the test holds no more than the server.
    let (mut pending, mut bytes, mut count) = (Vec::<u8>::new(), 0usize, 0i64);
    let mut running: Option<(i64, i64)> = None;
    let mut check = |record: &[u8], count: i64| {
        let text = std::str::from_utf8(record).expect("UTF-8");
        let fields: Vec<&str> = text.split(',').collect();
        let (kind, quantity) = (fields[1], fields[2].parse::<i64>().expect("quantity"));
        let (reserved, drawn) = (
            fields[7].parse::<i64>().expect("reserved"),
            fields[8].parse::<i64>().expect("drawn"),
        );
        if let Some((previous, drawn_before)) = running {
            let delta = match kind {
                "reserve" => quantity,
                "release" | "draw" => -quantity,
                other => panic!("movement {other}"),
            };
            assert_eq!(reserved, previous + delta, "running reserved at row {count}");
            assert_eq!(drawn, drawn_before + if kind == "draw" { quantity } else { 0 });
        }
        running = Some((reserved, drawn));
    };
    let mut header = true;
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        bytes += chunk.len();
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            let record = &pending[start..start + end];
            if header {
                header = false;
            } else {
                count += 1;
                check(record, count);
            }
            start += end + 1;
        }
        pending.drain(..start);
    }
    let seconds = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    let heap_peak = watcher.await.expect("watcher");
    let (peak_rss, file_rss) = (
        memory_kib(server.pid(), "VmHWM"),
        memory_kib(server.pid(), "RssFile"),
    );
    let ledger_rows: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM ledger_entries WHERE order_line_id = {line}"
    ))
    .fetch_one(&mut *p.db().read().await.expect("conn"))
    .await
    .expect("count");
    assert_eq!(count, ledger_rows, "one row per ledger entry");
    assert_eq!(
        running,
        Some((stored.reserved, stored.drawn)),
        "the last row ends at the stored balance"
    );
    println!(
        "statement export: {count} rows, {:.1} MB in {seconds:.2} s ({:.0} rows/s); server heap {} MB before, {} MB at its peak; \
         peak RSS {} MB, of it {} MB the mapped database file now",
        bytes as f64 / 1e6,
        count as f64 / seconds,
        heap_before / 1024,
        heap_peak / 1024,
        peak_rss / 1024,
        file_rss / 1024,
    );
    // Flat: the export allocates a chunk at a time, whatever the rows.
    assert!(
        heap_peak.saturating_sub(heap_before) < 32 * 1024,
        "the heap grew by {} MB for a {} MB export",
        (heap_peak - heap_before) / 1024,
        bytes / 1_000_000
    );
    assert_ledger_invariant(p.db()).await;
}
