//! Trace export over OTLP/HTTP JSON (`app::telemetry`) into a fake collector (wiremock), through the real wiring
//! (`app::wire`, in-memory store) and the real edge middleware: the request span continues the caller's
//! `traceparent`, a request without one starts its own trace, and the resource names the service.

use actix_web::test::{TestRequest, call_service, init_service};
use actix_web::web;
use domain::ports::SystemClock;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

/// An OTLP/HTTP collector that accepts every export.
async fn collector() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    server
}

/// Every span the collector received, with its resource's attributes.
async fn exported(server: &MockServer) -> Vec<(Value, Value)> {
    let mut spans = Vec::new();
    for req in server.received_requests().await.expect("wiremock records requests") {
        assert_eq!(req.url.path(), "/v1/traces");
        assert_eq!(req.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
        let body: Value = req.body_json().expect("an OTLP JSON body");
        for rs in body["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    spans.push((rs["resource"]["attributes"].clone(), span.clone()));
                }
            }
        }
    }
    spans
}

/// The string value of attribute `key` in an OTLP attribute list.
fn attr(attributes: &Value, key: &str) -> Option<String> {
    attributes.as_array()?.iter().find(|a| a["key"] == key)?["value"]["stringValue"].as_str().map(String::from)
}

#[actix_web::test]
async fn request_spans_are_exported_and_continue_the_callers_trace() {
    let server = collector().await;
    let endpoint = server.uri();
    let vars: HashMap<String, String> = [
        ("STORE", "memory"),
        ("JWT_SECRET", "otlp-test-secret-otlp-test-secret-0001"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ("OTEL_SERVICE_NAME", "staybook-test"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = app::Config::from_vars(&vars).unwrap();
    let provider = app::telemetry::tracer_provider(&config).unwrap().expect("an endpoint: a provider");
    let _guard =
        tracing::subscriber::set_default(app::telemetry::subscriber_with(&config, std::io::sink, Some(&provider)));
    let wired = app::wire(&config, Arc::new(SystemClock)).unwrap();
    let svc = init_service(adapter_http::build_app(
        web::Data::new(wired.state.clone()),
        web::Data::new(adapter_http::RateLimiter::new(0)),
        adapter_http::openapi(),
    ))
    .await;

    let traced = TestRequest::get().uri("/").insert_header(("traceparent", format!("00-{TRACE}-{CALLER_SPAN}-01")));
    assert_eq!(call_service(&svc, traced.to_request()).await.status(), 200);
    let untraced =
        TestRequest::get().uri("/hotels/search?city=Nowhere&check_in_date=2099-01-01&check_out_date=2099-01-02");
    call_service(&svc, untraced.to_request()).await;
    provider.force_flush().expect("the batch reaches the collector");

    let spans = exported(&server).await;
    let requests: Vec<&(Value, Value)> = spans.iter().filter(|(_, s)| s["name"] == "request").collect();
    assert_eq!(requests.len(), 2, "{spans:#?}");
    let (resource, traced) = requests
        .iter()
        .find(|(_, s)| attr(&s["attributes"], "route").as_deref() == Some("/"))
        .unwrap_or_else(|| panic!("no span of / in {spans:#?}"));
    assert_eq!(attr(resource, "service.name").as_deref(), Some("staybook-test"));
    assert_eq!(traced["traceId"], TRACE, "{traced}");
    assert_eq!(traced["parentSpanId"], CALLER_SPAN, "the request span is the caller's span's child: {traced}");
    assert!(attr(&traced["attributes"], "request_id").is_some_and(|id| !id.is_empty()), "{traced}");
    let (_, own) = requests
        .iter()
        .find(|(_, s)| attr(&s["attributes"], "route").as_deref() == Some("/hotels/search"))
        .unwrap_or_else(|| panic!("no span of the search in {spans:#?}"));
    assert_ne!(own["traceId"], TRACE, "{own}");
    assert!(own["parentSpanId"].as_str().is_none_or(str::is_empty), "a root span of its own: {own}");
    provider.shutdown().expect("first shutdown");
}
