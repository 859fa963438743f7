//! Shared state of the HTTP adapter: the use-case services and HTTP settings.

use async_trait::async_trait;
use domain::ports::{Clock, IdempotencyStore, TokenIssuer, WebhookVerifier};
use domain::services::{AuthUseCases, BookingUseCases, CatalogUseCases, CheckoutUseCases, HistoryUseCases};
use std::sync::Arc;

/// Readiness of the dependencies (`/ready`).
#[async_trait]
pub trait Readiness: Send + Sync {
    /// `true` when the primary database answers and is migrated.
    async fn ready(&self) -> bool;
    /// Pool gauges (in use, idle) for `/metrics`.
    fn pool(&self) -> (usize, usize) {
        (0, 0)
    }
    /// The read replica's state, when one serves search (`DATABASE_READ_URL`); `None` without one.
    fn read_replica(&self) -> Option<ReplicaStatus> {
        None
    }
}

/// The read replica as its lag monitor last measured it (`/ready`, `/ready/read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// Replication lag in milliseconds; `None` when the replica did not answer.
    pub lag_ms: Option<i64>,
    /// The threshold past which search leaves the replica (`REPLICA_MAX_LAG_MS`).
    pub max_lag_ms: i64,
    /// Whether search reads the replica now (answering and lag within the threshold).
    pub serving_reads: bool,
}

/// HTTP-level settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub max_body_bytes: usize,
    pub webhook_max_body_bytes: usize,
    pub cors_origins: Vec<String>,
    pub rate_limit_per_minute: u32,
    pub trust_proxy: bool,
    pub frontend_url: String,
    pub metrics_token: Option<String>,
    pub refresh_token_days: i64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: 65536,
            webhook_max_body_bytes: 512 * 1024,
            cors_origins: vec!["http://localhost:3000".into()],
            rate_limit_per_minute: 120,
            trust_proxy: false,
            frontend_url: "http://localhost:3000".into(),
            metrics_token: None,
            refresh_token_days: 7,
        }
    }
}

/// Everything the handlers need.
#[derive(Clone)]
pub struct AppState {
    /// The use cases, as traits: the services in production, generated mocks in handler tests.
    pub auth: Arc<dyn AuthUseCases>,
    pub catalog: Arc<dyn CatalogUseCases>,
    pub bookings: Arc<dyn BookingUseCases>,
    /// Audit history (docs/EVENTS.md).
    pub history: Arc<dyn HistoryUseCases>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Present only when `PAYMENT_GATEWAY=simulated`.
    pub simulated: Option<Arc<dyn CheckoutUseCases>>,
    pub webhooks: Arc<dyn WebhookVerifier>,
    pub tokens: Arc<dyn TokenIssuer>,
    pub clock: Arc<dyn Clock>,
    pub readiness: Arc<dyn Readiness>,
    pub config: Arc<HttpConfig>,
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
}
