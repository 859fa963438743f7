//! Logs (pretty or JSON) and the Prometheus recorder.

use crate::config::{Config, LogFormat};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide Prometheus handle (installed once).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            // Explicit buckets make the latency series a Prometheus histogram (the default is a summary).
            let buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            PrometheusBuilder::new().set_buckets(&buckets).ok()?.install_recorder().ok()
        })
        .clone()
}

/// Initialises logging once; later calls are ignored.
pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.rust_log).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt().json().with_env_filter(filter).try_init(),
        LogFormat::Pretty => tracing_subscriber::fmt().with_env_filter(filter).try_init(),
    };
}
