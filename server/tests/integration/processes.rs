//! Two real server processes on one database behave as one portal: a change
//! made through one reaches browsers connected to the other, and with both
//! processes' email workers running each queued message reaches the SMTP
//! server exactly once. On PostgreSQL the processes wake each other and pass
//! on live events through `NOTIFY`; SQLite serves one process, so the live
//! test runs on PostgreSQL only, while the email test runs on both (the
//! workers poll every second there).

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::domain::DrawdownId;
use app::i18n::Locale;
use app::repo::outbox::{self, OutgoingEmail};

use crate::drawdowns::{save, PARTNER};
use crate::email::{free_port, SmtpServer};
use crate::helpers::{user, Portal, TestDb};

/// A server process serving `db`, stopped when dropped.
pub(crate) struct ServerProcess {
    child: Child,
    pub base: String,
    _data: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts a process; its emails go to `mail_url`, or to a folder of its own.
    pub(crate) async fn start(db: &TestDb, mail_url: Option<&str>) -> Self {
        Self::start_on(db, mail_url, free_port(), Path::new(env!("CARGO_BIN_EXE_server"))).await
    }

    /// Starts `binary` (this build's server, or a release build) on `port`.
    pub(crate) async fn start_on(db: &TestDb, mail_url: Option<&str>, port: u16, binary: &Path) -> Self {
        let data = tempfile::tempdir().expect("data folder");
        let mail_url = mail_url.map_or_else(
            || format!("file://{}", data.path().join("mail").display()),
            str::to_string,
        );
        let child = Command::new(binary)
            .env("PORTAL_DATABASE_URL", &db.url)
            .env("PORTAL_MAIL_URL", &mail_url)
            .env("PORTAL_MAIL_POLL_SECONDS", "1")
            .env("PORTAL_MAIL_RETRY_SECONDS", "1")
            // What a killed process had claimed goes out 5 s later (crash.rs).
            .env("PORTAL_MAIL_LEASE_SECONDS", "5")
            .env("PORTAL_PROVISIONING_LEASE_SECONDS", "5")
            .env("PORTAL_LICENSE_KEY_FILE", data.path().join("key"))
            .env("PORTAL_DATABASE_CONNECTIONS", "4")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("PORTAL_METRICS_ADDR", format!("127.0.0.1:{}", free_port()))
            .env("LEPTOS_SITE_ROOT", data.path())
            .env("LEPTOS_OUTPUT_NAME", "portal")
            .env("RUST_LOG", "warn")
            .env("PORTAL_LOCAL_PROVISIONING_SECONDS", "1")
            .stdout(Stdio::null())
            .spawn()
            .expect("the server binary runs");
        let process = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _data: data,
        };
        process.wait_until_ready().await;
        process
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = reqwest::get(format!("{}{}", self.base, server::READY_PATH)).await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "{} never became ready", self.base);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process's id (to read its memory in /proc).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Ends the process at once, as `kill -9` does: no shutdown runs.
    pub(crate) fn kill_hard(mut self) {
        // Child::kill sends SIGKILL on Unix.
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// Signs in over HTTP and returns the session cookie.
    pub(crate) async fn sign_in(&self, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/api/sign_in", self.base))
            .header("accept", "application/json")
            .form(&[("email", email), ("password", "demo")])
            .send()
            .await
            .expect("sign in");
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("session cookie");
        cookie.split(';').next().unwrap_or_default().to_string()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "PostgreSQL only (SQLite serves one process); scripts/test.sh runs it with PORTAL_TEST_POSTGRES_URL and --include-ignored"]
async fn an_approval_made_on_one_process_reaches_a_stream_open_on_the_other() {
    let p = Portal::demo().await;
    let (first, second) = tokio::join!(ServerProcess::start(&p.t, None), ServerProcess::start(&p.t, None));
    let saved = save(&p, &user(p.db(), PARTNER).await, "Adventure Works", "1")
        .await
        .expect("saved");

    // The partner signed in through the first process; its browser is now
    // connected to the second, with the same session.
    let partner = first.sign_in(PARTNER).await;
    let mut stream = reqwest::Client::new()
        .get(format!("{}{}", second.base, app::events::EVENTS_PATH))
        .header("accept", "text/event-stream")
        .header("cookie", partner)
        .send()
        .await
        .expect("event stream");
    assert!(stream.status().is_success());

    // Accounting approves on the first.
    let accounting = first.sign_in("accounting@example.com").await;
    let approved = reqwest::Client::new()
        .post(format!("{}/api/change_drawdown", first.base))
        .header("accept", "application/json")
        .header("cookie", accounting)
        .header("content-type", "application/json")
        .body(serde_json::json!({"id": saved.0, "transition": "approve", "reason": null}).to_string())
        .send()
        .await
        .expect("approve");
    assert!(approved.status().is_success(), "{:?}", approved.text().await);

    // Read as the browser reads it.
    let approval = |line: &str| {
        matches!(
            line.strip_prefix("data:").map(str::trim).and_then(app::events::PortalEvent::from_wire),
            Some(app::events::PortalEvent::DrawdownChanged { id, state: app::domain::DrawdownState::Approved, .. })
                if id == saved
        )
    };
    tokio::time::timeout(Duration::from_secs(5), async {
        let mut text = String::new();
        while let Some(chunk) = stream.chunk().await.expect("stream open") {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.lines().any(approval) {
                return;
            }
        }
        panic!("the stream ended without the approval: {text}");
    })
    .await
    .expect("the partner hears of the approval within 5 s");
}

fn email(n: usize) -> OutgoingEmail {
    OutgoingEmail {
        recipient: format!("reader-{n}@customer.example"),
        locale: Locale::En,
        subject: format!("Message {n}"),
        text_body: format!("Message {n}"),
        html_body: format!("<p>Message {n}</p>"),
        drawdown_request: None::<DrawdownId>,
    }
}

async fn queue(p: &Portal, range: std::ops::Range<usize>) {
    let mut tx = p.db().begin().await.expect("tx");
    for n in range {
        outbox::enqueue_email(&mut tx, &email(n), p.settings.clock.now())
            .await
            .expect("queue");
    }
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn with_two_processes_delivering_each_message_reaches_the_smtp_server_once() {
    let p = Portal::demo().await;
    let smtp = SmtpServer::start_anywhere();
    let mail_url = format!("smtp://127.0.0.1:{}", smtp.port);
    // Some messages wait before the processes start, so both workers find
    // them at once; the rest are queued while both run.
    queue(&p, 0..60).await;
    let (first, second) = tokio::join!(
        ServerProcess::start(&p.t, Some(&mail_url)),
        ServerProcess::start(&p.t, Some(&mail_url))
    );
    for batch in 0..6 {
        queue(&p, 60 + batch * 20..80 + batch * 20).await;
    }
    let total = 180;

    // Every row marked sent: no worker sends a sent row again. With both
    // processes stopped, what the SMTP server holds is final (it stores a
    // message before answering 250, and a row is marked after the 250).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&mut *p.db().read().await.expect("conn"))
            .await
            .expect("outbox");
        if unsent == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{unsent} messages unsent after 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop((first, second));
    let received = smtp.received();
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &received {
        *copies.entry(message.subject.clone()).or_default() += 1;
    }
    let twice: Vec<_> = copies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(copies.len(), total, "every message arrives");
}
