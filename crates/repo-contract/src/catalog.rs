//! `CatalogRepository`: hotels, room types, the inventory window, inventory patches, deletes, reports.
//!
//! Long on purpose: one scenario per test, each spelling out its rows and counts in full.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::Error;
use domain::model::*;
use domain::ports::{RefundAttempt, SimulatedSession, SimulatedSessionStore};

/// Create (inactive), read, list by owner, patch, (de)activate.
pub async fn hotels_crud_and_listing(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let rival = fx.manager("rival").await;
    let new = NewHotel {
        name: "Alpha".into(),
        city: Some("Lisbon".into()),
        photos: Some(vec!["https://img.example/1.jpg".into()]),
        amenities: Some(vec!["wifi".into(), "pool".into()]),
        contact_phone: Some("+351 1".into()),
        contact_email: Some("desk@alpha.example".into()),
        contact_address: Some("Rua 1".into()),
        ..NewHotel::default()
    };
    let alpha = c.create_hotel(owner.id, new.clone(), fx.now).await.unwrap();
    assert_eq!((alpha.name.as_str(), alpha.city.as_deref(), alpha.active), ("Alpha", Some("Lisbon"), false));
    assert_eq!((alpha.photos.clone(), alpha.amenities.clone()), (new.photos.clone(), new.amenities.clone()));
    assert_eq!(alpha.contact_phone, new.contact_phone);
    assert_eq!(alpha.contact_email, new.contact_email);
    assert_eq!(alpha.contact_address, new.contact_address);
    assert_eq!((alpha.owner_id, alpha.created_at, alpha.updated_at), (owner.id, fx.now, fx.now));
    let beta = c.create_hotel(owner.id, NewHotel { name: "Beta".into(), ..NewHotel::default() }, fx.now).await.unwrap();
    let gamma =
        c.create_hotel(rival.id, NewHotel { name: "Gamma".into(), ..NewHotel::default() }, fx.now).await.unwrap();
    assert_eq!(c.hotel(alpha.id).await.unwrap(), Some(alpha.clone()));
    assert_eq!(c.hotel(absent(gamma.id)).await.unwrap(), None);

    let mine = c.hotels_of_owner(owner.id, Page::DEFAULT).await.unwrap();
    assert_eq!((mine.items, mine.total), (vec![alpha.clone(), beta.clone()], 2));
    let second = c.hotels_of_owner(owner.id, page(1, 1)).await.unwrap();
    assert_eq!((second.items, second.total), (vec![beta.clone()], 2));
    assert_eq!(c.hotels_of_owner(rival.id, Page::DEFAULT).await.unwrap().items, vec![gamma.clone()]);

    let patch = HotelPatch {
        name: Some("Alpha Two".into()),
        city: Patch::Set(None),
        contact_phone: Patch::Set(Some("+351 2".into())),
        contact_email: Patch::Set(None),
        ..HotelPatch::default()
    };
    let later = fx.secs(5);
    let a2 = c.update_hotel(alpha.id, patch, later).await.unwrap();
    assert_eq!((a2.name.as_str(), a2.city.clone(), a2.photos.clone()), ("Alpha Two", None, new.photos.clone()));
    assert_eq!((a2.contact_phone.as_deref(), a2.contact_email.clone()), (Some("+351 2"), None));
    assert_eq!((a2.contact_address.clone(), a2.active, a2.updated_at), (new.contact_address.clone(), false, later));
    assert_eq!(c.hotel(alpha.id).await.unwrap(), Some(a2.clone()));

    let on = c.set_hotel_active(alpha.id, true, later).await.unwrap();
    assert!(on.active);
    assert!(c.set_hotel_active(alpha.id, true, later).await.unwrap().active, "idempotent");
    assert!(!c.set_hotel_active(alpha.id, false, later).await.unwrap().active);
    assert!(!c.hotel(alpha.id).await.unwrap().unwrap().active);

    assert!(matches!(
        c.update_hotel(absent(gamma.id), HotelPatch::default(), later).await,
        Err(Error::HotelNotFound(_))
    ));
    assert!(matches!(c.set_hotel_active(absent(gamma.id), true, later).await, Err(Error::HotelNotFound(_))));
}

/// A new room type gets 365 rows today..today+364 with its price and total, surge 1.00, open, zero counts.
pub async fn room_creation_inserts_the_inventory_window(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let hotel = fx.hotel(&owner, "Porto Inn", Some("Porto"), false).await;
    let new = NewRoom {
        kind: "Double".into(),
        base_price: money(12_050),
        photos: None,
        amenities: Some(vec!["wifi".into()]),
        total_count: 7,
        capacity: 2,
    };
    let room = c.create_room(hotel.id, new, fx.today, fx.now).await.unwrap();
    assert_eq!((room.hotel_id, room.kind.as_str(), room.base_price), (hotel.id, "Double", money(12_050)));
    assert_eq!((room.total_count, room.capacity, room.photos.clone()), (7, 2, None));
    assert_eq!(room.amenities, Some(vec!["wifi".to_string()]));
    assert_eq!(c.room(room.id).await.unwrap(), Some(room.clone()));

    let rows = c.inventory(room.id, fx.today - Duration::days(30), None, YEAR).await.unwrap();
    assert_eq!((rows.total, rows.items.len()), (365, 365));
    let mut ids = std::collections::HashSet::new();
    for (i, v) in rows.items.iter().enumerate() {
        let n = &v.night;
        assert_eq!((n.date, n.hotel_id, n.room_id), (fx.day(i as i64), hotel.id, room.id));
        assert_eq!((n.book_count, n.reserved_count, n.total_count), (0, 0, 7));
        assert_eq!((n.price, n.surge_factor, n.closed), (money(12_050), dec("1.00"), false));
        assert_eq!(v.city, "Porto");
        assert!(ids.insert(n.id), "row ids are unique");
    }
    let tail = c.inventory(room.id, fx.day(360), None, page(10, 0)).await.unwrap();
    assert_eq!((tail.items.len(), tail.total), (5, 5));
    assert_eq!(tail.items[4].night.date, fx.day(364));
    let two = c.inventory(room.id, fx.today - Duration::days(5), Some(fx.day(1)), Page::DEFAULT).await.unwrap();
    assert_eq!(two.items.iter().map(|v| v.night.date).collect::<Vec<_>>(), vec![fx.day(0), fx.day(1)]);
    let paged = c.inventory(room.id, fx.today, None, page(2, 3)).await.unwrap();
    assert_eq!(paged.items.iter().map(|v| v.night.date).collect::<Vec<_>>(), vec![fx.day(3), fx.day(4)]);
    assert_eq!(paged.total, 365);
    assert_no_rows(c.inventory(absent(room.id), fx.today, None, YEAR).await.map(|p| p.items));

    let nights = c.stay_nights(room.id, stay(fx.day(5), 3)).await.unwrap();
    assert_eq!(nights.iter().map(|n| n.date).collect::<Vec<_>>(), vec![fx.day(5), fx.day(6), fx.day(7)]);
    let edge = c.stay_nights(room.id, stay(fx.day(363), 4)).await.unwrap();
    assert_eq!(edge.iter().map(|n| n.date).collect::<Vec<_>>(), vec![fx.day(363), fx.day(364)], "missing nights");

    // The city shown is the hotel's current one, "" without a city.
    let nowhere = fx.hotel(&owner, "Nowhere", None, false).await;
    let r2 = fx.room(&nowhere, "Single", 5_000, 1, 1).await;
    assert_eq!(c.inventory(r2.id, fx.today, Some(fx.today), YEAR).await.unwrap().items[0].city, "");
    let patch = HotelPatch { city: Patch::Set(Some("Braga".into())), ..HotelPatch::default() };
    c.update_hotel(hotel.id, patch, fx.now).await.unwrap();
    assert_eq!(c.inventory(room.id, fx.today, Some(fx.today), YEAR).await.unwrap().items[0].city, "Braga");

    let listed = c.rooms_of_hotel(hotel.id, Page::DEFAULT).await.unwrap();
    assert_eq!((listed.items, listed.total), (vec![room.clone()], 1));
    assert!(matches!(
        c.create_room(absent(hotel.id), NewRoom { kind: "X".into(), ..new_room() }, fx.today, fx.now).await,
        Err(Error::HotelNotFound(_))
    ));
}

/// A missing room has no rows. The port leaves open whether that is an empty answer or `RoomNotFound`
/// (the services look the room up first), so both are accepted.
#[track_caller]
fn assert_no_rows(r: domain::Result<Vec<InventoryView>>) {
    match r {
        Ok(rows) => assert!(rows.is_empty(), "{rows:?}"),
        Err(e) => assert!(matches!(e, Error::RoomNotFound(_)), "{e:?}"),
    }
}

fn new_room() -> NewRoom {
    NewRoom {
        kind: "Room".into(),
        base_price: money(10_000),
        photos: None,
        amenities: None,
        total_count: 1,
        capacity: 1,
    }
}

/// At most 100 room types per hotel.
pub async fn room_limit_per_hotel(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let hotel = fx.hotel(&owner, "Big", Some("Rome"), false).await;
    let other = fx.hotel(&owner, "Small", Some("Rome"), false).await;
    for i in 0..100 {
        c.create_room(hotel.id, NewRoom { kind: format!("R{i}"), ..new_room() }, fx.today, fx.now).await.unwrap();
    }
    assert_err(
        c.create_room(hotel.id, new_room(), fx.today, fx.now).await,
        Error::LimitExceeded("A hotel can have at most 100 room types"),
    );
    let rooms = c.rooms_of_hotel(hotel.id, page(200, 0)).await.unwrap();
    assert_eq!((rooms.items.len(), rooms.total), (100, 100));
    assert!(rooms.items.windows(2).all(|w| w[0].id < w[1].id), "by id");
    let p = c.rooms_of_hotel(hotel.id, page(10, 95)).await.unwrap();
    assert_eq!((p.items.len(), p.total, p.items[0].kind.as_str()), (5, 100, "R95"));
    c.create_room(other.id, new_room(), fx.today, fx.now).await.unwrap();
}

/// A room update moves price and total on rows dated ≥ today that still carry the old values; overrides
/// and past rows keep theirs.
pub async fn room_update_propagates_to_future_inventory(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let hotel = fx.hotel(&owner, "H", Some("Faro"), true).await;
    let room = fx.room_from(&hotel, "Double", 10_000, 5, 2, fx.day(-3)).await;
    fx.patch_night(&room, fx.day(10), InventoryPatch { price: Some(money(15_000)), ..InventoryPatch::default() }).await;
    fx.patch_night(&room, fx.day(11), InventoryPatch { total_count: Some(8), ..InventoryPatch::default() }).await;

    let patch = RoomPatch {
        kind: Some("Suite".into()),
        base_price: Some(money(11_000)),
        photos: Patch::Set(Some(vec!["https://img.example/s.jpg".into()])),
        amenities: Patch::Keep,
        total_count: Some(6),
        capacity: Some(3),
    };
    let later = fx.secs(5);
    let updated = c.update_room(room.id, patch, fx.today, later).await.unwrap();
    assert_eq!((updated.kind.as_str(), updated.base_price, updated.total_count), ("Suite", money(11_000), 6));
    assert_eq!((updated.capacity, updated.updated_at), (3, later));
    assert_eq!(updated.photos, Some(vec!["https://img.example/s.jpg".to_string()]));
    assert_eq!(c.room(room.id).await.unwrap(), Some(updated.clone()));

    let rows = c.inventory(room.id, fx.day(-3), None, YEAR).await.unwrap().items;
    assert_eq!(rows.len(), 365);
    for v in &rows {
        let n = &v.night;
        let want = if n.date < fx.today {
            (money(10_000), 5)
        } else if n.date == fx.day(10) {
            (money(15_000), 6)
        } else if n.date == fx.day(11) {
            (money(11_000), 8)
        } else {
            (money(11_000), 6)
        };
        assert_eq!((n.price, n.total_count), want, "{}", n.date);
    }

    // Only the named fields change; a patch without price or total touches no row.
    let patch = RoomPatch { amenities: Patch::Set(Some(vec!["tv".into()])), ..RoomPatch::default() };
    let again = c.update_room(room.id, patch, fx.today, later).await.unwrap();
    assert_eq!(
        (again.kind.as_str(), again.base_price, again.amenities.clone()),
        ("Suite", money(11_000), Some(vec!["tv".into()]))
    );
    assert_eq!(c.inventory(room.id, fx.day(-3), None, YEAR).await.unwrap().items, rows);
    assert!(matches!(
        c.update_room(absent(room.id), RoomPatch::default(), fx.today, later).await,
        Err(Error::RoomNotFound(_))
    ));
}

/// A total below booked + reserved on any affected row fails with that row's date and changes nothing.
pub async fn room_update_conflict_changes_nothing(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    fx.hold(&s.guest, &s.room, fx.day(5), 2, 2).await;
    let b = fx.hold(&s.guest, &s.room, fx.day(8), 1, 1).await;
    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    let before = c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap();

    let patch = RoomPatch {
        kind: Some("Renamed".into()),
        base_price: Some(money(20_000)),
        total_count: Some(1),
        ..RoomPatch::default()
    };
    assert_err(c.update_room(s.room.id, patch, fx.today, fx.now).await, Error::InventoryConflict(fx.day(5)));
    assert_eq!(c.room(s.room.id).await.unwrap(), Some(s.room.clone()), "room unchanged");
    assert_eq!(c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap(), before, "rows unchanged");

    // Booked rooms count too: 0 conflicts on the confirmed night as well, the first date is reported.
    let patch = RoomPatch { total_count: Some(0), ..RoomPatch::default() };
    assert_err(c.update_room(s.room.id, patch, fx.today, fx.now).await, Error::InventoryConflict(fx.day(5)));

    // Exactly booked + reserved is allowed.
    let updated =
        c.update_room(s.room.id, RoomPatch { total_count: Some(2), ..RoomPatch::default() }, fx.today, fx.now);
    assert_eq!(updated.await.unwrap().total_count, 2);
    let n = fx.night(&s.room, fx.day(5)).await;
    assert_eq!((n.total_count, n.reserved_count, n.available()), (2, 2, 0));
}

/// An inventory patch sets surge, price, closed and total on every existing row of the inclusive range.
pub async fn inventory_patch_applies_to_range(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(4).await;
    let before = c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap().items;
    let patch = InventoryPatch {
        surge_factor: Some(dec("1.50")),
        price: Some(money(9_000)),
        closed: Some(true),
        total_count: Some(6),
        ..InventoryPatch::default()
    };
    let rows = c.patch_inventory(s.room.id, fx.day(1), fx.day(3), patch).await.unwrap();
    assert_eq!(rows.iter().map(|v| v.night.date).collect::<Vec<_>>(), vec![fx.day(1), fx.day(2), fx.day(3)]);
    for v in &rows {
        let n = &v.night;
        assert_eq!((n.surge_factor, n.price, n.closed, n.total_count), (dec("1.50"), money(9_000), true, 6));
        assert_eq!((n.book_count, n.reserved_count, v.city.as_str()), (0, 0, "Lisbon"));
    }
    let after = c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap().items;
    for (old, new) in before.iter().zip(&after) {
        if !(fx.day(1)..=fx.day(3)).contains(&old.night.date) {
            assert_eq!(old, new, "outside the range");
        }
    }
    // An empty patch changes nothing and returns the rows; a partial patch touches only its fields.
    assert_eq!(c.patch_inventory(s.room.id, fx.day(1), fx.day(3), InventoryPatch::default()).await.unwrap(), rows);
    let reopened =
        fx.patch_night(&s.room, fx.day(2), InventoryPatch { closed: Some(false), ..InventoryPatch::default() }).await;
    let n = &reopened[0].night;
    assert_eq!((n.closed, n.surge_factor, n.price, n.total_count), (false, dec("1.50"), money(9_000), 6));

    // Dates without a row are skipped.
    let edge = c.patch_inventory(s.room.id, fx.day(363), fx.day(370), InventoryPatch::default()).await.unwrap();
    assert_eq!(edge.iter().map(|v| v.night.date).collect::<Vec<_>>(), vec![fx.day(363), fx.day(364)]);
    assert!(c.patch_inventory(s.room.id, fx.day(-9), fx.day(-1), InventoryPatch::default()).await.unwrap().is_empty());
    assert_no_rows(c.patch_inventory(absent(s.room.id), fx.today, fx.today, InventoryPatch::default()).await);
}

/// A total below booked + reserved on any row of the range fails with the first such date; nothing changes,
/// not even the other fields of the patch.
pub async fn inventory_patch_conflict_changes_nothing(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(4).await;
    fx.hold(&s.guest, &s.room, fx.day(10), 1, 3).await;
    let b = fx.hold(&s.guest, &s.room, fx.day(11), 1, 2).await;
    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    let before = c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap();
    let patch = InventoryPatch {
        surge_factor: Some(dec("2.00")),
        price: Some(money(1_000)),
        closed: Some(true),
        total_count: Some(1),
        min_stay: Patch::Set(Some(2)),
        closed_to_arrival: Some(true),
        ..InventoryPatch::default()
    };
    assert_err(c.patch_inventory(s.room.id, fx.day(9), fx.day(12), patch).await, Error::InventoryConflict(fx.day(10)));
    assert_eq!(c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap(), before);

    let total = |n| InventoryPatch { total_count: Some(n), ..InventoryPatch::default() };
    assert_err(
        c.patch_inventory(s.room.id, fx.day(11), fx.day(12), total(1)).await,
        Error::InventoryConflict(fx.day(11)),
    );
    assert_err(
        c.patch_inventory(s.room.id, fx.day(10), fx.day(11), total(2)).await,
        Error::InventoryConflict(fx.day(10)),
    );
    assert_eq!(c.inventory(s.room.id, fx.today, None, YEAR).await.unwrap(), before);
    // Exactly booked + reserved is allowed.
    let rows = c.patch_inventory(s.room.id, fx.day(10), fx.day(11), total(3));
    let rows = rows.await.unwrap();
    assert_eq!(
        rows.iter().map(|v| (v.night.total_count, v.night.available())).collect::<Vec<_>>(),
        vec![(3, 0), (3, 1)]
    );
}

/// The daily top-up inserts missing rows through today+364 with each room's current values and never
/// touches existing rows.
pub async fn inventory_window_extension(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(5).await;
    let other_hotel = fx.hotel(&s.owner, "Other", Some("Porto"), false).await;
    let r2 = fx.room(&other_hotel, "Single", 5_000, 2, 1).await;
    assert_eq!(c.extend_inventory_window(fx.now).await.unwrap(), 0);

    fx.patch_night(&s.room, fx.day(364), InventoryPatch { price: Some(money(7_700)), ..InventoryPatch::default() })
        .await;
    let patch = RoomPatch { base_price: Some(money(13_000)), total_count: Some(9), ..RoomPatch::default() };
    c.update_room(s.room.id, patch, fx.today, fx.now).await.unwrap();

    assert_eq!(c.extend_inventory_window(fx.now + Duration::days(3)).await.unwrap(), 6);
    let rows = c.inventory(s.room.id, fx.day(364), None, YEAR).await.unwrap().items;
    let got: Vec<_> = rows.iter().map(|v| (v.night.date, v.night.price, v.night.total_count)).collect();
    assert_eq!(
        got,
        vec![
            (fx.day(364), money(7_700), 9),
            (fx.day(365), money(13_000), 9),
            (fx.day(366), money(13_000), 9),
            (fx.day(367), money(13_000), 9),
        ]
    );
    for v in &rows[1..] {
        let n = &v.night;
        assert_eq!((n.surge_factor, n.closed, n.book_count, n.reserved_count), (dec("1.00"), false, 0, 0));
        assert_eq!((n.hotel_id, n.room_id), (s.hotel.id, s.room.id));
    }
    assert_eq!(c.inventory(r2.id, fx.today, None, YEAR).await.unwrap().total, 368);
    assert_eq!(c.extend_inventory_window(fx.now + Duration::days(3)).await.unwrap(), 0, "idempotent");
}

fn totals(bookings: i64, revenue: Money) -> ReportTotals {
    ReportTotals { bookings, revenue, penalties: Money::ZERO }
}

/// A hotel with a booking that is neither CANCELLED nor EXPIRED cannot be deleted; otherwise the delete
/// takes its ended bookings, sessions, rooms and inventory with it.
pub async fn hotel_delete_rules(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(5).await;
    let r2 = fx.room(&s.hotel, "Single", 5_000, 2, 1).await;
    let keep = fx.hotel(&s.owner, "Keep", Some("Lisbon"), true).await;
    let keep_room = fx.room(&keep, "Double", 10_000, 2, 2).await;
    let kept = fx.hold(&s.guest, &keep_room, fx.day(3), 1, 1).await;
    let busy = Error::HasActiveBookings("Hotel has active bookings; deactivate it instead");

    let b1 = fx.hold(&s.guest, &s.room, fx.day(3), 2, 1).await;
    assert_err(c.delete_hotel(s.hotel.id, fx.now).await, busy.clone());
    fx.by(&s.guest, b1.id, BookingAction::Cancel, fx.now).await.unwrap();

    let b2 = fx.hold(&s.guest, &r2, fx.day(3), 2, 1).await;
    fx.system(b2.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    assert_err(c.delete_hotel(s.hotel.id, fx.now).await, busy.clone());
    fx.by(&s.guest, b2.id, BookingAction::Cancel, fx.now).await.unwrap();

    let b3 = fx.hold(&s.guest, &s.room, fx.day(4), 2, 1).await;
    let session = SimulatedSession {
        id: "sim_cs_hotel_delete".into(),
        booking_id: b3.id,
        amount: b3.amount,
        currency: "USD".into(),
        status: "OPEN".into(),
        expires_at: fx.mins(31),
    };
    fx.s.sessions.insert_session(session).await.unwrap();
    assert_err(c.delete_hotel(s.hotel.id, fx.now).await, busy.clone());
    // Effective expiry is not enough: the stored status decides.
    fx.system(b3.id, BookingAction::HoldTimeout, fx.now).await.unwrap();

    // b2 was paid, then cancelled: its refund is owed. Deleting now would drop the payment reference.
    let owed = Error::HasActiveBookings(HOTEL_REFUNDS_OWED);
    assert_eq!(fx.booking(b2.id).await.refund_status, Some(RefundStatus::Pending));
    assert_err(c.delete_hotel(s.hotel.id, fx.now).await, owed.clone());
    fx.s.bookings.record_refund(b2.id, RefundAttempt::Failed, 10, fx.now).await.unwrap();
    assert_err(c.delete_hotel(s.hotel.id, fx.now).await, owed);
    fx.s.bookings.record_refund(b2.id, RefundAttempt::Succeeded("re_hotel".into()), 10, fx.now).await.unwrap();

    assert_eq!(c.delete_hotel(s.hotel.id, fx.now).await, Ok(()));
    assert_eq!(c.hotel(s.hotel.id).await.unwrap(), None);
    assert_eq!((c.room(s.room.id).await.unwrap(), c.room(r2.id).await.unwrap()), (None, None));
    for b in [&b1, &b2, &b3] {
        assert_eq!(fx.s.bookings.booking(b.id).await.unwrap(), None);
    }
    assert_eq!(SimulatedSessionStore::session(&*fx.s.sessions, "sim_cs_hotel_delete").await.unwrap(), None);
    assert!(c.stay_nights(s.room.id, stay(fx.day(3), 2)).await.unwrap().is_empty());
    assert_no_rows(c.inventory(s.room.id, fx.today, None, YEAR).await.map(|p| p.items));
    assert!(matches!(c.delete_hotel(s.hotel.id, fx.now).await, Err(Error::HotelNotFound(_))));

    // The other hotel is untouched.
    assert_eq!(fx.booking(kept.id).await.status, BookingStatus::Reserved);
    assert_eq!(c.inventory(keep_room.id, fx.today, None, YEAR).await.unwrap().total, 365);
    assert_eq!(c.hotels_of_owner(s.owner.id, Page::DEFAULT).await.unwrap().items, vec![keep]);
}

/// The same rule for one room type; the hotel and its other rooms stay.
pub async fn room_delete_rules(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(5).await;
    let spare = fx.room(&s.hotel, "Spare", 5_000, 2, 1).await;
    let b = fx.hold(&s.guest, &s.room, fx.day(3), 2, 1).await;
    assert_err(c.delete_room(s.room.id, fx.now).await, Error::HasActiveBookings("Room has active bookings"));
    assert_eq!(c.delete_room(spare.id, fx.now).await, Ok(()));
    assert_eq!(c.room(spare.id).await.unwrap(), None);
    assert!(c.stay_nights(spare.id, stay(fx.today, 30)).await.unwrap().is_empty());

    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    assert_err(c.delete_room(s.room.id, fx.now).await, Error::HasActiveBookings("Room has active bookings"));
    fx.by(&s.guest, b.id, BookingAction::Cancel, fx.now).await.unwrap();
    // Cancelled after payment: the refund is owed, the room cannot go until it is paid back.
    assert_err(c.delete_room(s.room.id, fx.now).await, Error::HasActiveBookings(ROOM_REFUNDS_OWED));
    fx.s.bookings.record_refund(b.id, RefundAttempt::Failed, 10, fx.now).await.unwrap();
    assert_err(c.delete_room(s.room.id, fx.now).await, Error::HasActiveBookings(ROOM_REFUNDS_OWED));
    fx.s.bookings.record_refund(b.id, RefundAttempt::Succeeded("re_room".into()), 10, fx.now).await.unwrap();
    assert_eq!(fx.booking(b.id).await.refund_status, Some(RefundStatus::Succeeded));
    // A refund that failed for good is still owed: an operator settles it before the room can go.
    let failing = fx.room(&s.hotel, "Failing", 5_000, 2, 1).await;
    let f = fx.hold(&s.guest, &failing, fx.day(3), 2, 1).await;
    fx.system(f.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    fx.by(&s.guest, f.id, BookingAction::Cancel, fx.now).await.unwrap();
    fx.s.bookings.record_refund(f.id, RefundAttempt::Failed, 1, fx.now).await.unwrap();
    assert_eq!(fx.booking(f.id).await.refund_status, Some(RefundStatus::Failed));
    assert_err(c.delete_room(failing.id, fx.now).await, Error::HasActiveBookings(ROOM_REFUNDS_OWED));
    assert_eq!(c.delete_room(s.room.id, fx.now).await, Ok(()));
    assert_eq!(c.room(s.room.id).await.unwrap(), None);
    assert_eq!(fx.s.bookings.booking(b.id).await.unwrap(), None);
    assert!(c.hotel(s.hotel.id).await.unwrap().is_some());
    assert_eq!(c.rooms_of_hotel(s.hotel.id, Page::DEFAULT).await.unwrap().total, 1, "the failing room stays");
    assert!(matches!(c.delete_room(s.room.id, fx.now).await, Err(Error::RoomNotFound(_))));
}

/// CONFIRMED bookings with check-in in `[start, end]`: count and sum of the frozen amounts.
pub async fn revenue_report(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(10).await;
    let confirm = |id| fx.system(id, BookingAction::PaymentSucceeded, fx.now);
    let b1 = fx.hold(&s.guest, &s.room, fx.day(1), 1, 1).await;
    confirm(b1.id).await.unwrap();
    let b2 = fx.hold(&s.guest, &s.room, fx.day(5), 2, 2).await;
    confirm(b2.id).await.unwrap();
    fx.hold(&s.guest, &s.room, fx.day(5), 1, 1).await; // RESERVED: not counted
    let b4 = fx.hold(&s.guest, &s.room, fx.day(3), 1, 1).await;
    confirm(b4.id).await.unwrap();
    fx.by(&s.guest, b4.id, BookingAction::Cancel, fx.now).await.unwrap(); // CANCELLED: not counted
    let other = fx.hotel(&s.owner, "Other", Some("Lisbon"), true).await;
    let other_room = fx.room(&other, "Double", 10_000, 1, 2).await;
    let b5 = fx.hold(&s.guest, &other_room, fx.day(1), 1, 1).await;
    confirm(b5.id).await.unwrap();

    assert_eq!(b1.amount, money(10_000));
    assert_eq!(b2.amount, money(40_000));
    assert_eq!(c.report(s.hotel.id, fx.day(1), fx.day(5)).await.unwrap(), totals(2, money(50_000)));
    assert_eq!(c.report(s.hotel.id, fx.day(2), fx.day(5)).await.unwrap(), totals(1, money(40_000)));
    assert_eq!(c.report(s.hotel.id, fx.day(1), fx.day(1)).await.unwrap(), totals(1, money(10_000)));
    assert_eq!(c.report(s.hotel.id, fx.day(6), fx.day(30)).await.unwrap(), totals(0, Money::ZERO));
    assert_eq!(c.report(other.id, fx.today, fx.day(30)).await.unwrap(), totals(1, money(10_000)));
}

/// `hotel_listing`: the hotel, every room type by id, and each room's nights of the stay (by date), from the
/// same data as `room` and `stay_nights`; `None` for a missing hotel; no nights without a stay.
pub async fn hotel_listing_matches_rooms_and_nights(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let hotel = fx.hotel(&owner, "Listing Inn", Some("Faro"), true).await;
    let empty = fx.hotel(&owner, "Empty Inn", Some("Faro"), true).await;
    let a = fx.room(&hotel, "A", 10_000, 2, 2).await;
    let b = fx.room(&hotel, "B", 20_000, 1, 4).await;
    let s = stay(fx.day(3), 2);
    let got = c.hotel_listing(hotel.id, Some(s)).await.unwrap().expect("listing");
    assert_eq!(got.hotel, c.hotel(hotel.id).await.unwrap().unwrap());
    let ids: Vec<RoomId> = got.rooms.iter().map(|(r, _)| r.id).collect();
    assert_eq!(ids, [a.id, b.id]);
    assert_eq!(got.rooms[0].0, a);
    // The stay's nights, then the row dated the check-out date (closed to departure lives there).
    for (room, rows) in &got.rooms {
        let mut expected = c.stay_nights(room.id, s).await.unwrap();
        expected.push(fx.night(room, fx.day(5)).await);
        assert_eq!(rows, &expected);
        assert_eq!(rows.len(), 3);
    }
    // The hotel's rate plans, every status, as rate_plans_of_hotel lists them (a second plan, inactive, included).
    let extra = NewRatePlan { code: "NRF".into(), active: false, ..NewRatePlan::standard() };
    c.create_rate_plan(a.id, extra, fx.now).await.unwrap();
    let plain = c.hotel_listing(hotel.id, None).await.unwrap().unwrap();
    assert!(plain.rooms.iter().all(|(_, n)| n.is_empty()));
    assert_eq!(plain.plans, c.rate_plans_of_hotel(hotel.id).await.unwrap());
    assert_eq!(plain.plans.len(), 3);
    let none = c.hotel_listing(empty.id, Some(s)).await.unwrap().unwrap();
    assert!(none.rooms.is_empty() && none.plans.is_empty());
    assert!(c.hotel_listing(HotelId(987_654), None).await.unwrap().is_none());
}
