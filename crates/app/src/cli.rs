//! `app [serve | migrate | sweep | openapi | users grant-manager <email> | users revoke-manager <email>]`.

use crate::config::Config;
use crate::startup::{start, wire};
use crate::telemetry::init_logging;
use domain::model::Email;
use domain::ports::SystemClock;
use std::sync::Arc;

const USAGE: &str =
    "usage: app [serve | migrate | sweep | openapi | users grant-manager <email> | users revoke-manager <email>]";

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
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return 2;
        }
    };
    init_logging(&config);
    if config.jwt_secret_generated {
        tracing::warn!("JWT_SECRET is not set: using a random per-process secret (tokens die with the process)");
    }
    let words: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match words.as_slice() {
        [] | ["serve"] => serve(config).await,
        ["migrate"] => match wire(&config, Arc::new(SystemClock)) {
            Ok(w) => match w.store.migrate().await {
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
    match result {
        Ok(Ok(())) => 0,
        _ => 1,
    }
}
