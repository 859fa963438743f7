//! `app seed-demo` (the real binary) on a fresh database: it creates the demo data set once, a second run adds
//! nothing, and the data is what the README promises (checked through the services the server uses).

use adapter_postgres::testing::FreshDatabase;
use app::demo::{DEMO_GUEST, DEMO_MANAGER, DEMO_PASSWORD};
use domain::model::{Email, Page};
use domain::ports::SystemClock;
use std::collections::{BTreeMap, HashMap};
use std::process::Command;
use std::sync::Arc;

fn seed(db: &str, store: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_app"))
        .arg("seed-demo")
        .env_clear()
        .env("DATABASE_URL", db)
        .env("STORE", store)
        .env("RUST_LOG", "error")
        .output()
        .expect("app binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_creates_the_data_set_once() {
    let db = FreshDatabase::create().await.unwrap();

    let (code, out, err) = seed(&db.url, "postgres");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 user(s), 3 hotel(s), 6 room type(s) created, 3 hotel(s) activated"), "{out}");
    assert!(out.contains(DEMO_PASSWORD), "the password is printed: {out}");
    let (code, out, err) = seed(&db.url, "postgres");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 user(s), 0 hotel(s), 0 room type(s) created, 0 hotel(s) activated"), "{out}");

    // What is there, through the server's own services.
    let vars: HashMap<String, String> =
        [("DATABASE_URL".to_string(), db.url.clone()), ("JWT_SECRET".into(), "x".repeat(40))].into();
    let config = app::Config::from_vars(&vars).unwrap();
    let w = app::wire(&config, Arc::new(SystemClock)).unwrap();
    let login = |e: &str| w.auth.login(Email::parse(e).unwrap(), DEMO_PASSWORD.into());
    let manager = login(DEMO_MANAGER).await.unwrap().user;
    assert!(manager.is_manager());
    assert!(!login(DEMO_GUEST).await.unwrap().user.is_manager());
    let page = Page { limit: 100, offset: 0 };
    let hotels = w.catalog.my_hotels(&manager, page).await.unwrap();
    assert_eq!(hotels.total, 3);
    let mut cities = BTreeMap::new();
    for h in &hotels.items {
        assert!(h.active, "{} is active", h.name);
        *cities.entry(h.city.clone().unwrap()).or_insert(0) += 1;
        let rooms = w.catalog.rooms(&manager, h.id, page).await.unwrap();
        assert_eq!(rooms.total, 2, "{}", h.name);
    }
    assert_eq!(cities, BTreeMap::from([("Lisbon".to_string(), 1), ("Vienna".to_string(), 2)]));
    drop(w);
    db.drop_now().await;
}

#[test]
fn seed_demo_refuses_the_in_memory_store() {
    let (code, out, err) = seed("", "memory");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("STORE=postgres"), "{err}");
}
