use e2e::TestApp;
use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_endpoints_and_conventions() {
    let app = TestApp::spawn().await;
    let r = app.get("/", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, serde_json::json!({"status": "healthy", "message": "Hotel booking API is running"}));
    assert_eq!(app.get("/health", None).await.body["status"], "healthy");
    assert_eq!(app.get("/ready", None).await.body["status"], "ready");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.header("x-request-id").is_some_and(|v| v.len() == 36));

    // Unknown path → 404 envelope; wrong method → 405 with Allow.
    let r = app.get("/nope", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "not_found"));
    assert_eq!(r.body["detail"], "Not Found");
    assert_eq!(r.body["request_id"].as_str(), r.header("x-request-id"));
    let r = app.req(Method::DELETE, "/auth/login", None, None).await;
    assert_eq!((r.status.as_u16(), r.code()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow"), Some("POST"));

    // A valid incoming request id is echoed; an invalid one is replaced.
    let r = app.request_to(&app.base, Method::GET, "/health", None, None, &[("X-Request-Id", "abc.DEF-1_2")]).await;
    assert_eq!(r.header("x-request-id"), Some("abc.DEF-1_2"));
    let r = app.request_to(&app.base, Method::GET, "/health", None, None, &[("X-Request-Id", "bad id!")]).await;
    assert_ne!(r.header("x-request-id"), Some("bad id!"));

    // One trailing slash is ignored.
    assert_eq!(app.get("/health/", None).await.status, 200);

    // no-store on account routes.
    let r = app.get("/users/profile", None).await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));

    // Docs and OpenAPI are served locally.
    let r = app.get("/openapi.json", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(r.body["paths"]["/bookings/init"]["post"].is_object());
    assert!(r.body["components"]["securitySchemes"]["bearerAuth"].is_object());
    let r = app.get("/docs", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.as_str().unwrap().contains("swagger-ui"));
    let r = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(r.status, 200);

    // Metrics in Prometheus text.
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.as_str().unwrap().contains("http_requests_total"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limits_and_media_types() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(70_000);
    let r = app
        .request_to(
            &app.base,
            Method::POST,
            "/auth/signup",
            None,
            Some(serde_json::json!({"email": "a@b.com", "password": big})),
            &[],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (413, "payload_too_large"));
    let r = app
        .request_to(
            &app.base,
            Method::POST,
            "/no/such/route",
            None,
            Some(serde_json::json!({"x": "y".repeat(70_000)})),
            &[],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "not_found"), "routing comes before the body size");
    let res = app
        .client
        .post(format!("{}/auth/login", app.base))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = app
        .client
        .post(format!("{}/auth/login", app.base))
        .header("Content-Type", "application/json")
        .body(r#"{"email":"a@b.com","email":"b@b.com","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["type"], "json_invalid");
    // No Content-Type: parsed as JSON.
    let res = app
        .client
        .post(format!("{}/auth/login", app.base))
        .body(r#"{"email":"nobody@b.com","password":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_and_cors() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "3"), ("CORS_ORIGINS", "http://front.test")]).await;
    for _ in 0..3 {
        assert_eq!(app.get("/hotels/1/info", None).await.status, 404);
    }
    let r = app.get("/hotels/1/info", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "rate_limited"));
    assert!(r.header("retry-after").is_some());
    // Exempt paths are never limited.
    assert_eq!(app.get("/health", None).await.status, 200);

    let r = app.request_to(&app.base, Method::GET, "/health", None, None, &[("Origin", "http://front.test")]).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("http://front.test"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    let r = app.request_to(&app.base, Method::GET, "/health", None, None, &[("Origin", "http://evil.test")]).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = app
        .request_to(
            &app.base,
            Method::OPTIONS,
            "/bookings/init",
            None,
            None,
            &[("Origin", "http://front.test"), ("Access-Control-Request-Method", "POST")],
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    app.stop().await;
}
