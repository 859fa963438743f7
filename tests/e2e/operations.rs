//! Production behaviour of the database connection and the metrics: a statement or lock timeout is a 503, and the
//! labels of the request metrics stay bounded whatever paths and methods clients send.

use adapter_postgres::PgStore;
use e2e::TestApp;
use reqwest::Method;
use std::time::{Duration, Instant};

/// Holds an ACCESS EXCLUSIVE lock on `hotel` for `hold` (from a connection of its own), returning once the lock is
/// held; the task ends when the lock is released.
async fn lock_hotels(db_url: &str, hold: Duration) -> tokio::task::JoinHandle<()> {
    let locker = PgStore::connect(db_url, 1).expect("pool");
    let sql =
        format!("BEGIN; LOCK TABLE hotel IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({}); COMMIT;", hold.as_secs_f64());
    let task = tokio::spawn(async move { locker.batch_execute(&sql).await.expect("lock held and released") });
    let watcher = PgStore::connect(db_url, 1).expect("pool");
    let held = "SELECT count(*)::text AS value FROM pg_locks
                WHERE relation = 'hotel'::regclass AND mode = 'AccessExclusiveLock' AND granted";
    for _ in 0..200 {
        if watcher.query_value(held).await.expect("pg_locks") == "1" {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the lock was never taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_or_lock_timeout_answers_503_not_500() {
    if e2e::memory_store() {
        eprintln!("skipped on STORE=memory: PostgreSQL statement and lock timeouts");
        return;
    }
    // Hotel info goes to the database only without the read model (which answers it from memory).
    for (what, vars) in [
        (
            "lock_timeout",
            [("DATABASE_LOCK_TIMEOUT_MS", "200"), ("DATABASE_STATEMENT_TIMEOUT_MS", "0"), ("READ_MODEL", "false")],
        ),
        (
            "statement_timeout",
            [("DATABASE_LOCK_TIMEOUT_MS", "0"), ("DATABASE_STATEMENT_TIMEOUT_MS", "300"), ("READ_MODEL", "false")],
        ),
    ] {
        let app = TestApp::spawn_with(&vars).await;
        let r = app.get("/hotels/987654321/info", None).await;
        assert_eq!(r.status, 404, "{what}: {r:?}");

        let locked = lock_hotels(&app.db.url, Duration::from_secs(3)).await;
        let started = Instant::now();
        let r = app.get("/hotels/987654321/info", None).await;
        assert_eq!((r.status.as_u16(), r.code()), (503, "service_unavailable"), "{what}: {r:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{what}: cut short, not waiting for the lock");
        locked.await.expect("locker");

        // The same pooled connections serve normally afterwards.
        assert_eq!(app.get("/hotels/987654321/info", None).await.status, 404, "{what}");
        assert_eq!(app.get("/ready", None).await.status, 200, "{what}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_metric_labels_stay_bounded() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        assert_eq!(app.get(&format!("/nope-{i}-zq7/deeper"), None).await.status, 404);
    }
    for id in [987_650_001, 987_650_002] {
        assert_eq!(app.get(&format!("/hotels/{id}/info"), None).await.status, 404);
    }
    let frob = Method::from_bytes(b"FROBNICATE").expect("method");
    for _ in 0..3 {
        let r = app.req(frob.clone(), "/", None, None).await;
        assert!(r.status.is_client_error(), "{r:?}");
    }
    let text = app.get("/metrics", None).await.body.as_str().expect("text").to_string();
    let requests: Vec<&str> = text.lines().filter(|l| l.starts_with("http_requests_total{")).collect();
    assert!(requests.iter().any(|l| l.contains("route=\"unmatched\"")), "{requests:?}");
    // The pattern (`/hotels/{hotel_id}/info`), not the path.
    assert!(requests.iter().any(|l| l.contains("route=\"/hotels/{") && l.contains("}/info\"")), "{requests:?}");
    assert!(requests.iter().any(|l| l.contains("method=\"OTHER\"")), "{requests:?}");
    for raw in ["zq7", "987650001", "987650002", "FROBNICATE"] {
        assert!(!text.contains(raw), "the raw value {raw} became a label:\n{requests:?}");
    }
    app.stop().await;
}
