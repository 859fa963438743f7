//! Hotel local settings and cancellation policies over HTTP (docs/HOTEL-POLICIES.md): validation, defaults,
//! the hotel's local date, and cancels that refund by the frozen policy.

use chrono::{Duration, Utc};
use domain::model::TimeZone;
use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::{Value, json};

/// A manager token and an active hotel with one room (100.00, 5 rooms) created with `settings`.
async fn hotel_with(app: &TestApp, settings: Value) -> (String, i64, i64) {
    let m = email("m");
    app.user(&m).await;
    app.grant_manager(&m).await;
    let token =
        app.post("/auth/login", None, json!({"email": m, "password": "password123"})).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_string();
    let mut body = json!({"name": "Hotel Local", "city": "Anywhere"});
    body.as_object_mut().unwrap().extend(settings.as_object().unwrap().clone());
    let r = app.post("/admin/hotels", Some(&token), body).await;
    assert_eq!(r.status, 201, "{r:?}");
    let hotel = r.body["id"].as_i64().unwrap();
    let room = json!({"type": "Double", "base_price": "100.00", "total_count": 5, "capacity": 2});
    let r = app.post(&format!("/admin/hotels/{hotel}/rooms"), Some(&token), room).await;
    assert_eq!(r.status, 201, "{r:?}");
    let room = r.body["id"].as_i64().unwrap();
    let r = app.req(Method::PATCH, &format!("/admin/hotels/{hotel}/activate"), Some(&token), None).await;
    assert_eq!(r.status, 200, "{r:?}");
    (token, hotel, room)
}

fn set_policy(policy: Value) -> Value {
    json!({"cancellation_policy": policy})
}

/// Holds, adds a guest and pays through the simulated page: a CONFIRMED booking id.
async fn confirmed(app: &TestApp, token: &str, hotel: i64, room: i64, check_in: i64) -> i64 {
    let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(check_in).to_string(),
        "check_out_date": day(check_in + 2).to_string()});
    let r = app.post("/bookings/init", Some(token), body).await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.body["id"].as_i64().unwrap();
    app.pay(token, id).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotel_settings_are_validated_defaulted_and_updated() {
    let app = TestApp::spawn().await;
    let (token, hotel, _) = hotel_with(&app, json!({})).await;
    let h = app.get(&format!("/admin/hotels/{hotel}"), Some(&token)).await.body;
    assert_eq!(
        (&h["time_zone"], &h["currency"], &h["check_in_time"], &h["check_out_time"]),
        (&json!("UTC"), &json!("USD"), &json!("15:00"), &json!("11:00"))
    );
    assert_eq!(
        h["cancellation_policy"],
        json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 0, "penalty": "FULL", "penalty_nights": null,
            "penalty_percent": null})
    );

    for (field, bad, kind) in [
        ("time_zone", json!("Mars/Olympus"), "time_zone"),
        ("time_zone", json!("europe/lisbon"), "time_zone"),
        ("currency", json!("JPY"), "currency"),
        ("currency", json!("XYZ"), "currency"),
        ("check_in_time", json!("25:00"), "time_type"),
        ("check_out_time", json!("9h"), "too_short"),
    ] {
        let r = app.post("/admin/hotels", Some(&token), json!({"name": "X", field: bad})).await;
        assert_eq!((r.status.as_u16(), r.code()), (422, "validation_error"), "{field}={bad}: {r:?}");
        assert_eq!(r.body["errors"][0]["loc"], json!(["body", field]), "{r:?}");
        assert_eq!(r.body["errors"][0]["type"], kind, "{r:?}");
    }
    for bad in [
        json!({"type": "SOMETIMES"}),
        json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 24}),
        json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 9000, "penalty": "FULL"}),
        json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 1, "penalty": "PERCENT", "penalty_percent": "101"}),
        json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 1, "penalty": "FIRST_NIGHTS"}),
        json!({"type": "NON_REFUNDABLE", "penalty": "FULL"}),
    ] {
        let r = app.post("/admin/hotels", Some(&token), json!({"name": "X", "cancellation_policy": bad})).await;
        assert_eq!(r.status, 422, "{bad}: {r:?}");
        assert_eq!(r.body["errors"][0]["loc"][1], "cancellation_policy", "{r:?}");
    }

    let update = json!({"time_zone": "Asia/Tokyo", "currency": "eur", "check_in_time": "14:30",
        "cancellation_policy": {"type": "FREE_CANCELLATION", "free_cancellation_hours": 48, "penalty": "FIRST_NIGHTS",
            "penalty_nights": 1}});
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&token), Some(update)).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (&r.body["time_zone"], &r.body["currency"], &r.body["check_in_time"], &r.body["check_out_time"]),
        (&json!("Asia/Tokyo"), &json!("EUR"), &json!("14:30"), &json!("11:00"))
    );
    assert_eq!(r.body["cancellation_policy"]["penalty_nights"], 1);
    // A body without the new fields changes none of them.
    let r =
        app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&token), Some(json!({"name": "Renamed"}))).await;
    assert_eq!((&r.body["time_zone"], &r.body["currency"]), (&json!("Asia/Tokyo"), &json!("EUR")));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_in_dates_are_checked_against_the_hotels_local_date() {
    let app = TestApp::spawn().await;
    let (_, token, _) = app.user(&email("u")).await;
    for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        let (_, hotel, room) = hotel_with(&app, json!({"time_zone": zone})).await;
        let local_today = TimeZone::parse(zone).unwrap().today(Utc::now());
        let init = |check_in: chrono::NaiveDate| {
            json!({"hotel_id": hotel, "room_id": room, "check_in_date": check_in.to_string(),
                "check_out_date": (check_in + Duration::days(1)).to_string()})
        };
        // The hotel's yesterday is in the past even when it is the UTC today (Kiritimati after 10:00 UTC);
        // the hotel's today is bookable even when it is the UTC yesterday (Pago Pago before 11:00 UTC).
        let r = app.post("/bookings/init", Some(&token), init(local_today - Duration::days(1))).await;
        assert_eq!((r.status.as_u16(), r.code()), (400, "date_in_past"), "{zone}: {r:?}");
        let r = app.post("/bookings/init", Some(&token), init(local_today)).await;
        assert_eq!(r.status, 201, "{zone}: {r:?}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancels_refund_by_the_policy_frozen_at_init() {
    let app = TestApp::spawn().await;
    // Half kept after a deadline 30 days before check-in: a stay in 5 days is past it.
    let half = json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 720, "penalty": "PERCENT",
        "penalty_percent": "50"});
    let (mgr, hotel, room) = hotel_with(
        &app,
        json!({"time_zone": "America/New_York", "currency": "EUR",
        "cancellation_policy": half}),
    )
    .await;
    let (_, token, _) = app.user(&email("u")).await;
    let flexible = confirmed(&app, &token, hotel, room, 5).await;
    // The hotel switches to non-refundable: the first booking keeps its policy, the next one freezes the new.
    let r = app
        .req(
            Method::PUT,
            &format!("/admin/hotels/{hotel}"),
            Some(&mgr),
            Some(set_policy(json!({"type": "NON_REFUNDABLE"}))),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let strict = confirmed(&app, &token, hotel, room, 6).await;
    // And a free one: cancelled well before its deadline.
    let free = json!({"type": "FREE_CANCELLATION", "free_cancellation_hours": 24, "penalty": "FULL"});
    app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(set_policy(free))).await;
    let early = confirmed(&app, &token, hotel, room, 20).await;

    let detail = |id: i64| {
        let (app, token) = (&app, &token);
        async move { app.get(&format!("/bookings/{id}"), Some(token)).await.body }
    };
    let d = detail(flexible).await;
    assert_eq!((d["currency"].as_str(), d["amount"].as_str()), (Some("EUR"), Some("200.00")), "the hotel's currency");
    assert_eq!(d["cancellation_policy"]["type"], "FREE_CANCELLATION");
    let deadline = chrono::DateTime::parse_from_rfc3339(d["cancellation_deadline"].as_str().unwrap()).unwrap();
    // 15:00 in New York on the check-in date, minus 720 hours.
    let check_in = TimeZone::parse("America/New_York").unwrap().instant(day(5), domain::model::default_check_in_time());
    assert_eq!(deadline, check_in - Duration::hours(720));
    assert_eq!(d["refund_if_cancelled_now"], "100.00");
    let d = detail(strict).await;
    assert_eq!(
        (d["cancellation_policy"]["type"].as_str(), &d["cancellation_deadline"]),
        (Some("NON_REFUNDABLE"), &Value::Null)
    );
    assert_eq!(d["refund_if_cancelled_now"], "0.00");
    assert_eq!(detail(early).await["refund_if_cancelled_now"], "200.00");

    for id in [flexible, strict, early] {
        assert_eq!(app.post(&format!("/bookings/{id}/cancel"), Some(&token), json!(null)).await.status, 204);
    }
    let d = detail(flexible).await;
    assert_eq!(
        (
            d["booking_status"].as_str(),
            d["penalty_amount"].as_str(),
            d["refund_amount"].as_str(),
            d["refund_status"].as_str()
        ),
        (Some("CANCELLED"), Some("100.00"), Some("100.00"), Some("SUCCEEDED"))
    );
    let d = detail(strict).await;
    assert_eq!(
        (d["penalty_amount"].as_str(), d["refund_amount"].as_str(), &d["refund_status"]),
        (Some("200.00"), Some("0.00"), &Value::Null),
        "non-refundable: nothing refunded, nothing owed"
    );
    let d = detail(early).await;
    assert_eq!((d["penalty_amount"].as_str(), d["refund_amount"].as_str()), (Some("0.00"), Some("200.00")));
    assert_eq!(d["refund_if_cancelled_now"], Value::Null);

    // Rooms are released by every cancel; the report keeps the penalties as revenue.
    let r =
        app.get(&format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(5), day(7)), Some(&mgr)).await;
    assert!(r.body.as_array().unwrap().iter().all(|n| n["book_count"] == 0), "{r:?}");
    let r =
        app.get(&format!("/admin/hotels/{hotel}/reports?start_date={}&end_date={}", day(0), day(30)), Some(&mgr)).await;
    assert_eq!(
        (r.body["total_bookings"].as_i64(), r.body["total_revenue"].as_str(), r.body["net_revenue"].as_str()),
        (Some(0), Some("0.00"), Some("300.00")),
        "{r:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_plans_are_managed_quoted_and_booked() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = hotel_with(&app, json!({})).await;
    let plans_url = format!("/admin/hotels/{hotel}/rooms/{room}/rate-plans");
    let r = app.get(&plans_url, Some(&mgr)).await;
    assert_eq!(r.status, 200, "{r:?}");
    let std_id = r.body[0]["id"].as_i64().unwrap();
    assert_eq!(
        (r.body.as_array().unwrap().len(), &r.body[0]["code"], &r.body[0]["is_default"], &r.body[0]["price_rule"]),
        (1, &json!("STANDARD"), &json!(true), &json!({"type": "PERCENT", "value": "0"}))
    );

    let bb = json!({"name": "Breakfast included", "code": "BB", "meal_plan": "BREAKFAST",
        "price_rule": {"type": "PERCENT", "value": "10"}, "min_stay": 2,
        "cancellation_policy": {"type": "NON_REFUNDABLE"}});
    let r = app.post(&plans_url, Some(&mgr), bb.clone()).await;
    assert_eq!(r.status, 201, "{r:?}");
    let bb_id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        (&r.body["meal_plan"], &r.body["min_stay"], &r.body["is_default"]),
        (&json!("BREAKFAST"), &json!(2), &json!(false))
    );
    assert_eq!(app.post(&plans_url, Some(&mgr), bb).await.code(), "rate_plan_code_taken");
    for bad in [
        json!({"name": "X", "code": "has space"}),
        json!({"name": "X", "code": "X1", "price_rule": {"type": "HALF"}}),
        json!({"name": "X", "code": "X2", "price_rule": {"type": "PERCENT", "value": "-100"}}),
        json!({"name": "X", "code": "X3", "min_stay": 5, "max_stay": 2}),
        json!({"name": "X", "code": "X4", "meal_plan": "BRUNCH"}),
    ] {
        let r = app.post(&plans_url, Some(&mgr), bad.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (422, "validation_error"), "{bad}: {r:?}");
    }

    // The public page prices every active plan for the stay.
    let info = |nights: i64| {
        let app = &app;
        async move {
            let url = format!("/hotels/{hotel}/info?check_in_date={}&check_out_date={}", day(5), day(5 + nights));
            app.get(&url, None).await.body["rooms"][0].clone()
        }
    };
    let r = info(2).await;
    let quotes: Vec<(i64, Value)> = r["rate_plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["id"].as_i64().unwrap(), q["total_price"].clone()))
        .collect();
    assert_eq!(quotes, vec![(std_id, json!("200.00")), (bb_id, json!("220.00"))]);
    assert_eq!((&r["total_price"], &r["cheapest_rate_plan_id"]), (&json!("200.00"), &json!(std_id)));
    assert_eq!(r["rate_plans"][1]["cancellation_policy"]["type"], "NON_REFUNDABLE");
    assert_eq!(info(1).await["rate_plans"][1]["total_price"], Value::Null, "below the plan's minimum stay");

    let (_, token, _) = app.user(&email("u")).await;
    let init = |nights: i64, plan: Option<i64>| {
        let (app, token) = (&app, &token);
        async move {
            let mut body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(5).to_string(),
                "check_out_date": day(5 + nights).to_string()});
            if let Some(p) = plan {
                body["rate_plan_id"] = json!(p);
            }
            app.post("/bookings/init", Some(token), body).await
        }
    };
    let r = init(1, Some(bb_id)).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "stay_restricted"), "{r:?}");
    assert_eq!(r.body["detail"], "Rate plan BB needs at least 2 nights");
    let r = init(2, Some(bb_id)).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!((&r.body["amount"], &r.body["rate_plan_id"]), (&json!("220.00"), &json!(bb_id)));
    assert_eq!(r.body["cancellation_policy"]["type"], "NON_REFUNDABLE", "the plan's policy is frozen");
    let on_bb = r.body["id"].as_i64().unwrap();
    let r = init(2, None).await;
    assert_eq!((&r.body["amount"], &r.body["rate_plan_id"]), (&json!("200.00"), &json!(std_id)), "the default plan");
    assert_eq!(r.body["cancellation_policy"]["type"], "FREE_CANCELLATION", "the hotel's policy");
    let r = init(2, Some(999_999)).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "rate_plan_not_found"), "{r:?}");

    // Deactivated: not bookable, not listed publicly; a plan with an active booking cannot be deleted.
    let bb_url = format!("{plans_url}/{bb_id}");
    let r = app.req(Method::PUT, &bb_url, Some(&mgr), Some(json!({"active": false}))).await;
    assert_eq!((r.status.as_u16(), &r.body["active"]), (200, &json!(false)), "{r:?}");
    assert_eq!(init(2, Some(bb_id)).await.code(), "rate_plan_inactive");
    assert_eq!(info(2).await["rate_plans"].as_array().unwrap().len(), 1);
    let r = app.req(Method::PUT, &format!("{plans_url}/{std_id}"), Some(&mgr), Some(json!({"active": false}))).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "default_rate_plan"));
    let r = app.req(Method::DELETE, &bb_url, Some(&mgr), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (409, "has_active_bookings"), "{r:?}");
    assert_eq!(app.post(&format!("/bookings/{on_bb}/cancel"), Some(&token), json!(null)).await.status, 204);
    assert_eq!(app.req(Method::DELETE, &bb_url, Some(&mgr), None).await.status, 204);
    assert_eq!(app.get(&bb_url, Some(&mgr)).await.code(), "rate_plan_not_found");
    let r = app.req(Method::DELETE, &format!("{plans_url}/{std_id}"), Some(&mgr), None).await;
    assert_eq!(r.code(), "default_rate_plan");
    app.stop().await;
}
