//! Restrictions, taxes and fees, quotes, the availability calendar and revenue reports over HTTP
//! (docs/STAYS.md): one hotel searched, quoted, booked, paid, partly cancelled, then reported figure by figure.

use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::{Value, json};

fn stay(hotel: i64, room: i64, from: i64, nights: i64, extra: Value) -> Value {
    let mut body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(from).to_string(),
        "check_out_date": day(from + nights).to_string()});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn quote_url(hotel: i64, room: i64, from: i64, nights: i64, extra: &str) -> String {
    format!(
        "/hotels/{hotel}/quote?room_id={room}&check_in_date={}&check_out_date={}{extra}",
        day(from),
        day(from + nights)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hotel_with_restrictions_and_taxes_from_search_to_revenue_report() {
    let app = TestApp::spawn().await;
    let (mgr, hotel, room) = app.hotel(&email("m"), "Coimbra", 4, "100.00").await;

    // Taxes: 10 % VAT and 2.50 per adult and night on top; cancellation keeps half once the deadline (a year
    // before check-in) has passed.
    let settings = json!({
        "taxes": [
            {"name": "VAT", "kind": "PERCENT", "value": "10", "included": false},
            {"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": 2.5},
        ],
        "cancellation_policy": {"type": "FREE_CANCELLATION", "free_cancellation_hours": 8760, "penalty": "PERCENT",
            "penalty_percent": "50"},
    });
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(settings)).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["taxes"],
        json!([{"name": "VAT", "kind": "PERCENT", "value": "10", "included": false},
            {"name": "City tax", "kind": "PER_PERSON_PER_NIGHT", "value": "2.5", "included": false}])
    );
    let bad = json!({"taxes": [{"name": "X", "kind": "PERCENT", "value": "101"}]});
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&mgr), Some(bad)).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.body["errors"][0]["loc"], json!(["body", "taxes", 0, "value"]), "{r:?}");

    // Restrictions: day 10 needs 2 nights, day 20 is closed to arrival, day 31 closed to departure.
    let inv = format!("/admin/inventory/rooms/{room}");
    for (from, to, patch) in [
        (10, 10, json!({"min_stay": 2})),
        (20, 20, json!({"closed_to_arrival": true})),
        (31, 31, json!({"closed_to_departure": true})),
    ] {
        let url = format!("{inv}?start_date={}&end_date={}", day(from), day(to));
        let r = app.req(Method::PATCH, &url, Some(&mgr), Some(patch)).await;
        assert_eq!(r.status, 200, "{r:?}");
    }
    let r = app.req(Method::PATCH, &inv, Some(&mgr), Some(json!({"min_stay": 5, "max_stay": 2}))).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["loc"][1].as_str()), (422, Some("max_stay")), "{r:?}");
    let r = app.get(&format!("{inv}?start_date={}&end_date={}", day(10), day(10)), Some(&mgr)).await;
    assert_eq!(
        (&r.body[0]["min_stay"], &r.body[0]["max_stay"], &r.body[0]["closed_to_arrival"]),
        (&json!(2), &Value::Null, &json!(false))
    );

    // Search honours the minimum stay.
    let search = |from: i64, nights: i64| {
        format!("/hotels/search?city=coimbra&check_in_date={}&check_out_date={}", day(from), day(from + nights))
    };
    assert_eq!(app.get(&search(10, 1), None).await.body, json!([]));
    let hits = app.get(&search(10, 3), None).await.body;
    assert_eq!((hits[0]["id"].as_i64(), &hits[0]["min_price"]), (Some(hotel), &json!("100.00")));

    // The quote: nightly prices, the lines, the total, the policy, bookable or why not.
    let (_, guest, _) = app.user(&email("g")).await;
    let q = app.get(&quote_url(hotel, room, 10, 3, "&adults=2"), None).await;
    assert_eq!(q.status, 200, "{q:?}");
    assert!(q.header("etag").is_some());
    let b = &q.body;
    assert_eq!(
        (&b["bookable"], &b["unavailable_reason"], &b["adults"], &b["nights"]),
        (&json!(true), &Value::Null, &json!(2), &json!(3))
    );
    assert_eq!(
        b["nightly_prices"].as_array().unwrap().iter().map(|n| n["price"].as_str().unwrap()).collect::<Vec<_>>(),
        ["100.00"; 3]
    );
    assert_eq!((&b["subtotal"], &b["total"], &b["currency"]), (&json!("300.00"), &json!("345.00"), &json!("USD")));
    assert_eq!(
        b["taxes"].as_array().unwrap().iter().map(|l| l["amount"].as_str().unwrap()).collect::<Vec<_>>(),
        ["30.00", "15.00"]
    );
    assert_eq!(b["cancellation_policy"]["penalty_percent"], "50");
    let short = app.get(&quote_url(hotel, room, 10, 1, ""), None).await.body;
    assert_eq!((&short["bookable"], &short["unavailable_reason"]["code"]), (&json!(false), &json!("min_stay_not_met")));
    let r = app.get(&quote_url(hotel, room, 10, 3, "&adults=3"), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "too_many_guests"));
    let r = app.get(&format!("/hotels/{hotel}/quote?room_id={room}"), None).await;
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.body["errors"].as_array().unwrap().len(), 2, "both dates missing: {r:?}");

    // Init charges what the quote said; restricted stays are 409 with the restriction's code.
    let r = app.post("/bookings/init", Some(&guest), stay(hotel, room, 10, 3, json!({"adults": 2}))).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        (&r.body["amount"], &r.body["subtotal"], &r.body["adults"]),
        (&json!("345.00"), &json!("300.00"), &json!(2))
    );
    assert_eq!(r.body["taxes"], b["taxes"]);
    let a = r.body["id"].as_i64().unwrap();
    for (from, nights, code) in
        [(10, 1, "min_stay_not_met"), (20, 2, "closed_to_arrival"), (29, 2, "closed_to_departure")]
    {
        let r = app.post("/bookings/init", Some(&guest), stay(hotel, room, from, nights, json!({}))).await;
        assert_eq!((r.status.as_u16(), r.code()), (409, code), "{r:?}");
    }
    app.pay(&guest, a).await;

    // A second stay, paid then cancelled: half of 225.00 kept, half refunded.
    let q = app.get(&quote_url(hotel, room, 11, 2, ""), None).await.body;
    assert_eq!(q["total"], "225.00");
    let r = app.post("/bookings/init", Some(&guest), stay(hotel, room, 11, 2, json!({}))).await;
    assert_eq!(r.body["amount"], q["total"]);
    let b2 = r.body["id"].as_i64().unwrap();
    app.pay(&guest, b2).await;
    let r = app.post(&format!("/bookings/{b2}/cancel"), Some(&guest), json!(null)).await;
    assert_eq!(r.status, 204, "{r:?}");
    let r = app.get(&format!("/bookings/{b2}"), Some(&guest)).await.body;
    assert_eq!((&r["penalty_amount"], &r["refund_amount"]), (&json!("112.50"), &json!("112.50")));

    // Hotel info prices with one adult per room, taxes included; a restricted stay says why.
    let info =
        app.get(&format!("/hotels/{hotel}/info?check_in_date={}&check_out_date={}", day(10), day(13)), None).await;
    assert_eq!(
        (&info.body["rooms"][0]["total_price"], &info.body["rooms"][0]["available"]),
        (&json!("337.50"), &json!(true))
    );
    let info =
        app.get(&format!("/hotels/{hotel}/info?check_in_date={}&check_out_date={}", day(10), day(11)), None).await;
    let r0 = &info.body["rooms"][0];
    assert_eq!(
        (&r0["available"], &r0["total_price"], &r0["unavailable_reason"]["code"]),
        (&json!(false), &Value::Null, &json!("min_stay_not_met"))
    );

    // The calendar: rooms free, the default plan's price and the restrictions per night; cacheable.
    let url = format!("/hotels/{hotel}/calendar?from={}&to={}", day(9), day(12));
    let cal = app.get(&url, None).await;
    assert_eq!(cal.status, 200, "{cal:?}");
    assert_eq!(cal.header("cache-control"), Some("public, max-age=10"));
    let nights = cal.body["rooms"][0]["nights"].as_array().unwrap().clone();
    let figures: Vec<(i64, &str, Value, bool)> = nights
        .iter()
        .map(|n| {
            (
                n["available"].as_i64().unwrap(),
                n["price"].as_str().unwrap(),
                n["min_stay"].clone(),
                n["bookable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        figures,
        [
            (4, "100.00", Value::Null, true),
            (3, "100.00", json!(2), true),
            (3, "100.00", Value::Null, true),
            (3, "100.00", Value::Null, true)
        ]
    );
    assert_eq!(
        (cal.body["from"].as_str(), cal.body["rooms_count"].as_i64()),
        (Some(day(9).to_string().as_str()), Some(1))
    );
    let tag = cal.header("etag").unwrap().to_string();
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &tag)]).await;
    assert_eq!(r.status, 304);
    let r = app.get(&format!("/hotels/{hotel}/calendar?from={}&to={}", day(0), day(400)), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "invalid_date_range"));

    // The revenue report over nights 10..=13, figure by figure.
    let url = format!("/admin/hotels/{hotel}/reports/revenue?start_date={}&end_date={}", day(10), day(13));
    let rep = app.get(&url, Some(&mgr)).await;
    assert_eq!(rep.status, 200, "{rep:?}");
    let row = |v: &Value| -> Vec<String> {
        ["rooms_available", "rooms_sold", "occupancy", "adr", "revpar", "room_revenue", "taxes", "refunds", "penalties"]
            .iter()
            .map(|k| v[*k].to_string().trim_matches('"').to_string())
            .collect()
    };
    let days: Vec<Vec<String>> = rep.body["days"].as_array().unwrap().iter().map(row).collect();
    let want = |v: [&str; 9]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        days,
        [
            want(["4", "1", "0.2500", "100.00", "25.00", "100.00", "15.00", "0.00", "0.00"]),
            want(["4", "1", "0.2500", "100.00", "25.00", "100.00", "15.00", "56.25", "56.25"]),
            want(["4", "1", "0.2500", "100.00", "25.00", "100.00", "15.00", "56.25", "56.25"]),
            want(["4", "0", "0.0000", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]),
        ]
    );
    assert_eq!(
        row(&rep.body["total"]),
        want(["16", "3", "0.1875", "100.00", "18.75", "300.00", "45.00", "112.50", "112.50"])
    );
    assert_eq!(rep.body["total"]["date"], Value::Null);
    let csv = app.request_to(&app.base, Method::GET, &url, Some(&mgr), None, &[("Accept", "text/csv")]).await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = csv.body.as_str().unwrap().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "date,rooms_available,rooms_sold,occupancy,adr,revpar,room_revenue,taxes,refunds,penalties");
    assert_eq!(lines[2], format!("{},4,1,0.2500,100.00,25.00,100.00,15.00,56.25,56.25", day(11)));
    assert_eq!(lines[5], "total,16,3,0.1875,100.00,18.75,300.00,45.00,112.50,112.50");
    // The existing report keeps its fields; another manager is refused.
    let old =
        app.get(&format!("/admin/hotels/{hotel}/reports?start_date={}&end_date={}", day(0), day(30)), Some(&mgr)).await;
    assert_eq!((&old.body["total_bookings"], &old.body["total_revenue"]), (&json!(1), &json!("345.00")));
    let (other, _, _) = app.hotel(&email("o"), "Braga", 1, "50.00").await;
    let r = app.get(&url, Some(&other)).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "not_owner"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_send_the_new_fields_see_the_old_behaviour() {
    let app = TestApp::spawn().await;
    let (_, hotel, room) = app.hotel(&email("m"), "Aveiro", 2, "80.00").await;
    let (_, guest, _) = app.user(&email("g")).await;
    let r = app.post("/bookings/init", Some(&guest), stay(hotel, room, 5, 2, json!({}))).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        (&r.body["amount"], &r.body["subtotal"], &r.body["taxes"], &r.body["adults"]),
        (&json!("160.00"), &json!("160.00"), &json!([]), &json!(1))
    );
    let q = app.get(&quote_url(hotel, room, 5, 2, ""), None).await.body;
    assert_eq!((&q["total"], &q["taxes"], &q["bookable"]), (&json!("160.00"), &json!([]), &json!(true)));
    let q = app.get(&quote_url(hotel, room, 5, 2, "&rooms_count=2"), None).await.body;
    assert_eq!((&q["bookable"], &q["unavailable_reason"]["code"]), (&json!(false), &json!("sold_out")));
    let r = app.get(&quote_url(hotel, room + 1000, 5, 2, ""), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "room_not_found"));
    let r = app.get(&quote_url(hotel, room, 5, 2, "&rate_plan_id=999999"), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "rate_plan_not_found"));
    let r = app.get(&format!("/hotels/{}/calendar", hotel + 1000), None).await;
    assert_eq!((r.status.as_u16(), r.code()), (404, "hotel_not_found"));
    // Defaults: from the hotel's today, 30 nights.
    let cal = app.get(&format!("/hotels/{hotel}/calendar"), None).await.body;
    assert_eq!(cal["rooms"][0]["nights"].as_array().unwrap().len(), 30);
    assert_eq!(cal["from"], day(0).to_string());
    app.stop().await;
}

/// Rooms free on each night of a calendar answer from `base` (first room type).
async fn free_nights(app: &TestApp, base: &str, hotel: i64, from: i64, to: i64) -> Vec<i64> {
    let url = format!("/hotels/{hotel}/calendar?from={}&to={}", day(from), day(to));
    let r = app.request_to(base, Method::GET, &url, None, None, &[]).await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body["rooms"][0]["nights"].as_array().unwrap().iter().map(|n| n["available"].as_i64().unwrap()).collect()
}

/// Polls both replicas until each shows `want`; how long that took at most (the staleness seen).
async fn both_show(app: &TestApp, bases: &[String], hotel: i64, want: &[i64]) -> std::time::Duration {
    let t0 = std::time::Instant::now();
    for base in bases {
        loop {
            let got = free_nights(app, base, hotel, 5, 7).await;
            if got == want {
                break;
            }
            assert!(t0.elapsed() < std::time::Duration::from_secs(5), "{base} still shows {got:?}, not {want:?}");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    t0.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_calendars_follow_every_change_on_every_replica_through_the_change_feed() {
    if e2e::memory_store() {
        eprintln!("skipped: the change feed is PostgreSQL's (the in-memory store's calendars expire by TTL)");
        return;
    }
    // A TTL of ten minutes: only the change feed can make a replica's cached calendar follow a change.
    let mut app = TestApp::spawn_with(&[("CALENDAR_CACHE_MS", "600000")]).await;
    let second = app.start_instance().await;
    let bases = [app.base.clone(), second];
    let (mgr, hotel, room) = app.hotel(&email("m"), "Faro", 4, "100.00").await;
    let (_, guest, _) = app.user(&email("g")).await;
    // Both replicas cache the hotel.
    assert_eq!(both_show(&app, &bases, hotel, &[4, 4, 4]).await.as_secs(), 0);

    // A hold through replica A: both replicas show it at once (no request waits for the TTL).
    let r = app.post("/bookings/init", Some(&guest), stay(hotel, room, 5, 2, json!({"rooms_count": 2}))).await;
    assert_eq!(r.status, 201, "{r:?}");
    let booking = r.body["id"].as_i64().unwrap();
    let lag_hold = both_show(&app, &bases, hotel, &[2, 2, 4]).await;
    // The manager closes a night and shrinks another through replica B.
    let inv = format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(7), day(7));
    let r = app.request_to(&bases[1], Method::PATCH, &inv, Some(&mgr), Some(json!({"total_count": 1})), &[]).await;
    assert_eq!(r.status, 200, "{r:?}");
    let lag_patch = both_show(&app, &bases, hotel, &[2, 2, 1]).await;
    // Cancelling the hold gives the rooms back everywhere.
    let r = app.post(&format!("/bookings/{booking}/cancel"), Some(&guest), json!(null)).await;
    assert_eq!(r.status, 204, "{r:?}");
    let lag_cancel = both_show(&app, &bases, hotel, &[4, 4, 1]).await;
    eprintln!("calendar staleness after a change: hold {lag_hold:?}, patch {lag_patch:?}, cancel {lag_cancel:?}");
    app.stop().await;
}
