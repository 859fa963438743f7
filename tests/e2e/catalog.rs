use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotel_crud_and_ownership_matrix() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m1"), "Rome", 5, "120.00").await;
    let (other, other_hotel, _) = app.hotel(&email("m2"), "Rome", 5, "90.00").await;
    let (_, guest, _) = app.user(&email("g")).await;

    // Guests get 403 forbidden on every admin route, before any lookup.
    for (m, p) in [
        (Method::GET, "/admin/hotels".to_string()),
        (Method::POST, "/admin/hotels".to_string()),
        (Method::GET, format!("/admin/hotels/{hotel}")),
        (Method::GET, "/admin/hotels/999999".to_string()),
        (Method::GET, format!("/admin/inventory/rooms/{room}")),
    ] {
        let r = app.req(m, &p, Some(&guest), Some(json!({}))).await;
        assert_eq!((r.status.as_u16(), r.code()), (403, "forbidden"), "{p}");
    }
    // Another manager's hotel and everything under it: 403 not_owner; missing ids: 404.
    for (m, p) in [
        (Method::GET, format!("/admin/hotels/{other_hotel}")),
        (Method::PUT, format!("/admin/hotels/{other_hotel}")),
        (Method::DELETE, format!("/admin/hotels/{other_hotel}")),
        (Method::PATCH, format!("/admin/hotels/{other_hotel}/deactivate")),
        (Method::GET, format!("/admin/hotels/{other_hotel}/rooms")),
        (Method::GET, format!("/admin/hotels/{other_hotel}/bookings")),
        (Method::GET, format!("/admin/hotels/{other_hotel}/reports")),
    ] {
        let r = app.req(m, &p, Some(&mgr), Some(json!({}))).await;
        assert_eq!((r.status.as_u16(), r.code()), (403, "not_owner"), "{p}");
        assert_eq!(r.body["detail"], "You don't own this hotel");
    }
    let r = app.get(&format!("/admin/inventory/rooms/{room}"), Some(&other)).await;
    assert_eq!(r.code(), "not_owner");
    let r = app.get("/admin/hotels/999999", Some(&mgr)).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "hotel_not_found"));
    assert_eq!(r.body["detail"], "Hotel not found with id: 999999");
    let r = app.get(&format!("/admin/hotels/{other_hotel}/rooms/{room}"), Some(&other)).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "room_not_found"), "a room through the wrong hotel");
    let r = app.get("/admin/inventory/rooms/999999", Some(&mgr)).await;
    assert_eq!(r.body["detail"], "Room not found: 999999");
    let r = app.get("/admin/hotels/0", Some(&mgr)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["loc"], json!(["path", "hotel_id"]));

    // Create validation and partial update.
    let r = app
        .post(
            "/admin/hotels",
            Some(&mgr),
            json!({"name": "", "photos": ["ftp://x"], "amenities": ["a".repeat(65)], "contact_info": {"email": "bad"}}),
        )
        .await;
    assert_eq!(r.status, 422);
    let locs: Vec<String> = r.body["errors"].as_array().unwrap().iter().map(|e| e["loc"].to_string()).collect();
    assert_eq!(locs.len(), 4, "{locs:?}");
    let r = app
        .req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(json!({"city": "Milan", "name": null, "contact_info": {"phone": "+39 1"}, "active": false, "owner_id": 5})))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (r.body["city"].as_str(), r.body["name"].as_str(), r.body["active"].as_bool()),
        (Some("Milan"), Some("Hotel Rome"), Some(true))
    );
    assert_eq!(r.body["contact_phone"], "+39 1");
    let r = app.get("/admin/hotels?limit=1", Some(&mgr)).await;
    assert_eq!(r.header("x-total-count"), Some("1"));
    let r = app.get("/admin/hotels?limit=0", Some(&mgr)).await;
    assert_eq!(r.status, 422);
    let r = app.req(Method::PATCH, &format!("/admin/hotels/{hotel}/deactivate"), Some(&mgr), None).await;
    assert_eq!((r.status.as_u16(), r.body["active"].as_bool()), (200, Some(false)));
    assert_eq!(app.get(&format!("/hotels/{hotel}/info"), None).await.code(), "hotel_not_found");
    let r = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}"), Some(&mgr), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get(&format!("/admin/hotels/{hotel}"), Some(&mgr)).await.status, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_inventory_and_propagation() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Lima", 4, "100.00").await;
    let r = app.get(&format!("/admin/inventory/rooms/{room}"), Some(&mgr)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count"), Some("365"));
    assert_eq!(r.body.as_array().unwrap().len(), 365);
    assert_eq!(r.body[0]["date"], day(0).to_string());
    let keys: Vec<&str> = r.body[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "hotel_id",
            "room_id",
            "date",
            "book_count",
            "reserved_count",
            "total_count",
            "surge_factor",
            "price",
            "city",
            "closed",
            "available_count",
            "effective_price",
            "min_stay",
            "max_stay",
            "closed_to_arrival",
            "closed_to_departure"
        ]
    );
    // Override one night's price; then a new base price reaches only the untouched nights.
    let d = day(20);
    let r = app
        .req(
            Method::PATCH,
            &format!("/admin/inventory/rooms/{room}?start_date={d}"),
            Some(&mgr),
            Some(json!({"price": "150.00", "surge_factor": 2})),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (r.body[0]["price"].as_str(), r.body[0]["surge_factor"].as_str(), r.body[0]["effective_price"].as_str()),
        (Some("150.00"), Some("2.00"), Some("300.00"))
    );
    let r = app
        .req(
            Method::PUT,
            &format!("/admin/hotels/{hotel}/rooms/{room}"),
            Some(&mgr),
            Some(json!({"base_price": 110, "total_count": 6})),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["base_price"], "110.00");
    let r = app
        .get(&format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(19), day(21)), Some(&mgr))
        .await;
    let prices: Vec<&str> = r.body.as_array().unwrap().iter().map(|n| n["price"].as_str().unwrap()).collect();
    assert_eq!(prices, ["110.00", "150.00", "110.00"]);
    assert!(r.body.as_array().unwrap().iter().all(|n| n["total_count"] == 6));

    // Validation and range errors.
    let r = app
        .req(
            Method::PATCH,
            &format!("/admin/inventory/rooms/{room}"),
            Some(&mgr),
            Some(json!({"surge_factor": "0.05", "price": "1.001"})),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2);
    let r = app
        .req(
            Method::PATCH,
            &format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(5), day(4)),
            Some(&mgr),
            Some(json!({})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_date_range"));
    assert_eq!(r.body["detail"], "End date must not be before start date");
    let r = app
        .req(
            Method::PATCH,
            &format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(0), day(366)),
            Some(&mgr),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.body["detail"], "Date range too long");

    // A hold makes lowering total_count below booked + reserved a conflict that changes nothing.
    let (_, guest, _) = app.user(&email("g")).await;
    let r = app
        .post("/bookings/init", Some(&guest), json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(30).to_string(), "check_out_date": day(32).to_string(), "rooms_count": 3}))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let r = app
        .req(
            Method::PATCH,
            &format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(29), day(31)),
            Some(&mgr),
            Some(json!({"total_count": 2, "closed": true})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "inventory_conflict"));
    assert_eq!(r.body["detail"], format!("total_count cannot be lower than booked plus reserved rooms on {}", day(30)));
    let r = app
        .get(&format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(29), day(29)), Some(&mgr))
        .await;
    assert_eq!(
        (r.body[0]["total_count"].as_i64(), r.body[0]["closed"].as_bool()),
        (Some(6), Some(false)),
        "nothing changed"
    );
    let r = app
        .req(Method::PUT, &format!("/admin/hotels/{hotel}/rooms/{room}"), Some(&mgr), Some(json!({"total_count": 2})))
        .await;
    assert_eq!(r.code(), "inventory_conflict");
    let r = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}/rooms/{room}"), Some(&mgr), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "has_active_bookings"));
    let r = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}"), Some(&mgr), None).await;
    assert_eq!(r.body["detail"], "Hotel has active bookings; deactivate it instead");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_semantics_and_hotel_info() {
    let app = TestApp::spawn().await;
    let (mgr, a, room_a) = app.hotel(&email("a"), "Kyoto", 2, "100.00").await;
    let (_, b, _) = app.hotel(&email("b"), "kyoto", 2, "80.00").await;
    let (mgr_c, c, room_c1) = app.hotel(&email("c"), "KYOTO", 1, "50.00").await;
    app.hotel(&email("d"), "Kyoto%", 2, "10.00").await;
    // Hotel C: two room types free on complementary nights only.
    let r = app
        .post(
            &format!("/admin/hotels/{c}/rooms"),
            Some(&mgr_c),
            json!({"type": "Twin", "base_price": "60.00", "total_count": 1, "capacity": 4}),
        )
        .await;
    let room_c2 = r.body["id"].as_i64().unwrap();
    let (ci, co) = (day(10), day(12));
    for (room, night) in [(room_c1, day(10)), (room_c2, day(11))] {
        let r = app
            .req(
                Method::PATCH,
                &format!("/admin/inventory/rooms/{room}?start_date={night}"),
                Some(&mgr_c),
                Some(json!({"closed": true})),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    // Hotel A: surge on the first night only → avg = (150 + 100) / 2 = 125.00
    app.req(
        Method::PATCH,
        &format!("/admin/inventory/rooms/{room_a}?start_date={ci}"),
        Some(&mgr),
        Some(json!({"surge_factor": "1.5"})),
    )
    .await;

    let r = app.get(&format!("/hotels/search?city=kyoto&check_in_date={ci}&check_out_date={co}"), None).await;
    assert_eq!(r.status, 200, "{r:?}");
    let ids: Vec<i64> = r.body.as_array().unwrap().iter().map(|h| h["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [b, a], "C (complementary nights) and the literal % hotel are not found");
    assert_eq!(r.body[1]["min_price"], "125.00");
    assert_eq!(r.header("x-total-count"), Some("2"));
    let r = app
        .get(&format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&sort=price_desc&limit=1"), None)
        .await;
    assert_eq!((r.body[0]["id"].as_i64(), r.header("x-total-count")), (Some(a), Some("2")));
    let r = app
        .get(
            &format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&min_price=90&max_price=200"),
            None,
        )
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = app.get(&format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&guests=5"), None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0, "capacity 2 × 1 room < 5 guests");
    let r =
        app.get(&format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&rooms_count=3"), None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
    // The check-out night is not required: closing it keeps A.
    app.req(
        Method::PATCH,
        &format!("/admin/inventory/rooms/{room_a}?start_date={co}"),
        Some(&mgr),
        Some(json!({"closed": true})),
    )
    .await;
    let r = app.get(&format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&sort=name"), None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    // Errors.
    let r = app.get(&format!("/hotels/search?city=Kyoto&check_in_date={co}&check_out_date={ci}"), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_date_range"));
    let r = app.get(&format!("/hotels/search?city=Kyoto&check_in_date={}&check_out_date={ci}", day(-1)), None).await;
    assert_eq!(r.code(), "date_in_past");
    let r = app.get(&format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={}", day(50)), None).await;
    assert_eq!((r.code(), r.body["detail"].as_str()), ("stay_too_long", Some("Stay cannot exceed 30 nights")));
    let r = app
        .get(&format!("/hotels/search?city=Kyoto&check_in_date={}&check_out_date={}", day(360), day(366)), None)
        .await;
    assert_eq!(r.body["detail"], "Dates are beyond the booking horizon");
    let r = app
        .get(
            &format!("/hotels/search?city=Kyoto&check_in_date={ci}&check_out_date={co}&min_price=10&max_price=5"),
            None,
        )
        .await;
    assert_eq!(r.code(), "invalid_price_range");
    let r = app.get(&format!("/hotels/search?check_in_date={ci}&check_out_date={co}&rooms_count=x"), None).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["type"].as_str()), (422, Some("missing")));

    // Hotel info: without dates nulls; with dates availability and quote.
    let r = app.get(&format!("/hotels/{a}/info"), None).await;
    assert_eq!(r.body["rooms"][0]["available"], serde_json::Value::Null);
    let r = app.get(&format!("/hotels/{a}/info?check_in_date={ci}&check_out_date={co}&rooms_count=2"), None).await;
    assert_eq!(
        (r.body["rooms"][0]["available"].as_bool(), r.body["rooms"][0]["total_price"].as_str()),
        (Some(true), Some("500.00"))
    );
    let r = app.get(&format!("/hotels/{a}/info?check_in_date={ci}"), None).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["loc"].clone()), (422, json!(["query", "check_out_date"])));
    let r = app.get(&format!("/hotels/{c}/info?check_in_date={ci}&check_out_date={co}"), None).await;
    assert!(r.body["rooms"].as_array().unwrap().iter().all(|r| r["available"] == false && r["total_price"].is_null()));
    assert_eq!(app.get("/hotels/424242/info", None).await.body["detail"], "Hotel not found");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_listing_reports_and_their_errors() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Turin", 2, "90.00").await;
    let r = app
        .post(
            &format!("/admin/hotels/{hotel}/rooms"),
            Some(&mgr),
            json!({"type": "Suite", "base_price": 250, "total_count": 1, "capacity": 4}),
        )
        .await;
    assert_eq!(r.status, 201);
    let suite = r.body["id"].as_i64().unwrap();
    let r = app.get(&format!("/admin/hotels/{hotel}/rooms?limit=1&offset=1"), Some(&mgr)).await;
    assert_eq!((r.header("x-total-count"), r.body[0]["id"].as_i64()), (Some("2"), Some(suite)));
    let r = app.get(&format!("/admin/hotels/{hotel}/rooms/{room}"), Some(&mgr)).await;
    assert_eq!((r.status.as_u16(), r.body["type"].as_str()), (200, Some("Double")));
    let r = app.get(&format!("/admin/hotels/{hotel}/rooms/999999"), Some(&mgr)).await;
    assert_eq!((r.status.as_u16(), r.body["detail"].as_str()), (404, Some("Room not found with id: 999999")));
    let r = app
        .post(
            &format!("/admin/hotels/{hotel}/rooms"),
            Some(&mgr),
            json!({"type": " ", "base_price": "0", "total_count": -1, "capacity": 21}),
        )
        .await;
    assert_eq!(r.status, 422);
    let types: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["too_short", "out_of_range", "out_of_range", "out_of_range"]);
    let r = app.req(Method::DELETE, &format!("/admin/hotels/{hotel}/rooms/{suite}"), Some(&mgr), None).await;
    assert_eq!(r.status, 204);
    assert_eq!(app.get(&format!("/admin/inventory/rooms/{suite}"), Some(&mgr)).await.status, 404);

    let r = app.get(&format!("/admin/hotels/{hotel}/reports"), Some(&mgr)).await;
    assert_eq!(r.status, 200);
    let today = day(0);
    assert_eq!(r.body["end_date"], today.to_string());
    assert!(r.body["start_date"].as_str().unwrap().ends_with("-01"));
    assert_eq!((r.body["total_revenue"].as_str(), r.body["avg_revenue"].as_str()), (Some("0.00"), Some("0.00")));
    let r =
        app.get(&format!("/admin/hotels/{hotel}/reports?start_date={}&end_date={}", day(3), day(2)), Some(&mgr)).await;
    assert_eq!(
        (r.status.as_u16(), r.code(), r.body["detail"].as_str()),
        (400, "invalid_date_range", Some("End date must not be before start date"))
    );
    let r = app.get(&format!("/admin/hotels/{hotel}/reports?start_date=2026-13-01"), Some(&mgr)).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["type"].as_str()), (422, Some("date_type")));
    let r = app.get(&format!("/admin/hotels/{hotel}/bookings?status=bogus"), Some(&mgr)).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["type"].as_str()), (422, Some("enum")));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_guests_crud_soft_delete_and_visibility() {
    let app = TestApp::spawn().await;
    let (uid, token, _) = app.user(&email("g")).await;
    let (_, other, _) = app.user(&email("o")).await;
    let r = app.post("/users/guests", Some(&token), json!({"name": "  Zoe ", "gender": "FEMALE"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body, json!({"id": r.body["id"], "user_id": uid, "name": "Zoe", "gender": "FEMALE", "age": null}));
    let id = r.body["id"].as_i64().unwrap();
    let r = app.post("/users/guests", Some(&token), json!({"name": "Al", "gender": "OTHER", "age": 151})).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["type"].as_str()), (422, Some("enum")));
    let r = app
        .req(
            Method::PUT,
            &format!("/users/guests/{id}"),
            Some(&token),
            Some(json!({"name": null, "gender": null, "age": 7})),
        )
        .await;
    assert_eq!(
        (r.body["name"].as_str(), r.body["gender"].as_str(), r.body["age"].as_i64()),
        (Some("Zoe"), Some("FEMALE"), Some(7))
    );
    let r = app.req(Method::PUT, &format!("/users/guests/{id}"), Some(&token), Some(json!({"age": null}))).await;
    assert_eq!(r.body["age"], serde_json::Value::Null);
    // Another user's guest is invisible.
    let r = app.req(Method::PUT, &format!("/users/guests/{id}"), Some(&other), Some(json!({"name": "X"}))).await;
    assert_eq!(
        (r.status.as_u16(), r.code(), r.body["detail"].as_str()),
        (404, "guest_not_found", Some(format!("Guest not found: {id}").as_str()))
    );
    assert_eq!(app.req(Method::DELETE, &format!("/users/guests/{id}"), Some(&other), None).await.status, 404);
    assert_eq!(app.get("/users/guests", Some(&token)).await.header("x-total-count"), Some("1"));
    assert_eq!(app.req(Method::DELETE, &format!("/users/guests/{id}"), Some(&token), None).await.status, 204);
    assert_eq!(app.req(Method::DELETE, &format!("/users/guests/{id}"), Some(&token), None).await.status, 404);
    let r = app.get("/users/guests", Some(&token)).await;
    assert_eq!((r.header("x-total-count"), r.body.as_array().unwrap().len()), (Some("0"), 0));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_while_the_database_is_down() {
    // A server whose database does not answer (nothing listens on that port): alive, not ready.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let vars: std::collections::HashMap<String, String> = [
        ("DATABASE_URL", format!("postgres://postgres@127.0.0.1:{dead_port}/none")),
        ("AUTO_MIGRATE", "false".into()),
        ("RUST_LOG", "error".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let running = app::start(app::Config::from_vars(&vars).unwrap(), listener).await.unwrap();
    let base = format!("http://127.0.0.1:{}", running.port);
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{base}/health")).send().await.unwrap().status(), 200);
    let res = client.get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["detail"].as_str()),
        (Some("service_unavailable"), Some("Database unavailable"))
    );
    let res = client.get(format!("{base}/hotels/1/info")).send().await.unwrap();
    assert_eq!(res.status(), 503, "a database outage is 503, never 500");
    running.server.stop(false).await;
    running.jobs.abort();
}
