//! `server`: runs the portal, or an admin command on its database.

use clap::Parser;
use std::process::ExitCode;

use app::repo::Db;
use server::cli::{Cli, Command, LicenseCommand};
use server::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    // Read before the command line: logs are set up before anything runs.
    let json_logs = std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,server=info,app=info".into()),
        )
        .with_writer(std::io::stderr);
    if json_logs {
        logs.json().with_current_span(true).with_span_list(false).init();
    } else {
        logs.init();
    }
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    // Offline: needs no database.
    if let Command::Openapi = &command {
        let document = server::api_v1::docs::openapi()
            .to_pretty_json()
            .map_err(|e| e.to_string())?;
        println!("{document}");
        return Ok(());
    }
    if let Command::License {
        command: LicenseCommand::Verify { file, public_key },
    } = &command
    {
        return server::cli::verify_license(file, public_key.as_deref(), &cli.serve.license_key_file);
    }
    let db = open_database(&cli.database_url, cli.database_connections).await?;
    match command {
        Command::Serve => {
            let config = cli.serve.configure()?;
            serve(db, &cli.database_url, config).await
        }
        command => server::cli::run_admin(command, &db).await,
    }
}

async fn open_database(url: &str, connections: u32) -> Result<Db, String> {
    server::ensure_database_folder(url).map_err(|e| format!("cannot create the database folder: {e}"))?;
    let db = Db::connect_with(url, connections)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

/// Builds the app on `db` and serves it until a stop signal.
async fn serve(db: Db, database_url: &str, config: Config) -> Result<(), String> {
    let demo_loaded = config.demo
        && server::demo::load_if_empty(&db)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
    let conf = leptos::prelude::get_configuration(None).map_err(|e| e.to_string())?;
    let mut state = server::app_state(db.clone(), config.settings, conf.leptos_options);
    let (events, relay) = server::relay::Relay::for_database(&db, database_url);
    state.events = events;
    if demo_loaded {
        server::demo::walk_history(state.services())
            .await
            .map_err(|e| format!("demo data: {e}"))?;
    }
    let mail = config.mail.worker(db, state.mail_queued.clone());
    let provisioning =
        server::provisioning::ProvisioningWorker::new(state.clone(), config.provisioning_retry)
            .with_lease(config.provisioning_lease_seconds);
    server::serve(state, config.metrics_addr, relay, mail, provisioning)
        .await
        .map_err(|e| e.to_string())
}
