//! The `balcao` binary.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use balcao_core::config::Config;
use balcao_gateway::admin::AdminCommand;
use balcao_gateway::{demo, runtime, telemetry};

#[derive(Parser)]
#[command(name = "balcao", version, about = "The backend for stores that sell over WhatsApp, Instagram and the web")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP with an embedded job worker (the default).
    Serve {
        /// Serve HTTP only; run `balcao worker` separately.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the job worker alone.
    Worker,
    /// Create the database if missing and run pending migrations.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Platform operators: `balcao admin grant EMAIL`, `balcao admin revoke EMAIL`.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Seed a demo store: catalog, customers, orders, coupons, delivery zones, a channel, a webhook endpoint.
    Demo {
        /// Also write the credentials and every seeded id as JSON to this file.
        #[arg(long, value_name = "PATH")]
        ids_json: Option<std::path::PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match balcao_gateway::openapi().to_pretty_json() {
            Ok(json) => {
                // A closed pipe (`balcao openapi | head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout(), "{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("balcao: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("balcao: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    if let Some(Command::Admin { command }) = &cli.command {
        return admin_command(config, command).await;
    }
    let result = match cli.command.unwrap_or(Command::Serve { no_worker: false }) {
        Command::Serve { no_worker } => runtime::serve(config, !no_worker).await,
        Command::Worker => runtime::work(config).await,
        Command::Migrate => runtime::migrate(config).await,
        Command::Demo { ids_json } => demo_command(config, ids_json).await,
        Command::Openapi | Command::Admin { .. } => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "balcao stopped");
            eprintln!("balcao: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn admin_command(config: Config, command: &AdminCommand) -> ExitCode {
    let outcome = match runtime::core(config).await {
        Ok(core) => balcao_gateway::admin::run(&core, command).await,
        Err(error) => Err(error.to_string()),
    };
    match outcome {
        Ok(line) => {
            let _ = writeln!(std::io::stdout(), "{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("balcao: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn demo_command(config: Config, ids_json: Option<std::path::PathBuf>) -> balcao_core::Result<()> {
    let core = runtime::core(config).await?;
    let seeded = demo::seed(core).await?;
    if let Some(path) = ids_json {
        let json = serde_json::to_string_pretty(&seeded).map_err(balcao_core::Error::internal)?;
        std::fs::write(&path, json + "\n")
            .map_err(|e| balcao_core::Error::internal(format!("writing {}: {e}", path.display())))?;
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "demo user:  {} / {}", demo::DEMO_EMAIL, demo::DEMO_PASSWORD);
    let _ = writeln!(out, "store id:   {}", seeded.store_id);
    let _ = writeln!(out, "storefront: /v1/storefront/{}/products", seeded.slug);
    let _ = writeln!(out, "token:      {}", seeded.token);
    let _ = writeln!(out, "api key:    {}", seeded.api_key);
    for (kind, ids) in &seeded.ids {
        let _ = writeln!(out, "{kind}: {}", ids.len());
    }
    let statuses: Vec<String> = seeded.orders_by_status.iter().map(|(s, ids)| format!("{s} {}", ids.len())).collect();
    let _ = writeln!(out, "orders by status: {}", statuses.join(", "));
    Ok(())
}
