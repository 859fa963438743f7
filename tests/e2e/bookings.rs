use e2e::{Resp, TestApp, day, email};
use reqwest::Method;
use serde_json::{Value, json};

async fn init(app: &TestApp, token: &str, hotel: i64, room: i64, ci: i64, co: i64, rooms: i64) -> Resp {
    app.post(
        "/bookings/init",
        Some(token),
        json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(ci).to_string(), "check_out_date": day(co).to_string(), "rooms_count": rooms}),
    )
    .await
}

async fn night(app: &TestApp, mgr: &str, room: i64, d: i64) -> Value {
    let r =
        app.get(&format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(d), day(d)), Some(mgr)).await;
    r.body[0].clone()
}

async fn guest(app: &TestApp, token: &str, name: &str) -> i64 {
    let r = app.post("/users/guests", Some(token), json!({"name": name, "gender": "MALE", "age": 40})).await;
    assert_eq!(r.status, 201, "{r:?}");
    r.body["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_journey_through_the_simulated_gateway() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Porto", 3, "100.00").await;
    let (uid, token, _) = app.user(&email("u")).await;
    let r = init(&app, &token, hotel, room, 5, 8, 2).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        (r.body["booking_status"].as_str(), r.body["amount"].as_str(), r.body["nights"].as_i64()),
        (Some("RESERVED"), Some("600.00"), Some(3))
    );
    assert_eq!((r.body["user_id"].as_i64(), r.body["currency"].as_str()), (Some(uid), Some("USD")));
    assert!(r.body["expires_at"].as_str().unwrap().ends_with('Z'));
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(night(&app, &mgr, room, 5).await["reserved_count"], 2);
    assert_eq!(night(&app, &mgr, room, 8).await["reserved_count"], 0, "the check-out day is not held");

    // Payments before guests → 409 with the hint.
    let r = app.post(&format!("/bookings/{id}/payments"), Some(&token), json!(null)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["detail"].as_str()),
        (409, Some("Booking cannot proceed to payment: add guests first"))
    );
    let g1 = guest(&app, &token, "Ann").await;
    let g2 = guest(&app, &token, "Ben").await;
    let r = app.post(&format!("/bookings/{id}/addGuests"), Some(&token), json!([g1, g1, g2])).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["booking_status"], "GUESTS_ADDED");
    assert_eq!(r.body["guests"].as_array().unwrap().len(), 2);
    let r = app.post(&format!("/bookings/{id}/addGuests"), Some(&token), json!([999999])).await;
    assert_eq!((r.status.as_u16(), r.body["detail"].as_str()), (404, Some("Guest not found: 999999")));

    // Checkout: the URL is stable while pending.
    let r = app.post(&format!("/bookings/{id}/payments"), Some(&token), json!(null)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let url = r.body["session_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/payments/simulated/sim_cs_", app.base)));
    let again = app.post(&format!("/bookings/{id}/payments"), Some(&token), json!(null)).await;
    assert_eq!(again.body["session_url"], url.as_str());
    let r = app.get(&format!("/bookings/{id}"), Some(&token)).await;
    assert_eq!(
        (r.body["booking_status"].as_str(), r.body["session_url"].as_str()),
        (Some("PAYMENTS_PENDING"), Some(url.as_str()))
    );
    assert_eq!((r.body["hotel_name"].as_str(), r.body["room_type"].as_str()), (Some("Hotel Porto"), Some("Double")));

    // The HTML page, then Pay.
    let sid = url.rsplit('/').next().unwrap();
    let page = app.get(&format!("/payments/simulated/{sid}"), None).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let html = page.body.as_str().unwrap();
    assert!(
        html.contains("600.00")
            && html.contains("Hotel Porto")
            && html.contains(&format!("/payments/simulated/{sid}/complete"))
    );
    let r = app.post(&format!("/payments/simulated/{sid}/complete"), None, json!(null)).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some(format!("http://localhost:3000/booking/{id}/success").as_str()));
    let r = app.post(&format!("/payments/simulated/{sid}/complete"), None, json!(null)).await;
    assert_eq!(r.status, 303, "completing twice has no further effect");
    let r = app.post(&format!("/payments/simulated/{sid}/cancel"), None, json!(null)).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "invalid_booking_state"));
    assert_eq!(app.get("/payments/simulated/sim_cs_nope", None).await.code(), "payment_session_not_found");

    let r = app.get(&format!("/bookings/{id}/status"), Some(&token)).await;
    assert_eq!(r.body, json!({"booking_status": "CONFIRMED"}));
    let n = night(&app, &mgr, room, 6).await;
    assert_eq!(
        (n["book_count"].as_i64(), n["reserved_count"].as_i64()),
        (Some(2), Some(0)),
        "reserved moved to booked once"
    );
    let r = app.get(&format!("/bookings/{id}"), Some(&token)).await;
    assert!(r.body["confirmed_at"].is_string() && r.body["expires_at"].is_null() && r.body["session_url"].is_null());

    // Lists and report.
    let r = app.get("/users/myBookings?status=CONFIRMED", Some(&token)).await;
    assert_eq!((r.body.as_array().unwrap().len(), r.header("x-total-count")), (1, Some("1")));
    let r = app.get(&format!("/admin/hotels/{hotel}/bookings"), Some(&mgr)).await;
    assert_eq!(r.body[0]["id"].as_i64(), Some(id));
    let r =
        app.get(&format!("/admin/hotels/{hotel}/reports?start_date={}&end_date={}", day(0), day(30)), Some(&mgr)).await;
    assert_eq!(
        r.body,
        json!({"hotel_id": hotel, "total_bookings": 1, "total_revenue": "600.00", "start_date": day(0).to_string(), "end_date": day(30).to_string(), "avg_revenue": "600.00",
            "net_revenue": "600.00"})
    );

    // Other users cannot see it; cancel after confirmation refunds and releases.
    let (_, stranger, _) = app.user(&email("s")).await;
    assert_eq!(app.get(&format!("/bookings/{id}"), Some(&stranger)).await.code(), "booking_not_found");
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&stranger), json!(null)).await.status, 404);
    let r = app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await;
    assert_eq!(r.status, 204, "{r:?}");
    let r = app.get(&format!("/bookings/{id}"), Some(&token)).await;
    assert_eq!(
        (r.body["booking_status"].as_str(), r.body["refund_status"].as_str()),
        (Some("CANCELLED"), Some("SUCCEEDED"))
    );
    assert_eq!(night(&app, &mgr, room, 6).await["book_count"], 0);
    let r = app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await;
    assert_eq!(
        (r.status.as_u16(), r.body["detail"].as_str()),
        (409, Some("Booking cannot be cancelled in status CANCELLED"))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_errors_in_order_and_hold_cap() {
    let app = TestApp::spawn_with(&[("MAX_ACTIVE_HOLDS_PER_USER", "2")]).await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Nice", 1, "100.00").await;
    let (_, other_hotel, other_room) = app.hotel(&email("m2"), "Nice", 5, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let r = init(&app, &token, hotel, room, 3, 3, 1).await;
    assert_eq!(r.code(), "invalid_date_range");
    let r = init(&app, &token, 999999, room, 3, 4, 1).await;
    assert_eq!((r.status.as_u16(), r.body["detail"].as_str()), (404, Some("Hotel not found: 999999")));
    let r = init(&app, &token, hotel, other_room, 3, 4, 1).await;
    assert_eq!(
        (r.status.as_u16(), r.body["detail"].as_str()),
        (404, Some(format!("Room not found: {other_room}").as_str()))
    );
    let r = init(&app, &token, hotel, room, 3, 4, 11).await;
    assert_eq!(r.status, 422);
    let r = app.post("/bookings/init", Some(&token), json!({"hotel_id": "1", "room_id": room})).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["type"].as_str()), (422, Some("int_type")));
    let r = init(&app, &token, hotel, room, 3, 4, 2).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "room_unavailable"));
    app.req(Method::PATCH, &format!("/admin/hotels/{hotel}/deactivate"), Some(&mgr), None).await;
    assert_eq!(init(&app, &token, hotel, room, 3, 4, 1).await.code(), "hotel_not_active");
    assert_eq!(init(&app, &token, other_hotel, other_room, 3, 4, 1).await.status, 201);
    assert_eq!(init(&app, &token, other_hotel, other_room, 5, 6, 1).await.status, 201);
    let r = init(&app, &token, other_hotel, other_room, 7, 8, 1).await;
    assert_eq!(
        (r.status.as_u16(), r.code(), r.body["detail"].as_str()),
        (409, "limit_exceeded", Some("Too many active holds"))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_hold_reads_expired_and_writes_get_409() {
    if e2e::memory_store() {
        eprintln!("skipped on STORE=memory: moves the hold deadline with SQL");
        return;
    }
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Bern", 1, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let id = init(&app, &token, hotel, room, 2, 4, 1).await.body["id"].as_i64().unwrap();
    // Move the deadline into the past (as if HOLD_MINUTES had elapsed).
    let store = adapter_postgres::PgStore::connect(&app.db.url, 1).unwrap();
    store
        .batch_execute(&format!("UPDATE booking SET expires_at = now() - interval '1 second' WHERE id = {id}"))
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/bookings/{id}/status"), Some(&token)).await.body["booking_status"], "EXPIRED");
    assert_eq!(night(&app, &mgr, room, 2).await["reserved_count"], 1, "not yet persisted");
    let r = app.post(&format!("/bookings/{id}/addGuests"), Some(&token), json!([1])).await;
    assert_eq!(
        (r.status.as_u16(), r.code(), r.body["detail"].as_str()),
        (409, "booking_expired", Some("Booking hold has expired"))
    );
    assert_eq!(night(&app, &mgr, room, 2).await["reserved_count"], 0, "the write persisted the expiry first");
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.code(), "booking_expired");
    let r = app.get("/users/myBookings?status=EXPIRED", Some(&token)).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    // The room is free again.
    assert_eq!(init(&app, &token, hotel, room, 2, 4, 1).await.status, 201);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweeper_expires_a_short_hold_and_frees_the_rooms() {
    let app = TestApp::spawn_with(&[("HOLD_MINUTES", "1"), ("SWEEP_INTERVAL_SECONDS", "1")]).await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Graz", 1, "100.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let id = init(&app, &token, hotel, room, 2, 3, 1).await.body["id"].as_i64().unwrap();
    assert_eq!(init(&app, &token, hotel, room, 2, 3, 1).await.code(), "room_unavailable");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(75);
    loop {
        let n = night(&app, &mgr, room, 2).await;
        if n["reserved_count"] == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "hold not released within HOLD_MINUTES + one sweep interval");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let r = app.get(&format!("/admin/hotels/{hotel}/bookings?status=EXPIRED"), Some(&mgr)).await;
    assert_eq!(r.body[0]["id"].as_i64(), Some(id));
    assert_eq!(init(&app, &token, hotel, room, 2, 3, 1).await.status, 201);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_key_replays_and_rejects_reuse() {
    let app = TestApp::spawn().await;
    let (_, hotel, room) = app.hotel(&email("m"), "Riga", 5, "70.00").await;
    let (_, token, _) = app.user(&email("u")).await;
    let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(3).to_string(), "check_out_date": day(4).to_string()});
    let first = app
        .request_to(
            &app.base,
            Method::POST,
            "/bookings/init",
            Some(&token),
            Some(body.clone()),
            &[("Idempotency-Key", "abc-1")],
        )
        .await;
    assert_eq!(first.status, 201);
    let same = app
        .request_to(&app.base, Method::POST, "/bookings/init", Some(&token), Some(json!({"check_out_date": day(4).to_string(), "room_id": room, "hotel_id": hotel, "check_in_date": day(3).to_string()})), &[("Idempotency-Key", "abc-1")])
        .await;
    assert_eq!((same.status.as_u16(), same.header("idempotent-replayed")), (201, Some("true")));
    assert_eq!(same.body, first.body);
    let r = app.get("/users/myBookings", Some(&token)).await;
    assert_eq!(r.header("x-total-count"), Some("1"), "executed once");
    let other = app
        .request_to(&app.base, Method::POST, "/bookings/init", Some(&token), Some(json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(3).to_string(), "check_out_date": day(5).to_string()})), &[("Idempotency-Key", "abc-1")])
        .await;
    assert_eq!((other.status.as_u16(), other.code()), (422, "idempotency_key_reused"));
    let bad = app
        .request_to(
            &app.base,
            Method::POST,
            "/bookings/init",
            Some(&token),
            Some(body.clone()),
            &[("Idempotency-Key", "has space")],
        )
        .await;
    assert_eq!((bad.status.as_u16(), bad.body["errors"][0]["type"].as_str()), (422, Some("header_invalid")));
    // Keys are scoped per user.
    let (_, token2, _) = app.user(&email("v")).await;
    let r = app
        .request_to(
            &app.base,
            Method::POST,
            "/bookings/init",
            Some(&token2),
            Some(body),
            &[("Idempotency-Key", "abc-1")],
        )
        .await;
    assert_eq!((r.status.as_u16(), r.header("idempotent-replayed")), (201, None));
    // Another booking's path with the same key is a reuse.
    let id = first.body["id"].as_i64().unwrap();
    let r = app
        .request_to(
            &app.base,
            Method::POST,
            &format!("/bookings/{id}/payments"),
            Some(&token),
            None,
            &[("Idempotency-Key", "abc-1")],
        )
        .await;
    assert_eq!(r.code(), "idempotency_key_reused");
    app.stop().await;
}
