//! The command line of the `app` binary:
//!
//! * `app serve` (also with no argument): the HTTP server and its background jobs; migrates first when
//!   `AUTO_MIGRATE=true` (the default).
//! * `app migrate`: applies the embedded migrations and exits.
//! * `app sweep`: one pass of the background sweeper (hold expiry, refund retries) and exits.
//! * `app openapi`: prints the OpenAPI document; needs no configuration or database.
//! * `app seed-demo`: loads the demo data set (`crate::demo`: two accounts with the password `staybook-demo`,
//!   three active hotels in Vienna and Lisbon); idempotent; PostgreSQL only.
//! * `app users grant-manager <email>` / `app users revoke-manager <email>`: the `HOTEL_MANAGER` role.
//!
//! Exit codes: 0 success, 1 failure, 2 usage or configuration error.

use crate::config::Config;
use crate::startup::{start, wire};
use crate::telemetry::init_logging;
use domain::model::Email;
use domain::ports::{Clock, FixedClock, SystemClock};
use std::sync::Arc;

const USAGE: &str = "usage: app [serve | migrate | sweep | topup [--as-of YYYY-MM-DD] | openapi | healthcheck | seed-demo | users grant-manager <email> | users revoke-manager <email>]";

/// `app healthcheck`: exit 0 when this machine's server (`PORT`, 8000) answers `GET /ready` with 200 within 3 s,
/// else 1 — the container health check (no curl in the image), with no configuration needed.
async fn healthcheck() -> i32 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let port = std::env::var("PORT").ok().and_then(|p| p.parse::<u16>().ok()).unwrap_or(8000);
    let probe = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        s.write_all(b"GET /ready HTTP/1.0\r\nHost: localhost\r\n\r\n").await.ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).await.ok()?;
        Some(head.starts_with(b"HTTP/1.") && &head[9..12] == b"200")
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), probe).await {
        Ok(Some(true)) => 0,
        _ => {
            eprintln!("not ready: GET http://127.0.0.1:{port}/ready did not answer 200");
            1
        }
    }
}

/// Runs the command line; returns the process exit code.
pub async fn main(args: Vec<String>) -> i32 {
    // `app openapi` prints the OpenAPI document (the same one `/openapi.json` serves) and needs no configuration,
    // so CI can generate clients from it without a database.
    if args.iter().skip(1).map(String::as_str).eq(["openapi"]) {
        return match adapter_http::openapi().to_pretty_json() {
            Ok(doc) => {
                println!("{doc}");
                0
            }
            Err(e) => {
                eprintln!("cannot serialise the OpenAPI document: {e}");
                1
            }
        };
    }
    if args.iter().skip(1).map(String::as_str).eq(["healthcheck"]) {
        return healthcheck().await;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return 2;
        }
    };
    init_logging(&config);
    let words: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    // Only the server issues tokens; the other commands need no secret.
    if config.jwt_secret_generated && matches!(words.as_slice(), [] | ["serve"]) {
        tracing::warn!("JWT_SECRET is not set: using a random per-process secret (tokens die with the process)");
    }
    match words.as_slice() {
        [] | ["serve"] => serve(config).await,
        ["migrate"] => match wire(&config, Arc::new(SystemClock)) {
            Ok(w) => match w.store.migrate(&config.currency).await {
                Ok(n) => {
                    println!("applied {n} migration(s)");
                    0
                }
                Err(e) => {
                    eprintln!("migration failed: {e}");
                    1
                }
            },
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        ["sweep"] => match wire(&config, Arc::new(SystemClock)) {
            Ok(w) => match crate::jobs::sweep_once(&w, config.login_window_minutes * 60).await {
                Ok(n) => {
                    println!("expired {n} hold(s)");
                    0
                }
                Err(e) => {
                    eprintln!("sweep failed: {e}");
                    1
                }
            },
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        ["seed-demo"] => seed_demo(&config).await,
        ["topup"] => topup(&config, Arc::new(SystemClock)).await,
        ["topup", "--as-of", date] => match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
            // Noon UTC: the given date is "today" in every zone within ±12 h.
            Ok(d) => topup(&config, Arc::new(FixedClock(d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()))).await,
            Err(_) => {
                eprintln!("--as-of wants a date YYYY-MM-DD, got {date}");
                2
            }
        },
        ["users", action @ ("grant-manager" | "revoke-manager"), email] => {
            let Some(email) = Email::parse(email) else {
                eprintln!("not an email address: {email}");
                return 1;
            };
            let w = match wire(&config, Arc::new(SystemClock)) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("{e}");
                    return 1;
                }
            };
            match w.auth.set_manager(&email, *action == "grant-manager").await {
                Ok(true) => {
                    println!("{action}: {}", email.as_str());
                    0
                }
                Ok(false) => {
                    eprintln!("no user with email {}", email.as_str());
                    1
                }
                Err(e) => {
                    eprintln!("failed: {e}");
                    1
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            2
        }
    }
}

/// The daily inventory top-up, once, as the server's job runs it (`--as-of`: as if today were that date, to
/// backfill or to rebuild a window day by day), followed by the table maintenance the job does after a top-up.
async fn topup(config: &Config, clock: Arc<dyn Clock>) -> i32 {
    let w = match wire(config, clock) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    match w.catalog.extend_window().await {
        Ok(n) => {
            crate::jobs::maintain_tables(&w, n > 0).await;
            println!("inserted {n} inventory night(s)");
            0
        }
        Err(e) => {
            eprintln!("top-up failed: {e}");
            1
        }
    }
}

async fn seed_demo(config: &Config) -> i32 {
    if config.store == crate::config::StoreKind::Memory {
        eprintln!("seed-demo needs STORE=postgres: the in-memory store forgets everything when this command exits");
        return 2;
    }
    let w = match wire(config, Arc::new(SystemClock)) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if config.auto_migrate
        && let Err(e) = w.store.migrate(&config.currency).await
    {
        eprintln!("migration failed: {e}");
        return 1;
    }
    match crate::demo::seed_demo(&w).await {
        Ok(r) => {
            println!(
                "demo data: {} user(s), {} hotel(s), {} room type(s) created, {} hotel(s) activated",
                r.users, r.hotels, r.rooms, r.activated
            );
            println!(
                "log in as {} (manager) or {} (guest), password {}",
                crate::demo::DEMO_MANAGER,
                crate::demo::DEMO_GUEST,
                crate::demo::DEMO_PASSWORD
            );
            0
        }
        Err(e) => {
            eprintln!("seed-demo failed: {e}");
            1
        }
    }
}

async fn serve(config: Config) -> i32 {
    let addr = format!("{}:{}", config.bind_addr, config.port);
    let listener = match std::net::TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot bind {addr}: {e}");
            return 1;
        }
    };
    let running = match start(config, listener).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("startup failed: {e}");
            return 1;
        }
    };
    // actix stops gracefully on SIGINT/SIGTERM; the server task ends then.
    let result = running.task.await;
    running.jobs.abort();
    if let Some(relay) = &running.relay {
        relay.abort();
    }
    match result {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}
