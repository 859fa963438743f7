//! The outbox (docs/EVENTS.md): every booking transition and refund outcome, and every catalog change, is
//! recorded with the change, with who made it; the relay reads unpublished events in order, marks and prunes.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::Duration;
use domain::model::*;
use serde_json::Value;

fn data(e: &StoredEvent) -> Value {
    serde_json::from_str(&e.data).expect("event data is JSON")
}

/// A booking's life: held (by its guest), confirmed (by the provider), cancelled (by the guest) with the refund
/// queued; an expired hold (by the system). Newest first, versions increasing, names and amounts carried.
pub async fn booking_transitions_are_recorded_with_their_actor(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let ev = &fx.s.events;
    let s = fx.setup(4).await;
    let b = fx.hold(&s.guest, &s.room, fx.day(10), 2, 1).await;
    fx.pay(b.id).await;
    fx.by(&s.guest, b.id, BookingAction::Cancel, fx.now).await.unwrap();

    let h = ev.aggregate_history(AggregateType::Booking, b.id.get(), page(50, 0)).await.unwrap();
    let kinds: Vec<(&str, EventActor)> = h.items.iter().rev().map(|e| (e.event_type.as_str(), e.actor)).collect();
    assert_eq!(
        kinds,
        [
            ("booking.held", EventActor::User(s.guest.id)),
            ("booking.confirmed", EventActor::Provider),
            ("booking.cancelled", EventActor::User(s.guest.id)),
            ("booking.refund_pending", EventActor::User(s.guest.id)),
        ]
    );
    assert_eq!(h.total, 4);
    assert!(h.items.windows(2).all(|w| w[0].seq > w[1].seq), "newest first, versions increasing");
    assert!(h.items.iter().all(|e| e.hotel_id == s.hotel.id && e.aggregate_id == b.id.get()));
    let ids: std::collections::HashSet<&str> = h.items.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), 4, "event ids are unique");
    let held = data(&h.items[3]);
    assert_eq!(held["status"], "RESERVED");
    assert_eq!(held["previous_status"], Value::Null);
    assert_eq!(held["guest_email"], s.guest.email.as_str());
    assert_eq!(held["hotel_name"], "Grand");
    assert_eq!(held["room_type"], "Double");
    assert_eq!(held["check_in_date"], fx.day(10).to_string());
    let cancelled = data(&h.items[1]);
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["previous_status"].as_str()),
        (Some("CANCELLED"), Some("CONFIRMED"))
    );
    assert!(cancelled["refund_amount"].is_number(), "{cancelled}");
    // Paging.
    let second = ev.aggregate_history(AggregateType::Booking, b.id.get(), page(2, 2)).await.unwrap();
    assert_eq!((second.total, second.items.len(), second.items[0].seq), (4, 2, h.items[2].seq));

    // An expired hold: the system's doing.
    let late = fx.hold(&s.guest, &s.room, fx.day(20), 1, 1).await;
    let expired = fx.s.bookings.expire_due(fx.now + Duration::hours(2), 10).await.unwrap();
    assert_eq!(expired.len(), 1);
    let h = ev.aggregate_history(AggregateType::Booking, late.id.get(), page(50, 0)).await.unwrap();
    assert_eq!(
        h.items.iter().map(|e| (e.event_type.as_str(), e.actor)).collect::<Vec<_>>(),
        [("booking.expired", EventActor::System), ("booking.held", EventActor::User(s.guest.id))]
    );
    // A hold that failed records nothing.
    let before = ev.hotel_history(s.hotel.id, HistoryFilter::default(), page(200, 0)).await.unwrap().total;
    let req = fx.hold_req(&s.guest, &s.room, fx.day(30), 1, 9);
    assert!(fx.s.bookings.hold(req, plain()).await.is_err());
    assert_eq!(ev.hotel_history(s.hotel.id, HistoryFilter::default(), page(200, 0)).await.unwrap().total, before);
}

/// Hotels, room types, rate plans and inventory: created / updated (changed fields before → after) / deleted,
/// by the hotel's owner; the daily top-up by the system; booking counts make no inventory event. The hotel's
/// history filters by aggregate, type and day.
pub async fn catalog_changes_are_recorded_with_before_and_after(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let ev = &fx.s.events;
    let c = &fx.s.catalog;
    let s = fx.setup(4).await;
    let owner = EventActor::User(s.owner.id);
    let all = || HistoryFilter::default();
    let h = ev.hotel_history(s.hotel.id, all(), page(200, 0)).await.unwrap();
    let mut kinds: Vec<&str> = h.items.iter().rev().map(|e| e.event_type.as_str()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["hotel.created", "hotel.updated", "inventory.opened", "rate_plan.created", "room.created"],
        "creation, activation, the room type with its default plan and its nights"
    );
    assert!(h.items.iter().all(|e| e.actor == owner));
    let activated = h.items.iter().find(|e| e.event_type == "hotel.updated").unwrap();
    let d = data(activated);
    assert_eq!(d["changes"]["active"]["before"], false);
    assert_eq!(d["changes"]["active"]["after"], true);
    assert_eq!(d["changes"].as_object().unwrap().len(), 1, "only what changed: {d}");

    // A price change over three nights, then a hold: one inventory event, the hold none.
    let patch = InventoryPatch { price: Some(money(12_345)), ..InventoryPatch::default() };
    c.patch_inventory(s.room.id, fx.day(5), fx.day(7), patch).await.unwrap();
    fx.hold(&s.guest, &s.room, fx.day(5), 2, 1).await;
    let inv = ev
        .hotel_history(s.hotel.id, HistoryFilter { event_type: Some("inventory.updated".into()), ..all() }, page(50, 0))
        .await
        .unwrap();
    assert_eq!(inv.total, 1);
    let e = &inv.items[0];
    assert_eq!((e.aggregate_type, e.aggregate_id, e.actor), (AggregateType::Room, s.room.id.get(), owner));
    let d = data(e);
    assert_eq!(
        (d["first_date"].as_str(), d["last_date"].as_str()),
        (Some(&*fx.day(5).to_string()), Some(&*fx.day(7).to_string()))
    );
    assert_eq!(d["nights"], 3);
    assert_eq!(d["changes"]["price"]["after"][0].as_f64(), Some(123.45));
    assert_eq!(d["changes"]["price"]["before"][0].as_f64(), Some(100.0));
    assert_eq!(d["changes"].as_object().unwrap().len(), 1, "{d}");

    // The room type renamed; filters by aggregate and day.
    let patch = RoomPatch { kind: Some("Twin".into()), ..RoomPatch::default() };
    c.update_room(s.room.id, patch, fx.today, fx.now).await.unwrap();
    let room = ev
        .hotel_history(
            s.hotel.id,
            HistoryFilter { aggregate: Some((AggregateType::Room, s.room.id.get())), ..all() },
            page(50, 0),
        )
        .await
        .unwrap();
    let renamed = &room.items[0];
    assert_eq!(renamed.event_type, "room.updated");
    assert_eq!(data(renamed)["changes"]["type"]["after"], "Twin");
    assert!(room.items.iter().all(|e| e.aggregate_type == AggregateType::Room && e.aggregate_id == s.room.id.get()));
    let day = renamed.occurred_at.date_naive();
    let none = HistoryFilter { from: Some(day + Duration::days(1)), ..all() };
    assert_eq!(ev.hotel_history(s.hotel.id, none, page(50, 0)).await.unwrap().total, 0);
    let today = HistoryFilter { from: Some(day), to: Some(day), ..all() };
    assert!(ev.hotel_history(s.hotel.id, today, page(50, 0)).await.unwrap().total >= 7);

    // Another hotel's events stay its own; a deleted hotel's history remains.
    let other = fx.hotel(&s.owner, "Other", None, false).await;
    c.delete_hotel(other.id, fx.now).await.unwrap();
    let gone = ev.hotel_history(other.id, all(), page(50, 0)).await.unwrap();
    assert_eq!(
        gone.items.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(),
        ["hotel.deleted", "hotel.created"]
    );
    assert!(data(&gone.items[0])["before"]["name"] == "Other");
}

/// The relay's side: unpublished events in `seq` order, marked once, pruned by age (published only, unless
/// told otherwise).
pub async fn relay_reads_marks_and_prunes(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let ev = &fx.s.events;
    let s = fx.setup(2).await;
    fx.hold(&s.guest, &s.room, fx.day(3), 1, 1).await;
    let pending = ev.unpublished(1000).await.unwrap();
    assert!(pending.len() >= 6, "{pending:?}");
    assert!(pending.windows(2).all(|w| w[0].seq < w[1].seq));
    let first: Vec<i64> = pending.iter().take(3).map(|e| e.seq).collect();
    assert_eq!(ev.mark_published(&first, fx.now).await.unwrap(), 3);
    assert_eq!(ev.mark_published(&first, fx.now).await.unwrap(), 0, "marked once");
    let rest = ev.unpublished(1000).await.unwrap();
    assert_eq!(rest.len(), pending.len() - 3);
    assert_eq!(rest[0].seq, pending[3].seq);
    assert_eq!(ev.unpublished(2).await.unwrap().len(), 2);
    // Pruning: nothing is that old yet; from the future, the published ones go, then the rest when told.
    assert_eq!(ev.prune_events(fx.now - Duration::days(1), true).await.unwrap(), 0);
    let later = chrono::Utc::now() + Duration::days(1);
    assert_eq!(ev.prune_events(later, false).await.unwrap(), 3);
    assert_eq!(ev.unpublished(1000).await.unwrap().len(), rest.len());
    assert_eq!(ev.prune_events(later, true).await.unwrap(), rest.len() as u64);
    assert!(ev.unpublished(1000).await.unwrap().is_empty());
}
