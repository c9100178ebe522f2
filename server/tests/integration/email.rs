//! Email delivery against a real SMTP server process (the Python standard
//! library's smtpd, started by the test) and into a folder of `.eml` files.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use app::i18n::Locale;
use server::mail::{MailWorker, Transport};
use tokio::sync::Notify;

use crate::drawdowns::{reject_one_accept_one, save, PARTNER};
use crate::helpers::{assert_ledger_invariant, user, Portal};

/// One message as the SMTP server received it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub message_id: String,
    text: String,
    html: String,
}

/// A real SMTP server on loopback, storing what it receives.
pub(crate) struct SmtpServer {
    child: Child,
    folder: tempfile::TempDir,
    pub port: u16,
}

impl SmtpServer {
    /// On a port the system chooses as it listens, so no other test can
    /// take it in between.
    pub fn start_anywhere() -> Self {
        Self::start(0)
    }

    /// On `port` (0: any free one).
    pub fn start(port: u16) -> Self {
        let folder = tempfile::tempdir().expect("folder");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(folder.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP server");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut ready)
            .expect("read");
        let port = ready
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP server started: {ready:?}"));
        Self { child, folder, port }
    }

    pub fn received(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

pub(crate) fn worker(p: &Portal, transport: Transport) -> MailWorker {
    MailWorker {
        db: p.db().clone(),
        transport,
        from: "Licenses & Cloud <no-reply@portal.example>"
            .parse()
            .expect("mailbox"),
        retry_base: Duration::from_secs(1),
        queued: Arc::new(Notify::new()),
        max_idle: server::mail::DEFAULT_MAX_IDLE,
        max_attempts: server::mail::DEFAULT_MAX_ATTEMPTS,
        lease_seconds: server::mail::DEFAULT_LEASE_SECONDS,
        clock: p.settings.clock.clone(),
    }
}

fn smtp(port: u16) -> Transport {
    Transport::from_url(&format!("smtp://127.0.0.1:{port}")).expect("smtp url")
}

/// Runs delivery rounds, the worker's (stopped) clock moved to when the
/// next message falls due between them, until `want` messages went out or
/// ten rounds passed.
async fn deliver_until(worker: &MailWorker, want: usize) -> usize {
    let mut sent = worker.deliver_due().await.expect("delivery");
    for _ in 0..10 {
        if sent >= want {
            break;
        }
        let due = worker.until_next_due().await.expect("a message waits");
        worker
            .clock
            .advance(i64::try_from(due.as_secs()).expect("seconds"));
        sent += worker.deliver_due().await.expect("delivery");
    }
    sent
}

#[tokio::test]
async fn each_step_emails_the_right_people_in_their_language_over_smtp() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    {
        let mut tx = p.db().begin().await.expect("tx");
        app::repo::users::update_user_locale(&mut tx, partner.id, Locale::Fr)
            .await
            .expect("locale");
        tx.commit().await.expect("commit");
    }
    reject_one_accept_one(&p, "Mauvais site <web>").await;

    let server = SmtpServer::start_anywhere();
    let worker = worker(&p, smtp(server.port));
    assert_eq!(deliver_until(&worker, 6).await, 6);

    let got: Vec<(String, String)> = server
        .received()
        .iter()
        .map(|m| (m.to.join(","), m.subject.clone()))
        .collect();
    let want = [
        (
            "accounting@example.com",
            "PDR-000001: drawdown request to approve",
        ),
        ("partner@example.com", "PDR-000001 rejetée"),
        (
            "accounting@example.com",
            "PDR-000002: drawdown request to approve",
        ),
        ("partner@example.com", "PDR-000002 approuvée"),
        (
            "jordan@customer.example",
            "Vos nouveaux droits de licence (Northwind Partners)",
        ),
        ("partner@example.com", "PDR-000002 acceptée"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let rejection = &server.received()[1];
    assert!(
        rejection.text.contains("Motif: Mauvais site <web>"),
        "{}",
        rejection.text
    );
    assert!(
        rejection.html.contains("Mauvais site &lt;web&gt;"),
        "{}",
        rejection.html
    );
    assert!(
        rejection.text.contains("http://127.0.0.1:3000/licenses/"),
        "a link to the request"
    );
    let ids: std::collections::HashSet<_> = server.received().iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 6, "one message id per outbox row");

    // Nothing is sent twice.
    assert_eq!(worker.deliver_due().await.expect("delivery"), 0);
    assert_eq!(server.received().len(), 6);
    assert_ledger_invariant(p.db()).await;
}

#[tokio::test]
async fn a_server_that_is_down_at_first_gets_the_message_later_and_once() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    let port = free_port();
    let worker = worker(&p, smtp(port));

    // Nobody listens yet: the attempt fails and is scheduled again.
    assert_eq!(worker.deliver_due().await.expect("round"), 0);
    let (attempts, error, sent): (i64, Option<String>, Option<i64>) =
        sqlx::query_as("SELECT attempts, last_error, sent_at FROM outbox")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("row");
    assert_eq!((attempts, sent), (1, None));
    assert!(error.is_some_and(|e| !e.is_empty()));

    let server = SmtpServer::start(port);
    assert_eq!(deliver_until(&worker, 1).await, 1);
    assert_eq!(worker.deliver_due().await.expect("round"), 0);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["accounting@example.com"]);
}

#[tokio::test]
async fn the_folder_transport_writes_one_file_per_message_and_never_twice() {
    let p = Portal::demo().await;
    let partner = user(p.db(), PARTNER).await;
    save(&p, &partner, "Adventure Works", "1").await.expect("saved");
    save(&p, &partner, "Litware", "1").await.expect("saved");
    let folder = tempfile::tempdir().expect("folder");
    let mail = folder.path().join("mail");
    let worker = worker(
        &p,
        Transport::from_url(&format!("file://{}", mail.display())).expect("url"),
    );
    assert_eq!(worker.deliver_due().await.expect("round"), 2);
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&mail)
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(files(), ["00000001.eml", "00000002.eml"]);
    let first = std::fs::read_to_string(mail.join("00000001.eml")).expect("read");
    assert!(first.contains("To: accounting@example.com"), "{first}");
    assert!(
        first.contains("Subject: PDR-000001: drawdown request to approve"),
        "{first}"
    );

    // Even a row that lost its "sent" mark (a crash between writing and
    // marking) is not written again.
    let mut tx = p.db().begin().await.expect("tx");
    sqlx::query("UPDATE outbox SET sent_at = NULL WHERE id = 1")
        .execute(&mut *tx)
        .await
        .expect("reset");
    tx.commit().await.expect("commit");
    let before = std::fs::metadata(mail.join("00000001.eml"))
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(worker.deliver_due().await.expect("round"), 1);
    assert_eq!(files(), ["00000001.eml", "00000002.eml"]);
    let after = std::fs::metadata(mail.join("00000001.eml"))
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(before, after);
}

/// Queues one message to `recipient` now, by the portal's clock.
async fn queue_to(p: &Portal, recipient: &str) -> i64 {
    let mut tx = p.db().begin().await.expect("tx");
    let id = app::repo::outbox::enqueue_email(
        &mut tx,
        &app::repo::outbox::OutgoingEmail {
            recipient: recipient.into(),
            locale: Locale::En,
            subject: format!("For {recipient}"),
            text_body: "Hello".into(),
            html_body: "<p>Hello</p>".into(),
            drawdown_request: None,
        },
        p.settings.clock.now(),
    )
    .await
    .expect("queue");
    tx.commit().await.expect("commit");
    id
}

/// Each message's attempts and whether it was sent, given up (dead), or waits.
async fn outbox_rows(p: &Portal) -> Vec<(String, i64, &'static str)> {
    let rows: Vec<(String, i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT recipient, attempts, sent_at, dead_at FROM outbox ORDER BY id")
            .fetch_all(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("rows");
    rows.into_iter()
        .map(|(recipient, attempts, sent, dead)| {
            let state = match (sent, dead) {
                (Some(_), _) => "sent",
                (None, Some(_)) => "dead",
                (None, None) => "waiting",
            };
            (recipient, attempts, state)
        })
        .collect()
}

#[tokio::test]
async fn mail_refused_for_good_is_tried_a_few_times_then_dead_until_an_operator_retries_it() {
    let p = Portal::demo().await;
    let clock = p.clock().clone();
    let server = SmtpServer::start_anywhere();
    let mut worker = worker(&p, smtp(server.port));
    worker.max_attempts = 3;
    let refused = queue_to(&p, "someone@refused.example").await;
    queue_to(&p, "someone@busy.example").await;
    queue_to(&p, "not an address").await;
    queue_to(&p, "someone@customer.example").await;

    // Three rounds, each when the retries fall due (1 s, then 2 s later).
    assert_eq!(worker.deliver_due().await.expect("round"), 1);
    for wait in [1, 2] {
        clock.advance(wait);
        assert_eq!(worker.deliver_due().await.expect("round"), 0);
    }
    assert_eq!(
        outbox_rows(&p).await,
        [
            ("someone@refused.example".to_string(), 3, "dead"),
            ("someone@busy.example".to_string(), 3, "waiting"),
            ("not an address".to_string(), 3, "dead"),
            ("someone@customer.example".to_string(), 1, "sent"),
        ]
    );
    // A day of rounds later: the dead are not tried again; a temporary
    // refusal is, at most an hour apart.
    for _ in 0..24 {
        clock.advance(3600);
        worker.deliver_due().await.expect("round");
    }
    let rows = outbox_rows(&p).await;
    assert_eq!((rows[0].1, rows[0].2), (3, "dead"));
    assert_eq!((rows[2].1, rows[2].2), (3, "dead"));
    assert_eq!(rows[1].2, "waiting");
    assert!(rows[1].1 >= 3 + 24, "{rows:?}");
    let mut conn = p.db().read().await.expect("conn");
    let counts = app::repo::outbox::count_emails(&mut conn).await.expect("counts");
    assert_eq!(
        counts,
        app::repo::outbox::OutboxCounts {
            unsent: 1,
            retrying: 1,
            dead: 2
        }
    );
    drop(conn);

    // What the operator sees, and retrying: due at once, counted afresh.
    let listing = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("PORTAL_DATABASE_URL", &p.t.url)
        .args(["mail", "dead"])
        .output()
        .expect("the server binary runs");
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert!(listing.contains("someone@refused.example"), "{listing}");
    assert!(listing.contains("550"), "{listing}");
    assert!(listing.contains("bad recipient"), "{listing}");
    assert!(listing.ends_with("2 dead emails\n"), "{listing}");
    server::commands::mail::retry_dead_email(p.db(), refused, &clock)
        .await
        .expect("retried");
    assert!(matches!(
        server::commands::mail::retry_dead_email(p.db(), refused, &clock).await,
        Err(server::commands::mail::MailCommandError::NotDead(id)) if id == refused
    ));
    worker.deliver_due().await.expect("round");
    assert_eq!(
        outbox_rows(&p).await[0],
        ("someone@refused.example".to_string(), 1, "waiting")
    );
    // The one the server accepted arrived once; the refused ones never.
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["someone@customer.example"]);
}
