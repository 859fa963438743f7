//! Helpers shared by the contract tests: a fixture with a timeline, users, hotels, rooms and holds.

use crate::{StoreFactory, Stores};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::model::*;
use domain::ports::{Actor, PaymentSession, Transitioned};
use domain::pricing::PricingPolicy;
use domain::{Error, Result};
use rust_decimal::Decimal;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::Barrier;

/// Fresh stores plus the test's "now" and "today".
pub struct Fx {
    pub s: Stores,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// The real current time at microsecond precision (what PostgreSQL can store exactly).
pub fn real_now() -> DateTime<Utc> {
    let micros = Utc::now().timestamp_micros();
    DateTime::from_timestamp_micros(micros).expect("current time is representable")
}

/// An amount from minor units.
/// An id 1000 past `id` of the same kind, which no row has in these scenarios.
pub fn absent<I: From<i64> + Into<i64>>(id: I) -> I {
    I::from(id.into() + 1000)
}

pub fn money(minor: i64) -> Money {
    Money::from_minor(minor)
}

/// A decimal from its literal text.
pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

/// A normalised email.
pub fn email(s: &str) -> Email {
    Email::parse(s).expect("valid email")
}

/// A stay of `nights` nights from `check_in`.
pub fn stay(check_in: NaiveDate, nights: i64) -> StayDates {
    StayDates::from_stored(check_in, check_in + Duration::days(nights))
}

/// A page.
pub fn page(limit: i64, offset: i64) -> Page {
    Page { limit, offset }
}

/// A page large enough for one room's whole inventory window.
pub const YEAR: Page = Page { limit: 366, offset: 0 };

/// No pricing strategy: the nightly price is `price × surge`.
pub fn plain() -> PricingPolicy {
    PricingPolicy::default()
}

/// Runs `n` copies of `task` (given its index) at the same moment on the runtime's workers and returns
/// their results in index order.
pub async fn race<T, F, Fut>(n: usize, task: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let fut = task(i);
        let barrier = barrier.clone();
        handles.push(tokio::spawn(async move {
            barrier.wait().await;
            fut.await
        }));
    }
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.expect("task panicked"));
    }
    out
}

impl Fx {
    /// Fresh stores from the factory; now = the real time.
    pub async fn new(factory: &(impl StoreFactory + ?Sized)) -> Fx {
        let now = real_now();
        Fx { s: factory.fresh().await, now, today: now.date_naive() }
    }

    /// `today + n` days.
    pub fn day(&self, n: i64) -> NaiveDate {
        self.today + Duration::days(n)
    }

    /// `now + n` seconds.
    pub fn secs(&self, n: i64) -> DateTime<Utc> {
        self.now + Duration::seconds(n)
    }

    /// `now + n` minutes.
    pub fn mins(&self, n: i64) -> DateTime<Utc> {
        self.now + Duration::minutes(n)
    }

    /// A user `{tag}@example.com`.
    pub async fn user(&self, tag: &str) -> User {
        let new =
            NewUser { email: email(&format!("{tag}@example.com")), password_hash: format!("hash-{tag}"), name: None };
        self.s.users.create_user(new).await.expect("create user")
    }

    /// A user with the manager role.
    pub async fn manager(&self, tag: &str) -> User {
        let u = self.user(tag).await;
        assert!(self.s.users.set_manager(&u.email, true).await.expect("set manager"));
        self.s.users.user_by_id(u.id).await.expect("user").expect("user exists")
    }

    /// A hotel named `name` in `city`, activated if `active`.
    pub async fn hotel(&self, owner: &User, name: &str, city: Option<&str>, active: bool) -> Hotel {
        let new = NewHotel { name: name.into(), city: city.map(Into::into), ..NewHotel::default() };
        let h = self.s.catalog.create_hotel(owner.id, new, self.now).await.expect("create hotel");
        if active { self.s.catalog.set_hotel_active(h.id, true, self.now).await.expect("activate") } else { h }
    }

    /// A room type with its inventory window from today.
    pub async fn room(&self, hotel: &Hotel, kind: &str, base_minor: i64, total: i32, capacity: i32) -> Room {
        self.room_from(hotel, kind, base_minor, total, capacity, self.today).await
    }

    /// A room type whose inventory window starts on `first_day`.
    pub async fn room_from(
        &self,
        hotel: &Hotel,
        kind: &str,
        base_minor: i64,
        total: i32,
        capacity: i32,
        first_day: NaiveDate,
    ) -> Room {
        let new = NewRoom {
            kind: kind.into(),
            base_price: money(base_minor),
            photos: None,
            amenities: None,
            total_count: total,
            capacity,
        };
        self.s.catalog.create_room(hotel.id, new, first_day, self.now).await.expect("create room")
    }

    /// An owner, an active hotel in "Lisbon" with one room type (100.00, `total` rooms, capacity 2) and a
    /// guest user.
    pub async fn setup(&self, total: i32) -> Setup {
        let owner = self.manager("owner").await;
        let hotel = self.hotel(&owner, "Grand", Some("Lisbon"), true).await;
        let room = self.room(&hotel, "Double", 10_000, total, 2).await;
        let guest = self.user("guest").await;
        Setup { owner, hotel, room, guest }
    }

    /// A hold request made now, expiring in 15 minutes, without a hold cap.
    pub fn hold_req(&self, user: &User, room: &Room, check_in: NaiveDate, nights: i64, rooms: i32) -> HoldRequest {
        HoldRequest {
            user_id: user.id,
            hotel_id: room.hotel_id,
            room_id: room.id,
            stay: stay(check_in, nights),
            rooms_count: rooms,
            now: self.now,
            expires_at: self.mins(15),
            currency: Currency::parse("USD").expect("USD"),
            today: self.today,
            rate_plan_id: None,
            price_rule: PriceRule::BASE,
            time_zone: TimeZone::UTC,
            cancellation_policy: CancellationPolicy::default(),
            cancel_deadline: CancellationPolicy::default().deadline(TimeZone::UTC, check_in, default_check_in_time()),
            max_active_holds: 0,
            adults: None,
            taxes: Vec::new(),
        }
    }

    /// A hold that must succeed.
    pub async fn hold(&self, user: &User, room: &Room, check_in: NaiveDate, nights: i64, rooms: i32) -> Booking {
        self.s.bookings.hold(self.hold_req(user, room, check_in, nights, rooms), plain()).await.expect("hold")
    }

    /// The row of `room` on `date`.
    pub async fn night(&self, room: &Room, date: NaiveDate) -> InventoryNight {
        let mut rows = self.s.catalog.stay_nights(room.id, stay(date, 1)).await.expect("stay nights");
        assert_eq!(rows.len(), 1, "one inventory row for room {} on {date}", room.id);
        rows.remove(0)
    }

    /// (book_count, reserved_count) of every night of a stay.
    pub async fn counts(&self, room: &Room, check_in: NaiveDate, nights: i64) -> Vec<(i32, i32)> {
        let rows = self.s.catalog.stay_nights(room.id, stay(check_in, nights)).await.expect("stay nights");
        assert_eq!(rows.len() as i64, nights, "rows of the stay");
        rows.iter().map(|n| (n.book_count, n.reserved_count)).collect()
    }

    /// Applies a patch to the one night `date`.
    pub async fn patch_night(&self, room: &Room, date: NaiveDate, patch: InventoryPatch) -> Vec<InventoryView> {
        self.s.catalog.patch_inventory(room.id, date, date, patch).await.expect("patch inventory")
    }

    /// Closes the night `date`.
    pub async fn close(&self, room: &Room, date: NaiveDate) {
        self.patch_night(room, date, InventoryPatch { closed: Some(true), ..InventoryPatch::default() }).await;
    }

    /// The stored booking.
    pub async fn booking(&self, id: BookingId) -> Booking {
        self.s.bookings.booking(id).await.expect("booking").expect("booking exists")
    }

    /// A transition by the system (no owner check) at `now`.
    pub async fn system(&self, id: BookingId, action: BookingAction, now: DateTime<Utc>) -> Result<Transitioned> {
        self.s.bookings.transition(id, Actor { user_id: None }, action, now, 15).await
    }

    /// A transition by `user` at `now`.
    pub async fn by(
        &self,
        user: &User,
        id: BookingId,
        action: BookingAction,
        now: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.s.bookings.transition(id, Actor { user_id: Some(user.id) }, action, now, 15).await
    }

    /// The provider confirms the payment of booking `id` (its own session, intent `pi_{id}`) at `now`.
    pub async fn pay(&self, id: BookingId) {
        let ev = domain::ports::PaymentEvent {
            event_id: format!("evt_{id}"),
            event_type: "checkout.session.completed".into(),
            kind: Some(domain::ports::PaymentEventKind::Paid),
            session_id: None,
            booking_id: Some(id),
            amount_minor: None,
            currency: None,
            payment_intent: Some(format!("pi_{id}")),
        };
        self.s.bookings.apply_payment_event(ev, self.now).await.expect("payment");
    }

    /// The `min_price` of each hit of a one-room search in `city` for `nights` nights from `day`, plain pricing.
    pub async fn search_prices(&self, city: &str, day: i64, nights: i64) -> Vec<Money> {
        let q = SearchQuery {
            city: city.into(),
            stay: stay(self.day(day), nights),
            rooms_count: 1,
            guests: None,
            min_price: None,
            max_price: None,
            sort: SearchSort::PriceAsc,
            page: Page::DEFAULT,
        };
        let hits = self.s.catalog.search(q, plain(), self.now).await.expect("search");
        hits.items.iter().map(|h| h.min_price).collect()
    }

    /// A saved guest of `user`.
    pub async fn saved_guest(&self, user: &User, name: &str) -> Guest {
        let new = NewGuest { name: name.into(), gender: Gender::Female, age: Some(30) };
        self.s.guests.create_guest(user.id, new).await.expect("create guest")
    }

    /// A hold of 1 room that has guests and a stored checkout session `session_id` (PAYMENTS_PENDING,
    /// attempt 1, session expiring in 31 minutes).
    pub async fn pending(&self, user: &User, room: &Room, check_in: NaiveDate, session_id: &str) -> Booking {
        let b = self.hold(user, room, check_in, 2, 1).await;
        self.to_pending(user, &b, session_id).await
    }

    /// Moves a RESERVED booking of `user` to PAYMENTS_PENDING with the stored session `session_id`.
    pub async fn to_pending(&self, user: &User, b: &Booking, session_id: &str) -> Booking {
        let g = self.saved_guest(user, "Traveller").await;
        self.s.bookings.add_guests(b.id, user.id, vec![g.id], self.now).await.expect("add guests");
        let t = self.s.bookings.start_payment(b.id, user.id, self.now, self.mins(32)).await.expect("start payment");
        let session = PaymentSession {
            id: session_id.into(),
            url: format!("https://pay.example/{session_id}"),
            expires_at: self.mins(31),
        };
        self.s
            .bookings
            .store_payment_session(b.id, t.booking.payment_attempt, session, self.now)
            .await
            .expect("store session")
            .expect("session stored")
    }
}

/// The usual cast of a booking test.
pub struct Setup {
    pub owner: User,
    pub hotel: Hotel,
    pub room: Room,
    pub guest: User,
}

/// Asserts that `r` failed with exactly `want`.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(r: Result<T>, want: Error) {
    match r {
        Err(e) => assert_eq!(e, want),
        Ok(v) => panic!("expected error {want:?}, got Ok({v:?})"),
    }
}
