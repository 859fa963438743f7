//! Logs (pretty or JSON) and the Prometheus recorder.
//!
//! Every request runs inside the root span `request` of `adapter_http::middleware::edge` (`request_id`, `method`,
//! `route`, `trace_id`, `user_id`, `status`). The pretty format prints the span before each line; the JSON format
//! prints it under `span` and the whole span stack under `spans`, so a line logged inside a nested span (the Stripe
//! transport opens `stripe_request`) still carries the request's fields. OpenTelemetry export is not built in
//! (docs/OPERATIONS.md §8).

use crate::config::{Config, LogFormat};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// The commit the binary was built from: `STAYBOOK_GIT_COMMIT` in the build's environment, else `unknown`.
pub const GIT_COMMIT: &str = match option_env!("STAYBOOK_GIT_COMMIT") {
    Some(c) => c,
    None => "unknown",
};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// How often the recorder's upkeep runs (the exporter's own default for its upkeep task).
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);
/// The name of the thread that runs it.
pub const UPKEEP_THREAD: &str = "metrics-upkeep";

/// The process-wide Prometheus handle (installed once, with its upkeep thread).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            // Explicit buckets make the latency series a Prometheus histogram (the default is a summary).
            let buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let handle = PrometheusBuilder::new().set_buckets(&buckets).ok()?.install_recorder().ok()?;
            spawn_upkeep(handle.clone());
            record_build_info();
            Some(handle)
        })
        .clone()
}

/// The recorder keeps every histogram sample until a render or an upkeep drains it into the buckets, and
/// `install_recorder` starts no upkeep ("users are responsible for … calling `run_upkeep` at a regular interval",
/// metrics-exporter-prometheus docs): without this, memory grows with every request while nobody scrapes
/// `/metrics`. A plain thread rather than a tokio task: the handle is process-wide and outlives any one runtime.
fn spawn_upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name(UPKEEP_THREAD.into()).spawn(move || {
        loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            handle.run_upkeep();
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the metrics upkeep thread; histogram samples will pile up");
    }
}

/// `build_info{version, commit} 1`: which build a replica runs.
fn record_build_info() {
    metrics::gauge!("build_info", "version" => env!("CARGO_PKG_VERSION"), "commit" => GIT_COMMIT).set(1.0);
}

/// The log subscriber of `config` (`LOG_FORMAT`, `RUST_LOG`), writing to `writer`: stdout in the server, a buffer
/// in tests.
pub fn subscriber<W>(config: &Config, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&config.rust_log).unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        LogFormat::Json => Box::new(
            tracing_subscriber::fmt()
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .with_env_filter(filter)
                .with_writer(writer)
                .finish(),
        ),
        LogFormat::Pretty => Box::new(tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).finish()),
    }
}

/// Initialises logging once; later calls are ignored.
pub fn init_logging(config: &Config) {
    let _ = subscriber(config, std::io::stdout).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The thread names of this process (Linux).
    fn threads() -> Vec<String> {
        std::fs::read_dir("/proc/self/task")
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
                    .map(|s| s.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn build_info_is_exported() {
        let handle = metrics_handle().expect("recorder installed");
        let text = handle.render();
        let line = format!("build_info{{version=\"{}\",commit=\"{GIT_COMMIT}\"}} 1", env!("CARGO_PKG_VERSION"));
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }

    #[test]
    fn the_recorder_comes_with_its_upkeep() {
        let handle = metrics_handle().expect("recorder installed");
        assert!(metrics_handle().is_some(), "a second call returns the same handle");
        if std::path::Path::new("/proc/self/task").exists() {
            // A new thread names itself once it runs: give it a moment.
            let mut names = threads();
            for _ in 0..100 {
                if names.iter().any(|n| n == UPKEEP_THREAD) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
                names = threads();
            }
            assert_eq!(names.iter().filter(|n| *n == UPKEEP_THREAD).count(), 1, "{names:?}");
        }
        // Samples recorded and drained by an upkeep still render.
        metrics::histogram!("telemetry_test_seconds").record(0.003);
        handle.run_upkeep();
        assert!(handle.render().contains("telemetry_test_seconds_bucket{le=\"0.005\"} 1"));
    }
}
