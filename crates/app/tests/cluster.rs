//! Scale-out on one machine (docs/SCALING.md): `scripts/cluster.sh up` starts a PostgreSQL primary and a streaming
//! standby, a private NATS with JetStream, two `app serve` processes (this build) and nginx in front. Through the
//! balancer: bookings race for the last rooms across both instances (exactly K win); an instance killed mid-load
//! loses no accepted booking; search is answered from the standby; NATS stopped and started mid-run loses no
//! event, and both instances relaying publish every event exactly once. Prints `CLUSTER_RESULT` lines with the
//! measured figures. Skipped, saying what is missing, when PostgreSQL's server programs, nats-server or nginx are
//! not installed (`.ci/run` installs nginx).

use futures_util::StreamExt;
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Cluster {
    dir: PathBuf,
    port: u16,
    env: HashMap<String, String>,
}

impl Cluster {
    fn script(&self, args: &[&str]) -> std::process::Output {
        Command::new(root().join("scripts/cluster.sh"))
            .args(args)
            .env("CLUSTER_DIR", &self.dir)
            .env("CLUSTER_PORT", self.port.to_string())
            .env("CLUSTER_APP_BIN", env!("CARGO_BIN_EXE_app"))
            .output()
            .expect("scripts/cluster.sh runs")
    }

    fn up() -> Option<Cluster> {
        // A base port with 13 free ports after it.
        let port = (0..50)
            .map(|i| 20_000 + (std::process::id() % 400) as u16 * 20 + i * 7)
            .find(|p| (0..13).all(|k| std::net::TcpListener::bind(("127.0.0.1", p + k)).is_ok()))?;
        let dir = std::env::temp_dir().join(format!("staybook-cluster-{}", std::process::id()));
        let mut c = Cluster { dir, port, env: HashMap::new() };
        let check = c.script(&["check"]);
        if !check.status.success() {
            eprintln!("skipped: {}", String::from_utf8_lossy(&check.stderr).trim());
            return None;
        }
        let up = c.script(&["up"]);
        assert!(up.status.success(), "cluster up failed:\n{}", String::from_utf8_lossy(&up.stderr));
        let text = std::fs::read_to_string(c.dir.join("env")).expect("env file");
        c.env = text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect();
        Some(c)
    }

    fn get(&self, k: &str) -> &str {
        &self.env[k]
    }

    fn sql(&self, url_key: &str, q: &str) -> String {
        let out = Command::new("psql").args([self.get(url_key), "-Atc", q]).output().expect("psql");
        assert!(out.status.success(), "{q}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.script(&["down"]);
    }
}

struct Api {
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut rb = self.http.request(method, url);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        match rb.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    async fn user(&self, base: &str, email: &str) -> String {
        let body = json!({"email": email, "password": "password123"});
        let (s, _) = self.call(reqwest::Method::POST, format!("{base}/auth/signup"), None, Some(body.clone())).await;
        assert_eq!(s, 201);
        let (s, b) = self.call(reqwest::Method::POST, format!("{base}/auth/login"), None, Some(body)).await;
        assert_eq!(s, 200);
        b["access_token"].as_str().unwrap().to_string()
    }
}

fn day(n: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(n)).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_on_a_primary_and_a_standby() {
    let Some(c) = Cluster::up() else { return };
    let base = c.get("BASE").to_string();
    let api = Api { http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap() };
    use reqwest::Method as M;

    // A manager (granted with the CLI on the primary), a hotel with a 3-room type and a 1000-room type.
    let mgr = api.user(&base, "manager@cluster.test").await;
    let grant = Command::new(env!("CARGO_BIN_EXE_app"))
        .args(["users", "grant-manager", "manager@cluster.test"])
        .env("DATABASE_URL", format!("{}?sslmode=disable", c.get("PRIMARY_URL")))
        .env("JWT_SECRET", c.get("JWT_SECRET"))
        .output()
        .unwrap();
    assert!(grant.status.success(), "{}", String::from_utf8_lossy(&grant.stderr));
    let (s, h) = api
        .call(M::POST, format!("{base}/admin/hotels"), Some(&mgr), Some(json!({"name": "Cluster", "city": "Scaleton"})))
        .await;
    assert_eq!(s, 201, "{h}");
    let hotel = h["id"].as_i64().unwrap();
    let room =
        |kind: &str, total: i64| json!({"type": kind, "base_price": "100.00", "total_count": total, "capacity": 2});
    let (_, r) =
        api.call(M::POST, format!("{base}/admin/hotels/{hotel}/rooms"), Some(&mgr), Some(room("Last", 3))).await;
    let last = r["id"].as_i64().unwrap();
    let (_, r) =
        api.call(M::POST, format!("{base}/admin/hotels/{hotel}/rooms"), Some(&mgr), Some(room("Many", 1000))).await;
    let many = r["id"].as_i64().unwrap();
    let (s, _) = api.call(M::PATCH, format!("{base}/admin/hotels/{hotel}/activate"), Some(&mgr), None).await;
    assert_eq!(s, 200);
    let mut guests = Vec::new();
    for i in 0..8 {
        guests.push(api.user(&base, &format!("guest{i}@cluster.test")).await);
    }
    let init = |room: i64, d: i64, g: usize| {
        let (api, base, token) = (&api, base.clone(), guests[g % guests.len()].clone());
        async move {
            let body =
                json!({"hotel_id": hotel, "room_id": room, "check_in_date": day(d), "check_out_date": day(d + 2)});
            api.call(M::POST, format!("{base}/bookings/init"), Some(&token), Some(body)).await
        }
    };

    // 1. The last three rooms, 40 concurrent inits through the balancer (both instances): exactly 3 win.
    let answers = join_all((0..40).map(|i| init(last, 20, i))).await;
    let won = answers.iter().filter(|(s, _)| *s == 201).count();
    let lost = answers.iter().filter(|(s, b)| *s == 409 && b["code"] == "room_unavailable").count();
    assert_eq!((won, lost), (3, 37), "{:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert_eq!(
        c.sql(
            "PRIMARY_URL",
            &format!("SELECT sum(reserved_count) FROM inventory WHERE room_id = {last} AND date = '{}'", day(20))
        ),
        "3"
    );
    println!(
        "CLUSTER_RESULT race: 40 concurrent inits on 3 rooms through nginx and 2 instances: {won} won, {lost} room_unavailable"
    );

    // 2. An instance killed (SIGKILL) mid-load: every booking answered 201 exists; the rest failed visibly.
    let load = async {
        join_all((0..80).map(|i| async move {
            tokio::time::sleep(Duration::from_millis(i as u64 * 10)).await;
            init(many, 30 + (i % 40) as i64, i).await
        }))
        .await
    };
    let kill = async {
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(c.script(&["stop-app", "1"]).status.success());
    };
    // The standby's replay lag as the primary sees it (pg_stat_replication), sampled during the load.
    let lag = async {
        let mut worst = 0.0f64;
        for _ in 0..10 {
            let l = c.sql(
                "PRIMARY_URL",
                "SELECT COALESCE(max(EXTRACT(EPOCH FROM replay_lag)) * 1000, 0) FROM pg_stat_replication",
            );
            worst = worst.max(l.parse().unwrap_or(0.0));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        worst
    };
    let (answers, (), worst_lag) = tokio::join!(load, kill, lag);
    let accepted: Vec<i64> =
        answers.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b["id"].as_i64().unwrap()).collect();
    let ids = accepted.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let stored = c.sql("PRIMARY_URL", &format!("SELECT count(*) FROM booking WHERE id IN ({ids})"));
    assert_eq!(stored, accepted.len().to_string(), "every accepted booking is stored");
    let statuses: HashMap<u16, usize> = answers.iter().fold(HashMap::new(), |mut m, (s, _)| {
        *m.entry(*s).or_default() += 1;
        m
    });
    assert!(accepted.len() >= 40, "the other instance kept serving: {statuses:?}");
    // Counts stay consistent: every night reserved belongs to a stored hold. A request the killed instance had
    // committed but not yet answered is a stored hold whose 201 was lost (the client sees 502; it expires like
    // any unpaid hold, and an Idempotency-Key makes the retry return it).
    let holds: usize =
        c.sql("PRIMARY_URL", &format!("SELECT count(*) FROM booking WHERE room_id = {many}")).parse().unwrap();
    let reserved = c.sql("PRIMARY_URL", &format!("SELECT sum(reserved_count) FROM inventory WHERE room_id = {many}"));
    assert_eq!(reserved, (holds * 2).to_string(), "inventory counts match the stored holds");
    assert!(holds >= accepted.len() && holds <= 80, "{holds} stored for {} accepted", accepted.len());
    println!(
        "CLUSTER_RESULT kill: 80 inits while instance 1 was killed: {} accepted (all stored; {holds} holds stored in all), answers {statuses:?}",
        accepted.len()
    );
    println!("CLUSTER_RESULT lag: standby replay lag under that load, worst of 10 samples: {worst_lag:.1} ms");
    assert!(c.script(&["start-app", "1"]).status.success());

    // 3. Search reads the standby: with its replay paused, a hotel just created on the primary is missing from
    // search (the standby's view) while its page (the primary) shows it; replay resumed, search finds it.
    let (s, _) = init(many, 60, 0).await; // a fresh commit, so the replay age stays under REPLICA_MAX_LAG_MS
    assert_eq!(s, 201);
    tokio::time::sleep(Duration::from_millis(300)).await;
    c.sql("REPLICA_URL", "SELECT pg_wal_replay_pause()");
    // An active hotel with one room type, created through the balancer (on the primary); its id.
    let open_hotel = async |name: &str, city: &str| -> i64 {
        let (s, h) = api
            .call(M::POST, format!("{base}/admin/hotels"), Some(&mgr), Some(json!({"name": name, "city": city})))
            .await;
        assert_eq!(s, 201, "{h}");
        let id = h["id"].as_i64().unwrap();
        api.call(M::POST, format!("{base}/admin/hotels/{id}/rooms"), Some(&mgr), Some(room("Only", 5))).await;
        let (s, _) = api.call(M::PATCH, format!("{base}/admin/hotels/{id}/activate"), Some(&mgr), None).await;
        assert_eq!(s, 200);
        id
    };
    let fresh = open_hotel("Fresh", "Pausedville").await;
    let search = format!("{base}/hotels/search?city=Pausedville&check_in_date={}&check_out_date={}", day(50), day(51));
    for _ in 0..4 {
        let (s, b) = api.call(M::GET, search.clone(), None, None).await;
        assert_eq!((s, b.as_array().map(Vec::len)), (200, Some(0)), "search answered by the paused standby: {b}");
    }
    let (s, _) = api.call(M::GET, format!("{base}/hotels/{fresh}/info"), None, None).await;
    assert_eq!(s, 200, "the hotel page reads the primary");
    c.sql("REPLICA_URL", "SELECT pg_wal_replay_resume()");
    let t0 = Instant::now();
    loop {
        let (_, b) = api.call(M::GET, search.clone(), None, None).await;
        if b.as_array().map(Vec::len) == Some(1) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "the standby did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "CLUSTER_RESULT standby: search answered by the standby (a hotel created during a replay pause stayed out of it); \
         found {} ms after replay resumed",
        t0.elapsed().as_millis()
    );

    // 3b. Past REPLICA_MAX_LAG_MS only the read path steps aside: with replay paused again and a write behind it,
    // each instance's /ready/read turns 503 while /ready stays 200 and reports the lag, and search (now on the
    // primary) finds a hotel the standby has not replayed; replay resumed, /ready/read is 200 again.
    c.sql("REPLICA_URL", "SELECT pg_wal_replay_pause()");
    open_hotel("Late", "Lagtown").await;
    let t0 = Instant::now();
    for app in ["APP1", "APP2"] {
        let url = format!("{}/ready/read", c.get(app));
        loop {
            let (s, b) = api.call(M::GET, url.clone(), None, None).await;
            if s == 503 {
                assert_eq!(b["detail"], "Read replica lagging", "{b}");
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(15), "{app}: /ready/read stayed {s} with replay paused: {b}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (s, b) = api.call(M::GET, format!("{}/ready", c.get(app)), None, None).await;
        assert_eq!((s, &b["read_replica"]["serving_reads"]), (200, &json!(false)), "{app}: {b}");
        assert!(b["read_replica"]["lag_ms"].as_i64().is_some_and(|l| l > 3000), "{app}: {b}");
    }
    let unready_after = t0.elapsed().as_millis();
    let lagging = format!("{base}/hotels/search?city=Lagtown&check_in_date={}&check_out_date={}", day(50), day(51));
    for _ in 0..4 {
        let (s, b) = api.call(M::GET, lagging.clone(), None, None).await;
        assert_eq!((s, b.as_array().map(Vec::len)), (200, Some(1)), "search falls back to the primary: {b}");
    }
    c.sql("REPLICA_URL", "SELECT pg_wal_replay_resume()");
    let t1 = Instant::now();
    for app in ["APP1", "APP2"] {
        let url = format!("{}/ready/read", c.get(app));
        while api.call(M::GET, url.clone(), None, None).await.0 != 200 {
            assert!(t1.elapsed() < Duration::from_secs(15), "{app}: /ready/read did not recover");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    println!(
        "CLUSTER_RESULT lag threshold: replay paused, both instances' /ready/read answered 503 after {unready_after} ms \
         (threshold 3000 ms) with /ready 200 and search served by the primary; ready again {} ms after replay resumed",
        t1.elapsed().as_millis()
    );

    // 4. NATS stopped mid-run: bookings go on; started again, every event is published, exactly once.
    assert!(c.script(&["stop-nats"]).status.success());
    let during = join_all((0..10).map(|i| init(many, 100 + i, i as usize))).await;
    assert!(during.iter().all(|(s, _)| *s == 201));
    let waiting =
        c.sql("PRIMARY_URL", "SELECT count(*) FROM outbox_event WHERE published_at IS NULL").parse::<i64>().unwrap();
    assert!(waiting >= 10, "events wait in the outbox while NATS is down ({waiting})");
    assert!(c.script(&["start-nats"]).status.success());
    let t0 = Instant::now();
    while c.sql("PRIMARY_URL", "SELECT count(*) FROM outbox_event WHERE published_at IS NULL") != "0" {
        assert!(t0.elapsed() < Duration::from_secs(90), "the relay did not catch up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "CLUSTER_RESULT relay: {waiting} events waited while NATS was down; all published {} ms after it restarted",
        t0.elapsed().as_millis()
    );
    let recorded: HashSet<String> =
        c.sql("PRIMARY_URL", "SELECT event_id FROM outbox_event").lines().map(str::to_string).collect();
    let client = async_nats::connect(c.get("NATS_URL")).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let stream = js.get_stream("STAYBOOK").await.unwrap();
    let consumer: async_nats::jetstream::consumer::PullConsumer =
        stream.create_consumer(async_nats::jetstream::consumer::pull::Config::default()).await.unwrap();
    let mut seen = Vec::new();
    loop {
        let mut batch =
            consumer.fetch().max_messages(1000).expires(Duration::from_millis(500)).messages().await.unwrap();
        let mut n = 0;
        while let Some(Ok(m)) = batch.next().await {
            n += 1;
            let e: Value = serde_json::from_slice(&m.payload).unwrap();
            seen.push(e["event_id"].as_str().unwrap().to_string());
            let _ = m.ack().await;
        }
        if n == 0 {
            break;
        }
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "consumer side: no event twice");
    assert_eq!(unique, recorded, "every recorded event published");
    let leaders: Vec<String> = ["APP1", "APP2"]
        .iter()
        .map(|a| {
            let body =
                std::process::Command::new("curl").args(["-s", &format!("{}/metrics", c.get(a))]).output().unwrap();
            String::from_utf8_lossy(&body.stdout)
                .lines()
                .find(|l| l.starts_with("outbox_relay_leader"))
                .unwrap_or("")
                .to_string()
        })
        .collect();
    println!("CLUSTER_RESULT events: {} events, each once on the stream; relay leaders {leaders:?}", seen.len());

    // 5. Booking init throughput: through both instances vs one (a short closed loop of 32 clients).
    let rate = |target: String, offset: i64| {
        let api = &api;
        let guests = &guests;
        async move {
            let t0 = Instant::now();
            let done = std::sync::atomic::AtomicUsize::new(0);
            join_all((0..32).map(|w| {
                let (target, done) = (target.clone(), &done);
                async move {
                    let mut k = 0;
                    while t0.elapsed() < Duration::from_secs(4) {
                        let body = json!({"hotel_id": hotel, "room_id": many, "check_in_date": day(offset + (w * 7 + k) % 200),
                            "check_out_date": day(offset + (w * 7 + k) % 200 + 1)});
                        let (s, _) = api.call(M::POST, format!("{target}/bookings/init"), Some(&guests[w as usize % guests.len()]), Some(body)).await;
                        if s == 201 {
                            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        k += 1;
                    }
                }
            }))
            .await;
            done.load(std::sync::atomic::Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64()
        }
    };
    let one = rate(c.get("APP2").to_string(), 150).await;
    let two = rate(base.clone(), 155).await;
    println!(
        "CLUSTER_RESULT init: {one:.0} holds/s on one instance directly, {two:.0} holds/s through nginx on two (debug build, one 2-core machine)"
    );
}
