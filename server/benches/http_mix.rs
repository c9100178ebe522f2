//! The portal over HTTP at fixed rates, against a release server whose
//! ledger holds a vendor's history: a realistic mix of the Entitlements page
//! (server-rendered), the Partner drawdowns list, Save, approve and accept,
//! the partner API's list and create (a partner's system with a token, each
//! create with its own Idempotency-Key), and a bare handler (`/healthz`) as
//! the baseline of the same run.
//!
//!     cargo bench -p server --bench http_mix -- [RATE SECONDS] [--ledger=1000000]
//!
//! Seeds a SQLite file (or, with `PORTAL_BENCH_POSTGRES_URL`, a fresh
//! PostgreSQL database) with the demo data and `--ledger` entries of history,
//! starts the release `server` binary on it at a free port, and sends RATE
//! requests a second for SECONDS, open loop: each request is sent at its
//! scheduled time whether or not earlier ones have answered, and its latency
//! counts from that time, so a slow server cannot hide its queue. Prints
//! throughput and p50 / p99 per kind. `bash scripts/load.sh` runs it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::repo::Db;
use sqlx::Connection;

#[path = "support/history.rs"]
mod history;
use history::{bench_line, demo_user, seed_history};

/// A kind of request in the mix, with its share of the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    EntitlementsPage,
    DrawdownsList,
    Save,
    Approve,
    Accept,
    ApiList,
    ApiCreate,
    Health,
}

const MIX: [(Kind, f64); 8] = [
    (Kind::EntitlementsPage, 0.25),
    (Kind::DrawdownsList, 0.20),
    (Kind::Save, 0.10),
    (Kind::Approve, 0.15),
    (Kind::Accept, 0.10),
    (Kind::ApiList, 0.10),
    (Kind::ApiCreate, 0.05),
    (Kind::Health, 0.05),
];

struct Target {
    http: reqwest::Client,
    base: String,
    partner_cookie: String,
    accounting_cookie: String,
    /// A read-and-write API token of the partner.
    api_token: String,
    partner_account: i64,
    order: i64,
    line: i64,
    /// Saved requests waiting for approval, approved ones waiting for acceptance.
    to_approve: Mutex<VecDeque<i64>>,
    to_accept: Mutex<VecDeque<i64>>,
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: u64,
    skipped: u64,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<f64> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse().ok())
        .collect();
    let rate = numbers.first().copied().unwrap_or(200.0);
    let seconds = numbers.get(1).copied().unwrap_or(30.0);
    let ledger: i64 = args
        .iter()
        .find_map(|a| a.strip_prefix("--ledger="))
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);

    let dir = tempfile::tempdir().expect("temp dir");
    let (url, engine, drop_pg) = match std::env::var("PORTAL_BENCH_POSTGRES_URL") {
        Ok(server) => {
            let name = format!("portal_load_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&server).await.expect("PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create database");
            let mut url = url::Url::parse(&server).expect("URL");
            url.set_path(&name);
            (url.to_string(), "PostgreSQL", Some((server, name)))
        }
        Err(_) => (
            format!("sqlite://{}", dir.path().join("load.db").display()),
            "SQLite",
            None,
        ),
    };

    // The database, as a vendor's would be after years.
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    server::demo::load_if_empty(&db).await.expect("demo data");
    let partner = demo_user(&db, "partner@example.com").await;
    let (order, line) = bench_line(&db, &partner).await;
    let started = Instant::now();
    seed_history(&db, &partner, order, line, ledger / 2).await;
    let api_token = {
        let (secret, hash) = app::services::api_tokens::new_secret();
        let mut tx = db.begin().await.expect("tx");
        app::repo::api_tokens::insert_api_token(
            &mut tx,
            &app::repo::api_tokens::NewApiTokenRow {
                account: partner.account_id,
                name: "load",
                scope: app::domain::ApiScope::ReadWrite,
                secret_hash: &hash,
                prefix: &secret[..12],
                created_by: partner.id,
                created_at: 0,
                expires_at: None,
            },
        )
        .await
        .expect("token");
        tx.commit().await.expect("commit");
        secret
    };
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_entries")
        .fetch_one(&mut *db.read().await.expect("conn"))
        .await
        .expect("count");
    println!(
        "seeded {entries} ledger entries on {engine} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    db.close().await;

    // The release server on it.
    let port = free_port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("PORTAL_DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "portal")
        .env(
            "LEPTOS_SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"),
        )
        .env(
            "PORTAL_MAIL_URL",
            format!("file://{}", dir.path().join("mail").display()),
        )
        .env("PORTAL_LICENSE_KEY_FILE", dir.path().join("license.key"))
        // The load is one partner's far beyond any hour of real use.
        .env("PORTAL_SAVES_PER_HOUR", "100000000")
        .env("PORTAL_API_CALLS_PER_MINUTE", "100000000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    wait_ready(&http, &base).await;

    let target = Arc::new(Target {
        partner_cookie: sign_in(&http, &base, "partner@example.com").await,
        accounting_cookie: sign_in(&http, &base, "accounting@example.com").await,
        api_token,
        http,
        base,
        partner_account: partner.account_id.0,
        order: order.0,
        line: line.0,
        to_approve: Mutex::new(VecDeque::new()),
        to_accept: Mutex::new(VecDeque::new()),
    });
    // Warm-up, unmeasured: caches and connections, as a running server has.
    for _ in 0..20 {
        let _ = send(&target, Kind::EntitlementsPage).await;
        let _ = send(&target, Kind::DrawdownsList).await;
        let _ = send(&target, Kind::ApiList).await;
        let _ = send(&target, Kind::Health).await;
    }

    println!("\n{rate:.0} requests/s for {seconds:.0} s over HTTP, open loop, ledger of {entries} entries on {engine}");
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut schedulers = Vec::new();
    for (kind, share) in MIX {
        let target = Arc::clone(&target);
        schedulers.push(tokio::spawn(async move {
            let tally = Arc::new(Mutex::new(Tally::default()));
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / (rate * share)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut inflight = Vec::new();
            loop {
                let scheduled = ticks.tick().await.into_std();
                if scheduled >= deadline {
                    break;
                }
                let (target, tally) = (Arc::clone(&target), Arc::clone(&tally));
                inflight.push(tokio::spawn(async move {
                    let outcome = send(&target, kind).await;
                    let mut t = tally.lock().expect("tally");
                    match outcome {
                        Outcome::Done => t.latencies.push(scheduled.elapsed()),
                        Outcome::Skipped => t.skipped += 1,
                        Outcome::Failed(why) => {
                            if t.errors < 3 {
                                eprintln!("{kind:?} failed: {why}");
                            }
                            t.errors += 1;
                        }
                    }
                }));
            }
            for task in inflight {
                let _ = task.await;
            }
            let tally = std::mem::take(&mut *tally.lock().expect("tally"));
            (kind, tally)
        }));
    }
    let mut results = Vec::new();
    for s in schedulers {
        results.push(s.await.expect("scheduler"));
    }

    println!("\n| kind | sent at | done | errors | skipped | p50 ms | p99 ms | max ms |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut all = Vec::new();
    for (kind, mut tally) in results {
        let share = MIX.iter().find(|(k, _)| *k == kind).map_or(0.0, |(_, s)| *s);
        tally.latencies.sort();
        let (p50, p99, max) = percentiles(&tally.latencies);
        println!(
            "| {kind:?} | {:.0}/s | {} | {} | {} | {p50:.2} | {p99:.2} | {max:.2} |",
            rate * share,
            tally.latencies.len(),
            tally.errors,
            tally.skipped
        );
        all.extend(tally.latencies);
    }
    all.sort();
    let (p50, p99, max) = percentiles(&all);
    println!(
        "| all | {rate:.0}/s | {} ({:.0}/s) | | | {p50:.2} | {p99:.2} | {max:.2} |",
        all.len(),
        all.len() as f64 / seconds
    );

    let _ = server.kill();
    let _ = server.wait();
    if let Some((server, name)) = drop_pg {
        let mut admin = sqlx::PgConnection::connect(&server).await.expect("PostgreSQL");
        let _ = sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

fn percentiles(sorted: &[Duration]) -> (f64, f64, f64) {
    let at = |p: f64| {
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    (at(0.5), at(0.99), at(1.0))
}

enum Outcome {
    Done,
    /// Nothing to approve or accept yet.
    Skipped,
    Failed(String),
}

async fn send(t: &Target, kind: Kind) -> Outcome {
    let result = match kind {
        Kind::ApiList | Kind::ApiCreate => send_api(t, kind).await,
        Kind::Health => check(t.http.get(format!("{}/healthz", t.base)).send().await)
            .await
            .map(|_| ()),
        Kind::EntitlementsPage => {
            let url = format!("{}/licenses/{}/entitlements", t.base, t.partner_account);
            check(t.http.get(url).header("cookie", &t.partner_cookie).send().await)
                .await
                .map(|_| ())
        }
        Kind::DrawdownsList => {
            let body = serde_json::json!({
                "account": t.partner_account, "state": null, "search": null,
                "page": { "after": null, "rows": null },
            });
            call(t, &t.partner_cookie, "list_drawdowns", body)
                .await
                .map(|_| ())
        }
        Kind::Save => {
            let n = fastrand_u32() % 50;
            let body = serde_json::json!({
                "order": t.order,
                "form": {
                    "customer_account": format!("Load customer {n}"),
                    "customer_website": format!("https://load-{n}.example"),
                    "customer_name": "Load Contact",
                    "customer_email": "load@customer.example",
                    "quantities": [[t.line, "1"]],
                },
                "cloned_from": null,
            });
            match call(t, &t.partner_cookie, "save_drawdown", body).await {
                Ok(saved) => match saved.get(0).and_then(serde_json::Value::as_i64) {
                    Some(id) => {
                        t.to_approve.lock().expect("queue").push_back(id);
                        Ok(())
                    }
                    None => Err(format!("unexpected answer {saved}")),
                },
                Err(e) => Err(e),
            }
        }
        Kind::Approve | Kind::Accept => {
            let (queue, cookie, transition) = if kind == Kind::Approve {
                (&t.to_approve, &t.accounting_cookie, "approve")
            } else {
                (&t.to_accept, &t.partner_cookie, "accept")
            };
            let Some(id) = queue.lock().expect("queue").pop_front() else {
                return Outcome::Skipped;
            };
            let body = serde_json::json!({ "id": id, "transition": transition, "reason": null });
            let done = call(t, cookie, "change_drawdown", body).await.map(|_| ());
            if done.is_ok() && kind == Kind::Approve {
                t.to_accept.lock().expect("queue").push_back(id);
            }
            done
        }
    };
    match result {
        Ok(()) => Outcome::Done,
        Err(why) => Outcome::Failed(why),
    }
}

async fn send_api(t: &Target, kind: Kind) -> Result<(), String> {
    let bearer = format!("Bearer {}", t.api_token);
    match kind {
        Kind::ApiList => {
            let url = format!("{}/api/v1/drawdowns?limit=50", t.base);
            check(t.http.get(url).header("authorization", bearer).send().await)
                .await
                .map(|_| ())
        }
        _ => {
            let n = fastrand_u32();
            let body = serde_json::json!({
                "order": t.order,
                "customer_account": format!("Api customer {}", n % 50),
                "customer_website": format!("https://api-{}.example", n % 50),
                "contact_name": "Api Contact",
                "contact_email": "api@customer.example",
                "lines": [{ "order_line": t.line, "quantity": 1 }],
            });
            let response = t
                .http
                .post(format!("{}/api/v1/drawdowns", t.base))
                .header("authorization", bearer)
                .header("idempotency-key", format!("load-{n}-{}", fastrand_u32()))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await;
            let text = check(response).await?;
            let created: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            match created["id"].as_i64() {
                Some(id) => {
                    t.to_approve.lock().expect("queue").push_back(id);
                    Ok(())
                }
                None => Err(format!("unexpected answer {text}")),
            }
        }
    }
}

async fn call(
    t: &Target,
    cookie: &str,
    endpoint: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let response = t
        .http
        .post(format!("{}/api/{endpoint}", t.base))
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    let text = check(response).await?;
    serde_json::from_str(&text).map_err(|e| format!("{endpoint}: {e}: {text}"))
}

async fn check(response: reqwest::Result<reqwest::Response>) -> Result<String, String> {
    let response = response.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(format!(
            "{status}: {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

async fn sign_in(http: &reqwest::Client, base: &str, email: &str) -> String {
    let response = http
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", email), ("password", "demo")])
        .send()
        .await
        .expect("sign in");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready at {base}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A cheap pseudo-random number for spreading customers; no need for a crate.
fn fastrand_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static STATE: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let mut x = STATE.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    STATE.store(x, Ordering::Relaxed);
    x
}
