//! The booking aggregate and its state machine (API.md §4.3.4).
//!
//! Why one file (~510 lines, a third of it the table-driven test): the statuses, actions, the `decide` table and
//! the aggregate that carries them are one concept; split, the exhaustive match and its test would drift apart.

use super::{
    BookingId, CancellationPolicy, Currency, Guest, HotelId, Money, PriceRule, RatePlanId, RoomId, StayDates, TimeZone,
    UserId,
};
use crate::Error;
use chrono::{DateTime, NaiveDate, Utc};

/// Lifecycle status of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingStatus {
    /// `RESERVED`: rooms held after init, until `HOLD_MINUTES` pass; guests not linked yet.
    Reserved,
    /// `GUESTS_ADDED`: still held, with saved guests linked; checkout may start.
    GuestsAdded,
    /// `PAYMENTS_PENDING`: still held while a checkout session is open, until the session expires.
    PaymentsPending,
    /// `CONFIRMED` (terminal): paid; the rooms are booked.
    Confirmed,
    /// `CANCELLED` (terminal): cancelled or payment failed; rooms released, a paid stay refunded.
    Cancelled,
    /// `EXPIRED` (terminal): the hold lapsed unpaid and its rooms were released; only a late payment leaves it.
    Expired,
}

impl BookingStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Reserved,
        BookingStatus::GuestsAdded,
        BookingStatus::PaymentsPending,
        BookingStatus::Confirmed,
        BookingStatus::Cancelled,
        BookingStatus::Expired,
    ];
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Reserved => "RESERVED",
            BookingStatus::GuestsAdded => "GUESTS_ADDED",
            BookingStatus::PaymentsPending => "PAYMENTS_PENDING",
            BookingStatus::Confirmed => "CONFIRMED",
            BookingStatus::Cancelled => "CANCELLED",
            BookingStatus::Expired => "EXPIRED",
        }
    }
    /// Parses the exact upper-case name.
    pub fn parse(s: &str) -> Option<BookingStatus> {
        BookingStatus::ALL.into_iter().find(|b| b.as_str() == s)
    }
    /// Whether the booking holds reserved rooms (RESERVED, GUESTS_ADDED, PAYMENTS_PENDING).
    pub fn is_hold(self) -> bool {
        match self {
            BookingStatus::Reserved | BookingStatus::GuestsAdded | BookingStatus::PaymentsPending => true,
            BookingStatus::Confirmed | BookingStatus::Cancelled | BookingStatus::Expired => false,
        }
    }
    /// Whether the booking still counts as active (neither CANCELLED nor EXPIRED).
    pub fn is_active(self) -> bool {
        match self {
            BookingStatus::Cancelled | BookingStatus::Expired => false,
            BookingStatus::Reserved
            | BookingStatus::GuestsAdded
            | BookingStatus::PaymentsPending
            | BookingStatus::Confirmed => true,
        }
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Refund progress of a cancelled or late-paid booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// `PENDING`: a full refund is owed; the sweeper retries it with exponential backoff.
    Pending,
    /// `SUCCEEDED`: the provider accepted the refund.
    Succeeded,
    /// `FAILED`: the provider refused every attempt up to the maximum; refund by hand.
    Failed,
}

impl RefundStatus {
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "PENDING",
            RefundStatus::Succeeded => "SUCCEEDED",
            RefundStatus::Failed => "FAILED",
        }
    }
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<RefundStatus> {
        match s {
            "PENDING" => Some(RefundStatus::Pending),
            "SUCCEEDED" => Some(RefundStatus::Succeeded),
            "FAILED" => Some(RefundStatus::Failed),
            _ => None,
        }
    }
}

/// Something that can happen to a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingAction {
    /// Client: link saved guests.
    AddGuests,
    /// Client: start (or resume) checkout.
    StartPayment,
    /// Client: cancel; `today` decides whether a confirmed stay may still be cancelled.
    Cancel,
    /// Provider: the payment succeeded.
    PaymentSucceeded,
    /// Provider: the payment failed, or the simulated session was cancelled.
    PaymentFailed,
    /// Provider: the checkout session expired.
    SessionExpired,
    /// Sweeper: the hold deadline passed.
    HoldTimeout,
}

impl BookingAction {
    /// Every action.
    pub const ALL: [BookingAction; 7] = [
        BookingAction::AddGuests,
        BookingAction::StartPayment,
        BookingAction::Cancel,
        BookingAction::PaymentSucceeded,
        BookingAction::PaymentFailed,
        BookingAction::SessionExpired,
        BookingAction::HoldTimeout,
    ];
}

/// What a transition does to the stay's inventory rows (`n` = rooms_count on every night).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryEffect {
    /// Nothing.
    None,
    /// `reserved -= n`.
    ReleaseReserved,
    /// `reserved -= n`, `book += n`.
    ReservedToBooked,
    /// `book -= n`.
    ReleaseBooked,
    /// Late payment: `book += n` where every night is open with `available ≥ n`; if not, the booking is
    /// cancelled and refunded instead.
    Rehold,
}

/// A permitted change of status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The status the booking must still have (the compare-and-set guard).
    pub from: BookingStatus,
    /// The status it moves to (may equal `from`, e.g. addGuests or a paid cancelled booking).
    pub to: BookingStatus,
    /// The count change on every night of the stay, committed with the status.
    pub effect: InventoryEffect,
    /// A full refund must be queued (`refund_status = PENDING`).
    pub refund: bool,
}

/// The state machine's answer to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Apply this transition.
    Apply(Transition),
    /// Nothing changes (a provider event that does not apply, or payment already pending).
    NoEffect,
}

/// Decides what `action` does from status `from`. `today` and `check_in` decide late cancellations.
/// Client actions that are not allowed fail with the contract's errors; provider and sweeper events
/// that do not apply give [`Step::NoEffect`].
pub fn decide(
    from: BookingStatus,
    action: BookingAction,
    today: NaiveDate,
    check_in: NaiveDate,
) -> Result<Step, Error> {
    use BookingAction as A;
    use BookingStatus as S;
    use InventoryEffect as E;
    let go = |to, effect, refund| Ok(Step::Apply(Transition { from, to, effect, refund }));
    match (action, from) {
        (_, S::Expired) if matches!(action, A::AddGuests | A::StartPayment | A::Cancel) => Err(Error::BookingExpired),
        (A::AddGuests, S::Reserved | S::GuestsAdded) => go(S::GuestsAdded, E::None, false),
        (A::AddGuests, _) => {
            Err(Error::InvalidBookingState(format!("Guests cannot be added to a booking in status {from}")))
        }
        (A::StartPayment, S::GuestsAdded) => go(S::PaymentsPending, E::None, false),
        (A::StartPayment, S::PaymentsPending) => Ok(Step::NoEffect),
        (A::StartPayment, S::Reserved) => {
            Err(Error::InvalidBookingState("Booking cannot proceed to payment: add guests first".into()))
        }
        (A::StartPayment, _) => Err(Error::InvalidBookingState("Booking cannot proceed to payment".into())),
        (A::Cancel, S::Reserved | S::GuestsAdded | S::PaymentsPending) => go(S::Cancelled, E::ReleaseReserved, false),
        (A::Cancel, S::Confirmed) if today < check_in => go(S::Cancelled, E::ReleaseBooked, true),
        (A::Cancel, S::Confirmed) => {
            Err(Error::InvalidBookingState("Confirmed bookings can only be cancelled before the check-in date".into()))
        }
        (A::Cancel, _) => Err(Error::InvalidBookingState(format!("Booking cannot be cancelled in status {from}"))),
        (A::PaymentSucceeded, S::Reserved | S::GuestsAdded | S::PaymentsPending) => {
            go(S::Confirmed, E::ReservedToBooked, false)
        }
        (A::PaymentSucceeded, S::Expired) => go(S::Confirmed, E::Rehold, false),
        (A::PaymentSucceeded, S::Cancelled) => go(S::Cancelled, E::None, true),
        (A::PaymentSucceeded, S::Confirmed) => Ok(Step::NoEffect),
        (A::PaymentFailed, S::PaymentsPending) => go(S::Cancelled, E::ReleaseReserved, false),
        (A::SessionExpired, S::PaymentsPending) => go(S::Expired, E::ReleaseReserved, false),
        (A::HoldTimeout, S::Reserved | S::GuestsAdded | S::PaymentsPending) => {
            go(S::Expired, E::ReleaseReserved, false)
        }
        (A::PaymentFailed | A::SessionExpired | A::HoldTimeout, _) => Ok(Step::NoEffect),
    }
}

/// A booking as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// Database id (identity, ≥ 1).
    pub id: BookingId,
    /// The booked hotel.
    pub hotel_id: HotelId,
    /// The booked room type, one of `hotel_id`'s.
    pub room_id: RoomId,
    /// The account that made the booking; only it can read or change the booking.
    pub user_id: UserId,
    /// Rooms held on every night of the stay (1..=10).
    pub rooms_count: i32,
    /// The first night of the stay.
    pub check_in_date: NaiveDate,
    /// The departure day, after `check_in_date`; it is neither charged nor reserved.
    pub check_out_date: NaiveDate,
    /// The status as stored; services hand bookings out with the effective status instead
    /// ([`Booking::effective_status`]).
    pub status: BookingStatus,
    /// The frozen quote charged: `subtotal` plus the taxes and fees added on top, taken at init and never
    /// repriced (1.00..=999999.99).
    pub amount: Money,
    /// The room subtotal frozen at init: Σ nightly prices on the rate plan × `rooms_count`.
    pub subtotal: Money,
    /// The tax and fee lines frozen at init (empty for hotels without taxes).
    pub charges: Vec<super::ChargeLine>,
    /// Adults staying, frozen at init (person-based taxes).
    pub adults: i32,
    /// Upper-case ISO 4217 code of `amount` (the configured `CURRENCY`).
    pub currency: Currency,
    /// `check_out_date − check_in_date`: the nights charged and held.
    pub nights: i32,
    /// When the hold was created (init).
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
    /// The hold deadline: `created_at + HOLD_MINUTES` while RESERVED or GUESTS_ADDED, the checkout session's
    /// expiry while PAYMENTS_PENDING; `None` in terminal states and while an asynchronous payment settles.
    pub expires_at: Option<DateTime<Utc>>,
    /// The linked saved guests by id, including guests deleted since.
    pub guests: Vec<Guest>,
    /// Checkout attempts started (0 before the first); the suffix of the provider idempotency key
    /// `booking-{id}-checkout-{attempt}`.
    pub payment_attempt: i32,
    /// When the current checkout attempt started; the session expires `CHECKOUT_SESSION_MINUTES` after it.
    pub payment_started_at: Option<DateTime<Utc>>,
    /// The current checkout session, or the session that paid (unique across bookings).
    pub payment_session_id: Option<String>,
    /// The checkout page of `payment_session_id`, returned again by a repeated `payments` call.
    pub payment_session_url: Option<String>,
    /// The provider's payment intent, stored when a payment succeeds; refunds target it.
    pub payment_intent_id: Option<String>,
    /// Progress of the full refund of the booking's own payment; `None` while none is owed.
    pub refund_status: Option<RefundStatus>,
    /// The provider's refund id, once a refund attempt was accepted.
    pub refund_id: Option<String>,
    /// Refund attempts made so far; they set the retry backoff, and the last allowed one marks FAILED.
    pub refund_attempts: i32,
    /// When the booking became CONFIRMED.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the booking became CANCELLED.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The rate plan booked (`None` for bookings made before rate plans existed).
    pub rate_plan_id: Option<RatePlanId>,
    /// The hotel's time zone, frozen at init: the booking's date rules (cancel before check-in) use it.
    pub time_zone: TimeZone,
    /// The hotel's cancellation policy at init, frozen like the price.
    pub cancellation_policy: CancellationPolicy,
    /// The free-cancellation deadline, frozen at init (`None`: non-refundable).
    pub cancel_deadline: Option<DateTime<Utc>>,
    /// Kept on cancel of a confirmed booking (`None` until then).
    pub penalty_amount: Option<Money>,
    /// Owed back to the guest: the cancel's `amount − penalty`, or the whole amount of a late payment that
    /// could not be honoured (`None` while nothing is owed).
    pub refund_amount: Option<Money>,
    /// The hotel's current name, read with the booking (not a booking column).
    pub hotel_name: String,
    /// The room type's current `type`, read with the booking (not a booking column).
    pub room_type: String,
}

impl Booking {
    /// The frozen price breakdown.
    pub fn price(&self) -> super::PriceBreakdown {
        super::PriceBreakdown { subtotal: self.subtotal, lines: self.charges.clone(), total: self.amount }
    }
    /// The status every read reports: a hold past its deadline is EXPIRED even before the sweeper runs.
    pub fn effective_status(&self, now: DateTime<Utc>) -> BookingStatus {
        effective_status(self.status, self.expires_at, now)
    }
    /// The stay.
    pub fn stay(&self) -> StayDates {
        StayDates::from_stored(self.check_in_date, self.check_out_date)
    }
}

/// How a paid provider event relates to the payment a booking already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaidEvent {
    /// The payment the booking already holds, delivered again (same paying session or same intent): nothing
    /// to do.
    Redelivery,
    /// Money taken a second time (another session or intent) for a booking whose own payment slot is used
    /// (confirmed, paid, or already refunding): it is refunded on its own record and key, never dropped.
    ExtraPayment,
    /// The booking's first payment: apply `PaymentSucceeded`.
    First,
}

impl Booking {
    /// Classifies a paid event for this booking (the row as loaded under its lock).
    ///
    /// ```
    /// # use domain::model::*;
    /// # fn demo(b: &Booking) {
    /// match b.classify_payment(Some("cs_2"), Some("pi_2")) {
    ///     PaidEvent::First => { /* confirm, re-hold or refund through the booking's own slot */ }
    ///     PaidEvent::ExtraPayment => { /* a payment_refund record with its own key */ }
    ///     PaidEvent::Redelivery => { /* no effect */ }
    /// }
    /// # }
    /// ```
    pub fn classify_payment(&self, session_id: Option<&str>, payment_intent: Option<&str>) -> PaidEvent {
        // The booking records the session and intent that paid it; a session is paid at most once, so either
        // matching means this is the payment already held.
        let same_session = session_id.is_some() && session_id == self.payment_session_id.as_deref();
        let same_payment = match (self.payment_intent_id.as_deref(), payment_intent) {
            (Some(held), Some(event)) => held == event || same_session,
            _ => session_id.is_none() || same_session,
        };
        let slot_used =
            self.status == BookingStatus::Confirmed || self.payment_intent_id.is_some() || self.refund_status.is_some();
        match (slot_used, same_payment) {
            (false, _) => PaidEvent::First,
            (true, true) => PaidEvent::Redelivery,
            (true, false) => PaidEvent::ExtraPayment,
        }
    }
}

/// Effective status of a stored status and deadline at `now`.
pub fn effective_status(status: BookingStatus, expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> BookingStatus {
    match expires_at {
        Some(deadline) if status.is_hold() && deadline <= now => BookingStatus::Expired,
        _ => status,
    }
}

/// A hold to create at init.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldRequest {
    /// The caller, who will own the booking.
    pub user_id: UserId,
    /// The hotel to book: 404 when missing, 400 `hotel_not_active` when deactivated.
    pub hotel_id: HotelId,
    /// The room type to hold: 404 when missing or of another hotel.
    pub room_id: RoomId,
    /// The validated nights to hold.
    pub stay: StayDates,
    /// Rooms to hold on every night (1..=[`MAX_ROOMS_PER_BOOKING`]).
    pub rooms_count: i32,
    /// The request time: `created_at`, and "today" for pricing.
    pub now: DateTime<Utc>,
    /// The hold deadline, `now + HOLD_MINUTES`.
    pub expires_at: DateTime<Utc>,
    /// Upper-case ISO 4217 code frozen on the booking (the hotel's currency).
    pub currency: Currency,
    /// The hotel's local date at `now` (pricing's "today").
    pub today: chrono::NaiveDate,
    /// The rate plan to book (the room's default plan when the client named none).
    pub rate_plan_id: Option<RatePlanId>,
    /// That plan's price rule, applied to each night.
    pub price_rule: PriceRule,
    /// The hotel's time zone, frozen on the booking.
    pub time_zone: TimeZone,
    /// The cancellation policy in force (the plan's, else the hotel's), frozen on the booking.
    pub cancellation_policy: CancellationPolicy,
    /// Its deadline for this stay, frozen on the booking.
    pub cancel_deadline: Option<DateTime<Utc>>,
    /// Most unexpired holds (RESERVED, GUESTS_ADDED, PAYMENTS_PENDING) the user may have; 0 = unlimited.
    pub max_active_holds: i64,
    /// Adults staying (person-based taxes; 1..=capacity × rooms); `None`: one per room.
    pub adults: Option<i32>,
    /// The hotel's taxes and fees, priced into the hold and frozen with it.
    pub taxes: Vec<super::TaxRule>,
}

/// Most rooms in one booking.
pub const MAX_ROOMS_PER_BOOKING: i32 = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use BookingAction as A;
    use BookingStatus as S;
    use InventoryEffect as E;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Expected outcome per (status, action): Ok(Some((to, effect, refund))), Ok(None) = no effect,
    /// Err(code-ish) = the error.
    #[test]
    fn every_status_times_every_action() {
        type Want = Result<Option<(S, E, bool)>, &'static str>;
        let table: Vec<(S, A, Want)> = vec![
            (S::Reserved, A::AddGuests, Ok(Some((S::GuestsAdded, E::None, false)))),
            (S::Reserved, A::StartPayment, Err("state")),
            (S::Reserved, A::Cancel, Ok(Some((S::Cancelled, E::ReleaseReserved, false)))),
            (S::Reserved, A::PaymentSucceeded, Ok(Some((S::Confirmed, E::ReservedToBooked, false)))),
            (S::Reserved, A::PaymentFailed, Ok(None)),
            (S::Reserved, A::SessionExpired, Ok(None)),
            (S::Reserved, A::HoldTimeout, Ok(Some((S::Expired, E::ReleaseReserved, false)))),
            (S::GuestsAdded, A::AddGuests, Ok(Some((S::GuestsAdded, E::None, false)))),
            (S::GuestsAdded, A::StartPayment, Ok(Some((S::PaymentsPending, E::None, false)))),
            (S::GuestsAdded, A::Cancel, Ok(Some((S::Cancelled, E::ReleaseReserved, false)))),
            (S::GuestsAdded, A::PaymentSucceeded, Ok(Some((S::Confirmed, E::ReservedToBooked, false)))),
            (S::GuestsAdded, A::PaymentFailed, Ok(None)),
            (S::GuestsAdded, A::SessionExpired, Ok(None)),
            (S::GuestsAdded, A::HoldTimeout, Ok(Some((S::Expired, E::ReleaseReserved, false)))),
            (S::PaymentsPending, A::AddGuests, Err("state")),
            (S::PaymentsPending, A::StartPayment, Ok(None)),
            (S::PaymentsPending, A::Cancel, Ok(Some((S::Cancelled, E::ReleaseReserved, false)))),
            (S::PaymentsPending, A::PaymentSucceeded, Ok(Some((S::Confirmed, E::ReservedToBooked, false)))),
            (S::PaymentsPending, A::PaymentFailed, Ok(Some((S::Cancelled, E::ReleaseReserved, false)))),
            (S::PaymentsPending, A::SessionExpired, Ok(Some((S::Expired, E::ReleaseReserved, false)))),
            (S::PaymentsPending, A::HoldTimeout, Ok(Some((S::Expired, E::ReleaseReserved, false)))),
            (S::Confirmed, A::AddGuests, Err("state")),
            (S::Confirmed, A::StartPayment, Err("state")),
            (S::Confirmed, A::Cancel, Ok(Some((S::Cancelled, E::ReleaseBooked, true)))),
            (S::Confirmed, A::PaymentSucceeded, Ok(None)),
            (S::Confirmed, A::PaymentFailed, Ok(None)),
            (S::Confirmed, A::SessionExpired, Ok(None)),
            (S::Confirmed, A::HoldTimeout, Ok(None)),
            (S::Cancelled, A::AddGuests, Err("state")),
            (S::Cancelled, A::StartPayment, Err("state")),
            (S::Cancelled, A::Cancel, Err("state")),
            (S::Cancelled, A::PaymentSucceeded, Ok(Some((S::Cancelled, E::None, true)))),
            (S::Cancelled, A::PaymentFailed, Ok(None)),
            (S::Cancelled, A::SessionExpired, Ok(None)),
            (S::Cancelled, A::HoldTimeout, Ok(None)),
            (S::Expired, A::AddGuests, Err("expired")),
            (S::Expired, A::StartPayment, Err("expired")),
            (S::Expired, A::Cancel, Err("expired")),
            (S::Expired, A::PaymentSucceeded, Ok(Some((S::Confirmed, E::Rehold, false)))),
            (S::Expired, A::PaymentFailed, Ok(None)),
            (S::Expired, A::SessionExpired, Ok(None)),
            (S::Expired, A::HoldTimeout, Ok(None)),
        ];
        assert_eq!(table.len(), S::ALL.len() * A::ALL.len());
        for (from, action, want) in table {
            let got = decide(from, action, d("2026-01-01"), d("2026-02-01"));
            match (got, want) {
                (Ok(Step::Apply(t)), Ok(Some((to, effect, refund)))) => {
                    assert_eq!((t.from, t.to, t.effect, t.refund), (from, to, effect, refund), "{from} {action:?}")
                }
                (Ok(Step::NoEffect), Ok(None)) => {}
                (Err(Error::InvalidBookingState(_)), Err("state")) => {}
                (Err(Error::BookingExpired), Err("expired")) => {}
                (got, want) => panic!("{from} {action:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn confirmed_cannot_be_cancelled_from_check_in_day() {
        let r = decide(S::Confirmed, A::Cancel, d("2026-02-01"), d("2026-02-01"));
        assert_eq!(
            r,
            Err(Error::InvalidBookingState("Confirmed bookings can only be cancelled before the check-in date".into()))
        );
        let r = decide(S::Cancelled, A::Cancel, d("2026-01-01"), d("2026-02-01"));
        assert_eq!(r, Err(Error::InvalidBookingState("Booking cannot be cancelled in status CANCELLED".into())));
    }

    #[test]
    fn effective_status_expires_holds_only() {
        let now: DateTime<Utc> = "2026-01-01T12:00:00Z".parse().unwrap();
        let past = Some(now - chrono::Duration::seconds(1));
        assert_eq!(effective_status(S::Reserved, past, now), S::Expired);
        assert_eq!(effective_status(S::PaymentsPending, Some(now), now), S::Expired);
        assert_eq!(effective_status(S::PaymentsPending, None, now), S::PaymentsPending);
        assert_eq!(effective_status(S::Confirmed, past, now), S::Confirmed);
        assert_eq!(effective_status(S::GuestsAdded, Some(now + chrono::Duration::seconds(1)), now), S::GuestsAdded);
    }
}
