//! `GuestRepository`: saved guests, soft delete, the per-user limit.

use crate::StoreFactory;
use crate::fixtures::*;
use domain::Error;
use domain::model::*;

fn guest(name: &str, gender: Gender, age: Option<i32>) -> NewGuest {
    NewGuest { name: name.into(), gender, age }
}

/// Create, list by id, partial update, soft delete, and another user's guests are invisible.
pub async fn guests_crud_and_soft_delete(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let g = &fx.s.guests;
    let u = fx.user("hana").await;
    let other = fx.user("ivan").await;

    let ann = g.create_guest(u.id, guest("Ann", Gender::Female, Some(30))).await.unwrap();
    assert_eq!((ann.user_id, ann.name.as_str(), ann.gender, ann.age), (u.id, "Ann", Gender::Female, Some(30)));
    let bob = g.create_guest(u.id, guest("Bob", Gender::Male, None)).await.unwrap();
    assert!(bob.id > ann.id);
    let foreign = g.create_guest(other.id, guest("Zed", Gender::Male, Some(5))).await.unwrap();

    let list = g.list_guests(u.id, Page::DEFAULT).await.unwrap();
    assert_eq!((list.items, list.total), (vec![ann.clone(), bob.clone()], 2));

    let patch = GuestPatch { name: Some("Anna".into()), gender: None, age: Patch::Set(None) };
    let anna = g.update_guest(u.id, ann.id, patch).await.unwrap().unwrap();
    assert_eq!(anna, Guest { id: ann.id, user_id: u.id, name: "Anna".into(), gender: Gender::Female, age: None });
    let patch = GuestPatch { name: None, gender: Some(Gender::Male), age: Patch::Keep };
    let anna = g.update_guest(u.id, ann.id, patch).await.unwrap().unwrap();
    assert_eq!((anna.name.as_str(), anna.gender, anna.age), ("Anna", Gender::Male, None));

    assert_eq!(g.update_guest(other.id, ann.id, GuestPatch::default()).await.unwrap(), None, "foreign");
    assert!(!g.delete_guest(other.id, ann.id, fx.now).await.unwrap(), "foreign");
    assert_eq!(g.update_guest(u.id, foreign.id, GuestPatch::default()).await.unwrap(), None, "foreign");

    assert!(g.delete_guest(u.id, ann.id, fx.now).await.unwrap());
    assert!(!g.delete_guest(u.id, ann.id, fx.now).await.unwrap(), "already deleted");
    assert_eq!(g.update_guest(u.id, ann.id, GuestPatch::default()).await.unwrap(), None, "deleted");
    let list = g.list_guests(u.id, Page::DEFAULT).await.unwrap();
    assert_eq!((list.items, list.total), (vec![bob], 1));
    assert_eq!(g.update_guest(u.id, absent(foreign.id), GuestPatch::default()).await.unwrap(), None);
    assert_eq!(g.list_guests(other.id, Page::DEFAULT).await.unwrap().items, vec![foreign]);
}

/// At most 200 live guests per user; deleted ones do not count; paging by id.
pub async fn guests_limit_per_user(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let g = &fx.s.guests;
    let u = fx.user("jack").await;
    let other = fx.user("kate").await;
    let mut created = Vec::new();
    for i in 0..200 {
        created.push(g.create_guest(u.id, guest(&format!("G{i}"), Gender::Male, None)).await.unwrap());
    }
    assert_err(
        g.create_guest(u.id, guest("one too many", Gender::Male, None)).await,
        Error::LimitExceeded("At most 200 saved guests"),
    );
    g.create_guest(other.id, guest("other's", Gender::Female, None)).await.unwrap();

    let p = g.list_guests(u.id, page(50, 150)).await.unwrap();
    assert_eq!(p.total, 200);
    assert_eq!(p.items, created[150..200].to_vec());
    let p = g.list_guests(u.id, page(10, 195)).await.unwrap();
    assert_eq!((p.items.len(), p.total), (5, 200));

    assert!(g.delete_guest(u.id, created[0].id, fx.now).await.unwrap());
    g.create_guest(u.id, guest("again", Gender::Female, None)).await.unwrap();
    assert_eq!(g.list_guests(u.id, page(1, 0)).await.unwrap().total, 200);
    assert_err(
        g.create_guest(u.id, guest("still too many", Gender::Male, None)).await,
        Error::LimitExceeded("At most 200 saved guests"),
    );
}

/// Simultaneous creations at 198 live guests: exactly two succeed.
pub async fn concurrent_guest_creation_respects_limit(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let u = fx.user("liam").await;
    for i in 0..198 {
        fx.s.guests.create_guest(u.id, guest(&format!("G{i}"), Gender::Male, None)).await.unwrap();
    }
    let results = race(8, |i| {
        let guests = fx.s.guests.clone();
        let uid = u.id;
        async move { guests.create_guest(uid, guest(&format!("R{i}"), Gender::Female, None)).await }
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2, "{results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert_eq!(r.as_ref().unwrap_err(), &Error::LimitExceeded("At most 200 saved guests"));
    }
    assert_eq!(fx.s.guests.list_guests(u.id, page(1, 0)).await.unwrap().total, 200);
}
