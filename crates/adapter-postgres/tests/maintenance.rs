//! Table maintenance by the application: a new room's year of nights gets the hot tables analysed, an unchanged
//! table is left alone, dead rows get it vacuumed, and a bulk insert can force an analyse. And the catalog change
//! feed: which hotels every committed change touched, told to a listener, also after the connection is cut. And
//! holds taken together (group commit): planned in order, written once, told per room type.

use adapter_postgres::testing::FreshDatabase;
use adapter_postgres::{CatalogChange, CatalogListener, HoldBatching, MaintenancePolicy, PgStore, TableHealth};
use chrono::{Duration, Utc};
use domain::Error;
use domain::model::*;
use domain::ports::{BookingRepository, CatalogRepository};
use domain::pricing::PricingPolicy;
use std::sync::{Arc, Mutex};

fn table<'a>(all: &'a [TableHealth], name: &str) -> &'a TableHealth {
    all.iter().find(|t| t.table == name).expect("hot table")
}

/// pg_stat counters are flushed asynchronously (a busy backend may hold them back for up to 10 s in PostgreSQL
/// 15): wait until `cond` holds on the table's health.
async fn eventually(store: &PgStore, name: &str, cond: impl Fn(&TableHealth) -> bool) -> TableHealth {
    for _ in 0..300 {
        let h = store.table_health(name).await.unwrap();
        if cond(&h) {
            return h;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    store.table_health(name).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_tables_are_analysed_after_bulk_data_and_vacuumed_when_dead_rows_pile_up() {
    let db = FreshDatabase::create().await.expect("fresh database");
    let store = PgStore::connect(&db.url, 4).unwrap();
    let now = Utc::now();
    let owner = domain::model::UserId(1);
    store.batch_execute("INSERT INTO app_user (email, password) VALUES ('m@example.com', 'x')").await.unwrap();
    let hotel = store.create_hotel(owner, NewHotel { name: "H".into(), ..NewHotel::default() }, now).await.unwrap();
    for i in 0..3 {
        let room = NewRoom {
            kind: format!("R{i}"),
            base_price: Money::from_minor(10_000),
            photos: None,
            amenities: None,
            total_count: 5,
            capacity: 2,
        };
        store.create_room(hotel.id, room, now.date_naive(), now).await.unwrap();
    }
    // 3 × 365 fresh nights, never analysed.
    eventually(&store, "inventory", |h| h.modified_since_analyze >= 1095).await;
    let pass = store.maintain(MaintenancePolicy::default(), false).await.unwrap();
    let inventory = table(&pass, "inventory");
    assert!(inventory.analyzed && !inventory.vacuumed, "{inventory:?}");
    let after = eventually(&store, "inventory", |h| h.analyze_age_secs.is_some()).await;
    assert!(after.analyze_age_secs.is_some_and(|a| a < 60.0), "{after:?}");

    // Nothing changed since: left alone.
    let pass = store.maintain(MaintenancePolicy::default(), false).await.unwrap();
    assert!(!table(&pass, "inventory").analyzed, "{pass:?}");
    // A window top-up forces an analyse.
    let pass = store.maintain(MaintenancePolicy::default(), true).await.unwrap();
    assert!(table(&pass, "inventory").analyzed);

    // Updates leave dead rows behind; past the threshold the table is vacuumed and its dead ratio drops.
    store.batch_execute("UPDATE inventory SET surge_factor = 1.50").await.unwrap();
    let dirty = eventually(&store, "inventory", |h| h.dead >= 1000).await;
    assert!(dirty.dead_ratio() > 0.4, "{dirty:?}");
    let pass = store.maintain(MaintenancePolicy::default(), false).await.unwrap();
    assert!(table(&pass, "inventory").vacuumed, "{pass:?}");
    let clean = eventually(&store, "inventory", |h| h.dead < 100).await;
    assert!(clean.dead_ratio() < 0.1, "{clean:?}");
    // The maintenance connection left the pool: requests keep their statement timeout.
    assert_eq!(store.query_value("SELECT current_setting('statement_timeout') AS value").await.unwrap(), "30s");
}

/// Records what the feed tells.
#[derive(Default)]
struct Heard {
    events: Mutex<Vec<String>>,
}

impl CatalogListener for Heard {
    fn feed(&self, live: bool) {
        self.events.lock().unwrap().push(format!("live={live}"));
    }
    fn changed(&self, change: CatalogChange) {
        let text = match change {
            CatalogChange::All => "all".to_string(),
            CatalogChange::Sync(token) => format!("sync:{token}"),
            CatalogChange::Nights(first, last) => format!("*:{first}:{last}"),
            CatalogChange::Counts(c) => format!(
                "counts:{}:{}:{}",
                c.hotel_id,
                c.room_id,
                c.nights.iter().map(|(d, b, r, t)| format!("{d}={b},{r},{t}")).collect::<Vec<_>>().join(";")
            ),
            CatalogChange::Hotels(items) => items
                .iter()
                .map(|c| match c.nights {
                    None => c.hotel_id.to_string(),
                    Some((a, b)) => format!("{}:{a}:{b}", c.hotel_id),
                })
                .collect::<Vec<_>>()
                .join(","),
        };
        self.events.lock().unwrap().push(text);
    }
}

impl Heard {
    /// Waits (up to 10 s) until the events end with `tail`; the events so far.
    async fn until(&self, tail: &[&str]) -> Vec<String> {
        for _ in 0..200 {
            let ev = self.events.lock().unwrap().clone();
            if ev.len() >= tail.len() && ev[ev.len() - tail.len()..] == *tail {
                return ev;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.events.lock().unwrap().clone()
    }
    /// Waits (up to 5 s) until at least `n` events were heard; the events so far.
    async fn at_least(&self, n: usize) -> Vec<String> {
        for _ in 0..100 {
            if self.events.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.events.lock().unwrap().clone()
    }
    fn clear(&self) {
        self.events.lock().unwrap().clear();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_feed_names_the_hotels_every_commit_touched_and_survives_a_lost_connection() {
    let db = FreshDatabase::create().await.expect("fresh database");
    let store = PgStore::connect(&db.url, 4).unwrap();
    let now = Utc::now();
    store.batch_execute("INSERT INTO app_user (email, password) VALUES ('m@example.com', 'x')").await.unwrap();
    let heard = Arc::new(Heard::default());
    let task = store.listen_catalog(heard.clone());
    // Connected: "anything may have changed", then live.
    assert_eq!(heard.until(&["all", "live=true"]).await, ["all", "live=true"]);
    heard.clear();

    let owner = domain::model::UserId(1);
    let a = store.create_hotel(owner, NewHotel { name: "A".into(), ..NewHotel::default() }, now).await.unwrap();
    let b = store.create_hotel(owner, NewHotel { name: "B".into(), ..NewHotel::default() }, now).await.unwrap();
    let (a_id, b_id) = (a.id.to_string(), b.id.to_string());
    assert_eq!(heard.until(&[&b_id]).await, [a_id.as_str(), b_id.as_str()]);
    heard.clear();
    let room = NewRoom {
        kind: "Double".into(),
        base_price: Money::from_minor(10_000),
        photos: None,
        amenities: None,
        total_count: 5,
        capacity: 2,
    };
    // A room with its year of nights and its default rate plan: one transaction, one notification per statement
    // at most (equal payloads of a transaction are folded by PostgreSQL).
    let double = store.create_room(a.id, room, now.date_naive(), now).await.unwrap();
    let today = now.date_naive();
    let window = format!("{a_id}:{today}:{}", today + chrono::Duration::days(364));
    let mut ev = heard.at_least(2).await;
    ev.sort();
    assert_eq!(ev, [a_id.clone(), window], "the room (and its plan: one payload) and the nights it created");
    heard.clear();
    // Counts held or booked change nights: told with their dates. A statement over two hotels names both; one
    // that changes no row and a rolled-back one say nothing.
    store.batch_execute(&format!("UPDATE inventory SET reserved_count = 1 WHERE date = '{today}'")).await.unwrap();
    store.batch_execute("UPDATE hotel SET name = name || '!'").await.unwrap();
    store.batch_execute("UPDATE inventory SET reserved_count = 0 WHERE false").await.unwrap();
    store.batch_execute("BEGIN; UPDATE hotel SET name = 'x'; ROLLBACK").await.unwrap();
    store.batch_execute(&format!("UPDATE hotel SET name = 'C' WHERE id = {b_id}")).await.unwrap();
    let one_night = format!("{a_id}:{today}:{today}");
    let both = format!("{a_id},{b_id}");
    assert_eq!(heard.until(&[&b_id]).await, [one_night.as_str(), both.as_str(), b_id.as_str()]);
    heard.clear();

    // The listening connection is killed: the feed goes down, reconnects, says "anything" and is live again.
    store
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(heard.until(&["live=false", "all", "live=true"]).await, ["live=false", "all", "live=true"]);
    heard.clear();
    store.batch_execute(&format!("UPDATE room SET capacity = 3 WHERE hotel_id = {a_id}")).await.unwrap();
    assert_eq!(heard.until(&[&a_id]).await, [a_id.as_str()]);
    heard.clear();
    // A sync marker comes back after every change committed before it was sent.
    store.batch_execute(&format!("UPDATE hotel SET name = 'D' WHERE id = {b_id}")).await.unwrap();
    store.notify_catalog_sync(7).await.unwrap();
    assert_eq!(heard.until(&["sync:7"]).await, [b_id.as_str(), "sync:7"]);
    heard.clear();
    // A hold's statement (staybook.feed = 'counts') tells its nights with their counts after it; over more than
    // 100 nights it falls back to the dates.
    let hold = |nights: i64| {
        format!(
            "BEGIN; SELECT set_config('staybook.feed', 'counts', true);
             UPDATE inventory SET reserved_count = reserved_count + 1
             WHERE room_id = {} AND date >= '{today}' AND date < '{}'; COMMIT",
            double.id,
            today + chrono::Duration::days(nights)
        )
    };
    store.batch_execute(&hold(2)).await.unwrap();
    let tomorrow = today + chrono::Duration::days(1);
    let counts = format!("counts:{a_id}:{}:{today}=0,2,5;{tomorrow}=0,1,5", double.id);
    assert_eq!(heard.until(&[&counts]).await, [counts.as_str()]);
    heard.clear();
    store.batch_execute(&hold(101)).await.unwrap();
    let wide = format!("{a_id}:{today}:{}", today + chrono::Duration::days(100));
    assert_eq!(heard.until(&[&wide]).await, [wide.as_str()]);
    heard.clear();
    // An inventory statement over more hotels than a notification can list names its dates instead.
    store
        .batch_execute(&format!(
            "INSERT INTO hotel (name, owner_id) SELECT 'Bulk ' || g, 1 FROM generate_series(1, 400) g;
             INSERT INTO room (hotel_id, type, base_price, total_count, capacity)
               SELECT id, 'Single', 50, 2, 1 FROM hotel WHERE name LIKE 'Bulk %';
             INSERT INTO inventory (hotel_id, room_id, date, total_count, price)
               SELECT hotel_id, id, '{today}', 2, 50 FROM room WHERE type = 'Single';
             UPDATE inventory SET price = 60 WHERE date = '{today}'"
        ))
        .await
        .unwrap();
    // (One implicit transaction: the insert's and the update's equal payloads are folded into one.)
    let bulk = format!("*:{today}:{today}");
    let ev = heard.until(&[&bulk]).await;
    assert_eq!(ev.last(), Some(&bulk), "{ev:?}");
    assert!(ev.iter().all(|e| e != "*"), "{ev:?}");
    task.abort();
    db.drop_now().await;
}

/// A hold of `rooms` rooms of `room` by `user` for nights `from..to` days from today (the plain BAR price).
fn hold_of(user: i64, hotel: HotelId, room: RoomId, from: i64, to: i64, rooms: i32, cap: i64) -> HoldRequest {
    let now = Utc::now();
    let today = now.date_naive();
    HoldRequest {
        user_id: UserId(user),
        hotel_id: hotel,
        room_id: room,
        stay: StayDates::from_stored(today + Duration::days(from), today + Duration::days(to)),
        rooms_count: rooms,
        now,
        expires_at: now + Duration::minutes(15),
        currency: Currency::parse("USD").unwrap(),
        today,
        rate_plan_id: None,
        price_rule: PriceRule::BASE,
        time_zone: TimeZone::UTC,
        cancellation_policy: CancellationPolicy::default(),
        cancel_deadline: None,
        max_active_holds: cap,
        adults: None,
        taxes: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_taken_together_are_planned_in_order_written_once_and_told_per_room_type() {
    let db = FreshDatabase::create().await.expect("fresh database");
    let store = PgStore::connect(&db.url, 4).unwrap();
    let now = Utc::now();
    let today = now.date_naive();
    store
        .batch_execute(
            "INSERT INTO app_user (email, password) SELECT 'u' || g || '@example.com', 'x' FROM generate_series(1, 4) g",
        )
        .await
        .unwrap();
    let owner = UserId(1);
    let hotel = store.create_hotel(owner, NewHotel { name: "H".into(), ..NewHotel::default() }, now).await.unwrap();
    store.set_hotel_active(hotel.id, true, now).await.unwrap();
    let room = |kind: &str, total: i32| NewRoom {
        kind: kind.into(),
        base_price: Money::from_minor(10_000),
        photos: None,
        amenities: None,
        total_count: total,
        capacity: 2,
    };
    let double = store.create_room(hotel.id, room("Double", 2), today, now).await.unwrap().id;
    let suite = store.create_room(hotel.id, room("Suite", 1), today, now).await.unwrap().id;
    let heard = Arc::new(Heard::default());
    let task = store.listen_catalog(heard.clone());
    heard.until(&["all", "live=true"]).await;
    heard.clear();

    let h = hotel.id;
    let plain = PricingPolicy::new(&[], []);
    let batch = [
        hold_of(2, h, double, 1, 3, 1, 0),        // Double nights 1-2: 1 of 2 left
        hold_of(3, h, double, 1, 3, 2, 0),        // 2 asked, 1 left: refused, takes nothing
        hold_of(3, h, suite, 2, 3, 1, 0),         // the Suite's only room on night 2
        hold_of(4, h, RoomId(9_999), 1, 2, 1, 0), // no such room
        hold_of(4, h, double, 2, 4, 1, 0),        // overlaps the first on night 2, which fills
        hold_of(2, h, suite, 2, 3, 1, 0),         // the Suite is full now
        hold_of(3, h, double, 2, 3, 1, 0),        // night 2 of the Double is full now
    ];
    let results = store.hold_many(batch.iter().map(|r| (r.clone(), plain.clone())).collect()).await;
    let outcome: Vec<_> =
        results.iter().map(|r| r.as_ref().map(|b| (b.user_id.get(), b.room_id)).map_err(Clone::clone)).collect();
    assert_eq!(
        outcome,
        vec![
            Ok((2, double)),
            Err(Error::RoomUnavailable),
            Ok((3, suite)),
            Err(Error::RoomNotFound("Room not found: 9999".into())),
            Ok((4, double)),
            Err(Error::RoomUnavailable),
            Err(Error::RoomUnavailable),
        ]
    );
    // Each booking is the hold's, as a lone hold stores it, with ids in batch order.
    let held: Vec<_> = results.iter().flatten().collect();
    assert!(held.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(
        (held[0].nights, held[0].amount, held[0].status),
        (2, Money::from_minor(20_000), BookingStatus::Reserved)
    );
    assert_eq!(held[2].stay(), batch[4].stay);
    for b in &held {
        assert_eq!(store.booking(b.id).await.unwrap().as_ref(), Some(*b));
    }
    let counts = |room: RoomId| {
        let store = &store;
        async move {
            store
                .query_value(&format!(
                    "SELECT string_agg(reserved_count::text, ',' ORDER BY date) AS value FROM inventory
                     WHERE room_id = {room} AND date BETWEEN '{today}' AND '{}'",
                    today + Duration::days(4)
                ))
                .await
                .unwrap()
        }
    };
    assert_eq!(counts(double).await, "0,1,2,1,0");
    assert_eq!(counts(suite).await, "0,0,1,0,0");
    let events = store
        .query_value("SELECT count(*)::text AS value FROM outbox_event WHERE event_type = 'booking.held'")
        .await
        .unwrap();
    assert_eq!(events, "3", "one booking.held event per booking");
    // One notice per room type the batch changed, with the nights' counts after it.
    let night = |d: i64| today + Duration::days(d);
    let told_double = format!("counts:{h}:{double}:{}=0,1,2;{}=0,2,2;{}=0,1,2", night(1), night(2), night(3));
    let told_suite = format!("counts:{h}:{suite}:{}=0,1,1", night(2));
    let mut told = heard.at_least(2).await;
    told.sort();
    let mut expected = vec![told_double, told_suite];
    expected.sort();
    assert_eq!(told, expected);

    // With the hold cap: one user's holds in a batch count each other (the user's row locked once).
    let capped: Vec<_> = (5..8).map(|d| (hold_of(2, h, double, d, d + 1, 1, 2), plain.clone())).collect();
    let results = store.hold_many(capped).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "user 2 held one already: {results:?}");
    assert_eq!(results[1], Err(Error::LimitExceeded("Too many active holds")));

    // Through the queue: 40 holds racing for the Suite's one room on night 10, from a store that batches them.
    let batching = PgStore::connect(&db.url, 4).unwrap().with_hold_batching(HoldBatching { max_batch: 8, runners: 1 });
    let racers = (0..40).map(|i| {
        let store = batching.clone();
        let req = hold_of(2 + i % 3, h, suite, 10, 12, 1, 0);
        let plain = plain.clone();
        tokio::spawn(async move { store.hold(req, plain).await })
    });
    let raced: Vec<_> = futures_util::future::join_all(racers).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(raced.iter().filter(|r| r.is_ok()).count(), 1, "{raced:?}");
    let (batches, batched) = batching.hold_batch_stats();
    assert!(batches >= 1 && batched > batches, "holds queued while one ran were taken together: {batches}, {batched}");
    assert!(raced.iter().all(|r| r.is_ok() || *r == Err(Error::RoomUnavailable)));
    let taken = store
        .query_value(&format!(
            "SELECT string_agg(reserved_count::text, ',' ORDER BY date) AS value FROM inventory
             WHERE room_id = {suite} AND date IN ('{}', '{}')",
            night(10),
            night(11)
        ))
        .await
        .unwrap();
    assert_eq!(taken, "1,1");
    task.abort();
    db.drop_now().await;
}
