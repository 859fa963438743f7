//! StripeGateway against a local fake Stripe (wiremock): request shape, idempotency keys, error translation and
//! the circuit breaker.

use adapter_stripe::{StripeGateway, StripeSettings, TraceContext, TraceContextSource};
use chrono::{TimeZone, Utc};
use domain::model::{Currency, Money};
use domain::ports::{CheckoutRequest, PaymentError, PaymentGateway, RefundRequest};
use std::time::Duration;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A complete Checkout Session object as Stripe returns it (every non-optional field present).
pub fn session_json(id: &str, expires_at: i64) -> String {
    serde_json::json!({
        "id": id, "object": "checkout.session", "automatic_tax": {"enabled": false, "liability": null, "status": null},
        "created": expires_at - 1860, "custom_fields": [], "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "expires_at": expires_at, "livemode": false, "mode": "payment", "payment_method_types": ["card"],
        "payment_status": "unpaid", "shipping_options": [], "status": "open",
        "url": format!("https://checkout.stripe.test/c/pay/{id}"), "amount_total": 12345, "currency": "usd",
        "metadata": {"booking_id": "42"}, "client_reference_id": "42"
    })
    .to_string()
}

fn gateway(base: &str, cool_down: Duration) -> StripeGateway {
    traced_gateway(base, cool_down, || None)
}

fn traced_gateway(base: &str, cool_down: Duration, trace_context: TraceContextSource) -> StripeGateway {
    StripeGateway::new(StripeSettings {
        secret_key: "sk_test_123".into(),
        api_base: base.into(),
        frontend_url: "http://front.test".into(),
        breaker_threshold: 5,
        breaker_cool_down: cool_down,
        trace_context,
    })
    .unwrap()
}

fn checkout(key: &str) -> CheckoutRequest {
    CheckoutRequest {
        booking_id: domain::model::BookingId(42),
        amount: Money::from_minor(12345),
        currency: Currency::parse("USD").unwrap(),
        check_in_date: "2027-01-10".parse().unwrap(),
        check_out_date: "2027-01-13".parse().unwrap(),
        customer_email: "guest@example.com".into(),
        hotel_name: "Hotel".into(),
        expires_at: Utc.timestamp_opt(1_900_000_000, 0).unwrap(),
        idempotency_key: key.into(),
    }
}

fn decoded(req: &Request) -> String {
    let raw = String::from_utf8_lossy(&req.body).to_string();
    raw.split('&')
        .map(|kv| {
            let kv = kv.replace('+', " ");
            let mut out = Vec::new();
            let b = kv.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' && i + 2 < b.len() {
                    out.push(u8::from_str_radix(&kv[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn creates_a_checkout_session_with_the_contract_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header("Idempotency-Key", "booking-42-checkout-1"))
        .and(header("Authorization", "Bearer sk_test_123"))
        .and(body_string_contains("mode=payment"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(session_json("cs_test_1", 1_900_000_000), "application/json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_secs(30));
    let s = g.create_checkout(checkout("booking-42-checkout-1")).await.unwrap();
    assert_eq!(s.id, "cs_test_1");
    assert_eq!(s.url, "https://checkout.stripe.test/c/pay/cs_test_1");
    assert_eq!(s.expires_at.timestamp(), 1_900_000_000);
    let reqs = server.received_requests().await.unwrap();
    let form = decoded(&reqs[0]);
    for field in [
        "mode=payment",
        "line_items[0][quantity]=1",
        "line_items[0][price_data][currency]=usd",
        "line_items[0][price_data][unit_amount]=12345",
        "line_items[0][price_data][product_data][name]=Booking #42",
        "line_items[0][price_data][product_data][description]=Room booking from 2027-01-10 to 2027-01-13",
        "success_url=http://front.test/booking/42/success",
        "cancel_url=http://front.test/booking/42/cancel",
        "metadata[booking_id]=42",
        "client_reference_id=42",
        "customer_email=guest@example.com",
        "expires_at=1900000000",
        "allowed_payment_method_types[0]=card",
    ] {
        assert!(form.split('&').any(|kv| kv == field), "missing {field} in {form}");
    }
}

/// The parts of a `traceparent` header, checked for the W3C shape.
fn traceparent(req: &Request) -> Vec<String> {
    let tp = req.headers.get("traceparent").expect("a traceparent header").to_str().unwrap().to_string();
    let parts: Vec<String> = tp.split('-').map(String::from).collect();
    let hex = |s: &str| s.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
    assert!(parts.len() == 4 && parts.iter().all(|p| hex(p)), "{tp}");
    assert_eq!((parts[0].len(), parts[1].len(), parts[2].len(), parts[3].len()), (2, 32, 16, 2), "{tp}");
    assert_ne!(parts[2], "0000000000000000", "{tp}");
    parts
}

#[tokio::test]
async fn every_call_carries_the_callers_trace_with_its_own_span_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(session_json("cs_test_1", 1_900_000_000), "application/json"),
        )
        .mount(&server)
        .await;
    let g = traced_gateway(&server.uri(), Duration::from_secs(30), || {
        Some(TraceContext { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(), flags: 1 })
    });
    g.create_checkout(checkout("booking-42-checkout-1")).await.unwrap();
    g.create_checkout(checkout("booking-42-checkout-2")).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    let (a, b) = (traceparent(&reqs[0]), traceparent(&reqs[1]));
    assert_eq!((a[0].as_str(), a[1].as_str(), a[3].as_str()), ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01"));
    assert_eq!(a[1], b[1], "one trace");
    assert_ne!(a[2], b[2], "a new span per call");
    // The rest of what async-stripe's own client sends is unchanged.
    assert_eq!(reqs[0].headers.get("idempotency-key").unwrap(), "booking-42-checkout-1");
    assert_eq!(reqs[0].headers.get("authorization").unwrap(), "Bearer sk_test_123");
    assert!(reqs[0].headers.get("stripe-version").is_some_and(|v| !v.is_empty()));
    assert_eq!(reqs[0].headers.get("content-type").unwrap(), "application/x-www-form-urlencoded");

    // Outside a traced request (the sweeper), each call starts its own unsampled trace.
    let untraced = gateway(&server.uri(), Duration::from_secs(30));
    untraced.create_checkout(checkout("booking-42-checkout-3")).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    let c = traceparent(&reqs[2]);
    assert_eq!(c[3], "00");
    assert_ne!(c[1], a[1]);
}

#[tokio::test]
async fn card_errors_are_declined_and_server_errors_retryable() {
    let server = MockServer::start().await;
    let card_error = serde_json::json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}});
    Mock::given(path("/v1/refunds"))
        .and(header("Idempotency-Key", "refund-booking-7"))
        .respond_with(ResponseTemplate::new(402).set_body_raw(card_error.to_string(), "application/json"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_raw(r#"{"error":{"type":"api_error","message":"boom"}}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_secs(30));
    let refund = RefundRequest {
        booking_id: domain::model::BookingId(7),
        payment_intent: Some("pi_1".into()),
        session_id: None,
        amount: Money::from_minor(500),
        idempotency_key: "refund-booking-7".into(),
    };
    assert!(matches!(g.refund(refund).await, Err(PaymentError::Declined(_))));
    assert!(matches!(g.create_checkout(checkout("k")).await, Err(PaymentError::Retryable(_))));
}

#[tokio::test]
async fn timeouts_are_retryable() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(session_json("cs_slow", 1_900_000_000), "application/json")
                .set_delay(Duration::from_secs(11)),
        )
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_secs(30));
    let started = std::time::Instant::now();
    assert!(matches!(g.create_checkout(checkout("k")).await, Err(PaymentError::Retryable(_))));
    assert!(started.elapsed() < Duration::from_secs(11), "gave up at the 10 s timeout");
}

#[tokio::test]
async fn the_breaker_opens_after_five_failures_and_recovers() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(r#"{"error":{"type":"api_error"}}"#, "application/json"))
        .up_to_n_times(5)
        .mount(&server)
        .await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(session_json("cs_ok", 1_900_000_000), "application/json"))
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_millis(300));
    for _ in 0..5 {
        assert!(g.create_checkout(checkout("k")).await.is_err());
    }
    assert!(g.breaker().is_open());
    // While open: refused at once, without calling the provider.
    let before = server.received_requests().await.unwrap().len();
    let started = std::time::Instant::now();
    assert!(matches!(g.create_checkout(checkout("k")).await, Err(PaymentError::Retryable(m)) if m == "circuit open"));
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(server.received_requests().await.unwrap().len(), before);
    // Half-open after the cool-down: one trial succeeds and closes it.
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(g.create_checkout(checkout("k")).await.unwrap().id, "cs_ok");
    assert!(!g.breaker().is_open());
}

/// A half-open trial whose caller goes away (its future dropped mid-call) frees the trial slot: the next call
/// is the trial, and the breaker closes when it succeeds.
#[tokio::test]
async fn a_dropped_trial_does_not_keep_the_breaker_open() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(503).set_body_raw(r#"{"error":{"type":"api_error"}}"#, "application/json"))
        .up_to_n_times(5)
        .mount(&server)
        .await;
    // The trial: the provider hangs, and the caller gives up long before the 10 s call timeout.
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(session_json("cs_slow", 1_900_000_000), "application/json")
                .set_delay(Duration::from_secs(5)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(session_json("cs_ok", 1_900_000_000), "application/json"))
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_millis(200));
    for _ in 0..5 {
        assert!(g.create_checkout(checkout("k")).await.is_err());
    }
    assert!(g.breaker().is_open());
    tokio::time::sleep(Duration::from_millis(250)).await;
    let dropped = tokio::time::timeout(Duration::from_millis(300), g.create_checkout(checkout("k"))).await;
    assert!(dropped.is_err(), "the trial was cancelled by its caller");
    // Not stuck: the next call is let through as the new trial and closes the breaker.
    let next = g.create_checkout(checkout("k")).await;
    assert_eq!(next.unwrap().id, "cs_ok");
    assert!(!g.breaker().is_open());
}

/// The same checkout request sent twice (a retry under one idempotency key) produces byte-identical form
/// bodies and the same key: Stripe answers a key reused with other parameters with an error.
#[tokio::test]
async fn a_retried_checkout_sends_byte_identical_parameters() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(session_json("cs_1", 1_900_000_000), "application/json"))
        .mount(&server)
        .await;
    let g = gateway(&server.uri(), Duration::from_secs(30));
    g.create_checkout(checkout("booking-42-checkout-1")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // a later second: nothing may depend on the clock
    g.create_checkout(checkout("booking-42-checkout-1")).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body, reqs[1].body, "{} vs {}", decoded(&reqs[0]), decoded(&reqs[1]));
    let key = |r: &Request| r.headers.get("Idempotency-Key").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(key(&reqs[0]), Some("booking-42-checkout-1".into()));
    assert_eq!(key(&reqs[0]), key(&reqs[1]));
    assert!(decoded(&reqs[0]).contains("expires_at=1900000000"));
}

/// `payment_circuit_open` follows the breaker: 0 when built, 1 once it opens, 0 again after a successful trial.
#[test]
fn the_breaker_state_is_exported_as_a_gauge() {
    use adapter_stripe::CircuitBreaker;
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let gauge =
        || handle.render().lines().find_map(|l| l.strip_prefix("payment_circuit_open ").map(str::to_string)).unwrap();
    metrics::with_local_recorder(&recorder, || {
        let breaker = CircuitBreaker::new(2, Duration::from_millis(50));
        assert_eq!(gauge(), "0");
        breaker.allow().unwrap().record(true);
        assert_eq!(gauge(), "0", "one failure of two");
        breaker.allow().unwrap().record(true);
        assert_eq!(gauge(), "1", "open");
        assert!(breaker.allow().is_none());
        std::thread::sleep(Duration::from_millis(60));
        let trial = breaker.allow().expect("half-open: one trial");
        assert_eq!(gauge(), "1", "still open while the trial runs");
        trial.record(false);
        assert_eq!(gauge(), "0", "closed after a successful trial");
    });
}
