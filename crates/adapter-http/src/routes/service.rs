//! `/`, `/health`, `/ready`, `/metrics`.

use super::json;
use crate::error::ApiResult;
use crate::extract::bearer;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::Error;
use serde_json::json;

#[utoipa::path(get, path = "/", tag = "service", responses((status = 200, description = "The API is running")))]
pub async fn root() -> HttpResponse {
    json(StatusCode::OK, &json!({"status": "healthy", "message": "Hotel booking API is running"}))
}

#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, description = "Liveness")))]
pub async fn health() -> HttpResponse {
    json(StatusCode::OK, &json!({"status": "healthy"}))
}

#[utoipa::path(get, path = "/ready", tag = "service",
    responses((status = 200, description = "Database reachable and migrated"), (status = 503, description = "Database unavailable")))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.readiness.ready().await {
        json(StatusCode::OK, &json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable().content_type("application/json").body(
            serde_json::to_vec(&json!({
                "detail": "Database unavailable",
                "code": "service_unavailable",
                "request_id": crate::error::current_request_id(),
            }))
            .unwrap_or_default(),
        )
    }
}

/// Constant-time comparison of a presented token with the configured one: both are hashed first, so neither
/// their contents nor their lengths show in the time taken.
fn token_matches(presented: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(presented.as_bytes()), Sha256::digest(expected.as_bytes()));
    a.iter().zip(b.iter()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[utoipa::path(get, path = "/metrics", tag = "service", responses((status = 200, description = "Prometheus text 0.0.4")))]
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
