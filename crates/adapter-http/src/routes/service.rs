//! `/`, `/health`, `/ready`, `/ready/read`, `/metrics`.

use super::json;
use crate::dto::{HealthResponse, ReadReplicaResponse, ReadyResponse, RootResponse};
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
        (status = 200, description = "The primary database answers within 2 s and is migrated (`status: ready`). \
            With a read replica configured (`DATABASE_READ_URL`), `read_replica` reports its lag; a lagging replica \
            never makes this probe fail (see `/ready/read`).", body = ReadyResponse),
        (status = 503, description = "`service_unavailable`: \"Database unavailable\"", body = ErrorResponse),
        PayloadTooLarge, Internal,
    ))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.readiness.ready().await {
        json(StatusCode::OK, &ready_body(&state))
    } else {
        unavailable("Database unavailable")
    }
}

#[utoipa::path(get, path = "/ready/read", tag = "service", operation_id = "ready_read",
    responses(
        (status = 200, description = "The read path is ready: search reads the read replica, which answers within \
            `REPLICA_MAX_LAG_MS` of the primary; without a read replica, the same check as `/ready`.",
            body = ReadyResponse),
        (status = 503, description = "`service_unavailable`: \"Read replica lagging\" (the replica is past \
            `REPLICA_MAX_LAG_MS` or does not answer; search meanwhile reads the primary), or \"Database unavailable\" \
            (no read replica and the primary is down)", body = ErrorResponse),
        PayloadTooLarge, Internal,
    ))]
pub async fn ready_read(state: web::Data<AppState>) -> HttpResponse {
    match state.readiness.read_replica() {
        Some(r) if r.serving_reads => json(StatusCode::OK, &ready_body(&state)),
        Some(_) => unavailable("Read replica lagging"),
        None => ready(state).await,
    }
}

fn ready_body(state: &AppState) -> ReadyResponse {
    let read_replica = state.readiness.read_replica().map(|r| ReadReplicaResponse {
        lag_ms: r.lag_ms,
        max_lag_ms: r.max_lag_ms,
        serving_reads: r.serving_reads,
    });
    ReadyResponse { status: "ready", read_replica }
}

fn unavailable(detail: &str) -> HttpResponse {
    let body = ErrorResponse {
        detail: detail.into(),
        code: "service_unavailable",
        request_id: crate::error::current_request_id(),
        errors: None,
    };
    json(StatusCode::SERVICE_UNAVAILABLE, &body)
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
