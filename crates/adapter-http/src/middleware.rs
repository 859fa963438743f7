//! The edge middleware: request ids, trailing slash, early 413, rate limit, CORS, security headers, metrics and
//! the access log.

use crate::error::{ApiError, REQUEST_ID, error_response};
use crate::extract::bearer;
use crate::routes::RouteTable;
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::{HttpResponse, web};
use std::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

/// Paths exempt from the general rate limit.
fn rate_exempt(path: &str) -> bool {
    matches!(path, "/" | "/health" | "/ready" | "/ready/read" | "/metrics") || path.starts_with("/webhook")
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

/// Probes and scrapes: their access lines are logged at debug, not info (they arrive every few seconds).
fn is_probe(path: &str) -> bool {
    matches!(path, "/health" | "/ready" | "/ready/read" | "/metrics")
}

/// A valid W3C `traceparent` header (Trace Context level 1, version `00`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceParent {
    /// 32 lower-case hex digits, not all zero.
    pub trace_id: String,
    /// The caller's span: 16 lower-case hex digits, not all zero.
    pub parent_id: String,
    /// The trace flags (bit 0: sampled).
    pub flags: u8,
}

tokio::task_local! {
    /// The valid W3C trace context the caller sent with the request being served.
    static TRACE_PARENT: Option<TraceParent>;
}

/// The trace context of the request being served: `None` outside a request or when the caller sent no valid
/// `traceparent`. Outgoing calls (the Stripe gateway) continue this trace.
pub fn current_traceparent() -> Option<TraceParent> {
    TRACE_PARENT.try_with(|t| t.clone()).ok().flatten()
}

/// What the server does with a caller's valid `traceparent` besides recording its trace id: the app installs one
/// when it exports traces (OpenTelemetry) to make the `request` span a child of the caller's span. It is called
/// right after the span is created, before the span is first entered.
pub type TraceParentHook = fn(&tracing::Span, &TraceParent);

static TRACE_PARENT_HOOK: std::sync::OnceLock<TraceParentHook> = std::sync::OnceLock::new();

/// Installs the `traceparent` hook of this process; `false` (and no change) when one is already installed.
pub fn set_trace_parent_hook(hook: TraceParentHook) -> bool {
    TRACE_PARENT_HOOK.set(hook).is_ok()
}

/// Parses `00-<32 hex>-<16 hex>-<2 hex>` (lower-case hex, ids not all zero, as the W3C spec requires); `None` for
/// anything else, which the edge then ignores (a malformed header never fails a request).
pub fn parse_traceparent(value: &str) -> Option<TraceParent> {
    let hex =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let mut parts = value.trim().split('-');
    let (version, trace_id, parent_id, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || version != "00" || !hex(trace_id, 32) || !hex(parent_id, 16) || !hex(flags, 2) {
        return None;
    }
    if trace_id.bytes().all(|b| b == b'0') || parent_id.bytes().all(|b| b == b'0') {
        return None;
    }
    Some(TraceParent {
        trace_id: trace_id.to_string(),
        parent_id: parent_id.to_string(),
        flags: u8::from_str_radix(flags, 16).ok()?,
    })
}

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
    let varies = h
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|f| f.trim().eq_ignore_ascii_case("origin") || f.trim() == "*"));
    if !varies {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// The edge middleware, as an `actix_web::middleware::from_fn` function.
///
/// Everything the request does runs inside one root span, `request`, with `request_id`, `method`, `route` and,
/// when the caller sent a valid `traceparent`, `trace_id`; `user_id` (recorded by the auth extractor) and `status`
/// are recorded on it once known. Every event logged during the request (the adapters' warnings included)
/// therefore carries them: the JSON formatter prints the span's fields on each line.
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
    // `match_pattern` falls back to the resource map before routing, so the route is known up front.
    let route_hint = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!(
        "request",
        request_id = %rid,
        method = %method,
        route = %route_hint,
        trace_id = Empty,
        user_id = Empty,
        status = Empty,
    );
    let trace = req.headers().get("traceparent").and_then(|v| v.to_str().ok()).and_then(parse_traceparent);
    if let Some(tp) = &trace {
        span.record("trace_id", tp.trace_id.as_str());
        // Before the span is first entered: a parent can only be set then.
        if let Some(hook) = TRACE_PARENT_HOOK.get() {
            hook(&span, tp);
        }
    }

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
        .instrument(span.clone())
        .await;

    let mut res: ServiceResponse<BoxBody> = match early {
        Some(r) => req.into_response(r),
        None => TRACE_PARENT
            .scope(trace, REQUEST_ID.scope(rid.clone(), next.call(req)))
            .instrument(span.clone())
            .await?
            .map_into_boxed_body(),
    };

    let status = res.status();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
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
    if route != route_hint {
        span.record("route", route.as_str());
    }
    span.record("status", status.as_u16());
    // The access line: its request span supplies request_id, method, route, trace_id, status and user_id (which
    // the auth extractor `crate::extract::AuthUser` records).
    let _entered = span.enter();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if is_probe(&path) {
        tracing::debug!(latency_ms, "request");
    } else {
        tracing::info!(latency_ms, "request");
    }
    Ok(res)
}

#[cfg(test)]
mod trace_tests {
    use super::*;

    #[test]
    fn traceparent_is_parsed_when_valid_only() {
        let tp = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assert_eq!(
            tp,
            Some(TraceParent {
                trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
                parent_id: "00f067aa0ba902b7".into(),
                flags: 1
            })
        );
        for bad in [
            "",
            "garbage",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn probes_are_the_three_service_routes() {
        assert!(is_probe("/health") && is_probe("/ready") && is_probe("/ready/read") && is_probe("/metrics"));
        assert!(!is_probe("/") && !is_probe("/hotels/search") && !is_probe("/healthz"));
    }
}
