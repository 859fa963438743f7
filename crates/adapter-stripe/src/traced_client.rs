//! `TracedStripeClient`: the HTTP transport of the Stripe gateway, an implementation of async-stripe's
//! `StripeClient` trait that sends a W3C `traceparent` header on every call.
//!
//! async-stripe 1.0.0-rc.10 has no per-request header hook (`customize()` overrides only the account id, the
//! request strategy and the timeout, and its `Client` sets a fixed list of headers in a private method), so the
//! only way to put the trace context on the wire is the trait itself. This transport does what async-stripe's
//! hyper `Client` does (`src/hyper/client.rs`: the same URI, headers, retry loop on `RequestStrategy::test` and
//! error parsing, on the same hyper/rustls stack) plus one header. When upgrading async-stripe, diff that file
//! against this one.
//!
//! The header: with the caller's trace context, `00-<its trace id>-<a new span id per call>-<its flags>`; without
//! one (a request without `traceparent`, or the sweeper's refunds), a fresh unsampled trace, so that every call
//! can be joined to our logs by whoever records it (an egress proxy, Stripe's request log).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use hyper::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::fmt::Write as _;
use std::time::Duration;
use stripe::{RequestStrategy, StripeError};
use stripe_client_core::{CustomizedStripeRequest, Outcome, StripeClient, StripeMethod};

/// The caller's trace context (from a valid incoming `traceparent`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lower-case hex digits, not all zero.
    pub trace_id: String,
    /// Trace flags (bit 0: sampled).
    pub flags: u8,
}

/// Where the gateway reads the trace context of the current request (the app wires the HTTP layer's in).
pub type TraceContextSource = fn() -> Option<TraceContext>;

/// async-stripe's own `User-Agent` (`src/hyper/client_builder.rs`).
const USER_AGENT_VALUE: &str = "Stripe/v1 RustBindings/1.0.0-rc.10";
const STRIPE_VERSION: HeaderName = HeaderName::from_static("stripe-version");
const STRIPE_ACCOUNT: HeaderName = HeaderName::from_static("stripe-account");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// A Stripe API client that sends `traceparent` (see the module doc).
#[derive(Clone)]
pub struct TracedStripeClient {
    http: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    secret: HeaderValue,
    api_base: Uri,
    default_strategy: RequestStrategy,
    trace_context: TraceContextSource,
}

impl TracedStripeClient {
    /// Builds the client (no network I/O). Fails on an invalid base URL or a key that is not a header value.
    pub fn new(
        secret_key: &str,
        api_base: &str,
        default_strategy: RequestStrategy,
        trace_context: TraceContextSource,
    ) -> Result<Self, StripeError> {
        let api_base = Uri::try_from(api_base)
            .map_err(|e| StripeError::ConfigError(format!("the Stripe API base URL is invalid: {e}")))?;
        let mut secret = HeaderValue::try_from(format!("Bearer {secret_key}"))
            .map_err(|_| StripeError::ConfigError("the Stripe secret key must be visible ASCII".into()))?;
        secret.set_sensitive(true);
        // As async-stripe's connector (rustls with the process's ring provider, webpki roots, h1 + h2).
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let http = HyperClient::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(connector);
        Ok(Self { http, secret, api_base, default_strategy, trace_context })
    }

    /// The `traceparent` of one outgoing call.
    fn traceparent(&self) -> String {
        traceparent_for((self.trace_context)())
    }

    /// Sends `req` under `strategy` (async-stripe's retry loop), returning the body of the first 2xx answer.
    async fn send(
        &self,
        req: Request<Full<Bytes>>,
        strategy: RequestStrategy,
        timeout: Option<Duration>,
    ) -> Result<Bytes, StripeError> {
        let mut tries: u32 = 0;
        let mut last_status: Option<StatusCode> = None;
        let mut last_retry: Option<bool> = None;
        let mut last_error = StripeError::ClientError("invalid strategy".into());
        loop {
            match strategy.test(last_status.map(|s| s.as_u16()), last_retry, tries) {
                Outcome::Stop => return Err(last_error),
                Outcome::Continue(Some(backoff)) => tokio::time::sleep(backoff).await,
                Outcome::Continue(None) => {}
            }
            let attempt = async {
                let res = self.http.request(req.clone()).await?;
                let status = res.status();
                let retry =
                    res.headers().get("stripe-should-retry").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
                let bytes = res.into_body().collect().await?.to_bytes();
                Ok::<_, StripeError>((status, retry, bytes))
            };
            let result = match timeout {
                Some(t) => tokio::time::timeout(t, attempt).await.unwrap_or(Err(StripeError::Timeout)),
                None => attempt.await,
            };
            tries += 1;
            let (status, retry, bytes) = match result {
                Ok(parts) => parts,
                Err(e) => {
                    tracing::debug!(error = %e, "stripe request failed");
                    last_error = e;
                    continue;
                }
            };
            if status.is_success() {
                return Ok(bytes);
            }
            last_error = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| miniserde::json::from_str::<stripe_shared::Error>(s).ok())
                .map(|e| StripeError::Stripe(e.error, status.as_u16()))
                .unwrap_or_else(|| StripeError::JSONDeserialize("error deserializing Stripe error".into()));
            last_status = Some(status);
            last_retry = retry;
        }
    }
}

/// `00-<trace id>-<new span id>-<flags>`: the caller's trace and flags, or a fresh unsampled trace.
pub fn traceparent_for(context: Option<TraceContext>) -> String {
    // A v4 UUID is never zero: its version and variant bits are set, in both halves.
    let span_id = uuid::Uuid::new_v4().as_u128() as u64;
    match context {
        Some(c) => format!("00-{}-{span_id:016x}-{:02x}", c.trace_id, c.flags),
        None => format!("00-{}-{span_id:016x}-00", uuid::Uuid::new_v4().simple()),
    }
}

fn method(m: StripeMethod) -> Method {
    match m {
        StripeMethod::Get => Method::GET,
        StripeMethod::Post => Method::POST,
        StripeMethod::Delete => Method::DELETE,
    }
}

impl StripeClient for TracedStripeClient {
    type Err = StripeError;

    #[tracing::instrument(name = "stripe_request", skip_all, fields(method, path, traceparent))]
    async fn execute(&self, req: CustomizedStripeRequest) -> Result<Bytes, StripeError> {
        let (req, config) = req.into_pieces();
        let span = tracing::Span::current();
        span.record("method", tracing::field::debug(&req.method));
        span.record("path", req.path.as_str());

        // `Uri` displays "https://api.stripe.com" as "https://api.stripe.com/", so this is right with or without
        // a trailing slash in STRIPE_API_BASE (as in async-stripe).
        let mut uri = format!("{}v1{}", self.api_base, req.path);
        if let Some(q) = &req.query {
            let _ = write!(uri, "?{q}");
        }
        let traceparent = self.traceparent();
        span.record("traceparent", traceparent.as_str());
        let mut builder = Request::builder()
            .method(method(req.method))
            .uri(uri)
            .header(AUTHORIZATION, self.secret.clone())
            .header(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE))
            .header(STRIPE_VERSION, stripe_client_core::VERSION.as_str())
            .header(TRACEPARENT, traceparent);
        if let Some(account) = &config.account_id {
            builder = builder.header(STRIPE_ACCOUNT, account.as_str());
        }
        let body = match req.body {
            Some(b) => {
                builder = builder.header(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
                Bytes::from(b)
            }
            None => Bytes::new(),
        };
        let strategy = config.request_strategy.clone().unwrap_or_else(|| self.default_strategy.clone());
        if let Some(key) = strategy.get_key() {
            builder = builder.header(IDEMPOTENCY_KEY, key.as_str());
        }
        let request = builder.body(Full::new(body))?;
        self.send(request, strategy, config.timeout).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(tp: &str) -> Vec<String> {
        tp.split('-').map(String::from).collect()
    }

    #[test]
    fn the_callers_trace_is_continued_with_a_new_span_per_call() {
        let ctx = TraceContext { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(), flags: 1 };
        let (a, b) = (parts(&traceparent_for(Some(ctx.clone()))), parts(&traceparent_for(Some(ctx))));
        assert_eq!((a[0].as_str(), a[1].as_str(), a[3].as_str()), ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01"));
        assert_eq!(a[2].len(), 16);
        assert_ne!(a[2], "0000000000000000");
        assert_ne!(a[2], b[2], "each call is its own span");
    }

    #[test]
    fn without_a_caller_trace_each_call_starts_an_unsampled_one() {
        let (a, b) = (parts(&traceparent_for(None)), parts(&traceparent_for(None)));
        assert_eq!((a[0].len(), a[1].len(), a[2].len(), a[3].as_str()), (2, 32, 16, "00"));
        assert!(a[1].bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a[1], b[1]);
    }
}
