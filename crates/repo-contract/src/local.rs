//! Hotel local settings and cancellation policies: what the stores keep, and the per-hotel local date of the
//! read side (search, the inventory window).

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::{Duration, NaiveTime, TimeZone as _, Utc};
use domain::model::*;
use rust_decimal::Decimal;

fn zone(name: &str) -> TimeZone {
    TimeZone::parse(name).expect("zone")
}

/// Settings are stored as given, defaults apply when absent, and a patch changes only what it names.
pub async fn hotel_local_settings_round_trip(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let policy = CancellationPolicy::Refundable { free_hours: 48, penalty: Penalty::FirstNights(1) };
    let new = NewHotel {
        name: "Tejo".into(),
        time_zone: Some(zone("Europe/Lisbon")),
        currency: Currency::parse("EUR"),
        check_in_time: NaiveTime::from_hms_opt(14, 0, 0),
        check_out_time: NaiveTime::from_hms_opt(10, 30, 0),
        cancellation_policy: Some(policy),
        ..NewHotel::default()
    };
    let h = c.create_hotel(owner.id, new, fx.now).await.unwrap();
    let expect = (zone("Europe/Lisbon"), "EUR", NaiveTime::from_hms_opt(14, 0, 0), NaiveTime::from_hms_opt(10, 30, 0));
    assert_eq!((h.time_zone, h.currency.as_str(), Some(h.check_in_time), Some(h.check_out_time)), expect);
    assert_eq!(h.cancellation_policy, policy);
    assert_eq!(c.hotel(h.id).await.unwrap(), Some(h.clone()), "read back as created");

    let patch = HotelPatch {
        currency: Currency::parse("GBP"),
        cancellation_policy: Some(CancellationPolicy::NonRefundable),
        ..HotelPatch::default()
    };
    let u = c.update_hotel(h.id, patch, fx.secs(1)).await.unwrap();
    assert_eq!((u.currency.as_str(), u.cancellation_policy), ("GBP", CancellationPolicy::NonRefundable));
    assert_eq!((u.time_zone, u.check_in_time, u.check_out_time), (h.time_zone, h.check_in_time, h.check_out_time));
    let pct = CancellationPolicy::Refundable { free_hours: 0, penalty: Penalty::Percent(Decimal::new(1250, 2)) };
    let patch =
        HotelPatch { cancellation_policy: Some(pct), time_zone: Some(zone("Asia/Tokyo")), ..HotelPatch::default() };
    let u = c.update_hotel(h.id, patch, fx.secs(2)).await.unwrap();
    assert_eq!((u.cancellation_policy, u.time_zone), (pct, zone("Asia/Tokyo")));
    assert_eq!(c.hotel(h.id).await.unwrap(), Some(u));

    let plain = fx.hotel(&owner, "Plain", None, false).await;
    assert_eq!(plain.time_zone, TimeZone::UTC);
    assert_eq!((plain.check_in_time, plain.check_out_time), (default_check_in_time(), default_check_out_time()));
    assert_eq!(plain.cancellation_policy, CancellationPolicy::default());
}

/// A hold freezes the zone, policy and deadline it was given; cancelling the paid booking records the
/// settlement (a refund is queued only for a positive refund), and reports count kept penalties.
pub async fn booking_freezes_its_policy_and_records_the_settlement(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let s = fx.setup(5).await;
    let tz = zone("America/New_York");
    let half = CancellationPolicy::Refundable { free_hours: 24, penalty: Penalty::Percent(Decimal::new(50, 0)) };
    let hold = |policy: CancellationPolicy, day: i64| {
        let mut req = fx.hold_req(&s.guest, &s.room, fx.day(day), 2, 1);
        req.time_zone = tz;
        req.cancellation_policy = policy;
        req.cancel_deadline = policy.deadline(tz, fx.day(day), default_check_in_time());
        req
    };
    let req = hold(half, 5);
    let deadline = req.cancel_deadline;
    let b = fx.s.bookings.hold(req, plain()).await.unwrap();
    assert_eq!((b.time_zone, b.cancellation_policy, b.cancel_deadline), (tz, half, deadline));
    assert_eq!((b.penalty_amount, b.refund_amount), (None, None));
    assert_eq!(fx.booking(b.id).await, b);

    // Paid, then cancelled after the deadline: half is kept, half refunded.
    fx.pay(b.id).await;
    let after_deadline = deadline.unwrap() + Duration::minutes(1);
    assert!(after_deadline.date_naive() < fx.day(5), "still before the check-in date");
    fx.by(&s.guest, b.id, BookingAction::Cancel, after_deadline).await.unwrap();
    let got = fx.booking(b.id).await;
    assert_eq!(got.status, BookingStatus::Cancelled);
    assert_eq!((got.penalty_amount, got.refund_amount), (Some(money(10_000)), Some(money(10_000))));
    assert_eq!(got.refund_status, Some(RefundStatus::Pending));
    assert_eq!(fx.counts(&s.room, fx.day(5), 2).await, vec![(0, 0), (0, 0)], "rooms released");

    // Non-refundable: released, the whole amount kept, no refund queued.
    let nr = fx.s.bookings.hold(hold(CancellationPolicy::NonRefundable, 8), plain()).await.unwrap();
    assert_eq!(nr.cancel_deadline, None);
    fx.pay(nr.id).await;
    fx.by(&s.guest, nr.id, BookingAction::Cancel, fx.now).await.unwrap();
    let got = fx.booking(nr.id).await;
    assert_eq!(
        (got.penalty_amount, got.refund_amount, got.refund_status),
        (Some(money(20_000)), Some(Money::ZERO), None)
    );
    assert_eq!(fx.counts(&s.room, fx.day(8), 2).await, vec![(0, 0), (0, 0)]);

    // One confirmed stay left standing; the report adds the kept penalties to its revenue.
    let kept = fx.s.bookings.hold(hold(half, 12), plain()).await.unwrap();
    fx.pay(kept.id).await;
    let t = fx.s.catalog.report(s.hotel.id, fx.today, fx.day(30)).await.unwrap();
    assert_eq!(t, ReportTotals { bookings: 1, revenue: money(20_000), penalties: money(30_000) });
}

/// Search prices and filters each hotel at its own local date; the window top-up runs to each hotel's local
/// today + 364.
pub async fn search_and_window_use_each_hotels_local_date(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let owner = fx.manager("owner").await;
    let mut rooms = Vec::new();
    let mut hotels = Vec::new();
    for (name, tz) in [("Ahead", "Pacific/Kiritimati"), ("Behind", "Pacific/Pago_Pago"), ("Zero", "UTC")] {
        let new =
            NewHotel { name: name.into(), city: Some("Line".into()), time_zone: Some(zone(tz)), ..NewHotel::default() };
        let h = c.create_hotel(owner.id, new, fx.now).await.unwrap();
        let h = c.set_hotel_active(h.id, true, fx.now).await.unwrap();
        rooms.push(fx.room(&h, "Double", 10_000, 2, 2).await);
        hotels.push(h);
    }
    // At noon UTC of fx.today it is already tomorrow in Kiritimati (UTC+14) and still today in Pago Pago (UTC−11).
    let noon = Utc.from_utc_datetime(&fx.today.and_hms_opt(12, 0, 0).unwrap());
    let q = SearchQuery {
        city: "Line".into(),
        stay: stay(fx.today, 1),
        rooms_count: 1,
        guests: None,
        min_price: None,
        max_price: None,
        sort: SearchSort::Name,
        page: Page::DEFAULT,
    };
    let found: Vec<HotelId> = c.search(q.clone(), plain(), noon).await.unwrap().items.iter().map(|h| h.id).collect();
    assert_eq!(found, vec![hotels[1].id, hotels[2].id], "a stay already begun in Kiritimati is not offered there");
    let tomorrow = SearchQuery { stay: stay(fx.day(1), 1), ..q };
    assert_eq!(c.search(tomorrow, plain(), noon).await.unwrap().total, 3);

    // Windows were created from fx.today (rows today … today+364); three days later at noon UTC the local
    // dates are today+4 (Kiritimati) and today+3 (the others).
    let later = noon + Duration::days(3);
    assert_eq!(c.extend_inventory_window(later).await.unwrap(), 4 + 3 + 3);
    for (room, last) in rooms.iter().zip([368, 367, 367]) {
        let rows = c.inventory(room.id, fx.day(360), None, Page { limit: 366, offset: 0 }).await.unwrap().items;
        assert_eq!(rows.last().map(|v| v.night.date), Some(fx.day(last)), "room {}", room.id);
    }
}
