//! Issue 8: hostile input, the login lockout under a burst, processing order, edge inputs and refresh reuse.

use e2e::{TestApp, day, email};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

/// 30 wrong passwords at once for one email get at most `LOGIN_MAX_FAILURES` (5) password checks; the right
/// password after the burst is locked out too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_login_burst_gets_at_most_five_password_checks() {
    let app = TestApp::spawn().await;
    let e = email("burst");
    app.user(&e).await;
    let burst = (0..30).map(|_| app.post("/auth/login", None, json!({"email": e, "password": "wrong-password"})));
    let results = join_all(burst).await;
    let checked = results.iter().filter(|r| r.status == 401).count();
    let locked = results.iter().filter(|r| r.status == 429).count();
    assert_eq!((checked, locked), (5, 25), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    for r in results.iter().filter(|r| r.status == 429) {
        assert_eq!(r.code(), "too_many_login_attempts");
        assert!(r.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|n| (1..=900).contains(&n))));
    }
    let right = app.post("/auth/login", None, json!({"email": e, "password": "password123"})).await;
    assert_eq!((right.status.as_u16(), right.code()), (429, "too_many_login_attempts"));
    app.stop().await;
}

/// The right password sent inside a burst of wrong ones never logs in once the limit is used up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_right_password_inside_a_burst_does_not_get_through_the_lock() {
    let app = TestApp::spawn().await;
    let e = email("inside");
    app.user(&e).await;
    // The limit is used up by the first five, counted before hashing; the right password comes with the rest.
    let first = (0..5).map(|_| app.post("/auth/login", None, json!({"email": e, "password": "wrong-password"})));
    assert!(join_all(first).await.iter().all(|r| r.status == 401));
    let mut burst: Vec<_> =
        (0..20).map(|_| app.post("/auth/login", None, json!({"email": e, "password": "wrong-password"}))).collect();
    burst.insert(10, app.post("/auth/login", None, json!({"email": e, "password": "password123"})));
    let results = join_all(burst).await;
    assert!(results.iter().all(|r| r.status == 429), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    app.stop().await;
}

/// API.md §1.5: authentication and role come before 415; routing (404/405) before 413 and 429.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processing_order_auth_role_media_type_routing() {
    let app = TestApp::spawn_with(&[("MAX_BODY_BYTES", "1024")]).await;
    let (_, guest, _) = app.user(&email("g")).await;
    let (mgr, _, _) = app.hotel(&email("m"), "Graz", 1, "10.00").await;
    let text = |token: Option<&str>| {
        let mut rb = app.client.post(format!("{}/admin/hotels", app.base)).header("Content-Type", "text/plain");
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        async move {
            let r = rb.body("name=x").send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap()["code"].as_str().unwrap_or("").to_string())
        }
    };
    assert_eq!(text(None).await, (401, "not_authenticated".to_string()));
    assert_eq!(text(Some(&guest)).await, (403, "forbidden".to_string()));
    assert_eq!(text(Some(&mgr)).await, (415, "unsupported_media_type".to_string()));
    // 415 before 422: a non-JSON body on a route with an invalid path id.
    let r = app
        .client
        .put(format!("{}/admin/hotels/0", app.base))
        .bearer_auth(&mgr)
        .header("Content-Type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    // Bodies over the limit: 413 only on a route that exists with that method.
    let big = "x".repeat(4096);
    let send = |m: Method, path: &str| {
        app.client
            .request(m, format!("{}{path}", app.base))
            .header("Content-Type", "application/json")
            .body(big.clone())
            .send()
    };
    assert_eq!(send(Method::POST, "/no/such/path").await.unwrap().status(), 404);
    let r = send(Method::DELETE, "/auth/login").await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers().get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    assert_eq!(send(Method::POST, "/auth/login").await.unwrap().status(), 413);
    app.stop().await;

    // Over the rate limit: unknown paths still 404 and wrong methods 405; known routes 429.
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "2")]).await;
    for _ in 0..3 {
        app.get("/hotels/1/info", None).await;
    }
    assert_eq!(app.get("/hotels/1/info", None).await.status, 429);
    let r = app.get("/definitely/unknown", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "not_found"));
    let r = app.req(Method::DELETE, "/hotels/search", None, None).await;
    assert_eq!((r.status.as_u16(), r.code()), (405, "method_not_allowed"));
    app.stop().await;
}

/// Path ids with hundreds of leading zeros and an Idempotency-Key are one key record with the plain spelling
/// (never a 500); integers beyond i64 in addGuests are 422; `/metrics` checks its token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edge_inputs_answer_the_contract_codes() {
    let app = TestApp::spawn_with(&[("METRICS_TOKEN", "metrics-secret-token")]).await;
    let (_, hotel, room) = app.hotel(&email("m"), "Bern", 2, "50.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let init = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(3).to_string(), "check_out_date": day(4).to_string()});
    let id = app.post("/bookings/init", Some(&token), init).await.body["id"].as_i64().unwrap();
    let zeros = format!("/bookings/{}{id}/payments", "0".repeat(300));
    let key = [("Idempotency-Key", "k-zeros")];
    let r = app.request_to(&app.base, Method::POST, &zeros, Some(&token), None, &key).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "invalid_booking_state"), "{r:?}");
    // The same key on the plain spelling is the same request: replayed, not a mismatch.
    let plain = format!("/bookings/{id}/payments");
    let r = app.request_to(&app.base, Method::POST, &plain, Some(&token), None, &key).await;
    assert_eq!((r.status.as_u16(), r.header("idempotent-replayed")), (409, Some("true")), "{r:?}");
    let r = app
        .request_to(
            &app.base,
            Method::POST,
            &format!("/bookings/{}/payments", "0".repeat(300)),
            Some(&token),
            None,
            &[("Idempotency-Key", "k-zero-id")],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (422, "validation_error"));

    for (body, msg) in [
        (json!([9223372036854775808u64]), "Input should be less than or equal to 9223372036854775807"),
        (json!([18446744073709551615u64]), "Input should be less than or equal to 9223372036854775807"),
    ] {
        let r = app.post(&format!("/bookings/{id}/addGuests"), Some(&token), body).await;
        assert_eq!((r.status.as_u16(), r.code()), (422, "validation_error"), "{r:?}");
        assert_eq!(r.body["errors"][0]["loc"], json!(["body", 0]));
        assert_eq!(
            (r.body["errors"][0]["type"].as_str(), r.body["errors"][0]["msg"].as_str()),
            (Some("out_of_range"), Some(msg))
        );
    }
    let huge = app
        .client
        .post(format!("{}/bookings/{id}/addGuests", app.base))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("[123456789012345678901234567890]")
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 422);

    assert_eq!(app.get("/metrics", None).await.status, 401);
    assert_eq!(app.get("/metrics", Some("metrics-secret-tokeN")).await.status, 401);
    assert_eq!(app.get("/metrics", Some("metrics-secret-token")).await.status, 200);
    app.stop().await;
}

/// Concurrent presentations of one refresh token: at most one succeeds, and afterwards every token of that
/// family, the winner's new one included, is refused (API.md §3.2: no grace period).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_of_one_token_kill_the_family() {
    let app = TestApp::spawn().await;
    let (_, _, refresh) = app.user(&email("r")).await;
    let results = join_all((0..8).map(|_| app.post("/auth/refresh", None, json!({"refresh_token": refresh})))).await;
    let ok: Vec<_> = results.iter().filter(|r| r.status == 200).collect();
    assert!(ok.len() <= 1, "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(results.iter().filter(|r| r.status != 200).all(|r| r.status == 401));
    assert!(results.iter().any(|r| r.code() == "refresh_token_reused"));
    for r in ok {
        let next = r.body["refresh_token"].as_str().unwrap();
        let again = app.post("/auth/refresh", None, json!({"refresh_token": next})).await;
        assert_eq!((again.status.as_u16(), again.code()), (401, "invalid_refresh_token"));
    }
    let again = app.post("/auth/refresh", None, json!({"refresh_token": refresh})).await;
    assert_eq!(again.status, 401);
    app.stop().await;
}
