//! Bookings: atomic holds, state transitions with their inventory effects, provider events, expiry, refunds.
//! The port is implemented by delegation to one module per concern; the shared row helpers live here.

mod batch;
mod events;
mod hold;
mod lifecycle;
mod read;
mod refunds;

pub use batch::HoldBatching;
pub(crate) use batch::HoldQueue;

use crate::rows::*;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Numeric, Text, Timestamptz};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use domain::model::*;
use domain::plan::*;
use domain::ports::*;
use domain::pricing::PricingPolicy;
use domain::{Error, Result};
use std::collections::HashMap;

type TxResult<T> = std::result::Result<T, TxError>;

async fn load(c: &mut AsyncPgConnection, id: BookingId, lock: bool) -> TxResult<Option<Booking>> {
    let q = format!(
        "SELECT {BOOKING_COLS} FROM {BOOKING_FROM} WHERE b.id = $1 {}",
        if lock { "FOR UPDATE OF b" } else { "" }
    );
    let row = crate::prepared::sql(q).bind::<BigInt, _>(i64::from(id)).get_result::<BookingRow>(c).await.optional()?;
    let Some(row) = row else { return Ok(None) };
    let mut b = Booking::try_from(row)?;
    b.guests = guests_of(c, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Some(b))
}

async fn guests_of(c: &mut AsyncPgConnection, ids: &[BookingId]) -> TxResult<HashMap<BookingId, Vec<Guest>>> {
    let ids: Vec<i64> = ids.iter().map(|id| id.get()).collect();
    let q = format!(
        "SELECT bg.booking_id, {GUEST_COLS} FROM booking_guest bg JOIN guest g ON g.id = bg.guest_id
         WHERE bg.booking_id = ANY($1) ORDER BY g.id"
    );
    let rows = crate::prepared::sql(q).bind::<Array<BigInt>, _>(&ids).load::<BookingGuestRow>(c).await?;
    let mut out: HashMap<BookingId, Vec<Guest>> = HashMap::new();
    for r in rows {
        out.entry(BookingId(r.booking_id)).or_default().push(Guest::try_from(r.guest)?);
    }
    Ok(out)
}

/// Locks the stay's rows in date order and returns them.
async fn lock_nights(c: &mut AsyncPgConnection, b: &Booking) -> TxResult<Vec<InventoryNight>> {
    lock_stay(c, b.room_id, b.stay()).await
}

async fn lock_stay(c: &mut AsyncPgConnection, room_id: RoomId, stay: StayDates) -> TxResult<Vec<InventoryNight>> {
    let q = format!(
        "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date >= $2 AND i.date < $3
         ORDER BY i.date FOR UPDATE"
    );
    let rows = crate::prepared::sql(q)
        .bind::<BigInt, _>(i64::from(room_id))
        .bind::<Date, _>(stay.check_in())
        .bind::<Date, _>(stay.check_out())
        .load::<NightRow>(c)
        .await?;
    Ok(rows.into_iter().map(InventoryNight::try_from).collect::<Result<_>>()?)
}

/// What a hold reads besides the nights: the hotel's status, the room, and whether the stay's check-out date is
/// closed to departure (`k`: the hold's place in a batch, from 1; 1 for a lone hold).
#[derive(QueryableByName)]
struct FactsRow {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = Nullable<Bool>)]
    active: Option<bool>,
    #[diesel(sql_type = Nullable<BigInt>)]
    room_hotel_id: Option<i64>,
    #[diesel(sql_type = Nullable<Integer>)]
    capacity: Option<i32>,
    #[diesel(sql_type = Bool)]
    departure_closed: bool,
}

fn not_found(id: BookingId) -> TxError {
    TxError::Domain(Error::BookingNotFound(id))
}

#[async_trait]
impl BookingRepository for PgStore {
    async fn hold(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        self.hold_queued(req, policy).await
    }

    async fn booking(&self, id: BookingId) -> Result<Option<Booking>> {
        self.booking_tx(id).await
    }

    async fn bookings_of_user(
        &self,
        user_id: UserId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.bookings_of_user_tx(user_id, status, now, page).await
    }

    async fn bookings_of_hotel(
        &self,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.bookings_of_hotel_tx(hotel_id, status, now, page).await
    }

    async fn transition(
        &self,
        id: BookingId,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        _hold_minutes: i64,
    ) -> Result<Transitioned> {
        self.transition_tx(id, actor, action, now, _hold_minutes).await
    }

    async fn add_guests(
        &self,
        id: BookingId,
        user_id: UserId,
        guest_ids: Vec<GuestId>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        self.add_guests_tx(id, user_id, guest_ids, now).await
    }

    async fn start_payment(
        &self,
        id: BookingId,
        user_id: UserId,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        self.start_payment_tx(id, user_id, now, provisional_expiry).await
    }

    async fn store_payment_session(
        &self,
        id: BookingId,
        attempt: i32,
        session: PaymentSession,
        _now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        self.store_payment_session_tx(id, attempt, session, _now).await
    }

    async fn abort_payment(&self, id: BookingId, attempt: i32, hold_minutes: i64, _now: DateTime<Utc>) -> Result<()> {
        self.abort_payment_tx(id, attempt, hold_minutes, _now).await
    }

    async fn apply_payment_event(&self, ev: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        self.apply_payment_event_tx(ev, now).await
    }

    async fn expire_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.expire_due_tx(now, limit).await
    }

    async fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        self.pending_refunds_tx(now, limit).await
    }

    async fn record_refund(
        &self,
        id: BookingId,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        self.record_refund_tx(id, attempt, max_attempts, now).await
    }

    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>> {
        self.pending_payment_refunds_tx(now, limit).await
    }

    async fn record_payment_refund(
        &self,
        id: i64,
        attempt: RefundAttempt,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<RefundStatus>> {
        self.record_payment_refund_tx(id, attempt, max_attempts, now).await
    }
}
