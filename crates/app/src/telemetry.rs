//! Logs (pretty or JSON) and the Prometheus recorder.
//!
//! Every request runs inside the root span `request` of `adapter_http::middleware::edge` (`request_id`, `method`,
//! `route`, `trace_id`, `user_id`, `status`). The pretty format prints the span before each line; the JSON format
//! prints it under `span` and the whole span stack under `spans`, so a line logged inside a nested span (the Stripe
//! transport opens `stripe_request`) still carries the request's fields.
//!
//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans are also exported as OpenTelemetry traces over OTLP/HTTP JSON
//! (a batch processor on its own thread; the request span continues the caller's `traceparent`). Without it
//! nothing of OpenTelemetry is built or started (docs/OPERATIONS.md §8).

use crate::config::{Config, LogFormat};
use adapter_http::middleware::TraceParent;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

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
            let sizes = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
            let handle = PrometheusBuilder::new()
                .set_buckets(&buckets)
                .ok()?
                .set_buckets_for_metric(Matcher::Full("hold_batch_size".into()), &sizes)
                .ok()?
                .install_recorder()
                .ok()?;
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

/// The instrumentation scope of the exported spans.
pub const TRACER_NAME: &str = "staybook";
/// The longest the exit flush of the trace export may take.
pub const TRACES_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The provider `init_logging` installed, for the flush at exit.
static TRACES: OnceLock<SdkTracerProvider> = OnceLock::new();

/// The OpenTelemetry trace pipeline of `config`: `None` (nothing built, no thread started) unless
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Spans go to `<endpoint>/v1/traces` as OTLP/HTTP JSON from a batch
/// processor on its own thread (blocking reqwest, no TLS); a down collector costs requests nothing (spans past
/// the queue are dropped). The exporter also reads `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TIMEOUT`,
/// `OTEL_BSP_*`, `OTEL_TRACES_SAMPLER` and `OTEL_RESOURCE_ATTRIBUTES`. Installs the edge middleware's hook that
/// makes a traced request's span a child of the caller's.
pub fn tracer_provider(config: &Config) -> Result<Option<SdkTracerProvider>, String> {
    let Some(endpoint) = config.otlp_endpoint.as_deref() else {
        return Ok(None);
    };
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpJson)
        // Used verbatim when set in code: the signal path is ours to append.
        .with_endpoint(format!("{endpoint}/v1/traces"))
        .build()
        .map_err(|e| format!("cannot build the OTLP span exporter: {e}"))?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(config.otel_service_name.clone())
        .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    adapter_http::middleware::set_trace_parent_hook(continue_caller_trace);
    Ok(Some(provider))
}

/// The `traceparent` hook of the edge middleware: makes the `request` span a child of the caller's span, so the
/// exported trace continues the caller's. Called before the span is first entered (the only time a parent can
/// be set); without an OpenTelemetry layer in the subscriber it does nothing.
fn continue_caller_trace(span: &tracing::Span, tp: &TraceParent) {
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    let (Ok(trace_id), Ok(span_id)) = (TraceId::from_hex(&tp.trace_id), SpanId::from_hex(&tp.parent_id)) else {
        return;
    };
    let flags = TraceFlags::new(tp.flags) & TraceFlags::SAMPLED;
    let caller = SpanContext::new(trace_id, span_id, flags, true, TraceState::default());
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(caller));
}

/// The log subscriber of `config` (`LOG_FORMAT`, `RUST_LOG`), writing to `writer`: stdout in the server, a buffer
/// in tests. No trace export.
pub fn subscriber<W>(config: &Config, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    subscriber_with(config, writer, None)
}

/// [`subscriber`], plus the OpenTelemetry layer when `traces` is given. `RUST_LOG` filters both: a span it
/// disables is neither logged nor exported.
pub fn subscriber_with<W>(
    config: &Config,
    writer: W,
    traces: Option<&SdkTracerProvider>,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    type Filtered = Layered<EnvFilter, Registry>;
    let filter = EnvFilter::try_new(&config.rust_log).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt: Box<dyn Layer<Filtered> + Send + Sync> = match config.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(writer)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer().with_writer(writer).boxed(),
    };
    let otel = traces.map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer(TRACER_NAME)));
    Box::new(Registry::default().with(filter).with(fmt).with(otel))
}

/// Initialises logging (and the trace export when configured) once; later calls are ignored.
pub fn init_logging(config: &Config) {
    let traces = tracer_provider(config).unwrap_or_else(|e| {
        eprintln!("{e}; traces are not exported");
        None
    });
    let installed = subscriber_with(config, std::io::stdout, traces.as_ref()).try_init().is_ok();
    if let Some(provider) = traces {
        if installed {
            if let Some(endpoint) = &config.otlp_endpoint {
                tracing::info!(%endpoint, service = %config.otel_service_name, "exporting traces (OTLP/HTTP JSON)");
            }
            let _ = TRACES.set(provider);
        } else {
            let _ = provider.shutdown();
        }
    }
}

/// Flushes the spans still queued for export and stops the exporter, within [`TRACES_SHUTDOWN_TIMEOUT`]; a no-op
/// when nothing is exported. `main` calls it before `std::process::exit`, which runs no destructors.
pub fn shutdown_tracing() {
    if let Some(provider) = TRACES.get()
        && let Err(e) = provider.shutdown_with_timeout(TRACES_SHUTDOWN_TIMEOUT)
    {
        eprintln!("trace export: the last spans may be lost: {e}");
    }
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
    fn no_endpoint_builds_no_trace_export() {
        let vars = std::collections::HashMap::from([("STORE".to_string(), "memory".to_string())]);
        let config = Config::from_vars(&vars).expect("config");
        assert!(tracer_provider(&config).expect("no error").is_none());
        // /proc/…/comm keeps 15 bytes of "OpenTelemetry.Traces.BatchProcessor".
        assert!(!threads().iter().any(|n| n.starts_with("OpenTelemetry")), "{:?}", threads());
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
