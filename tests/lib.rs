//! The end-to-end harness: the real server wiring (`app::start`) on port 0 against a fresh database cloned from
//! a migrated template, driven over HTTP with reqwest.

use adapter_postgres::testing::FreshDatabase;
use chrono::{Duration, NaiveDate, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A running server on its own database.
pub struct TestApp {
    pub base: String,
    pub db: FreshDatabase,
    pub client: reqwest::Client,
    pub vars: HashMap<String, String>,
    running: Vec<app::Running>,
}

/// A response: status, headers and the JSON body (or `Value::String` for non-JSON).
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// The `code` of an error body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

fn base_vars(db_url: &str) -> HashMap<String, String> {
    [
        ("DATABASE_URL", db_url),
        ("JWT_SECRET", "e2e-secret-e2e-secret-e2e-secret-e2e"),
        ("RATE_LIMIT_PER_MINUTE", "0"),
        ("DATABASE_POOL_SIZE", "8"),
        ("SWEEP_INTERVAL_SECONDS", "3600"),
        ("PAYMENT_GATEWAY", "simulated"),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "warn"),
        // `E2E_STORE=memory` runs the suite against the in-memory store (`make test` does both).
        ("STORE", if memory_store() { "memory" } else { "postgres" }),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl TestApp {
    /// A server with the default test settings plus `extra`.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> TestApp {
        let db = FreshDatabase::create().await.expect("fresh database");
        let mut vars = base_vars(&db.url);
        for (k, v) in extra {
            vars.insert(k.to_string(), v.to_string());
        }
        let mut app = TestApp {
            base: String::new(),
            db,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            vars,
            running: Vec::new(),
        };
        app.base = app.start_instance().await;
        app
    }

    /// A server with the default test settings.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts one more server process-equivalent (own pool, own workers) on the same database; returns its base URL.
    pub async fn start_instance(&mut self) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut vars = self.vars.clone();
        vars.insert("PUBLIC_BASE_URL".into(), format!("http://127.0.0.1:{port}"));
        let config = app::Config::from_vars(&vars).expect("config");
        let running = app::start(config, listener).await.expect("server starts");
        self.running.push(running);
        format!("http://127.0.0.1:{port}")
    }

    /// Stops the servers and drops the database.
    pub async fn stop(self) {
        for r in &self.running {
            r.server.stop(false).await;
            r.jobs.abort();
            if let Some(relay) = &r.relay {
                relay.abort();
            }
        }
        self.db.drop_now().await;
    }

    /// The admin CLI's `users grant-manager`, through the same service the CLI uses.
    pub async fn grant_manager(&self, email: &str) {
        let e = domain::model::Email::parse(email).expect("email");
        assert!(self.running[0].auth.set_manager(&e, true).await.expect("grant"));
    }

    /// The admin CLI's `users revoke-manager`, on the server's own store.
    pub async fn revoke_manager(&self, email: &str) {
        let e = domain::model::Email::parse(email).expect("email");
        assert!(self.running[0].auth.set_manager(&e, false).await.expect("revoke"));
    }

    /// Any request against `base`.
    pub async fn request_to(
        &self,
        base: &str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut rb = self.client.request(method, format!("{base}{path}"));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let res = rb.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp { status, headers, body }
    }

    /// A request against the first server.
    pub async fn req(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        self.request_to(&self.base, method, path, token, body, &[]).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.req(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.req(Method::POST, path, token, Some(body)).await
    }

    /// Signs up and logs in; returns (user id, access token, refresh token).
    pub async fn user(&self, email: &str) -> (i64, String, String) {
        let r =
            self.post("/auth/signup", None, json!({"email": email, "password": "password123", "name": "Test"})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.body["id"].as_i64().expect("id");
        let r = self.post("/auth/login", None, json!({"email": email, "password": "password123"})).await;
        assert_eq!(r.status, 200, "{r:?}");
        (
            id,
            r.body["access_token"].as_str().expect("token").into(),
            r.body["refresh_token"].as_str().expect("rt").into(),
        )
    }

    /// Adds a saved guest to the hold `id` of `token`'s user and pays it through the simulated checkout page; the
    /// booking is CONFIRMED after.
    pub async fn pay(&self, token: &str, id: i64) {
        let g =
            self.post("/users/guests", Some(token), json!({"name": "G", "gender": "MALE"})).await.body["id"].clone();
        assert_eq!(self.post(&format!("/bookings/{id}/addGuests"), Some(token), json!([g])).await.status, 200);
        let r = self.post(&format!("/bookings/{id}/payments"), Some(token), json!(null)).await;
        let sid = r.body["session_url"].as_str().expect("session_url").rsplit('/').next().unwrap_or("").to_string();
        assert_eq!(self.post(&format!("/payments/simulated/{sid}/complete"), None, json!(null)).await.status, 303);
        assert_eq!(self.get(&format!("/bookings/{id}"), Some(token)).await.body["booking_status"], "CONFIRMED");
    }

    /// A manager with an active hotel in `city` and one room type of `total` rooms at `price`; returns
    /// (manager token, hotel id, room id).
    pub async fn hotel(&self, email: &str, city: &str, total: i64, price: &str) -> (String, i64, i64) {
        let (_, _, _) = self.user(email).await;
        self.grant_manager(email).await;
        let r = self.post("/auth/login", None, json!({"email": email, "password": "password123"})).await;
        let token = r.body["access_token"].as_str().expect("token").to_string();
        let r = self.post("/admin/hotels", Some(&token), json!({"name": format!("Hotel {city}"), "city": city})).await;
        assert_eq!(r.status, 201, "{r:?}");
        let hotel = r.body["id"].as_i64().expect("id");
        let r = self
            .post(
                &format!("/admin/hotels/{hotel}/rooms"),
                Some(&token),
                json!({"type": "Double", "base_price": price, "total_count": total, "capacity": 2}),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let room = r.body["id"].as_i64().expect("id");
        let r = self.req(Method::PATCH, &format!("/admin/hotels/{hotel}/activate"), Some(&token), None).await;
        assert_eq!(r.status, 200, "{r:?}");
        (token, hotel, room)
    }
}

/// Whether the suite runs on the in-memory store (`E2E_STORE=memory`) rather than PostgreSQL.
pub fn memory_store() -> bool {
    std::env::var("E2E_STORE").is_ok_and(|v| v == "memory")
}

/// Today + `days` (UTC).
pub fn day(days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

/// A unique e-mail address.
pub fn email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}
