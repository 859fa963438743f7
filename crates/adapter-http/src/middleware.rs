//! The edge middleware: request ids, trailing slash, early 413, rate limit, CORS, security headers, metrics and
//! the access log.

use crate::error::{ApiError, REQUEST_ID, error_response};
use crate::extract::{UserId, bearer};
use crate::routes::RouteTable;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::{HttpMessage, HttpResponse, web};
use std::time::Instant;

/// Paths exempt from the general rate limit.
fn rate_exempt(path: &str) -> bool {
    matches!(path, "/" | "/health" | "/ready" | "/metrics") || path.starts_with("/webhook")
}

fn is_webhook(path: &str) -> bool {
    path == "/webhooks/stripe" || path == "/webhook/payment"
}

fn no_store(path: &str) -> bool {
    ["/auth", "/users", "/bookings", "/admin", "/payments"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

fn valid_request_id(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

pub use crate::ratelimit::RateLimiter;

/// The `method` label of the request metrics: the standard methods, anything else as `OTHER` (an extension method
/// is any token a client cares to send, and every distinct label value is a series kept forever).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

fn client_ip(req: &ServiceRequest, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    {
        return first.to_string();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Strips one trailing slash (no redirect), keeping the query string.
fn strip_trailing_slash(req: &mut ServiceRequest) {
    let path = req.path();
    if path.len() > 1 && path.ends_with('/') && !path.starts_with("/docs") {
        let trimmed = path[..path.len() - 1].to_string();
        let pq = match req.query_string() {
            "" => trimmed,
            q => format!("{trimmed}?{q}"),
        };
        if let Ok(uri) = pq.parse::<Uri>() {
            req.head_mut().uri = uri;
            let u = req.head().uri.clone();
            req.match_info_mut().get_mut().update(&u);
        }
    }
}

const EXPOSE: &str = "X-Total-Count, X-Request-Id, Retry-After, Idempotent-Replayed";

fn cors_headers(h: &mut actix_web::http::header::HeaderMap, origin: &HeaderValue) {
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE));
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The edge middleware, as an `actix_web::middleware::from_fn` function.
pub async fn edge(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| valid_request_id(s))
        .map(String::from)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    strip_trailing_slash(&mut req);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let path = req.path().to_string();
    let method = req.method().clone();
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| {
            let o = o.to_str().unwrap_or("");
            state.as_ref().is_some_and(|s| s.config.cors_origins.iter().any(|a| a == o))
        })
        .cloned();

    let early: Option<HttpResponse<BoxBody>> = REQUEST_ID
        .scope(rid.clone(), async {
            let state = state.as_ref()?;
            // CORS preflight from an allowed origin.
            if method == Method::OPTIONS
                && origin.is_some()
                && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
            {
                let mut r = HttpResponse::NoContent().finish();
                let h = r.headers_mut();
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
                );
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("Authorization, Content-Type, Idempotency-Key, X-Request-Id"),
                );
                h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
                return Some(r);
            }
            // Routing decides first (API.md §1.5): an unknown path is 404 and a known path with the wrong method
            // 405, whatever its body size or the caller's rate; those answers come from the router below.
            let routable = || match req.app_data::<web::Data<RouteTable>>().and_then(|t| t.methods(&path)) {
                Some(methods) => methods.contains(&method.as_str()),
                None => req.resource_map().has_resource(&path),
            };
            let limit =
                if is_webhook(&path) { state.config.webhook_max_body_bytes } else { state.config.max_body_bytes };
            let declared = req
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            if declared.is_some_and(|n| n > limit) && routable() {
                return Some(error_response(&ApiError::PayloadTooLarge));
            }
            if !rate_exempt(&path) && state.config.rate_limit_per_minute > 0 && routable() {
                let now = state.clock.now();
                let key = match bearer(req.request()) {
                    Ok(Some(t)) => match state.tokens.verify_access(&t, now) {
                        Ok(c) => format!("u:{}", c.user_id),
                        Err(_) => format!("ip:{}", client_ip(&req, state.config.trust_proxy)),
                    },
                    _ => format!("ip:{}", client_ip(&req, state.config.trust_proxy)),
                };
                let limiter = req.app_data::<web::Data<RateLimiter>>()?;
                if let Err(retry_after) = limiter.check(&key) {
                    return Some(error_response(&ApiError::RateLimited { retry_after }));
                }
            }
            None
        })
        .await;

    let mut res: ServiceResponse<BoxBody> = match early {
        Some(r) => req.into_response(r),
        None => REQUEST_ID.scope(rid.clone(), next.call(req)).await?.map_into_boxed_body(),
    };

    let status = res.status();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    let user_id = res.request().extensions().get::<UserId>().map(|u| u.0);
    {
        let h = res.headers_mut();
        if let Some(o) = &origin {
            cors_headers(h, o);
        }
        if let Ok(v) = HeaderValue::from_str(&rid) {
            h.insert(HeaderName::from_static("x-request-id"), v);
        }
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if no_store(&path) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if status == StatusCode::NO_CONTENT {
            h.remove(header::CONTENT_TYPE);
        }
    }
    let latency = started.elapsed();
    // Bounded label values: a method from a fixed list, the route *pattern* ("unmatched" for unknown paths), a status.
    let method_label = method_label(&method);
    metrics::counter!("http_requests_total", "method" => method_label, "route" => route.clone(), "status" => status.as_str().to_owned())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method_label, "route" => route.clone())
        .record(latency.as_secs_f64());
    tracing::info!(
        request_id = %rid,
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        user_id = user_id,
        "request"
    );
    Ok(res)
}
