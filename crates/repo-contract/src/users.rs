//! `UserRepository`: accounts, refresh-token families, login throttle.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Error;
use domain::model::*;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

fn new_user(addr: &str, hash: &str) -> NewUser {
    NewUser { email: email(addr), password_hash: hash.into(), name: None }
}

/// A deterministic UUID for a label: token ids and families are UUIDs in storage (`refresh_token.jti`).
fn id(label: &str) -> String {
    let hash = |salt: u8| {
        let mut h = DefaultHasher::new();
        (salt, label).hash(&mut h);
        h.finish()
    };
    let (a, b) = (hash(1), hash(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

fn token(user: &User, jti: &str, family: &str, now: DateTime<Utc>) -> RefreshTokenRecord {
    RefreshTokenRecord {
        jti: id(jti),
        family_id: id(family),
        user_id: user.id,
        issued_at: now,
        expires_at: now + Duration::days(7),
    }
}

/// Signup stores a GUEST with the normalised email; the same address in any case is a duplicate.
pub async fn signup_stores_user_and_rejects_duplicate_email(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let users = &fx.s.users;
    let new = NewUser { email: email("  Alice@Example.COM "), password_hash: "h1".into(), name: Some("Alice".into()) };
    let alice = users.create_user(new).await.unwrap();
    assert!(alice.id.get() >= 1);
    assert_eq!(alice.email.as_str(), "alice@example.com");
    assert_eq!(alice.password_hash, "h1");
    assert_eq!(alice.name.as_deref(), Some("Alice"));
    assert_eq!((alice.date_of_birth, alice.gender), (None, None));
    assert_eq!(alice.roles, vec![Role::Guest]);

    assert_err(users.create_user(new_user("ALICE@example.com", "h2")).await, Error::EmailAlreadyRegistered);
    assert_eq!(users.user_by_email(&email("alice@EXAMPLE.com")).await.unwrap(), Some(alice.clone()));
    assert_eq!(users.user_by_id(alice.id).await.unwrap(), Some(alice.clone()));

    let bob = users.create_user(new_user("bob@example.com", "h3")).await.unwrap();
    assert_ne!(bob.id, alice.id);
    assert_eq!(users.user_by_email(&email("nobody@example.com")).await.unwrap(), None);
    assert_eq!(users.user_by_id(absent(bob.id)).await.unwrap(), None);
    // The duplicate attempt did not replace the first account.
    assert_eq!(users.user_by_id(alice.id).await.unwrap().unwrap().password_hash, "h1");
}

/// Simultaneous signups with one email create exactly one account.
pub async fn concurrent_signups_create_one_account(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let results = race(8, |i| {
        let users = fx.s.users.clone();
        async move { users.create_user(new_user("race@example.com", &format!("h{i}"))).await }
    })
    .await;
    let winners: Vec<&User> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(*e, Error::EmailAlreadyRegistered);
        }
    }
    let stored = fx.s.users.user_by_email(&email("race@example.com")).await.unwrap().unwrap();
    assert_eq!(&stored, winners[0]);
}

/// Profile patches, password re-hash, manager grant and revoke.
pub async fn profile_password_and_manager_role(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let users = &fx.s.users;
    let u = fx.user("carol").await;
    let dob = NaiveDate::from_ymd_opt(1990, 5, 17).unwrap();
    let patch = ProfilePatch {
        name: Patch::Set(Some("Carol".into())),
        date_of_birth: Patch::Set(Some(dob)),
        gender: Patch::Set(Some(Gender::Female)),
    };
    let p = users.update_profile(u.id, patch).await.unwrap().unwrap();
    assert_eq!((p.name.as_deref(), p.date_of_birth, p.gender), (Some("Carol"), Some(dob), Some(Gender::Female)));
    // `Keep` leaves a field alone, `Set(None)` clears it.
    let patch = ProfilePatch { name: Patch::Set(None), ..ProfilePatch::default() };
    let p = users.update_profile(u.id, patch).await.unwrap().unwrap();
    assert_eq!((p.name, p.date_of_birth, p.gender), (None, Some(dob), Some(Gender::Female)));
    assert_eq!(users.update_profile(absent(u.id), ProfilePatch::default()).await.unwrap(), None);

    users.set_password_hash(u.id, "new-hash".into()).await.unwrap();
    assert_eq!(users.user_by_id(u.id).await.unwrap().unwrap().password_hash, "new-hash");

    assert!(users.set_manager(&email("CAROL@example.com"), true).await.unwrap());
    let roles = users.user_by_id(u.id).await.unwrap().unwrap().roles;
    assert!(roles.contains(&Role::Guest) && roles.contains(&Role::HotelManager) && roles.len() == 2, "{roles:?}");
    assert!(users.set_manager(&u.email, false).await.unwrap());
    assert_eq!(users.user_by_id(u.id).await.unwrap().unwrap().roles, vec![Role::Guest]);
    assert!(!users.set_manager(&email("ghost@example.com"), true).await.unwrap());
}

/// Rotation stores the successor in the presented token's family (whatever `next.family_id` says);
/// replaying a rotated token revokes that whole family and no other.
pub async fn refresh_rotation_keeps_the_family(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let users = &fx.s.users;
    let u = fx.user("dave").await;
    users.insert_refresh_token(token(&u, "a", "family-1", fx.now)).await.unwrap();
    users.insert_refresh_token(token(&u, "e", "family-2", fx.now)).await.unwrap();

    let r = users.rotate_refresh_token(&id("a"), u.id, token(&u, "b", "bogus-1", fx.now), fx.secs(1)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);
    let r = users.rotate_refresh_token(&id("b"), u.id, token(&u, "c", "bogus-2", fx.now), fx.secs(2)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);

    // Replaying "a" (rotated before this presentation) is reuse: family-1 is revoked, "c" included.
    let r = users.rotate_refresh_token(&id("a"), u.id, token(&u, "x", "family-1", fx.now), fx.secs(3)).await.unwrap();
    assert_eq!(r, RotateOutcome::Reused);
    let r = users.rotate_refresh_token(&id("c"), u.id, token(&u, "d", "family-1", fx.now), fx.secs(4)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "c was stored in family-1, which reuse revoked");
    let r = users.rotate_refresh_token(&id("x"), u.id, token(&u, "y", "family-1", fx.now), fx.secs(4)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "the token offered during reuse is never stored");
    // Once revoked, the replayed token itself is just invalid.
    let r = users.rotate_refresh_token(&id("a"), u.id, token(&u, "z", "family-1", fx.now), fx.secs(5)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid);

    // Another family (another login) is untouched.
    let r = users.rotate_refresh_token(&id("e"), u.id, token(&u, "f", "family-2", fx.now), fx.secs(5)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);
    let r = users.rotate_refresh_token(&id("f"), u.id, token(&u, "g", "family-2", fx.now), fx.secs(6)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);
}

/// Unknown, foreign, expired and logged-out tokens are `Invalid`, and a foreign presentation does not
/// consume the token.
pub async fn refresh_rejects_invalid_tokens(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let users = &fx.s.users;
    let u = fx.user("erin").await;
    let other = fx.user("frank").await;
    let next = |jti: &str| token(&u, jti, "whatever", fx.now);

    let r = users.rotate_refresh_token(&id("unknown"), u.id, next("n0"), fx.secs(1)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid);

    users.insert_refresh_token(token(&u, "mine", "fam-a", fx.now)).await.unwrap();
    let r =
        users.rotate_refresh_token(&id("mine"), other.id, token(&other, "n1", "x", fx.now), fx.secs(1)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid);
    let r = users.rotate_refresh_token(&id("mine"), u.id, next("n2"), fx.secs(2)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated, "a foreign presentation must not consume the token");

    let mut old = token(&u, "old", "fam-b", fx.now - Duration::days(8));
    old.expires_at = fx.now - Duration::seconds(1);
    users.insert_refresh_token(old).await.unwrap();
    let r = users.rotate_refresh_token(&id("old"), u.id, next("n3"), fx.now).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid);

    // Logout revokes the whole family: the live successor of a rotated token too.
    users.insert_refresh_token(token(&u, "m", "fam-c", fx.now)).await.unwrap();
    let r = users.rotate_refresh_token(&id("m"), u.id, next("m2"), fx.secs(1)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);
    users.revoke_refresh_family(&id("m"), fx.secs(2)).await.unwrap();
    let r = users.rotate_refresh_token(&id("m2"), u.id, next("m3"), fx.secs(3)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid);
    let r = users.rotate_refresh_token(&id("m"), u.id, next("m4"), fx.secs(3)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "a revoked family gives Invalid, not Reused");

    users.revoke_refresh_family(&id("never-issued"), fx.secs(3)).await.unwrap();
    // "n2" (the successor of "mine") lives in fam-a, which logout of fam-c did not touch.
    let r = users.rotate_refresh_token(&id("n2"), u.id, next("n4"), fx.secs(4)).await.unwrap();
    assert_eq!(r, RotateOutcome::Rotated);
}

/// The same token presented simultaneously: exactly one `Rotated`; every other presentation is reuse
/// (API.md §3.2 has no grace period), so the family is revoked and even the winner's successor is refused.
pub async fn refresh_concurrent_presentation_rotates_once(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let u = fx.user("gina").await;
    fx.s.users.insert_refresh_token(token(&u, "t0", "fam", fx.now)).await.unwrap();
    let at = fx.secs(1);
    let results = race(8, |i| {
        let users = fx.s.users.clone();
        let next = token(&u, &format!("t1-{i}"), "fam", fx.now);
        let uid = u.id;
        async move { users.rotate_refresh_token(&id("t0"), uid, next, at).await.unwrap() }
    })
    .await;
    let winners: Vec<usize> = (0..8).filter(|i| results[*i] == RotateOutcome::Rotated).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    // The first loser finds the token rotated (reuse: the family is revoked); later ones find it revoked.
    assert!(results.contains(&RotateOutcome::Reused), "{results:?}");

    let winner = format!("t1-{}", winners[0]);
    let loser = format!("t1-{}", (winners[0] + 1) % 8);
    let users = &fx.s.users;
    let r = users.rotate_refresh_token(&id(&loser), u.id, token(&u, "t2-l", "fam", fx.now), fx.secs(2)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "a losing successor was never stored");
    let r = users.rotate_refresh_token(&id(&winner), u.id, token(&u, "t2", "fam", fx.now), fx.secs(2)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "the race revoked the family, the winner's successor too");
    let r = users.rotate_refresh_token(&id("t0"), u.id, token(&u, "t2-r", "fam", fx.now), fx.secs(3)).await.unwrap();
    assert_eq!(r, RotateOutcome::Invalid, "a revoked family stays dead");
}

/// Fixed window from the first attempt; each attempt counted before the password check; a window that
/// ended restarts with the attempt that finds it ended; reset after a success.
pub async fn login_throttle_fixed_window(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let users = &fx.s.users;
    let e = email("Throttled@example.com");
    let other = email("other@example.com");
    for i in 0..5 {
        let a = users.count_login_attempt(&e, fx.secs(i), 900).await.unwrap();
        assert_eq!((a.attempts, a.window_started_at), (i as i32 + 1, fx.now), "attempt {i}");
        assert_eq!(a.locked_for(fx.secs(i), 900, 5), None);
    }
    let a = users.count_login_attempt(&email("throttled@EXAMPLE.com"), fx.secs(20), 900).await.unwrap();
    assert_eq!(a.attempts, 6, "the email is normalised");
    assert_eq!(a.locked_for(fx.secs(20), 900, 5), Some(880));
    assert_eq!(a.locked_for(fx.secs(20), 900, 6), None, "6 of 6");
    let o = users.count_login_attempt(&other, fx.secs(20), 900).await.unwrap();
    assert_eq!(o.attempts, 1, "emails are counted apart");
    // The window ends 900 s after its first attempt; the attempt that finds it ended starts a new one.
    let a = users.count_login_attempt(&e, fx.secs(899), 900).await.unwrap();
    assert_eq!((a.attempts, a.locked_for(fx.secs(899), 900, 5)), (7, Some(1)));
    let a = users.count_login_attempt(&e, fx.secs(900), 900).await.unwrap();
    assert_eq!((a.attempts, a.window_started_at), (1, fx.secs(900)));
    users.reset_login_failures(&e).await.unwrap();
    let a = users.count_login_attempt(&e, fx.secs(901), 900).await.unwrap();
    assert_eq!((a.attempts, a.window_started_at), (1, fx.secs(901)), "a success clears the count");
    users.reset_login_failures(&other).await.unwrap();
}

/// Concurrent attempts for one email each get a distinct count: a burst can never pass the limit.
pub async fn login_attempts_counted_atomically(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let e = email("burst@example.com");
    let at = fx.secs(1);
    let mut counts = race(30, |_| {
        let users = fx.s.users.clone();
        let e = e.clone();
        async move { users.count_login_attempt(&e, at, 900).await.unwrap().attempts }
    })
    .await;
    counts.sort_unstable();
    assert_eq!(counts, (1..=30).collect::<Vec<i32>>());
}
