//! `/`, `/health`, `/ready`, `/metrics`.

use super::json;
use crate::dto::{HealthResponse, RootResponse};
use crate::error::{ApiResult, ErrorResponse};
use crate::extract::bearer;
use crate::openapi::{Internal, PayloadTooLarge};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;

#[utoipa::path(get, path = "/", tag = "service", operation_id = "root",
    responses((status = 200, description = "The API is running", body = RootResponse), PayloadTooLarge, Internal))]
pub async fn root() -> HttpResponse {
    json(StatusCode::OK, &RootResponse { status: "healthy", message: "Hotel booking API is running" })
}

#[utoipa::path(get, path = "/health", tag = "service", operation_id = "health",
    responses((status = 200, description = "Liveness (touches no dependency)", body = HealthResponse),
        PayloadTooLarge, Internal))]
pub async fn health() -> HttpResponse {
    json(StatusCode::OK, &HealthResponse { status: "healthy" })
}

#[utoipa::path(get, path = "/ready", tag = "service", operation_id = "ready",
    responses(
        (status = 200, description = "The primary database answers within 2 s and is migrated (`status: ready`)",
            body = HealthResponse),
        (status = 503, description = "`service_unavailable`: \"Database unavailable\"", body = ErrorResponse),
        PayloadTooLarge, Internal,
    ))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.readiness.ready().await {
        json(StatusCode::OK, &HealthResponse { status: "ready" })
    } else {
        let body = ErrorResponse {
            detail: "Database unavailable".into(),
            code: "service_unavailable",
            request_id: crate::error::current_request_id(),
            errors: None,
        };
        json(StatusCode::SERVICE_UNAVAILABLE, &body)
    }
}

/// Constant-time comparison of a presented token with the configured one: both are hashed first, so neither
/// their contents nor their lengths show in the time taken.
fn token_matches(presented: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(presented.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[utoipa::path(get, path = "/metrics", tag = "service", operation_id = "metrics",
    security((), ("bearerAuth" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4",
            body = String),
        (status = 401, description = "`not_authenticated`: `METRICS_TOKEN` is set and the bearer token is not it",
            body = ErrorResponse, headers(("WWW-Authenticate" = String))),
        PayloadTooLarge, Internal,
    ))]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    if let Some(token) = &state.config.metrics_token {
        match bearer(&req) {
            Ok(Some(t)) if token_matches(&t, token) => {}
            _ => return Err(Error::NotAuthenticated.into()),
        }
    }
    let (in_use, idle) = state.readiness.pool();
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(in_use as f64);
    metrics::gauge!("db_pool_connections", "state" => "idle").set(idle as f64);
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body))
}

#[cfg(test)]
mod tests {
    #[test]
    fn metrics_token_comparison() {
        assert!(super::token_matches("s3cret-token", "s3cret-token"));
        for wrong in ["s3cret-tokeN", "s3cret-toke", "", "s3cret-token "] {
            assert!(!super::token_matches(wrong, "s3cret-token"), "{wrong}");
        }
    }
}
