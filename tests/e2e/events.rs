//! The outbox relay end to end (docs/EVENTS.md): bookings and manager changes through two replicas (one on the
//! in-memory store) reach a NATS JetStream stream exactly once each, in order per aggregate, also when NATS is
//! stopped mid-run and started again. Runs a private `nats-server` (JetStream, its own port and store); skipped,
//! saying so, when that binary is missing.

use e2e::{TestApp, day, email, memory_store};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A private NATS server with JetStream, stopped when dropped.
struct Nats {
    bin: String,
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

impl Nats {
    fn binary() -> Option<String> {
        ["nats-server", "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
            .iter()
            .find(|b| Command::new(b).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok())
            .map(|b| b.to_string())
    }

    async fn start() -> Option<Nats> {
        let Some(bin) = Self::binary() else {
            eprintln!("skipped: no nats-server binary (Debian package nats-server) to run a private JetStream");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let dir = std::env::temp_dir().join(format!("staybook-nats-{}-{port}", std::process::id()));
        let mut n = Nats { bin, port, dir, child: None };
        n.run().await;
        Some(n)
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    async fn run(&mut self) {
        let child = Command::new(&self.bin)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string(), "-js", "-sd"])
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nats-server did not listen on {}", self.port);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every message of the stream, in stream order: (event id, envelope).
async fn stream_messages(url: &str) -> Vec<(String, Value)> {
    let client = async_nats::connect(url).await.expect("connect");
    let js = async_nats::jetstream::new(client);
    let Ok(stream) = js.get_stream("E2E").await else { return Vec::new() };
    let consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.create_consumer(async_nats::jetstream::consumer::pull::Config::default()).await.expect("consumer");
    let mut out = Vec::new();
    loop {
        let mut batch =
            consumer.fetch().max_messages(500).expires(Duration::from_millis(500)).messages().await.expect("fetch");
        let mut n = 0;
        while let Some(Ok(m)) = batch.next().await {
            n += 1;
            let id = m.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")).map(|v| v.to_string()).unwrap_or_default();
            out.push((id, serde_json::from_slice(&m.payload).expect("JSON envelope")));
            let _ = m.ack().await;
        }
        if n == 0 {
            return out;
        }
    }
}

/// The ids of every event of the hotel, from its history.
async fn recorded(app: &TestApp, token: &str, hotel: i64) -> HashSet<String> {
    let r = app.get(&format!("/admin/hotels/{hotel}/history?limit=200"), Some(token)).await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body.as_array().unwrap().iter().map(|e| e["event_id"].as_str().unwrap().to_string()).collect()
}

/// Waits until the stream holds exactly the recorded events (by id), then checks there are no copies.
async fn settles(nats: &Nats, want: &HashSet<String>) -> Vec<(String, Value)> {
    let mut last = Vec::new();
    for _ in 0..120 {
        last = stream_messages(&nats.url()).await;
        let ids: HashSet<String> = last.iter().map(|(id, _)| id.clone()).collect();
        if ids == *want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let ids: Vec<&String> = last.iter().map(|(id, _)| id).collect();
    let unique: HashSet<&String> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "every event exactly once");
    assert_eq!(unique.into_iter().cloned().collect::<HashSet<_>>(), *want, "every recorded event published");
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_publishes_every_event_once_across_replicas_and_a_nats_restart() {
    let Some(mut nats) = Nats::start().await else { return };
    let url = nats.url();
    let mut app =
        TestApp::spawn_with(&[("NATS_URL", &url), ("NATS_STREAM", "E2E"), ("MAX_ACTIVE_HOLDS_PER_USER", "0")]).await;
    // A second replica on the same database, relaying too (PostgreSQL: only the lease holder publishes).
    let second = if memory_store() { app.base.clone() } else { app.start_instance().await };
    let (mgr, hotel, room) = app.hotel(&email("m"), "Lisbon", 20, "100.00").await;
    let (_, guest, _) = app.user(&email("g")).await;
    let hold = |base: String, d: i64| {
        let (app, guest) = (&app, &guest);
        async move {
            let body = json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(d).to_string(),
                "check_out_date": day(d + 1).to_string()});
            let r = app.request_to(&base, Method::POST, "/bookings/init", Some(guest), Some(body), &[]).await;
            assert_eq!(r.status, 201, "{r:?}");
            r.body["id"].as_i64().unwrap()
        }
    };
    for d in 0..6 {
        hold(if d % 2 == 0 { app.base.clone() } else { second.clone() }, 10 + d).await;
    }
    let paid = hold(second.clone(), 30).await;
    app.pay(&guest, paid).await;
    let first = settles(&nats, &recorded(&app, &mgr, hotel).await).await;
    assert!(first.len() >= 15, "{}", first.len());

    // NATS goes away: changes go on and wait in the outbox; NATS comes back (same store) and they all arrive.
    nats.stop();
    for d in 0..6 {
        hold(if d % 2 == 0 { second.clone() } else { app.base.clone() }, 40 + d).await;
    }
    assert_eq!(app.post(&format!("/bookings/{paid}/cancel"), Some(&guest), json!(null)).await.status, 204);
    let patch = json!({"price": "90.00"});
    let path = format!("/admin/inventory/rooms/{room}?start_date={}&end_date={}", day(50), day(52));
    assert_eq!(app.req(Method::PATCH, &path, Some(&mgr), Some(patch)).await.status, 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    nats.run().await;
    let all = settles(&nats, &recorded(&app, &mgr, hotel).await).await;
    assert!(all.len() > first.len());

    // In order per aggregate (versions increasing along the stream), subjects and envelopes as documented.
    let mut last: HashMap<(String, i64), i64> = HashMap::new();
    for (id, e) in &all {
        assert_eq!(e["event_id"].as_str(), Some(id.as_str()));
        assert_eq!(e["schema_version"], 1);
        assert_eq!(e["hotel_id"], hotel);
        let key = (e["aggregate"]["type"].as_str().unwrap().to_string(), e["aggregate"]["id"].as_i64().unwrap());
        let v = e["aggregate"]["version"].as_i64().unwrap();
        if let Some(prev) = last.insert(key.clone(), v) {
            assert!(v > prev, "{key:?}: version {v} after {prev}");
        }
    }
    let kinds: Vec<&str> = all.iter().map(|(_, e)| e["type"].as_str().unwrap()).collect();
    for k in
        ["hotel.created", "room.created", "booking.held", "booking.confirmed", "booking.cancelled", "inventory.updated"]
    {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    app.stop().await;
}
