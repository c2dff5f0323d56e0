//! The `balcao` binary.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use balcao_core::config::Config;
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
    /// Seed a demo user, store and API key.
    Demo,
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
    let result = match cli.command.unwrap_or(Command::Serve { no_worker: false }) {
        Command::Serve { no_worker } => runtime::serve(config, !no_worker).await,
        Command::Worker => runtime::work(config).await,
        Command::Migrate => runtime::migrate(config).await,
        Command::Demo => demo_command(config).await,
        Command::Openapi => Ok(()),
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

async fn demo_command(config: Config) -> balcao_core::Result<()> {
    let core = runtime::core(config).await?;
    let seeded = demo::seed(core).await?;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "demo user:  {} / {}", demo::DEMO_EMAIL, demo::DEMO_PASSWORD);
    let _ = writeln!(out, "store id:   {}", seeded.store_id);
    let _ = writeln!(out, "token:      {}", seeded.token);
    let _ = writeln!(out, "api key:    {}", seeded.api_key);
    Ok(())
}
