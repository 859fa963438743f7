//! `IdempotencyStore` (API.md §4.3.7): per-user keys, 60 s in-flight lease, 24 h retention.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::ports::IdempotencyStart;

const INIT: &str = "/bookings/init";

/// Start, in use, complete, replay, mismatch (fingerprint, method or path), per-user scope, release.
pub async fn idempotency_lifecycle(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let store = &fx.s.idempotency;
    let u = fx.user("ursula").await;
    let v = fx.user("victor").await;
    let fp = vec![1u8; 32];
    let other_fp = vec![2u8; 32];

    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.now).await.unwrap(), IdempotencyStart::Proceed);
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(1)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(
        store.start(u.id, "k1", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    assert_eq!(
        store.start(v.id, "k1", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap(),
        IdempotencyStart::Proceed
    );

    store.complete(u.id, "k1", 201, b"{\"id\":1}".to_vec()).await.unwrap();
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
    store.release(u.id, "k1").await.unwrap();
    assert_eq!(store.start(u.id, "k1", "POST", INIT, fp.clone(), fx.secs(4)).await.unwrap(), replay);

    // A released claim (a 5xx) lets the retry run.
    assert_eq!(store.start(u.id, "k2", "POST", INIT, fp.clone(), fx.now).await.unwrap(), IdempotencyStart::Proceed);
    store.release(u.id, "k2").await.unwrap();
    assert_eq!(
        store.start(u.id, "k2", "POST", INIT, other_fp.clone(), fx.secs(1)).await.unwrap(),
        IdempotencyStart::Proceed
    );
    assert_eq!(
        store.start(u.id, "k2", "POST", INIT, other_fp.clone(), fx.secs(2)).await.unwrap(),
        IdempotencyStart::InUse
    );
    store.complete(u.id, "k2", 409, b"conflict".to_vec()).await.unwrap();
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

    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.now).await.unwrap(), IdempotencyStart::Proceed);
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(59)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(61)).await.unwrap(),
        IdempotencyStart::Proceed
    );
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(62)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(store.start(u.id, "k3", "POST", INIT, fp.clone(), fx.secs(120)).await.unwrap(), IdempotencyStart::InUse);
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, vec![8u8; 32], fx.secs(62)).await.unwrap(),
        IdempotencyStart::Mismatch
    );
    store.complete(u.id, "k3", 200, b"done".to_vec()).await.unwrap();
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
    assert_eq!(
        store.start(u.id, "k3", "POST", INIT, vec![9u8; 32], after).await.unwrap(),
        IdempotencyStart::Proceed,
        "pruned"
    );
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
    assert_eq!(results.iter().filter(|r| **r == IdempotencyStart::Proceed).count(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| **r == IdempotencyStart::InUse).count(), 7, "{results:?}");
}
