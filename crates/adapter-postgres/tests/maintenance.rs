//! Table maintenance by the application: a new room's year of nights gets the hot tables analysed, an unchanged
//! table is left alone, dead rows get it vacuumed, and a bulk insert can force an analyse.

use adapter_postgres::testing::FreshDatabase;
use adapter_postgres::{MaintenancePolicy, PgStore, TableHealth};
use chrono::Utc;
use domain::model::{Money, NewHotel, NewRoom};
use domain::ports::CatalogRepository;

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
