//! `IdempotencyStore` (API.md §4.3.7): per-user keys, 60 s in-flight lease, 24 h retention.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::ports::{IdempotencyStart, Lease};

const INIT: &str = "/bookings/init";

/// The lease of a `Proceed`; panics on any other outcome.
fn proceed(s: IdempotencyStart) -> Lease {
    match s {
        IdempotencyStart::Proceed { lease } => lease,
        other => panic!("expected Proceed, got {other:?}"),
    }
}

/// Start, in use, complete, replay, mismatch (fingerprint, method or path), per-user scope, release.
pub async fn idempotency_lifecycle(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let store = &fx.s.idempotency;
    let u = fx.user("ursula").await;
    let v = fx.user("victor").await;
    let fp = vec![1u8; 32];
    let other_fp = vec![2u8; 32];

    let k1 = proceed(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.now).await.unwrap());
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(1)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(
        store.start(u.id, "k1", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    let _lease = proceed(store.start(v.id, "k1", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap());

    assert!(store.complete(u.id, "k1", k1, 201, b"{\"id\":1}".to_vec()).await.unwrap());
    let replay = IdempotencyStart::Replay { status: 201, body: b"{\"id\":1}".to_vec() };
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(2)).await.unwrap(), replay);
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(3)).await.unwrap(), replay, "replays again");
    assert_eq!(
        store.start(u.id, "k1", "POST", INIT, other_fp.clone(), fx.secs(3)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    assert_eq!(
        store.start(u.id, "k1", "POST", "/bookings/7/payments", fp.clone(), fx.secs(3)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    assert_eq!(store.start(u.id, "k1", "PUT", INIT, fp.clone(), fx.secs(3)).await.unwrap(), IdempotencyStart::Mismatch);
    // Releasing a completed key does not forget it.
    store.release(u.id, "k1", k1).await.unwrap();
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(4)).await.unwrap(), replay);

    // A released claim (a 5xx) lets the retry run.
    let k2 = proceed(store.start(u.id, "k2", "POST", INIT, fp.clone(), fx.now).await.unwrap());
    store.release(u.id, "k2", k2).await.unwrap();
    let k2 = proceed(store.start(u.id, "k2", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap());
    assert_eq!(
        store.start(u.id, "k2", "POST", INIT, other_fp.clone(), fx.secs(2)).await.unwrap(),
        IdempotencyStart::InUse
    );
    assert!(store.complete(u.id, "k2", k2, 409, b"conflict".to_vec()).await.unwrap());
    assert_eq!(
        store.start(u.id, "k2", "POST", INIT, other_fp, fx.secs(3)).await.unwrap(),
        IdempotencyStart::Replay { status: 409, body: b"conflict".to_vec() }
    );
}

/// A lease lapses after 60 s and is taken over (with a new lease); a key is forgotten after 24 h.
pub async fn idempotency_lease_and_retention(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let store = &fx.s.idempotency;
    let u = fx.user("wendy").await;
    let fp = vec![7u8; 32];

    let first = proceed(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.now).await.unwrap());
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(59)).await.unwrap(), IdempotencyStart::InUse);
    let second = proceed(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(61)).await.unwrap());
    assert_ne!(first, second, "a takeover gets a new lease");
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(62)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(120)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, vec![8u8; 32], fx.secs(62)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    assert!(store.complete(u.id, "k3", second, 200, b"done".to_vec()).await.unwrap());
    let replay = IdempotencyStart::Replay { status: 200, body: b"done".to_vec() };
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(3600)).await.unwrap(),
        replay,
        "no lease after completion"
    );

    let day = Duration::hours(24);
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.now + day - Duration::seconds(60)).await.unwrap(),
        replay
    );
    let after = fx.now + day + Duration::seconds(120);
    proceed(store.start(u.id, "k3", "POST", INIT, vec![9u8; 32], after).await.unwrap());
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, vec![9u8; 32], after + Duration::seconds(1)).await.unwrap(),
        IdempotencyStart::InUse
    );
}

/// Simultaneous first requests with one key: exactly one proceeds.
pub async fn concurrent_idempotency_claims(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let u = fx.user("xena").await;
    let now = fx.now;
    let results = race(8, |_| {
        let store = fx.s.idempotency.clone();
        let uid = u.id;
        async move { store.start(uid, "k-race", "POST", INIT, vec![3u8; 32], now).await.unwrap() }
    })
    .await;
    assert_eq!(results.iter().filter(|r| matches!(r, IdempotencyStart::Proceed { .. })).count(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == IdempotencyStart::InUse).count(), 7, "{results:?}");
}

/// Fencing: a request that outlived its lease cannot store or release anything once another request took the
/// key over; the one holding the current lease completes, and its response is what replays.
pub async fn idempotency_lease_takeover_is_fenced(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let store = &fx.s.idempotency;
    let u = fx.user("yolanda").await;
    let fp = vec![5u8; 32];
    let slow = proceed(store.start(u.id, "k4", "POST", INIT, fp.clone(), fx.now).await.unwrap());
    let fast = proceed(store.start(u.id, "k4", "POST", INIT, fp.clone(), fx.secs(61)).await.unwrap());
    // The slow first request finally finishes: its writes are refused.
    assert!(!store.complete(u.id, "k4", slow, 201, b"slow".to_vec()).await.unwrap(), "stale lease completed");
    store.release(u.id, "k4", slow).await.unwrap();
    assert_eq!(
        store.start(u.id, "k4", "POST", INIT, fp.clone(), fx.secs(62)).await.unwrap(),
        IdempotencyStart::InUse,
        "the stale release did not free the new claim"
    );
    assert!(store.complete(u.id, "k4", fast, 201, b"fast".to_vec()).await.unwrap());
    assert!(!store.complete(u.id, "k4", slow, 201, b"slow".to_vec()).await.unwrap(), "after completion too");
    store.release(u.id, "k4", fast).await.unwrap();
    assert_eq!(
        store.start(u.id, "k4", "POST", INIT, fp, fx.secs(63)).await.unwrap(),
        IdempotencyStart::Replay { status: 201, body: b"fast".to_vec() }
    );
}
