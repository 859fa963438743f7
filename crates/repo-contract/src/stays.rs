//! Stay restrictions, taxes and the stay queries (a quote's room offer, the calendar, the revenue report's
//! facts), with exact figures.

use crate::StoreFactory;
use crate::fixtures::*;
use chrono::{Duration, NaiveDate};
use domain::Error;
use domain::model::*;
use rust_decimal::Decimal;

fn restrict(min: Option<i32>, max: Option<i32>, cta: Option<bool>, ctd: Option<bool>) -> InventoryPatch {
    InventoryPatch {
        min_stay: Patch::Set(min),
        max_stay: Patch::Set(max),
        closed_to_arrival: cta,
        closed_to_departure: ctd,
        ..InventoryPatch::default()
    }
}

fn vat(pct: i64, included: bool) -> TaxRule {
    TaxRule { name: "VAT".into(), kind: TaxKind::Percent, value: Decimal::new(pct, 0), included }
}

fn city_tax() -> TaxRule {
    TaxRule { name: "City tax".into(), kind: TaxKind::PerPersonPerNight, value: Decimal::new(250, 2), included: false }
}

/// Restrictions are patched over a range and cleared with `null`; taxes round-trip on the hotel; a hold breaking
/// a restriction fails with it and writes nothing; a hold freezes adults, subtotal and tax lines.
pub async fn restrictions_and_taxes_round_trip_and_guard_holds(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(4).await;
    let rows = c.patch_inventory(s.room.id, fx.day(10), fx.day(11), restrict(Some(2), Some(5), Some(true), None)).await;
    for v in rows.unwrap() {
        let r = v.night.restrictions;
        assert_eq!(
            (r.min_stay, r.max_stay, r.closed_to_arrival, r.closed_to_departure),
            (Some(2), Some(5), true, false)
        );
    }
    // `Keep` leaves them; `Set(None)` clears one; other fields of the row stay.
    let keep = InventoryPatch { closed: Some(false), ..InventoryPatch::default() };
    assert_eq!(fx.patch_night(&s.room, fx.day(10), keep).await[0].night.restrictions.min_stay, Some(2));
    let clear =
        InventoryPatch { max_stay: Patch::Set(None), closed_to_arrival: Some(false), ..InventoryPatch::default() };
    let r = fx.patch_night(&s.room, fx.day(11), clear).await[0].night.restrictions;
    assert_eq!((r.min_stay, r.max_stay, r.closed_to_arrival), (Some(2), None, false));
    assert_eq!(fx.night(&s.room, fx.day(12)).await.restrictions, Restrictions::default(), "outside the range");

    let hold =
        |day: i64, nights: i64| fx.s.bookings.hold(fx.hold_req(&s.guest, &s.room, fx.day(day), nights, 1), plain());
    assert_err(hold(10, 2).await, Error::Restricted(Restriction::ClosedToArrival(fx.day(10))));
    assert_err(hold(11, 1).await, Error::Restricted(Restriction::MinStay { arrival: fx.day(11), min: 2 }));
    fx.patch_night(&s.room, fx.day(20), restrict(None, Some(3), None, None)).await;
    assert_err(hold(20, 4).await, Error::Restricted(Restriction::MaxStay { arrival: fx.day(20), max: 3 }));
    fx.patch_night(&s.room, fx.day(26), restrict(None, None, None, Some(true))).await;
    assert_err(hold(24, 2).await, Error::Restricted(Restriction::ClosedToDeparture(fx.day(26))));
    assert_eq!(fx.counts(&s.room, fx.day(10), 17).await, vec![(0, 0); 17], "refused holds write nothing");
    hold(11, 2).await.expect("exactly the minimum");
    hold(20, 3).await.expect("exactly the maximum");
    hold(25, 2).await.expect("the closed-to-departure date as a night in between");

    // Taxes on the hotel, then a hold priced with them.
    let taxes = vec![vat(10, false), city_tax()];
    let patch = HotelPatch { taxes: Some(taxes.clone()), ..HotelPatch::default() };
    let h = c.update_hotel(s.hotel.id, patch, fx.now).await.unwrap();
    assert_eq!(h.taxes, taxes);
    assert_eq!(c.hotel(s.hotel.id).await.unwrap().unwrap().taxes, taxes);
    let mut req = fx.hold_req(&s.guest, &s.room, fx.day(40), 2, 2);
    req.taxes = taxes.clone();
    req.adults = Some(3);
    let b = fx.s.bookings.hold(req, plain()).await.unwrap();
    // 2 nights × 2 rooms × 100.00 = 400.00; VAT 40.00; city tax 2.50 × 3 adults × 2 nights = 15.00.
    assert_eq!((b.subtotal, b.amount, b.adults), (money(40_000), money(45_500), 3));
    assert_eq!(b.charges.iter().map(|l| l.amount).collect::<Vec<_>>(), [money(4_000), money(1_500)]);
    assert_eq!(b.charges[1].name, "City tax");
    assert_eq!(fx.booking(b.id).await, b);
    let mut too_many = fx.hold_req(&s.guest, &s.room, fx.day(50), 1, 1);
    too_many.adults = Some(3);
    assert_err(fx.s.bookings.hold(too_many, plain()).await, Error::TooManyGuests(2));
    let cleared = c.update_hotel(s.hotel.id, HotelPatch { taxes: Some(vec![]), ..HotelPatch::default() }, fx.now);
    assert!(cleared.await.unwrap().taxes.is_empty());
    assert_eq!(fx.booking(b.id).await.charges.len(), 2, "the booking keeps its breakdown");
}

/// Search leaves out a room type whose stay breaks a restriction of its arrival or departure night.
pub async fn search_honours_restrictions(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let h = fx.hotel(&owner, "Strict Inn", Some("Evora"), true).await;
    let cheap = fx.room(&h, "Cheap", 5_000, 2, 2).await;
    fx.room(&h, "Dear", 9_000, 2, 2).await;
    let min_price = |day: i64, nights: i64| fx.search_prices("Evora", day, nights);
    fx.patch_night(&cheap, fx.day(10), restrict(Some(3), Some(4), None, None)).await;
    fx.patch_night(&cheap, fx.day(20), restrict(None, None, Some(true), None)).await;
    fx.patch_night(&cheap, fx.day(32), restrict(None, None, None, Some(true))).await;
    assert_eq!(min_price(10, 2).await, [money(9_000)], "below the minimum: the dear room only");
    assert_eq!(min_price(10, 3).await, [money(5_000)]);
    assert_eq!(min_price(10, 4).await, [money(5_000)]);
    assert_eq!(min_price(10, 5).await, [money(9_000)], "above the maximum");
    assert_eq!(min_price(9, 3).await, [money(5_000)], "a minimum in between does not apply");
    assert_eq!(min_price(20, 1).await, [money(9_000)], "closed to arrival");
    assert_eq!(min_price(19, 2).await, [money(5_000)], "closed to arrival in between");
    assert_eq!(min_price(30, 2).await, [money(9_000)], "closed to departure");
    assert_eq!(min_price(30, 3).await, [money(5_000)], "closed to departure as a night in between");
}

/// A quote's read: the hotel, the room (only of that hotel), the room's plans and its rows up to the check-out
/// date included.
pub async fn room_offer_reads_a_room_of_the_hotel(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    let other = fx.hotel(&s.owner, "Other", Some("Faro"), true).await;
    let foreign = fx.room(&other, "Single", 5_000, 1, 1).await;
    let st = stay(fx.day(5), 2);
    let o = c.room_offer(s.hotel.id, s.room.id, Some(st)).await.unwrap().expect("offer");
    assert_eq!(o.hotel, c.hotel(s.hotel.id).await.unwrap().unwrap());
    assert_eq!(o.room, Some(s.room.clone()));
    assert_eq!(o.plans, c.rate_plans_of_hotel(s.hotel.id).await.unwrap());
    assert_eq!(o.nights.iter().map(|n| n.date).collect::<Vec<_>>(), [fx.day(5), fx.day(6), fx.day(7)]);
    assert_eq!(o.nights[0], fx.night(&s.room, fx.day(5)).await);
    let no_stay = c.room_offer(s.hotel.id, s.room.id, None).await.unwrap().unwrap();
    assert!(no_stay.nights.is_empty() && !no_stay.plans.is_empty());
    let o = c.room_offer(s.hotel.id, foreign.id, Some(st)).await.unwrap().unwrap();
    assert_eq!((o.room, o.plans.len(), o.nights.len()), (None, 0, 0), "a room of another hotel");
    assert_eq!(c.room_offer(absent(s.hotel.id), s.room.id, Some(st)).await.unwrap(), None);
}

/// The calendar: every room type by id with its default plan and its rows of the range, exactly.
pub async fn calendar_reads_every_room_and_night_of_the_range(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    let suite = fx.room(&s.hotel, "Suite", 25_000, 1, 4).await;
    let promo = NewRatePlan {
        code: "PROMO".into(),
        price_rule: PriceRule::Percent(Decimal::new(-10, 0)),
        ..NewRatePlan::standard()
    };
    c.create_rate_plan(suite.id, promo, fx.now).await.unwrap();
    let dflt = c.rate_plans_of_hotel(s.hotel.id).await.unwrap();
    let dflt_of = |room: RoomId| dflt.iter().find(|p| p.room_id == room && p.is_default).map(|p| p.id);
    fx.hold(&s.guest, &s.room, fx.day(3), 2, 2).await;
    fx.patch_night(&suite, fx.day(4), restrict(Some(2), None, Some(true), None)).await;
    fx.close(&suite, fx.day(5)).await;

    let cal = c.calendar(s.hotel.id, fx.day(2), fx.day(5)).await.unwrap().expect("calendar");
    assert_eq!(cal.hotel.id, s.hotel.id);
    assert_eq!(cal.rooms.iter().map(|r| r.room.id).collect::<Vec<_>>(), [s.room.id, suite.id]);
    assert_eq!(cal.rooms[0].room, s.room);
    assert_eq!(
        cal.rooms.iter().map(|r| (r.rate_plan_id, r.price_rule)).collect::<Vec<_>>(),
        [(dflt_of(s.room.id), PriceRule::BASE), (dflt_of(suite.id), PriceRule::BASE)]
    );
    for r in &cal.rooms {
        assert_eq!(r.nights.iter().map(|n| n.date).collect::<Vec<_>>(), [fx.day(2), fx.day(3), fx.day(4), fx.day(5)]);
        for n in &r.nights {
            assert_eq!(n, &fx.night(&r.room, n.date).await);
        }
    }
    assert_eq!(cal.rooms[0].nights.iter().map(|n| n.reserved_count).collect::<Vec<_>>(), [0, 2, 2, 0]);
    let r = cal.rooms[1].nights[2].restrictions;
    assert_eq!((r.min_stay, r.closed_to_arrival), (Some(2), true));
    assert!(cal.rooms[1].nights[3].closed);

    // The window's edges: only existing rows; a hotel without rooms; a missing hotel.
    let edge = c.calendar(s.hotel.id, fx.day(363), fx.day(366)).await.unwrap().unwrap();
    assert_eq!(edge.rooms[0].nights.iter().map(|n| n.date).collect::<Vec<_>>(), [fx.day(363), fx.day(364)]);
    let bare = fx.hotel(&s.owner, "Bare", None, true).await;
    let cal = c.calendar(bare.id, fx.day(0), fx.day(3)).await.unwrap().unwrap();
    assert_eq!((cal.hotel.id, cal.rooms.len()), (bare.id, 0));
    assert_eq!(c.calendar(absent(s.hotel.id), fx.day(0), fx.day(3)).await.unwrap(), None);
}

/// Many calendars at once, each over its own window, exactly as one `calendar` each reads them (a read model's
/// re-read of the nights a burst of writes changed); missing hotels are left out.
pub async fn calendars_read_many_windows_at_once(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    fx.room(&s.hotel, "Suite", 25_000, 1, 4).await;
    fx.hold(&s.guest, &s.room, fx.day(3), 2, 2).await;
    let other = fx.hotel(&s.owner, "Other", Some("Porto"), true).await;
    let single = fx.room(&other, "Single", 9_000, 2, 1).await;
    fx.close(&single, fx.day(8)).await;
    let bare = fx.hotel(&s.owner, "Bare", None, true).await;
    let windows = [
        (s.hotel.id, fx.day(2), fx.day(5)),
        (absent(s.hotel.id), fx.day(0), fx.day(3)),
        (other.id, fx.day(7), fx.day(9)),
        (bare.id, fx.day(0), fx.day(1)),
    ];
    let mut got = c.calendars(&windows).await.unwrap();
    got.sort_by_key(|cal| cal.hotel.id);
    let mut want = Vec::new();
    for (id, from, to) in windows {
        if let Some(cal) = c.calendar(id, from, to).await.unwrap() {
            want.push(cal);
        }
    }
    want.sort_by_key(|cal| cal.hotel.id);
    assert_eq!(got.len(), 3, "the missing hotel is left out");
    assert_eq!(got, want);
    let mine = got.iter().find(|cal| cal.hotel.id == s.hotel.id).unwrap();
    assert_eq!(mine.rooms[0].nights.iter().map(|n| n.reserved_count).collect::<Vec<_>>(), [0, 2, 2, 0]);
    let theirs = got.iter().find(|cal| cal.hotel.id == other.id).unwrap();
    assert_eq!(theirs.rooms[0].nights.iter().map(|n| n.closed).collect::<Vec<_>>(), [false, true, false]);
    assert!(c.calendars(&[]).await.unwrap().is_empty());
}

/// The revenue facts: rooms per night summed over the room types, and the bookings with a night in the range
/// that are confirmed, or cancelled keeping a penalty or owing a refund, with their frozen figures.
pub async fn revenue_facts_are_exact(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(4).await;
    fx.room(&s.hotel, "Suite", 30_000, 2, 4).await;
    let other = fx.hotel(&s.owner, "Elsewhere", Some("Faro"), true).await;
    let elsewhere = fx.room(&other, "Single", 5_000, 3, 1).await;
    let taxed = |day: i64, nights: i64, rooms: i32| {
        let mut req = fx.hold_req(&s.guest, &s.room, fx.day(day), nights, rooms);
        req.taxes = vec![vat(10, false)];
        req
    };
    // Confirmed: 3 nights × 2 rooms from day 10 (600.00 + VAT 60.00).
    let confirmed = fx.s.bookings.hold(taxed(10, 3, 2), plain()).await.unwrap();
    fx.pay(confirmed.id).await;
    // Cancelled after paying under a 50 % policy: 110.00 kept, 110.00 refunded.
    let mut req = taxed(12, 2, 1);
    req.cancellation_policy =
        CancellationPolicy::Refundable { free_hours: 0, penalty: Penalty::Percent(Decimal::new(50, 0)) };
    req.cancel_deadline = Some(fx.now - Duration::hours(1));
    let cancelled = fx.s.bookings.hold(req, plain()).await.unwrap();
    fx.pay(cancelled.id).await;
    fx.by(&s.guest, cancelled.id, BookingAction::Cancel, fx.now).await.unwrap();
    // Left out: an unpaid cancel, a hold, a stay outside the range, another hotel's booking.
    let unpaid = fx.hold(&s.guest, &s.room, fx.day(11), 1, 1).await;
    fx.by(&s.guest, unpaid.id, BookingAction::Cancel, fx.now).await.unwrap();
    fx.hold(&s.guest, &s.room, fx.day(11), 1, 1).await;
    let later = fx.hold(&s.guest, &s.room, fx.day(30), 1, 1).await;
    fx.pay(later.id).await;
    let theirs = fx.hold(&s.guest, &elsewhere, fx.day(11), 1, 1).await;
    fx.pay(theirs.id).await;

    let facts = c.revenue(s.hotel.id, fx.day(11), fx.day(14)).await.unwrap();
    let want: Vec<(NaiveDate, i64)> = (11..=14).map(|d| (fx.day(d), 6)).collect();
    assert_eq!(facts.rooms_per_night, want, "4 + 2 rooms a night");
    let mut got = facts.bookings.clone();
    got.sort_by_key(|b| b.check_in);
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].status, got[0].check_in, got[0].check_out, got[0].rooms_count),
        (BookingStatus::Confirmed, fx.day(10), fx.day(13), 2)
    );
    assert_eq!(
        (got[0].price.subtotal, got[0].price.total, got[0].price.taxes()),
        (money(60_000), money(66_000), money(6_000))
    );
    assert_eq!((got[0].penalty, got[0].refund), (None, None));
    assert_eq!(got[1].status, BookingStatus::Cancelled);
    assert_eq!((got[1].penalty, got[1].refund), (Some(money(11_000)), Some(money(11_000))));

    // The domain's report over these facts.
    let r = RevenueReport::build(fx.day(11), fx.day(14), &facts);
    let sold: Vec<i64> = r.days.iter().map(|(_, d)| d.rooms_sold).collect();
    assert_eq!(sold, [2, 2, 0, 0]);
    assert_eq!((r.total.room_revenue, r.total.taxes), (money(40_000), money(4_000)), "2 of the 3 nights");
    assert_eq!((r.total.penalties, r.total.refunds), (money(11_000), money(11_000)));
    assert_eq!(r.total.rooms_available, 24);
    assert!(c.revenue(absent(s.hotel.id), fx.day(11), fx.day(14)).await.unwrap().bookings.is_empty());
}

/// Every hotel's id, active or not, ascending, a page at a time (a read model's initial load).
pub async fn hotel_ids_page_through_every_hotel(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(1).await;
    let hidden = fx.hotel(&s.owner, "Hidden", Some("Porto"), false).await;
    let third = fx.hotel(&s.owner, "Third", None, true).await;
    let all = [s.hotel.id, hidden.id, third.id];
    assert_eq!(c.hotel_ids(HotelId(0), 100).await.unwrap(), all);
    assert_eq!(c.hotel_ids(HotelId(0), 2).await.unwrap(), all[..2]);
    assert_eq!(c.hotel_ids(all[1], 2).await.unwrap(), all[2..]);
    assert_eq!(c.hotel_ids(all[2], 2).await.unwrap(), Vec::<HotelId>::new());
}
