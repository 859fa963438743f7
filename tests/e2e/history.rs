//! Audit history over HTTP (docs/EVENTS.md): a booking's events for its owner, a hotel's for its owner manager,
//! with filters, paging and the usual errors.

use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::{Value, json};

fn types(body: &Value) -> Vec<&str> {
    body.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_history_tells_each_transition_and_who_made_it() {
    let app = TestApp::spawn().await;
    let (_, hotel, room) = app.hotel(&email("m"), "Lisbon", 3, "100.00").await;
    let (uid, token, _) = app.user(&email("u")).await;
    let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(10).to_string(),
        "check_out_date": day(12).to_string()});
    let id = app.post("/bookings/init", Some(&token), body).await.body["id"].as_i64().unwrap();
    app.pay(&token, id).await;
    assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);

    let r = app.get(&format!("/bookings/{id}/history"), Some(&token)).await;
    assert_eq!(r.status, 200, "{r:?}");
    // The refund is queued by the cancel and may already have been made by the sweeper (the system's doing).
    let mut items: Vec<Value> = r.body.as_array().unwrap().clone();
    if items[0]["type"] == "booking.refund_succeeded" {
        assert_eq!(items[0]["actor"], json!({"kind": "system", "user_id": null}));
        items.remove(0);
    }
    assert_eq!(
        types(&Value::Array(items.clone())),
        [
            "booking.refund_pending",
            "booking.cancelled",
            "booking.confirmed",
            "booking.payment_started",
            "booking.guests_added",
            "booking.held"
        ]
    );
    let total: usize = r.headers["x-total-count"].to_str().unwrap().parse().unwrap();
    assert_eq!(total, r.body.as_array().unwrap().len());
    let held = &items[5];
    assert_eq!(held["actor"], json!({"kind": "user", "user_id": uid}));
    assert_eq!((held["aggregate_type"].as_str(), held["aggregate_id"].as_i64()), (Some("booking"), Some(id)));
    assert_eq!(held["hotel_id"], hotel);
    assert_eq!(held["data"]["status"], "RESERVED");
    assert_eq!(held["data"]["check_in_date"], day(10).to_string());
    assert_eq!(items[2]["actor"], json!({"kind": "provider", "user_id": null}));
    assert_eq!(items[1]["data"]["previous_status"], "CONFIRMED");
    let versions: Vec<i64> = items.iter().map(|e| e["aggregate_version"].as_i64().unwrap()).collect();
    assert!(versions.windows(2).all(|w| w[0] > w[1]), "{versions:?}");
    assert!(items.iter().all(|e| e["event_id"].as_str().is_some_and(|s| s.len() == 36)));
    let page = app.get(&format!("/bookings/{id}/history?limit=2&offset={}", total - 2), Some(&token)).await;
    assert_eq!(types(&page.body), ["booking.guests_added", "booking.held"]);

    // Someone else's booking reads as missing; no token is 401; bad paging is 422.
    let (_, other, _) = app.user(&email("o")).await;
    let r = app.get(&format!("/bookings/{id}/history"), Some(&other)).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "booking_not_found"));
    assert_eq!(app.get(&format!("/bookings/{id}/history"), None).await.status, 401);
    assert_eq!(app.get(&format!("/bookings/{id}/history?limit=0"), Some(&token)).await.status, 422);
    assert_eq!(app.get("/bookings/999999/history", Some(&token)).await.code(), "booking_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotel_history_shows_manager_changes_before_and_after_with_filters() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Porto", 3, "100.00").await;
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(json!({"name": "Renamed"}))).await;
    assert_eq!(r.status, 200, "{r:?}");
    let patch = json!({"price": "80.00", "min_stay": 2});
    let path = format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(3), day(4));
    assert_eq!(app.req(Method::PATCH, &path, Some(&mgr), Some(patch)).await.status, 200);
    let (_, guest, _) = app.user(&email("g")).await;
    let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(20).to_string(),
        "check_out_date": day(21).to_string()});
    assert_eq!(app.post("/bookings/init", Some(&guest), body).await.status, 201);

    let r = app.get(&format!("/admin/hotels/{hotel}/history"), Some(&mgr)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let all = types(&r.body);
    assert_eq!(all[0], "booking.held", "{all:?}");
    for t in
        ["hotel.created", "hotel.updated", "room.created", "rate_plan.created", "inventory.opened", "inventory.updated"]
    {
        assert!(all.contains(&t), "{t} in {all:?}");
    }
    let renamed = r.body.as_array().unwrap().iter().find(|e| e["data"]["changes"]["name"].is_object()).unwrap();
    assert_eq!(renamed["data"]["changes"]["name"], json!({"before": "Hotel Porto", "after": "Renamed"}));
    assert_eq!(renamed["actor"]["kind"], "user");

    let r = app.get(&format!("/admin/hotels/{hotel}/history?type=inventory.updated"), Some(&mgr)).await;
    assert_eq!(types(&r.body), ["inventory.updated"]);
    let d = &r.body[0]["data"];
    assert_eq!((d["first_date"].as_str(), d["nights"].as_i64()), (Some(&*day(3).to_string()), Some(2)));
    assert_eq!(d["changes"]["price"]["after"][0].as_f64(), Some(80.0));
    assert_eq!(d["changes"]["price"]["before"][0].as_f64(), Some(100.0));
    assert_eq!(d["changes"]["min_stay"]["after"][0].as_i64(), Some(2));
    let q = format!("/admin/hotels/{hotel}/history?aggregate_type=room&aggregate_id={room}");
    let r = app.get(&q, Some(&mgr)).await;
    assert!(r.body.as_array().unwrap().iter().all(|e| e["aggregate_type"] == "room" && e["aggregate_id"] == room));
    assert!(types(&r.body).contains(&"room.created"));
    let today = chrono::Utc::now().date_naive();
    let q = format!("/admin/hotels/{hotel}/history?from={}", today + chrono::Duration::days(2));
    assert_eq!(app.get(&q, Some(&mgr)).await.headers["x-total-count"], "0");

    // Errors: a bad filter, another manager, a guest, a missing hotel.
    let bad = app.get(&format!("/admin/hotels/{hotel}/history?aggregate_id=3"), Some(&mgr)).await;
    assert_eq!((bad.status.as_u16(), bad.code()), (422, "validation_error"));
    let bad = app.get(&format!("/admin/hotels/{hotel}/history?type=hotel.exploded"), Some(&mgr)).await;
    assert_eq!(bad.status, 422);
    let q = format!("/admin/hotels/{hotel}/history?from={}&to={}", day(5), day(4));
    assert_eq!(app.get(&q, Some(&mgr)).await.status, 422);
    let (other, _, _) = app.hotel(&email("m2"), "Faro", 1, "50.00").await;
    let r = app.get(&format!("/admin/hotels/{hotel}/history"), Some(&other)).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "not_owner"));
    assert_eq!(app.get(&format!("/admin/hotels/{hotel}/history"), Some(&guest)).await.code(), "forbidden");
    assert_eq!(app.get("/admin/hotels/999999/history", Some(&mgr)).await.code(), "hotel_not_found");
}
