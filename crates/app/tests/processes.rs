//! Two real server processes (the `app` binary, run twice) on one PostgreSQL database race for the last room:
//! exactly one hold succeeds. Separate processes share nothing but the database.

use adapter_postgres::testing::FreshDatabase;
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn spawn(db: &str, migrate: bool) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_app"))
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", db)
        .env("PORT", port.to_string())
        .env("BIND_ADDR", "127.0.0.1")
        .env("JWT_SECRET", "processes-secret-processes-secret-0001")
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("MAX_ACTIVE_HOLDS_PER_USER", "0")
        .env("AUTO_MIGRATE", if migrate { "true" } else { "false" })
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("app binary starts");
    // Owned by `Server` at once, so every path (including the panic below) kills and reaps it.
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("{}/ready", server.base)).send().await
            && r.status() == 200
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on {} did not become ready", server.base);
}

async fn post(c: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut rb = c.post(url).json(&body);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let res = rb.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_race_for_the_last_room() {
    let db = FreshDatabase::create().await.unwrap();
    let a = spawn(&db.url, true).await;
    let b = spawn(&db.url, false).await;
    let c = reqwest::Client::new();

    // A manager with one room (through process A), promoted with the CLI of the same binary.
    let email = "owner@example.com";
    post(&c, format!("{}/auth/signup", a.base), None, json!({"email": email, "password": "password123"})).await;
    let out = Command::new(env!("CARGO_BIN_EXE_app"))
        .args(["users", "grant-manager", email])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(out.status.success(), "grant-manager exits 0");
    let unknown = Command::new(env!("CARGO_BIN_EXE_app"))
        .args(["users", "grant-manager", "nobody@example.com"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1), "unknown user exits 1");
    let (_, login) =
        post(&c, format!("{}/auth/login", a.base), None, json!({"email": email, "password": "password123"})).await;
    let mgr = login["access_token"].as_str().unwrap().to_string();
    let (_, hotel) =
        post(&c, format!("{}/admin/hotels", a.base), Some(&mgr), json!({"name": "Race", "city": "Race"})).await;
    let hotel = hotel["id"].as_i64().unwrap();
    let (_, room) = post(
        &c,
        format!("{}/admin/hotels/{hotel}/rooms", a.base),
        Some(&mgr),
        json!({"type": "Only", "base_price": "80.00", "total_count": 1, "capacity": 2}),
    )
    .await;
    let room = room["id"].as_i64().unwrap();
    let res = c.patch(format!("{}/admin/hotels/{hotel}/activate", a.base)).bearer_auth(&mgr).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // Tokens from A are valid on B (same secret, roles read from the shared database).
    let stay = stay_in_20_days();
    let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": stay.0, "check_out_date": stay.1});
    let bases = [a.base.clone(), b.base.clone()];
    let results =
        join_all((0..30).map(|i| post(&c, format!("{}/bookings/init", bases[i % 2]), Some(&mgr), body.clone()))).await;
    let won = results.iter().filter(|(s, _)| *s == 201).count();
    let lost = results.iter().filter(|(s, b)| *s == 409 && b["code"] == "room_unavailable").count();
    assert_eq!((won, lost), (1, 29), "{:?}", results.iter().map(|r| r.0).collect::<Vec<_>>());
    let inv = c
        .get(format!("{}/admin/inventory/rooms/{room}?start_date={}&end_date={}", b.base, stay.0, stay.0))
        .bearer_auth(&mgr)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!((inv[0]["reserved_count"].as_i64(), inv[0]["available_count"].as_i64()), (Some(1), Some(0)));
    drop((a, b));
    db.drop_now().await;
}

/// A stay of two nights starting in 20 days, as `YYYY-MM-DD` strings.
fn stay_in_20_days() -> (String, String) {
    let d = |n: i64| (chrono::Utc::now() + chrono::Duration::days(n)).date_naive().to_string();
    (d(20), d(22))
}
