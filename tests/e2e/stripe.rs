//! Stripe mode end to end: the real server against a fake Stripe (wiremock) and signed webhooks.

use e2e::{Resp, TestApp, day, email};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "whsec_new";

fn session_json(id: &str, expires_at: i64) -> String {
    json!({
        "id": id, "object": "checkout.session", "automatic_tax": {"enabled": false, "liability": null, "status": null},
        "created": expires_at - 1860, "custom_fields": [], "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "expires_at": expires_at, "livemode": false, "mode": "payment", "payment_method_types": ["card"],
        "payment_status": "unpaid", "shipping_options": [], "status": "open", "url": format!("https://pay.test/{id}")
    })
    .to_string()
}

/// A fake Stripe: sessions `cs_test_<n>`, expiry and refunds (refunds fail `refund_failures` times first).
async fn fake_stripe(refund_failures: usize) -> MockServer {
    let server = MockServer::start().await;
    let n = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(move |req: &Request| {
            let i = n.fetch_add(1, Ordering::SeqCst) + 1;
            let body = String::from_utf8_lossy(&req.body).to_string();
            let exp =
                body.split('&').find_map(|kv| kv.strip_prefix("expires_at=")).and_then(|v| v.parse().ok()).unwrap_or(0);
            ResponseTemplate::new(200).set_body_raw(session_json(&format!("cs_test_{i}"), exp), "application/json")
        })
        .mount(&server)
        .await;
    if refund_failures > 0 {
        Mock::given(method("POST"))
            .and(path("/v1/refunds"))
            .respond_with(
                ResponseTemplate::new(500).set_body_raw(r#"{"error":{"type":"api_error"}}"#, "application/json"),
            )
            .up_to_n_times(refund_failures as u64)
            .mount(&server)
            .await;
    }
    let refund = json!({"id": "re_1", "object": "refund", "amount": 1, "created": 1, "currency": "usd", "status": "succeeded", "metadata": {}});
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(refund.to_string(), "application/json"))
        .mount(&server)
        .await;
    server
}

async fn stripe_app(server: &MockServer, extra: &[(&str, &str)]) -> TestApp {
    let uri = server.uri();
    let mut vars = vec![
        ("PAYMENT_GATEWAY", "stripe"),
        ("STRIPE_SECRET_KEY", "sk_test_e2e"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_old,whsec_new"),
        ("STRIPE_API_BASE", uri.as_str()),
        ("MAX_ACTIVE_HOLDS_PER_USER", "0"),
    ];
    vars.extend_from_slice(extra);
    TestApp::spawn_with(&vars).await
}

/// (token, manager token, room, booking id) with the booking in GUESTS_ADDED.
async fn guests_added(app: &TestApp, total: i64) -> (String, String, i64, i64) {
    let (mgr, hotel, room) = app.hotel(&email("m"), "Vienna", total, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let r = app
        .post("/bookings/init", Some(&token), json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(5).to_string(), "check_out_date": day(7).to_string()}))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.body["id"].as_i64().unwrap();
    let g = app.post("/users/guests", Some(&token), json!({"name": "G", "gender": "FEMALE"})).await.body["id"]
        .as_i64()
        .unwrap();
    assert_eq!(app.post(&format!("/bookings/{id}/addGuests"), Some(&token), json!([g])).await.status, 200);
    (token, mgr, room, id)
}

/// (token, manager token, room, booking id, session id) with the booking in PAYMENTS_PENDING.
async fn pending(app: &TestApp, total: i64) -> (String, String, i64, i64, String) {
    let (token, mgr, room, id) = guests_added(app, total).await;
    let r = app.post(&format!("/bookings/{id}/payments"), Some(&token), json!(null)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let sid = r.body["session_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    (token, mgr, room, id, sid)
}

fn event(id: &str, kind: &str, sid: &str, booking: i64, status: &str) -> String {
    json!({"id": id, "type": kind, "data": {"object": {
        "id": sid, "object": "checkout.session", "payment_status": status, "amount_total": 20000, "currency": "usd",
        "metadata": {"booking_id": booking.to_string()}, "client_reference_id": booking.to_string(), "payment_intent": format!("pi_{sid}")
    }}})
    .to_string()
}

async fn deliver(app: &TestApp, body: &str, sig: Option<String>) -> Resp {
    let mut rb = app.client.post(format!("{}/webhooks/stripe", app.base)).body(body.to_string());
    if let Some(s) = sig {
        rb = rb.header("Stripe-Signature", s);
    }
    let res = rb.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.json::<Value>().await.unwrap_or(Value::Null);
    Resp { status, headers, body }
}

fn signed(body: &str) -> Option<String> {
    Some(adapter_stripe::sign(body.as_bytes(), SECRET, chrono::Utc::now().timestamp()))
}

async fn counts(app: &TestApp, mgr: &str, room: i64) -> (i64, i64) {
    let r =
        app.get(&format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(5), day(5)), Some(mgr)).await;
    (r.body[0]["book_count"].as_i64().unwrap(), r.body[0]["reserved_count"].as_i64().unwrap())
}

async fn status(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/bookings/{id}"), Some(token)).await.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stripe_journey_confirms_exactly_once() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, mgr, room, id, sid) = pending(&app, 2).await;
    let created = server.received_requests().await.unwrap();
    let checkout = created.iter().find(|r| r.url.path() == "/v1/checkout/sessions").unwrap();
    assert_eq!(checkout.headers.get("idempotency-key").unwrap(), &format!("booking-{id}-checkout-1"));
    assert_eq!(counts(&app, &mgr, room).await, (0, 1));

    // One event delivered three times, and five distinct paid events, all at once.
    let same = event("evt_paid_1", "checkout.session.completed", &sid, id, "paid");
    let mut bodies = vec![same.clone(), same.clone(), same];
    for i in 2..=6 {
        bodies.push(event(
            &format!("evt_paid_{i}"),
            if i % 2 == 0 { "checkout.session.completed" } else { "checkout.session.async_payment_succeeded" },
            &sid,
            id,
            "paid",
        ));
    }
    let results = join_all(bodies.iter().map(|b| deliver(&app, b, signed(b)))).await;
    assert!(results.iter().all(|r| r.status == 200 && r.body == json!({"status": "success"})), "{results:?}");
    let b = status(&app, &token, id).await;
    assert_eq!(b["booking_status"], "CONFIRMED");
    assert_eq!(counts(&app, &mgr, room).await, (1, 0), "rooms moved from reserved to booked exactly once");

    // Cancel after confirmation: a full refund through the provider with its idempotency key.
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    let b = status(&app, &token, id).await;
    assert_eq!((b["booking_status"].as_str(), b["refund_status"].as_str()), (Some("CANCELLED"), Some("SUCCEEDED")));
    let reqs = server.received_requests().await.unwrap();
    let refund = reqs.iter().find(|r| r.url.path() == "/v1/refunds").unwrap();
    assert_eq!(refund.headers.get("idempotency-key").unwrap(), &format!("refund-booking-{id}"));
    assert!(String::from_utf8_lossy(&refund.body).contains("amount=20000"));
    assert_eq!(counts(&app, &mgr, room).await, (0, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_signatures_and_payloads() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let body = event("evt_x", "payment_intent.created", "cs_none", 1, "paid");
    let now = chrono::Utc::now().timestamp();
    let ok = |secret: &str, t: i64| Some(adapter_stripe::sign(body.as_bytes(), secret, t));
    assert_eq!(deliver(&app, &body, ok("whsec_old", now)).await.status, 200, "rotated secrets both verify");
    for (sig, why) in [
        (None, "missing"),
        (Some("garbage".to_string()), "malformed"),
        (ok("whsec_wrong", now), "wrong secret"),
        (ok(SECRET, now - 330), "stale"),
        (ok(SECRET, now + 330), "future"),
    ] {
        let r = deliver(&app, &body, sig).await;
        assert_eq!(
            (r.status.as_u16(), r.code(), r.body["detail"].as_str()),
            (400, "invalid_signature", Some("Invalid signature")),
            "{why}"
        );
    }
    let tampered = body.replace("cs_none", "cs_n0ne");
    assert_eq!(deliver(&app, &tampered, ok(SECRET, now)).await.code(), "invalid_signature");
    let good = adapter_stripe::sign(body.as_bytes(), SECRET, now);
    let multi = format!("t={now},v1={},v1={}", "ab".repeat(32), good.split_once(",v1=").unwrap().1);
    assert_eq!(deliver(&app, &body, Some(multi)).await.status, 200, "one matching v1 of several is enough");
    for bad in [r#"[1,2]"#, r#"{"id":"e","type":"x"}"#, r#"{"id":5,"type":"x","data":{"object":{}}}"#, "not json"] {
        let r = deliver(&app, bad, signed(bad)).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_payload"), "{bad}");
    }
    // The alias path works too; unmatched sessions are acknowledged.
    let unmatched = event("evt_unmatched", "checkout.session.completed", "cs_unknown", 987654, "paid");
    let res = app
        .client
        .post(format!("{}/webhook/payment", app.base))
        .header("Stripe-Signature", signed(&unmatched).unwrap())
        .body(unmatched.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_async_failed_sessions_release_the_hold() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, mgr, room, id, sid) = pending(&app, 2).await;
    let b = event("evt_exp", "checkout.session.expired", &sid, id, "unpaid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    assert_eq!(status(&app, &token, id).await["booking_status"], "EXPIRED");
    assert_eq!(counts(&app, &mgr, room).await, (0, 0));

    let r = app
        .post("/bookings/init", Some(&token), json!({"hotel_id": status(&app, &token, id).await["hotel_id"], "room_id": room, "check_in_date": day(5).to_string(), "check_out_date": day(7).to_string()}))
        .await;
    let id2 = r.body["id"].as_i64().unwrap();
    let g = app.post("/users/guests", Some(&token), json!({"name": "H", "gender": "MALE"})).await.body["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/bookings/{id2}/addGuests"), Some(&token), json!([g])).await;
    let url = app.post(&format!("/bookings/{id2}/payments"), Some(&token), json!(null)).await.body["session_url"]
        .as_str()
        .unwrap()
        .to_string();
    let sid2 = url.rsplit('/').next().unwrap();
    // Completed but unpaid (asynchronous method): waits, no deadline.
    let b = event("evt_unpaid", "checkout.session.completed", sid2, id2, "unpaid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    let d = status(&app, &token, id2).await;
    assert_eq!((d["booking_status"].as_str(), d["expires_at"].is_null()), (Some("PAYMENTS_PENDING"), true));
    let b = event("evt_fail", "checkout.session.async_payment_failed", sid2, id2, "unpaid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    assert_eq!(status(&app, &token, id2).await["booking_status"], "CANCELLED");
    assert_eq!(counts(&app, &mgr, room).await, (0, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_payment_reholds_when_rooms_are_left() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, mgr, room, id, sid) = pending(&app, 2).await;
    let store = adapter_postgres::PgStore::connect(&app.db.url, 1).unwrap();
    store
        .batch_execute(&format!("UPDATE booking SET expires_at = now() - interval '1 minute' WHERE id = {id}"))
        .await
        .unwrap();
    let b = event("evt_late", "checkout.session.completed", &sid, id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    let d = status(&app, &token, id).await;
    assert_eq!(
        (d["booking_status"].as_str(), d["amount"].as_str()),
        (Some("CONFIRMED"), Some("200.00")),
        "the frozen quote"
    );
    assert_eq!(counts(&app, &mgr, room).await, (1, 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_payment_without_rooms_is_refunded_with_retries() {
    if e2e::memory_store() {
        eprintln!("skipped on STORE=memory: moves the hold deadline with SQL");
        return;
    }
    let server = fake_stripe(2).await;
    let app = stripe_app(&server, &[("SWEEP_INTERVAL_SECONDS", "1")]).await;
    let (token, mgr, room, id, sid) = pending(&app, 1).await;
    let store = adapter_postgres::PgStore::connect(&app.db.url, 1).unwrap();
    store
        .batch_execute(&format!("UPDATE booking SET expires_at = now() - interval '1 minute' WHERE id = {id}"))
        .await
        .unwrap();
    // Someone else takes the only room once the hold is released.
    let hotel = status(&app, &token, id).await["hotel_id"].as_i64().unwrap();
    let (_, other, _) = app.user(&email("o")).await;
    let mut taken = None;
    for _ in 0..40 {
        let r = app
            .post("/bookings/init", Some(&other), json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(5).to_string(), "check_out_date": day(7).to_string()}))
            .await;
        if r.status == 201 {
            taken = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(taken.is_some(), "the expired hold is released by the sweeper");
    let b = event("evt_late2", "checkout.session.completed", &sid, id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    let d = status(&app, &token, id).await;
    assert_eq!((d["booking_status"].as_str(), d["refund_status"].as_str()), (Some("CANCELLED"), Some("PENDING")));
    assert_eq!(counts(&app, &mgr, room).await, (0, 1), "the other guest's hold is untouched");
    // The provider fails twice; the sweeper retries with backoff until it accepts.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let d = status(&app, &token, id).await;
        if d["refund_status"] == "SUCCEEDED" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "refund not retried to success: {d}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let refunds = server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/v1/refunds").count();
    assert_eq!(refunds, 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_session_of_an_earlier_attempt_confirms() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(r#"{"error":{"type":"api_error"}}"#, "application/json"))
        .mount(&server)
        .await;
    let app = stripe_app(&server, &[]).await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Linz", 1, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let id = app
        .post("/bookings/init", Some(&token), json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(5).to_string(), "check_out_date": day(7).to_string()}))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let g = app.post("/users/guests", Some(&token), json!({"name": "G", "gender": "MALE"})).await.body["id"]
        .as_i64()
        .unwrap();
    app.post(&format!("/bookings/{id}/addGuests"), Some(&token), json!([g])).await;
    let r = app.req(Method::POST, &format!("/bookings/{id}/payments"), Some(&token), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (502, "payment_gateway_error"));
    assert_eq!(status(&app, &token, id).await["booking_status"], "GUESTS_ADDED", "the booking stays payable");
    // The provider had in fact created a session for that attempt, and it gets paid.
    let b = event("evt_ghost", "checkout.session.completed", "cs_ghost_attempt_1", id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    assert_eq!(status(&app, &token, id).await["booking_status"], "CONFIRMED");
    assert_eq!(counts(&app, &mgr, room).await, (1, 0));
    // A mismatched amount is never applied.
    let wrong = event("evt_wrong", "checkout.session.completed", "cs_other", id, "paid").replace("20000", "1");
    assert_eq!(deliver(&app, &wrong, signed(&wrong)).await.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_paid_session_of_a_confirmed_booking_is_refunded_on_its_own() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, mgr, room, id, sid) = pending(&app, 2).await;
    let b = event("evt_first", "checkout.session.completed", &sid, id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    let dup = event("evt_second", "checkout.session.completed", "cs_abandoned", id, "paid");
    assert_eq!(deliver(&app, &dup, signed(&dup)).await.status, 200);
    let again = event("evt_second_again", "checkout.session.async_payment_succeeded", "cs_abandoned", id, "paid");
    assert_eq!(deliver(&app, &again, signed(&again)).await.status, 200);
    let d = status(&app, &token, id).await;
    assert_eq!((d["booking_status"].as_str(), d["refund_status"].as_str()), (Some("CONFIRMED"), None));
    assert_eq!(counts(&app, &mgr, room).await, (1, 0));
    let reqs = server.received_requests().await.unwrap();
    let refunds: Vec<_> = reqs.iter().filter(|r| r.url.path() == "/v1/refunds").collect();
    assert_eq!(refunds.len(), 1, "the extra payment is refunded once");
    assert_eq!(refunds[0].headers.get("idempotency-key").unwrap(), &format!("refund-booking-{id}-cs_abandoned"));
    assert!(String::from_utf8_lossy(&refunds[0].body).contains("payment_intent=pi_cs_abandoned"));
    // Cancelling the booking later still refunds the booking's own payment under its own key.
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    let reqs = server.received_requests().await.unwrap();
    let own = reqs.iter().filter(|r| r.url.path() == "/v1/refunds").nth(1).expect("second refund");
    assert_eq!(own.headers.get("idempotency-key").unwrap(), &format!("refund-booking-{id}"));
    assert_eq!(status(&app, &token, id).await["refund_status"], "SUCCEEDED");
    app.stop().await;
}

/// Issue 8.1: forged webhooks of 400 KiB with thousands of empty `v1=` entries are refused at once, and the
/// server keeps answering `/health` meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_signature_flood_is_cheap_and_does_not_stall_the_server() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let body =
        format!(r#"{{"id":"evt_flood","type":"checkout.session.completed","pad":"{}"}}"#, "x".repeat(400 * 1024));
    let header = format!("t={}{}", chrono::Utc::now().timestamp(), ",v1=".repeat(6000));
    let started = std::time::Instant::now();
    let floods = (0..6).map(|_| {
        let (client, url, body, header) =
            (app.client.clone(), format!("{}/webhooks/stripe", app.base), body.clone(), header.clone());
        async move {
            let t = std::time::Instant::now();
            let r = client.post(url).header("Stripe-Signature", header).body(body).send().await.unwrap();
            let status = r.status().as_u16();
            let code = r.json::<Value>().await.unwrap()["code"].as_str().unwrap_or("").to_string();
            (status, code, t.elapsed())
        }
    });
    let health = async {
        let mut worst = std::time::Duration::ZERO;
        for _ in 0..10 {
            let t = std::time::Instant::now();
            assert_eq!(app.get("/health", None).await.status, 200);
            worst = worst.max(t.elapsed());
        }
        worst
    };
    let (results, worst_health) = tokio::join!(join_all(floods), health);
    for (status, code, took) in results {
        assert_eq!((status, code.as_str()), (400, "invalid_signature"));
        assert!(took < std::time::Duration::from_secs(1), "a forged webhook took {took:?}");
    }
    assert!(worst_health < std::time::Duration::from_secs(1), "/health took {worst_health:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    app.stop().await;
}

/// Issue 8.3: a room whose cancelled booking still owes a refund cannot be deleted while the provider is down;
/// the refund is retried and paid once it is back, and only then the delete goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_owed_blocks_the_room_delete_until_it_is_paid() {
    let server = fake_stripe(3).await; // the provider refuses the first three refund calls
    let app = stripe_app(&server, &[("SWEEP_INTERVAL_SECONDS", "1")]).await;
    let (token, mgr, room, id, sid) = pending(&app, 2).await;
    let b = event("evt_pay", "checkout.session.completed", &sid, id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    assert_eq!(status(&app, &token, id).await["refund_status"], "PENDING");
    let hotel = status(&app, &token, id).await["hotel_id"].as_i64().unwrap();
    let del = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}/rooms/{room}"), Some(&mgr), None).await;
    assert_eq!((del.status.as_u16(), del.code()), (409, "has_active_bookings"), "{del:?}");
    assert_eq!(del.body["detail"], "Room has bookings with refunds still owed");
    let del = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}"), Some(&mgr), None).await;
    assert_eq!((del.status.as_u16(), del.code()), (409, "has_active_bookings"), "{del:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while status(&app, &token, id).await["refund_status"] != "SUCCEEDED" {
        assert!(std::time::Instant::now() < deadline, "the refund was not retried to success");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let refunds: Vec<_> =
        server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/v1/refunds").collect();
    assert_eq!(refunds.len(), 4);
    assert!(refunds.iter().all(|r| String::from_utf8_lossy(&r.body).contains(&format!("payment_intent=pi_{sid}"))));
    let del = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}/rooms/{room}"), Some(&mgr), None).await;
    assert_eq!(del.status, 204, "{del:?}");
    app.stop().await;
}

/// Issue 8.3: paid, cancelled, then a late duplicate session paid too: both payments are refunded, each under
/// its own key and payment intent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_payments_of_a_cancelled_booking_get_two_refunds() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, _mgr, _room, id, sid) = pending(&app, 2).await;
    let b = event("evt_one", "checkout.session.completed", &sid, id, "paid");
    assert_eq!(deliver(&app, &b, signed(&b)).await.status, 200);
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    let late = event("evt_two", "checkout.session.completed", "cs_late_duplicate", id, "paid");
    assert_eq!(deliver(&app, &late, signed(&late)).await.status, 200);
    let d = status(&app, &token, id).await;
    assert_eq!((d["booking_status"].as_str(), d["refund_status"].as_str()), (Some("CANCELLED"), Some("SUCCEEDED")));
    let reqs = server.received_requests().await.unwrap();
    let refunds: Vec<(String, String)> = reqs
        .iter()
        .filter(|r| r.url.path() == "/v1/refunds")
        .map(|r| {
            let key = r.headers.get("idempotency-key").unwrap().to_str().unwrap().to_string();
            let body = String::from_utf8_lossy(&r.body).to_string();
            let pi = body.split('&').find_map(|kv| kv.strip_prefix("payment_intent=")).unwrap().to_string();
            (key, pi)
        })
        .collect();
    assert_eq!(
        refunds,
        vec![
            (format!("refund-booking-{id}"), format!("pi_{sid}")),
            (format!("refund-booking-{id}-cs_late_duplicate"), "pi_cs_late_duplicate".to_string()),
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_traceparent_reaches_stripe() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (token, _, _, id) = guests_added(&app, 2).await;
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let path = format!("/bookings/{id}/payments");
    let r = app.request_to(&app.base, Method::POST, &path, Some(&token), None, &[("traceparent", incoming)]).await;
    assert_eq!(r.status, 200, "{r:?}");
    let reqs = server.received_requests().await.unwrap();
    let checkout = reqs.iter().find(|r| r.url.path() == "/v1/checkout/sessions").unwrap();
    let sent = checkout.headers.get("traceparent").expect("traceparent sent to Stripe").to_str().unwrap();
    let parts: Vec<&str> = sent.split('-').collect();
    assert_eq!((parts[0], parts[1], parts[3]), ("00", "4bf92f3577b34da6a3ce929d0e0e4736", "01"), "{sent}");
    assert_eq!(parts[2].len(), 16);
    assert_ne!(parts[2], "00f067aa0ba902b7", "the Stripe call is a new span under the caller's");

    // A request without a traceparent still sends one: a fresh, unsampled trace of its own.
    let r = app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await;
    assert_eq!(r.status, 204, "{r:?}");
    let reqs = server.received_requests().await.unwrap();
    let expire = reqs.iter().find(|r| r.url.path().ends_with("/expire")).expect("the cancel expires the open session");
    let sent = expire.headers.get("traceparent").expect("traceparent").to_str().unwrap();
    assert!(sent.ends_with("-00") && !sent.contains("4bf92f3577b34da6a3ce929d0e0e4736"), "{sent}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_refunds_at_stripe_what_the_frozen_policy_gives_back() {
    let server = fake_stripe(0).await;
    let app = stripe_app(&server, &[]).await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Vienna", 4, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    // A hotel in Tokyo keeping a quarter after a deadline 1000 h before check-in (past for a stay in 5 days), and
    // a non-refundable rate plan on its room.
    let body = json!({"time_zone": "Asia/Tokyo", "cancellation_policy": {"type": "FREE_CANCELLATION",
        "free_cancellation_hours": 1000, "penalty": "PERCENT", "penalty_percent": "25"}});
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(body)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let plan = json!({"name": "Non-refundable", "code": "NR", "cancellation_policy": {"type": "NON_REFUNDABLE"}});
    let r = app.post(&format!("/admin/hotels/{hotel}/rooms/{room}/rate-plans"), Some(&mgr), plan).await;
    assert_eq!(r.status, 201, "{r:?}");
    let nr_plan = r.body["id"].as_i64().unwrap();
    let book_and_pay = |n: i64, rate_plan: Option<i64>| {
        let (app, token) = (&app, &token);
        async move {
            let mut body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(5).to_string(),
                "check_out_date": day(7).to_string()});
            if let Some(p) = rate_plan {
                body["rate_plan_id"] = json!(p);
            }
            let id = app.post("/bookings/init", Some(token), body).await.body["id"].as_i64().unwrap();
            let g = app.post("/users/guests", Some(token), json!({"name": "G", "gender": "FEMALE"})).await.body["id"]
                .clone();
            app.post(&format!("/bookings/{id}/addGuests"), Some(token), json!([g])).await;
            let r = app.post(&format!("/bookings/{id}/payments"), Some(token), json!(null)).await;
            let sid = r.body["session_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            let paid = event(&format!("evt_policy_{n}"), "checkout.session.completed", &sid, id, "paid");
            assert_eq!(deliver(app, &paid, signed(&paid)).await.status, 200);
            assert_eq!(status(app, token, id).await["booking_status"], "CONFIRMED");
            id
        }
    };
    let partial = book_and_pay(1, None).await;
    let kept = book_and_pay(2, Some(nr_plan)).await;

    for id in [partial, kept] {
        assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    }
    let refunds: Vec<_> =
        server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/v1/refunds").collect();
    assert_eq!(refunds.len(), 1, "the non-refundable cancel asks Stripe for nothing");
    assert_eq!(refunds[0].headers.get("idempotency-key").unwrap(), &format!("refund-booking-{partial}"));
    let form = String::from_utf8_lossy(&refunds[0].body).to_string();
    assert!(form.split('&').any(|kv| kv == "amount=15000"), "75% of 200.00 refunded: {form}");
    let b = status(&app, &token, partial).await;
    assert_eq!(
        (b["penalty_amount"].as_str(), b["refund_amount"].as_str(), b["refund_status"].as_str()),
        (Some("50.00"), Some("150.00"), Some("SUCCEEDED"))
    );
    let b = status(&app, &token, kept).await;
    assert_eq!(b["rate_plan_id"], nr_plan);
    assert_eq!(
        (b["penalty_amount"].as_str(), b["refund_amount"].as_str(), &b["refund_status"]),
        (Some("200.00"), Some("0.00"), &Value::Null)
    );
    app.stop().await;
}
