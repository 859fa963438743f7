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
