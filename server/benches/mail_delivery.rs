//! How fast the outbox empties into a real SMTP server on loopback (the
//! tests' Python sink): N queued messages, the worker started, the time
//! until the last one is marked sent. Beside it, in the same run, the raw
//! rate of the same transport with no outbox (lettre's pooled client sending
//! the same messages one after the other), so the outbox's cost reads as a
//! share of what the SMTP round trips allow.
//!
//!     cargo bench -p server --features app/ssr --bench mail_delivery -- [MESSAGES]
//!
//! On a real SQLite file, then on PostgreSQL when `PORTAL_BENCH_POSTGRES_URL`
//! names a server (`bash scripts/bench.sh mail`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::clock::Clock;
use app::i18n::Locale;
use app::repo::outbox::{self, OutgoingEmail};
use app::repo::Db;
use lettre::AsyncTransport;
use server::mail::{MailWorker, Transport};
use sqlx::Connection;
use tokio::sync::Notify;

fn email(n: usize) -> OutgoingEmail {
    OutgoingEmail {
        recipient: format!("reader-{n}@customer.example"),
        locale: Locale::En,
        subject: format!("PDR-{n:06}: drawdown request to approve"),
        text_body: "A drawdown request waits for your approval.\n".repeat(8),
        html_body: "<p>A drawdown request waits for your approval.</p>".repeat(8),
        drawdown_request: None,
    }
}

fn worker(db: &Db, transport: Transport) -> MailWorker {
    MailWorker {
        db: db.clone(),
        transport,
        from: "Licenses & Cloud <no-reply@portal.example>"
            .parse()
            .expect("mailbox"),
        retry_base: Duration::from_secs(30),
        queued: Arc::new(Notify::new()),
        max_idle: server::mail::DEFAULT_MAX_IDLE,
        max_attempts: server::mail::DEFAULT_MAX_ATTEMPTS,
        lease_seconds: server::mail::DEFAULT_LEASE_SECONDS,
        clock: Clock::system(),
    }
}

/// Messages per second through the outbox on `url`.
async fn through_the_outbox(url: &str, port: u16, messages: usize) -> f64 {
    let db = Db::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut tx = db.begin().await.expect("tx");
    for n in 0..messages {
        outbox::enqueue_email(&mut tx, &email(n), Clock::system().now())
            .await
            .expect("queue");
    }
    tx.commit().await.expect("commit");
    let transport = Transport::from_url(&format!("smtp://127.0.0.1:{port}")).expect("url");
    let worker = worker(&db, transport);
    let started = Instant::now();
    let mut sent = 0;
    while sent < messages {
        sent += worker.deliver_due().await.expect("delivery");
    }
    messages as f64 / started.elapsed().as_secs_f64()
}

/// Messages per second of the bare transport: the same messages, built the
/// same way, sent one after the other with no database.
async fn bare_transport(port: u16, messages: usize) -> f64 {
    let smtp =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&format!("smtp://127.0.0.1:{port}"))
            .expect("url")
            .build();
    let from: lettre::message::Mailbox = "Licenses & Cloud <no-reply@portal.example>"
        .parse()
        .expect("mailbox");
    let started = Instant::now();
    for n in 0..messages {
        let e = email(n);
        let message = lettre::Message::builder()
            .from(from.clone())
            .to(e.recipient.parse().expect("recipient"))
            .subject(e.subject)
            .multipart(lettre::message::MultiPart::alternative_plain_html(
                e.text_body,
                e.html_body,
            ))
            .expect("message");
        smtp.send(message).await.expect("sent");
    }
    messages as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let messages: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let folder = tempfile::tempdir().expect("folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let mut sink = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(folder.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the SMTP server");
    let mut ready = String::new();
    BufReader::new(sink.stdout.take().expect("stdout"))
        .read_line(&mut ready)
        .expect("read");
    assert!(ready.starts_with("ready"), "{ready}");

    let bare = bare_transport(port, messages).await;
    println!("bare SMTP transport (no outbox): {bare:7.0} messages/s ({messages} messages)");
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("mail.db").display());
    let rate = through_the_outbox(&sqlite, port, messages).await;
    println!(
        "outbox on SQLite:               {rate:7.0} messages/s ({:.0}% of the bare transport)",
        100.0 * rate / bare
    );
    if let Ok(server) = std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        let mut admin = sqlx::PgConnection::connect(&server)
            .await
            .expect("PostgreSQL server");
        let name = format!("portal_bench_mail_{}", std::process::id());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
        url.set_path(&name);
        let rate = through_the_outbox(url.as_str(), port, messages).await;
        println!(
            "outbox on PostgreSQL:           {rate:7.0} messages/s ({:.0}% of the bare transport)",
            100.0 * rate / bare
        );
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop database");
    }
    let received = std::fs::read_dir(folder.path()).expect("folder").count();
    let expected = messages
        * if std::env::var_os("PORTAL_BENCH_POSTGRES_URL").is_some() {
            3
        } else {
            2
        };
    assert_eq!(received, expected, "every message reached the SMTP server once");
    let _ = sink.kill();
    let _ = sink.wait();
}
