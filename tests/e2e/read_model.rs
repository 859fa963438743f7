//! The per-replica read model (docs/PERFORMANCE.md, "Search"): search, hotel info, quotes and calendars answered
//! from memory equal the database's answers; a replica reads its own writes at once; another replica's writes
//! reach it within a bound (measured and printed); and it answers while the database's catalog tables are locked.

use adapter_postgres::PgStore;
use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn search_url(city: &str, from: i64, nights: i64, extra: &str) -> String {
    format!("/hotels/search?city={city}&check_in_date={}&check_out_date={}{extra}", day(from), day(from + nights))
}

/// The body of a GET on `base` (200 expected).
async fn body(app: &TestApp, base: &str, path: &str) -> Value {
    let r = app.request_to(base, Method::GET, path, None, None, &[]).await;
    assert_eq!(r.status, 200, "{base}{path}: {r:?}");
    r.body
}

fn ids(page: &Value) -> Vec<i64> {
    page.as_array().expect("array").iter().map(|h| h["id"].as_i64().expect("id")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_from_memory_equal_the_database_and_follow_writes_on_every_replica() {
    if e2e::memory_store() {
        eprintln!("skipped: the read model is PostgreSQL's (it follows the database's change feed)");
        return;
    }
    let mut app = TestApp::spawn().await;
    let other = app.start_instance().await;
    // The reference: a replica without the model, every query to the database.
    app.vars.insert("READ_MODEL".into(), "false".into());
    let sql = app.start_instance().await;
    let mine = app.base.clone();

    let mut hotels = Vec::new();
    for (i, (total, price)) in [(1, "80.00"), (3, "120.00"), (2, "95.50"), (4, "300.00")].into_iter().enumerate() {
        let (mgr, hotel, room) = app.hotel(&email(&format!("m{i}")), "Braga", total, price).await;
        hotels.push((mgr, hotel, room));
    }
    let (mgr0, h0, r0) = hotels[0].clone();
    // A restriction and a closed night, so that some stays are refused for other reasons than availability.
    let patch = |from: i64, to: i64| {
        format!("/admin/inventory/rooms/{}?start_date={}&end_date={}", hotels[2].2, day(from), day(to))
    };
    let r = app.req(Method::PATCH, &patch(6, 6), Some(&hotels[2].0), Some(json!({"min_stay": 3}))).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = app.req(Method::PATCH, &patch(9, 9), Some(&hotels[2].0), Some(json!({"closed": true}))).await;
    assert_eq!(r.status, 200, "{r:?}");

    // Every replica answers what the database answers (the model replicas once the writes above reached them).
    let paths: Vec<String> = [
        (5, 2, ""),
        (6, 1, ""),
        (6, 3, "&sort=name"),
        (8, 2, "&sort=price_desc&limit=2"),
        (5, 4, "&rooms_count=2"),
        (5, 2, "&guests=3&min_price=90&max_price=200"),
    ]
    .iter()
    .map(|(from, n, extra)| search_url("braga", *from, *n, extra))
    .chain(
        hotels.iter().map(|(_, h, _)| format!("/hotels/{h}/info?check_in_date={}&check_out_date={}", day(5), day(8))),
    )
    .chain(
        hotels.iter().map(|(_, h, r)| {
            format!("/hotels/{h}/quote?room_id={r}&check_in_date={}&check_out_date={}", day(6), day(9))
        }),
    )
    .chain(hotels.iter().map(|(_, h, _)| format!("/hotels/{h}/calendar?from={}&to={}", day(4), day(10))))
    .collect();
    let started = Instant::now();
    for path in &paths {
        let want = body(&app, &sql, path).await;
        assert_eq!(body(&app, &mine, path).await, want, "{path}");
        loop {
            let got = body(&app, &other, path).await;
            if got == want {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{path}: the other replica still answers {got}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    // Read your writes: the guest holds hotel 0's only room on this replica; this replica's next search (no wait)
    // no longer offers it, and the other replica follows within the bound.
    let (_, guest, _) = app.user(&email("g")).await;
    let stay = json!({"hotel_id": h0, "room_id": r0, "check_in_date": day(5).to_string(), "check_out_date": day(7).to_string()});
    let r = app.post("/bookings/init", Some(&guest), stay).await;
    assert_eq!(r.status, 201, "{r:?}");
    let written = Instant::now();
    let path = search_url("Braga", 5, 2, "");
    assert!(!ids(&body(&app, &mine, &path).await).contains(&h0), "this replica reads its own write at once");
    let lag = loop {
        if !ids(&body(&app, &other, &path).await).contains(&h0) {
            break written.elapsed();
        }
        assert!(written.elapsed() < Duration::from_secs(5), "the other replica still offers the sold-out hotel");
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    eprintln!("another replica stopped offering a sold-out stay {lag:?} after the hold's response");
    assert_eq!(body(&app, &other, &path).await, body(&app, &sql, &path).await);
    let _ = mgr0;

    // Answers come from memory: with the hotel table locked, the model replicas still answer search at once
    // (the database replica waits for the lock).
    let locker = PgStore::connect(&app.db.url, 1).expect("pool");
    let lock = tokio::spawn(async move {
        locker
            .batch_execute("BEGIN; LOCK TABLE hotel, inventory IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT")
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t0 = Instant::now();
    assert_eq!(ids(&body(&app, &other, &path).await).len(), 3);
    assert!(t0.elapsed() < Duration::from_millis(500), "answered from memory, not after the lock: {:?}", t0.elapsed());
    lock.await.expect("locker").expect("lock");
    app.stop().await;
}
