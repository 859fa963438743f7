//! Rate plans: the default plan created with each room type, CRUD with its rules, holds on a plan, deletes.

use crate::StoreFactory;
use crate::fixtures::*;
use domain::Error;
use domain::model::*;
use domain::ports::Actor;
use rust_decimal::Decimal;

fn breakfast() -> NewRatePlan {
    NewRatePlan {
        name: "Breakfast included".into(),
        code: "BB".into(),
        meal_plan: MealPlan::Breakfast,
        price_rule: PriceRule::Percent(Decimal::new(10, 0)),
        min_stay: Some(2),
        max_stay: None,
        active: true,
        cancellation_policy: Some(CancellationPolicy::NonRefundable),
    }
}

/// Every room type is created with its default plan; plans are added, read, listed and patched by the rules.
pub async fn rate_plans_crud_and_default_plan(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    let plans = c.rate_plans_of_hotel(s.hotel.id).await.unwrap();
    assert_eq!(plans.len(), 1);
    let std = plans[0].clone();
    assert_eq!(
        (std.room_id, std.hotel_id, std.code.as_str(), std.is_default, std.active),
        (s.room.id, s.hotel.id, "STANDARD", true, true)
    );
    assert_eq!((std.price_rule, std.meal_plan, std.cancellation_policy), (PriceRule::BASE, MealPlan::RoomOnly, None));

    let bb = c.create_rate_plan(s.room.id, breakfast(), fx.now).await.unwrap();
    assert_eq!((bb.is_default, bb.min_stay, bb.room_id), (false, Some(2), s.room.id));
    assert_eq!(c.rate_plan(bb.id).await.unwrap(), Some(bb.clone()));
    assert_eq!(c.create_rate_plan(s.room.id, breakfast(), fx.now).await, Err(Error::RatePlanCodeTaken));
    assert!(matches!(c.create_rate_plan(absent(s.room.id), breakfast(), fx.now).await, Err(Error::RoomNotFound(_))));
    let other_room = fx.room(&s.hotel, "Suite", 30_000, 1, 2).await;
    let same_code_elsewhere = c.create_rate_plan(other_room.id, breakfast(), fx.now).await.unwrap();
    let ids: Vec<RatePlanId> = c.rate_plans_of_hotel(s.hotel.id).await.unwrap().iter().map(|p| p.id).collect();
    let other_std = ids[2];
    assert_eq!(ids, vec![std.id, bb.id, other_std, same_code_elsewhere.id], "by room, default first");

    let patch = RatePlanPatch { code: Some("STANDARD".into()), ..RatePlanPatch::default() };
    assert_eq!(c.update_rate_plan(bb.id, patch, fx.now).await, Err(Error::RatePlanCodeTaken));
    let patch = RatePlanPatch { active: Some(false), ..RatePlanPatch::default() };
    assert_eq!(c.update_rate_plan(std.id, patch, fx.now).await, Err(Error::DefaultRatePlan));
    let patch = RatePlanPatch {
        min_stay: Patch::Set(None),
        max_stay: Patch::Set(Some(7)),
        price_rule: Some(PriceRule::PerNight(money(-1_000))),
        cancellation_policy: Patch::Set(None),
        ..RatePlanPatch::default()
    };
    let u = c.update_rate_plan(bb.id, patch, fx.secs(1)).await.unwrap();
    assert_eq!(
        (u.min_stay, u.max_stay, u.price_rule, u.cancellation_policy),
        (None, Some(7), PriceRule::PerNight(money(-1_000)), None)
    );
    assert_eq!((u.name.as_str(), u.meal_plan), ("Breakfast included", MealPlan::Breakfast), "unchanged");
    assert_eq!(c.rate_plan(bb.id).await.unwrap(), Some(u));
    assert!(matches!(
        c.update_rate_plan(absent(bb.id), RatePlanPatch::default(), fx.now).await,
        Err(Error::RatePlanNotFound(_))
    ));
}

/// A hold on a plan is priced by its rule and remembers the plan; a plan with an active booking, or a room's
/// default plan, cannot be deleted; a room type's delete takes its plans with it.
pub async fn holds_on_a_plan_and_plan_deletes(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await;
    let bb = c.create_rate_plan(s.room.id, breakfast(), fx.now).await.unwrap();
    let mut req = fx.hold_req(&s.guest, &s.room, fx.day(10), 2, 2);
    req.rate_plan_id = Some(bb.id);
    req.price_rule = bb.price_rule;
    let b = fx.s.bookings.hold(req, plain()).await.unwrap();
    assert_eq!(b.amount, money(44_000), "2 nights × 2 rooms × 110.00");
    assert_eq!(b.rate_plan_id, Some(bb.id));
    assert_eq!(fx.booking(b.id).await.rate_plan_id, Some(bb.id));

    assert_eq!(c.delete_rate_plan(bb.id, fx.now).await, Err(Error::HasActiveBookings("Rate plan has active bookings")));
    fx.s.bookings
        .transition(b.id, Actor { user_id: Some(s.guest.id) }, BookingAction::Cancel, fx.now, 15)
        .await
        .unwrap();
    c.delete_rate_plan(bb.id, fx.now).await.unwrap();
    assert_eq!(c.rate_plan(bb.id).await.unwrap(), None);
    assert!(matches!(c.delete_rate_plan(bb.id, fx.now).await, Err(Error::RatePlanNotFound(_))));
    assert_eq!(fx.booking(b.id).await.amount, money(44_000), "the booking keeps its frozen price");

    let std = c.rate_plans_of_hotel(s.hotel.id).await.unwrap().remove(0);
    assert_eq!(c.delete_rate_plan(std.id, fx.now).await, Err(Error::DefaultRatePlan));
    c.delete_room(s.room.id, fx.now).await.unwrap();
    assert_eq!(c.rate_plan(std.id).await.unwrap(), None, "deleted with its room");
    assert!(c.rate_plans_of_hotel(s.hotel.id).await.unwrap().is_empty());
}

/// Search's `min_price` is the lowest average over the bookable plans (active, the stay within their limits) of
/// the qualifying room types, each night priced by the plan's rule (half-even, never below a cent).
pub async fn search_offers_the_cheapest_bookable_plan(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let c = &fx.s.catalog;
    let s = fx.setup(3).await; // Lisbon, 100.00 a night
    let found = |nights: i64| fx.search_prices("Lisbon", 10, nights);
    assert_eq!(found(2).await, vec![money(10_000)], "the default plan only");
    let week = NewRatePlan {
        name: "Long stay".into(),
        code: "LONG".into(),
        meal_plan: MealPlan::RoomOnly,
        price_rule: PriceRule::Percent(Decimal::new(-1_255, 2)), // −12.55 %
        min_stay: Some(3),
        max_stay: None,
        active: true,
        cancellation_policy: None,
    };
    let long = c.create_rate_plan(s.room.id, week, fx.now).await.unwrap();
    assert_eq!(found(2).await, vec![money(10_000)], "a 2-night stay is below the plan's minimum");
    // 100.00 × 0.8745 = 87.45 a night.
    assert_eq!(found(3).await, vec![money(8_745)]);
    let mut odd = breakfast();
    odd.code = "ODD".into();
    odd.min_stay = None;
    odd.price_rule = PriceRule::PerNight(money(-1_250)); // 87.50
    let odd = c.create_rate_plan(s.room.id, odd, fx.now).await.unwrap();
    assert_eq!(found(2).await, vec![money(8_750)]);
    assert_eq!(found(3).await, vec![money(8_745)]);
    let patch = RatePlanPatch { active: Some(false), ..RatePlanPatch::default() };
    c.update_rate_plan(long.id, patch, fx.now).await.unwrap();
    assert_eq!(found(3).await, vec![money(8_750)], "an inactive plan is not offered");
    // Half-even per night: 100.05 × 0.95 = 95.0475 → 95.05; a price floor of one cent.
    fx.patch_night(&s.room, fx.day(10), InventoryPatch { price: Some(money(10_005)), ..InventoryPatch::default() })
        .await;
    let patch = RatePlanPatch { price_rule: Some(PriceRule::Percent(Decimal::new(-5, 0))), ..RatePlanPatch::default() };
    c.update_rate_plan(odd.id, patch, fx.now).await.unwrap();
    assert_eq!(found(1).await, vec![money(9_505)]);
    let patch = RatePlanPatch { price_rule: Some(PriceRule::PerNight(money(-99_999))), ..RatePlanPatch::default() };
    c.update_rate_plan(odd.id, patch, fx.now).await.unwrap();
    assert_eq!(found(2).await, vec![money(1)]);
}
