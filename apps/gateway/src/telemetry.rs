//! Structured logs through tracing.

use tracing_subscriber::EnvFilter;

use balcao_core::config::LogFormat;

/// Installs the global subscriber: JSON lines (or text), filtered by `RUST_LOG` (default `info`).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    // A subscriber may already be installed (tests); keep it.
    let _ = result;
}
