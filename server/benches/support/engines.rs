//! What the read benchmarks share: a run on a real SQLite file, then on a
//! database of its own on PostgreSQL when `PORTAL_BENCH_POSTGRES_URL` names
//! a server (created, then dropped); the median of a read's runs; and the
//! raw engine's round trip to print beside each figure.

use std::future::Future;
use std::time::{Duration, Instant};

use app::repo::Db;
use sqlx::Connection;

/// Runs of each read; the median is printed.
pub const RUNS: usize = 25;

/// Calls `measure(engine, url)` on SQLite, then on PostgreSQL if named.
pub async fn on_each_engine<F, Fut>(name: &str, measure: F)
where
    F: Fn(&'static str, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    measure(
        "SQLite",
        format!("sqlite://{}", dir.path().join(format!("{name}.db")).display()),
    )
    .await;
    let Ok(server) = std::env::var("PORTAL_BENCH_POSTGRES_URL") else {
        return;
    };
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("PostgreSQL server");
    let database = format!("portal_bench_{name}_{}", std::process::id());
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&server).expect("PostgreSQL URL");
    url.set_path(&database);
    measure("PostgreSQL", url.to_string()).await;
    sqlx::query(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop database");
}

/// The median of `RUNS` runs of `read`, after one to warm the caches.
pub async fn median<F, Fut>(read: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    read().await;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        read().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[RUNS / 2]
}

/// The raw engine's round trip on `db`'s pool (`SELECT 1`), median.
pub async fn round_trip(db: &Db) -> Duration {
    median(|| async {
        let mut conn = db.read().await.expect("conn");
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("select 1");
    })
    .await
}

/// Prints a read's median beside the raw round trip.
pub fn report(read: &str, took: Duration, baseline: Duration) {
    println!(
        "  {read:<52} {:>8.3} ms  ({:.0} x the raw round trip)",
        ms(took),
        took.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
