//! Log lines are tied to their request: the real wiring (`app::wire`, in-memory store, the Stripe gateway pointed
//! at a closed port) served by `actix_web::test`, with the server's own log subscriber (`LOG_FORMAT=json`)
//! writing into a buffer. An adapter's warning logged inside a request names that request's `request_id`, the
//! caller's `traceparent` trace id and the user; probes are logged at debug.

use actix_web::http::StatusCode;
use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
use actix_web::web;
use domain::ports::SystemClock;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

/// Everything the subscriber writes.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    /// The JSON lines written so far.
    fn lines(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
    }
}

/// A port nothing listens on: every Stripe call fails to connect.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn config(rust_log: &str) -> app::Config {
    let stripe = format!("http://127.0.0.1:{}", closed_port());
    let vars: HashMap<String, String> = [
        ("STORE", "memory"),
        ("JWT_SECRET", "request-logs-secret-request-logs-secret"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("PAYMENT_GATEWAY", "stripe"),
        ("STRIPE_SECRET_KEY", "sk_test_logs"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_logs"),
        ("STRIPE_API_BASE", stripe.as_str()),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", rust_log),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    app::Config::from_vars(&vars).unwrap()
}

macro_rules! service {
    ($wired:expr) => {
        init_service(adapter_http::build_app(
            web::Data::new($wired.state.clone()),
            web::Data::new(adapter_http::RateLimiter::new(0)),
            adapter_http::openapi(),
        ))
        .await
    };
}

/// Sends a JSON request; (status, body).
macro_rules! send {
    ($svc:expr, $method:ident, $path:expr, $token:expr, $body:expr, $headers:expr) => {{
        let mut req = TestRequest::$method().uri($path);
        if let Some(t) = $token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let body: Option<Value> = $body;
        if let Some(b) = body {
            req = req.set_json(b);
        }
        for (k, v) in $headers {
            req = req.insert_header((k, v));
        }
        let res = call_service(&$svc, req.to_request()).await;
        let status = res.status();
        let body: Value = if status == StatusCode::NO_CONTENT { Value::Null } else { read_body_json(res).await };
        (status, body)
    }};
}

const NO_HEADERS: [(&str, &str); 0] = [];

/// The `span` object of a line, and the request span in its `spans` list.
fn request_span(line: &Value) -> (&Value, &Value) {
    (&line["span"], root(line).unwrap_or_else(|| panic!("no request span: {line}")))
}

/// The request span of a line, if it was logged inside a request.
fn root(line: &Value) -> Option<&Value> {
    line["spans"].as_array()?.iter().find(|s| s["name"] == "request")
}

/// Whether a line was logged inside the request with id `id`.
fn of(line: &Value, id: &str) -> bool {
    root(line).is_some_and(|r| r["request_id"] == id)
}

#[actix_web::test]
async fn an_adapter_warning_inside_a_request_carries_its_request_id_trace_and_user() {
    let logs = Logs::default();
    let config = config("info");
    let _guard = tracing::subscriber::set_default(app::telemetry::subscriber(&config, logs.clone()));
    let wired = app::wire(&config, Arc::new(SystemClock)).unwrap();
    let svc = service!(wired);

    // A manager with an active hotel, and a guest with a booking in GUESTS_ADDED.
    let login = |email: &'static str| json!({"email": email, "password": "password123"});
    let (s, _) = send!(svc, post, "/auth/signup", None::<&str>, Some(login("m@logs.test")), NO_HEADERS);
    assert_eq!(s, 201);
    assert!(wired.auth.set_manager(&domain::model::Email::parse("m@logs.test").unwrap(), true).await.unwrap());
    let (_, b) = send!(svc, post, "/auth/login", None::<&str>, Some(login("m@logs.test")), NO_HEADERS);
    let mgr = b["access_token"].as_str().unwrap().to_string();
    let (s, b) =
        send!(svc, post, "/admin/hotels", Some(&mgr), Some(json!({"name": "Logs", "city": "Graz"})), NO_HEADERS);
    assert_eq!(s, 201, "{b}");
    let hotel = b["id"].as_i64().unwrap();
    let room_body = json!({"type": "Double", "base_price": "100.00", "total_count": 3, "capacity": 2});
    let (s, b) = send!(svc, post, &format!("/admin/hotels/{hotel}/rooms"), Some(&mgr), Some(room_body), NO_HEADERS);
    assert_eq!(s, 201, "{b}");
    let room = b["id"].as_i64().unwrap();
    let (s, _) = send!(svc, patch, &format!("/admin/hotels/{hotel}/activate"), Some(&mgr), None, NO_HEADERS);
    assert_eq!(s, 200);
    let (_, b) = send!(svc, post, "/auth/signup", None::<&str>, Some(login("g@logs.test")), NO_HEADERS);
    let guest_user = b["id"].as_i64().unwrap();
    let (_, b) = send!(svc, post, "/auth/login", None::<&str>, Some(login("g@logs.test")), NO_HEADERS);
    let token = b["access_token"].as_str().unwrap().to_string();
    let today = chrono::Utc::now().date_naive();
    let stay = json!({"hotel_id": hotel, "room_id": room,
        "check_in_date": (today + chrono::Duration::days(5)).to_string(),
        "check_out_date": (today + chrono::Duration::days(7)).to_string()});
    let (s, b) = send!(svc, post, "/bookings/init", Some(&token), Some(stay), NO_HEADERS);
    assert_eq!(s, 201, "{b}");
    let booking = b["id"].as_i64().unwrap();
    let (_, b) =
        send!(svc, post, "/users/guests", Some(&token), Some(json!({"name": "G", "gender": "FEMALE"})), NO_HEADERS);
    let guest = b["id"].as_i64().unwrap();
    let (s, _) =
        send!(svc, post, &format!("/bookings/{booking}/addGuests"), Some(&token), Some(json!([guest])), NO_HEADERS);
    assert_eq!(s, 200);

    // The payment: Stripe cannot be reached, adapter-stripe logs a warning, the client gets 502.
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let headers =
        [("X-Request-Id", "req-logs-1"), ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")];
    let (s, b) = send!(svc, post, &format!("/bookings/{booking}/payments"), Some(&token), None, headers);
    assert_eq!(s, 502, "{b}");
    assert_eq!(b["request_id"], "req-logs-1");

    let lines = logs.lines();
    let warning = lines
        .iter()
        .find(|l| l["target"] == "adapter_stripe::stripe_gateway" && l["level"] == "WARN")
        .unwrap_or_else(|| panic!("no adapter-stripe warning in {lines:#?}"));
    assert_eq!(warning["fields"]["operation"], "create_checkout", "{warning}");
    let (current, request) = request_span(warning);
    for span in [current, request] {
        assert_eq!(span["request_id"], "req-logs-1", "{warning}");
        assert_eq!(span["trace_id"], trace, "{warning}");
        assert_eq!(span["user_id"], guest_user, "{warning}");
        assert_eq!(span["method"], "POST", "{warning}");
        assert_eq!(span["route"], "/bookings/{booking_id}/payments", "{warning}");
    }
    // Every line of that request carries its id; the access line also the status.
    let of_request: Vec<&Value> = lines.iter().filter(|l| of(l, "req-logs-1")).collect();
    assert!(of_request.len() >= 2, "{of_request:#?}");
    let access = of_request.iter().find(|l| l["fields"]["message"] == "request").expect("access line");
    assert_eq!(access["level"], "INFO");
    assert_eq!(request_span(access).1["status"], 502, "{access}");
    assert!(access["fields"]["latency_ms"].is_number(), "{access}");
    // Lines of other requests never carry it.
    let other: Vec<&Value> = lines.iter().filter(|l| root(l).is_some() && !of(l, "req-logs-1")).collect();
    assert!(!other.is_empty() && other.iter().all(|l| request_span(l).1["trace_id"].is_null()), "{other:#?}");
}

#[actix_web::test]
async fn an_invalid_traceparent_is_ignored_and_probes_log_at_debug() {
    let logs = Logs::default();
    let config = config("info");
    let _guard = tracing::subscriber::set_default(app::telemetry::subscriber(&config, logs.clone()));
    let wired = app::wire(&config, Arc::new(SystemClock)).unwrap();
    let svc = service!(wired);

    for (i, bad) in [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "garbage",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("req-bad-{i}");
        let (s, _) = send!(
            svc,
            get,
            "/hotels/search?city=Nowhere&check_in_date=2099-01-01&check_out_date=2099-01-02",
            None::<&str>,
            None,
            [("X-Request-Id", id.as_str()), ("traceparent", bad)]
        );
        assert!(s.is_success() || s.is_client_error(), "{s}");
        let lines = logs.lines();
        let access = lines
            .iter()
            .find(|l| l["fields"]["message"] == "request" && of(l, &id))
            .unwrap_or_else(|| panic!("no access line for {id}: {lines:#?}"));
        assert!(request_span(access).1.get("trace_id").is_none(), "{bad}: {access}");
    }

    // Probes: nothing at info …
    let before = logs.lines().len();
    for path in ["/health", "/ready", "/metrics"] {
        let res = call_service(&svc, TestRequest::get().uri(path).to_request()).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }
    assert_eq!(logs.lines().len(), before, "{:#?}", &logs.lines()[before..]);
}

#[actix_web::test]
async fn probes_are_logged_at_debug() {
    let logs = Logs::default();
    let config = config("debug");
    let _guard = tracing::subscriber::set_default(app::telemetry::subscriber(&config, logs.clone()));
    let wired = app::wire(&config, Arc::new(SystemClock)).unwrap();
    let svc = service!(wired);
    let res =
        call_service(&svc, TestRequest::get().uri("/health").insert_header(("X-Request-Id", "probe-1")).to_request())
            .await;
    assert_eq!(res.status(), 200);
    let lines = logs.lines();
    let access = lines
        .iter()
        .find(|l| l["fields"]["message"] == "request" && of(l, "probe-1"))
        .unwrap_or_else(|| panic!("no access line: {lines:#?}"));
    assert_eq!(access["level"], "DEBUG", "{access}");
    assert_eq!(request_span(access).1["route"], "/health");
}
