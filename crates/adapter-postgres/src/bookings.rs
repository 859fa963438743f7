//! Bookings: atomic holds, state transitions with their inventory effects, provider events, expiry, refunds.

use crate::rows::*;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
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

async fn load(c: &mut AsyncPgConnection, id: i64, lock: bool) -> TxResult<Option<Booking>> {
    let q = format!(
        "SELECT {BOOKING_COLS} FROM {BOOKING_FROM} WHERE b.id = $1 {}",
        if lock { "FOR UPDATE OF b" } else { "" }
    );
    let row = crate::prepared::sql(q).bind::<BigInt, _>(id).get_result::<BookingRow>(c).await.optional()?;
    let Some(row) = row else { return Ok(None) };
    let mut b = Booking::try_from(row)?;
    b.guests = guests_of(c, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Some(b))
}

async fn guests_of(c: &mut AsyncPgConnection, ids: &[i64]) -> TxResult<HashMap<i64, Vec<Guest>>> {
    let q = format!(
        "SELECT bg.booking_id, {GUEST_COLS} FROM booking_guest bg JOIN guest g ON g.id = bg.guest_id
         WHERE bg.booking_id = ANY($1) ORDER BY g.id"
    );
    let rows = crate::prepared::sql(q).bind::<Array<BigInt>, _>(ids).load::<BookingGuestRow>(c).await?;
    let mut out: HashMap<i64, Vec<Guest>> = HashMap::new();
    for r in rows {
        out.entry(r.booking_id).or_default().push(Guest::try_from(r.guest)?);
    }
    Ok(out)
}

/// Locks the stay's rows in date order and returns them.
async fn lock_nights(c: &mut AsyncPgConnection, b: &Booking) -> TxResult<Vec<InventoryNight>> {
    lock_stay(c, b.room_id, b.stay()).await
}

async fn lock_stay(c: &mut AsyncPgConnection, room_id: i64, stay: StayDates) -> TxResult<Vec<InventoryNight>> {
    let q = format!(
        "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date >= $2 AND i.date < $3
         ORDER BY i.date FOR UPDATE"
    );
    let rows = crate::prepared::sql(q)
        .bind::<BigInt, _>(room_id)
        .bind::<Date, _>(stay.check_in())
        .bind::<Date, _>(stay.check_out())
        .load::<NightRow>(c)
        .await?;
    Ok(rows.into_iter().map(InventoryNight::try_from).collect::<Result<_>>()?)
}

/// Applies an inventory effect to every night, guarded by the condition that makes it valid; a night that
/// fails the guard is an invariant breach (the planner decided on the same locked rows) and rolls back.
async fn apply_effect(c: &mut AsyncPgConnection, b: &Booking, effect: InventoryEffect) -> TxResult<()> {
    let (set, guard) = match effect {
        InventoryEffect::None => return Ok(()),
        InventoryEffect::ReleaseReserved => ("reserved_count = reserved_count - $4", "reserved_count >= $4"),
        InventoryEffect::ReservedToBooked => {
            ("reserved_count = reserved_count - $4, book_count = book_count + $4", "reserved_count >= $4")
        }
        InventoryEffect::ReleaseBooked => ("book_count = book_count - $4", "book_count >= $4"),
        InventoryEffect::Rehold => {
            ("book_count = book_count + $4", "NOT closed AND total_count - book_count - reserved_count >= $4")
        }
    };
    // Rows are locked in date order (the same order as holds) before they are updated.
    lock_nights(c, b).await?;
    let q = format!("UPDATE inventory SET {set} WHERE room_id = $1 AND date >= $2 AND date < $3 AND {guard}");
    let n = crate::prepared::sql(q)
        .bind::<BigInt, _>(b.room_id)
        .bind::<Date, _>(b.check_in_date)
        .bind::<Date, _>(b.check_out_date)
        .bind::<Integer, _>(b.rooms_count)
        .execute(c)
        .await?;
    if n as i64 != i64::from(b.nights) {
        return Err(TxError::Domain(Error::internal(format!(
            "inventory of booking {} changed {n} of {} nights for {effect:?}",
            b.id, b.nights
        ))));
    }
    Ok(())
}

/// Persists one step: the new status with its timestamps, guarded by the status it leaves.
async fn set_status(c: &mut AsyncPgConnection, b: &Booking, t: Transition, now: DateTime<Utc>) -> TxResult<()> {
    crate::prepared::sql(format!(
        "UPDATE booking SET booking_status = $2::bookingstatus,
            expires_at = CASE WHEN $2::bookingstatus IN {HOLD_STATUSES} THEN expires_at ELSE NULL END,
            confirmed_at = CASE WHEN $2 = 'CONFIRMED' AND booking_status <> 'CONFIRMED' THEN $4 ELSE confirmed_at END,
            cancelled_at = CASE WHEN $2 = 'CANCELLED' AND booking_status <> 'CANCELLED' THEN $4 ELSE cancelled_at END,
            refund_status = CASE WHEN $5 THEN 'PENDING' ELSE refund_status END,
            refund_attempts = CASE WHEN $5 THEN 0 ELSE refund_attempts END,
            updated_at = $4
         WHERE id = $1 AND booking_status = $3::bookingstatus"
    ))
    .bind::<BigInt, _>(b.id)
    .bind::<Text, _>(t.to.as_str())
    .bind::<Text, _>(t.from.as_str())
    .bind::<Timestamptz, _>(now)
    .bind::<Bool, _>(t.refund)
    .execute(c)
    .await?;
    metrics::counter!("booking_transitions_total", "from" => t.from.as_str(), "to" => t.to.as_str()).increment(1);
    Ok(())
}

/// Writes a plan's steps in order: each step's inventory effect, then its status.
async fn write_plan(c: &mut AsyncPgConnection, b: &Booking, plan: &TransitionPlan, now: DateTime<Utc>) -> TxResult<()> {
    for step in &plan.steps {
        apply_effect(c, b, step.effect).await?;
        set_status(c, b, *step, now).await?;
    }
    Ok(())
}

/// Plans `action` on the locked booking (loading its nights when the planner needs them) and writes it.
async fn apply_action(
    c: &mut AsyncPgConnection,
    b: &Booking,
    action: BookingAction,
    now: DateTime<Utc>,
) -> TxResult<TransitionPlan> {
    let nights = if b.needs_nights(action, now) { lock_nights(c, b).await? } else { Vec::new() };
    let plan = b.apply(action, now, &nights).map_err(TxError::Domain)?;
    write_plan(c, b, &plan, now).await?;
    Ok(plan)
}

fn not_found(id: i64) -> TxError {
    TxError::Domain(Error::BookingNotFound(id))
}

/// An effective-status filter over alias `b`: binds `$status` text and `$now` timestamptz.
fn status_filter(status: Option<BookingStatus>, s: usize, n: usize) -> String {
    match status {
        None => String::new(),
        Some(BookingStatus::Expired) => format!(
            "AND (b.booking_status = 'EXPIRED' OR (b.booking_status IN {HOLD_STATUSES}
                  AND b.expires_at <= ${n}))"
        ),
        Some(st) if st.is_hold() => {
            format!("AND b.booking_status = ${s}::bookingstatus AND (b.expires_at IS NULL OR b.expires_at > ${n})")
        }
        Some(_) => format!("AND b.booking_status = ${s}::bookingstatus"),
    }
}

impl PgStore {
    async fn list_bookings(
        &self,
        column: &str,
        id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        let mut conn = self.conn().await?;
        let filter = status_filter(status, 2, 3);
        let st = status.map(|s| s.as_str()).unwrap_or("");
        let q = format!(
            "SELECT {BOOKING_COLS}, count(*) OVER () AS total FROM {BOOKING_FROM}
             WHERE b.{column} = $1 {filter} AND ($2 = $2 AND $3 = $3)
             ORDER BY b.id DESC LIMIT $4 OFFSET $5"
        );
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(embed)]
            b: BookingRow,
            #[diesel(sql_type = BigInt)]
            total: i64,
        }
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(st)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<Row>(&mut conn)
            .await
            .map_err(db_error)?;
        let mut total = rows.as_slice().first().map(|r| r.total).unwrap_or(0);
        if rows.is_empty() && page.offset > 0 {
            let q =
                format!("SELECT count(*) AS n FROM booking b WHERE b.{column} = $1 {filter} AND ($2 = $2 AND $3 = $3)");
            total = crate::prepared::sql(q)
                .bind::<BigInt, _>(id)
                .bind::<Text, _>(st)
                .bind::<Timestamptz, _>(now)
                .get_result::<CountRow>(&mut conn)
                .await
                .map_err(db_error)?
                .n;
        }
        let mut items = rows.into_iter().map(|r| Booking::try_from(r.b)).collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = items.iter().map(|b| b.id).collect();
        let mut guests = guests_of(&mut conn, &ids).await.map_err(Error::from)?;
        for b in &mut items {
            b.guests = guests.remove(&b.id).unwrap_or_default();
        }
        Ok(Paged { items, total })
    }

    /// Expires one due hold, skipping rows another instance holds. `None` when nothing is due.
    async fn expire_one(&self, now: DateTime<Utc>) -> Result<Option<Booking>> {
        tx!(self, |c| {
            let id = crate::prepared::sql(format!(
                "SELECT id FROM booking WHERE booking_status IN {HOLD_STATUSES}
                   AND expires_at <= $1 ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED"
            ))
            .bind::<Timestamptz, _>(now)
            .get_result::<IdRow>(c)
            .await
            .optional()?;
            let Some(IdRow { id }) = id else { return Ok(None) };
            let Some(b) = load(c, id, true).await? else { return Ok(None) };
            apply_action(c, &b, BookingAction::HoldTimeout, now).await?;
            load(c, id, false).await
        })
    }
}

#[async_trait]
impl BookingRepository for PgStore {
    async fn hold(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        tx!(self, |c| {
            #[derive(QueryableByName)]
            struct HotelState {
                #[diesel(sql_type = Bool)]
                active: bool,
            }
            let hotel_active = crate::prepared::sql("SELECT active FROM hotel WHERE id = $1")
                .bind::<BigInt, _>(req.hotel_id)
                .get_result::<HotelState>(c)
                .await
                .optional()?
                .map(|h| h.active);
            let q = format!("SELECT {ROOM_COLS} FROM room WHERE id = $1");
            let room_hotel_id = crate::prepared::sql(q)
                .bind::<BigInt, _>(req.room_id)
                .get_result::<RoomRow>(c)
                .await
                .optional()?
                .map(|r| r.hotel_id);
            let mut facts = HoldFacts { hotel_active, room_hotel_id, ..HoldFacts::default() };
            let found = hotel_active.is_some() && room_hotel_id == Some(req.hotel_id);
            if found && req.max_active_holds > 0 {
                // Serialise this user's inits so the cap holds under concurrency.
                crate::prepared::sql("SELECT id FROM app_user WHERE id = $1 FOR UPDATE")
                    .bind::<BigInt, _>(req.user_id)
                    .get_result::<IdRow>(c)
                    .await?;
                let q = format!(
                    "SELECT count(*) AS n FROM booking WHERE user_id = $1 AND booking_status IN {HOLD_STATUSES}
                       AND (expires_at IS NULL OR expires_at > $2)"
                );
                facts.active_holds = crate::prepared::sql(q)
                    .bind::<BigInt, _>(req.user_id)
                    .bind::<Timestamptz, _>(req.now)
                    .get_result::<CountRow>(c)
                    .await?
                    .n;
            }
            if found {
                facts.nights = lock_stay(c, req.room_id, req.stay).await?;
            }
            let plan = plan_hold(&req, &facts, &policy).map_err(TxError::Domain)?;
            let n = crate::prepared::sql(
                "UPDATE inventory SET reserved_count = reserved_count + $4
                 WHERE room_id = $1 AND date >= $2 AND date < $3
                   AND NOT closed AND total_count - book_count - reserved_count >= $4",
            )
            .bind::<BigInt, _>(req.room_id)
            .bind::<Date, _>(req.stay.check_in())
            .bind::<Date, _>(req.stay.check_out())
            .bind::<Integer, _>(plan.reserve)
            .execute(c)
            .await?;
            if n as i64 != req.stay.nights() {
                return Err(TxError::Domain(Error::RoomUnavailable));
            }
            let amount = plan.amount;
            metrics::counter!("booking_transitions_total", "from" => "NONE", "to" => "RESERVED").increment(1);
            let id = crate::prepared::sql(
                "INSERT INTO booking (user_id, hotel_id, room_id, rooms_count, check_in_date, check_out_date, nights,
                                      booking_status, amount, currency, expires_at, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'RESERVED', $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind::<BigInt, _>(req.user_id)
            .bind::<BigInt, _>(req.hotel_id)
            .bind::<BigInt, _>(req.room_id)
            .bind::<Integer, _>(req.rooms_count)
            .bind::<Date, _>(req.stay.check_in())
            .bind::<Date, _>(req.stay.check_out())
            .bind::<Integer, _>(req.stay.nights() as i32)
            .bind::<Numeric, _>(amount.to_decimal())
            .bind::<Text, _>(&req.currency)
            .bind::<Timestamptz, _>(req.expires_at)
            .bind::<Timestamptz, _>(req.now)
            .get_result::<IdRow>(c)
            .await?
            .id;
            load(c, id, false).await?.ok_or_else(|| not_found(id))
        })
    }

    async fn booking(&self, id: i64) -> Result<Option<Booking>> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, id, false).await?)
    }

    async fn bookings_of_user(
        &self,
        user_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.list_bookings("user_id", user_id, status, now, page).await
    }

    async fn bookings_of_hotel(
        &self,
        hotel_id: i64,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.list_bookings("hotel_id", hotel_id, status, now, page).await
    }

    async fn transition(
        &self,
        id: i64,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        _hold_minutes: i64,
    ) -> Result<Transitioned> {
        let (t, fail) = tx!(self, |c| {
            let b = load(c, id, true).await?.ok_or_else(|| not_found(id))?;
            if actor.user_id.is_some_and(|u| u != b.user_id) {
                return Err(not_found(id));
            }
            let plan = apply_action(c, &b, action, now).await?;
            let booking = load(c, id, false).await?.ok_or_else(|| not_found(id))?;
            Ok::<_, TxError>((
                Transitioned { booking, from: b.status, changed: plan.changed() },
                plan.fail_after_commit,
            ))
        })?;
        match fail {
            Some(e) => Err(e),
            None => Ok(t),
        }
    }

    async fn add_guests(&self, id: i64, user_id: i64, guest_ids: Vec<i64>, now: DateTime<Utc>) -> Result<Booking> {
        enum Out {
            Done(Box<Booking>),
            Expired,
        }
        let out = tx!(self, |c| {
            let b = load(c, id, true).await?.ok_or_else(|| not_found(id))?;
            if b.user_id != user_id {
                return Err(not_found(id));
            }
            let plan = b.apply(BookingAction::AddGuests, now, &[]).map_err(TxError::Domain)?;
            if plan.fail_after_commit.is_some() {
                write_plan(c, &b, &plan, now).await?;
                return Ok(Out::Expired);
            }
            let live =
                crate::prepared::sql("SELECT id FROM guest WHERE id = ANY($1) AND user_id = $2 AND deleted_at IS NULL")
                    .bind::<Array<BigInt>, _>(&guest_ids)
                    .bind::<BigInt, _>(user_id)
                    .load::<IdRow>(c)
                    .await?;
            let live: std::collections::HashSet<i64> = live.into_iter().map(|r| r.id).collect();
            #[derive(QueryableByName)]
            struct Cap {
                #[diesel(sql_type = Integer)]
                capacity: i32,
            }
            let cap = crate::prepared::sql("SELECT capacity FROM room WHERE id = $1")
                .bind::<BigInt, _>(b.room_id)
                .get_result::<Cap>(c)
                .await?
                .capacity;
            b.check_guests(&guest_ids, &live, cap).map_err(TxError::Domain)?;
            crate::prepared::sql(
                "INSERT INTO booking_guest (booking_id, guest_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
            )
            .bind::<BigInt, _>(id)
            .bind::<Array<BigInt>, _>(&guest_ids)
            .execute(c)
            .await?;
            write_plan(c, &b, &plan, now).await?;
            Ok::<_, TxError>(Out::Done(Box::new(load(c, id, false).await?.ok_or_else(|| not_found(id))?)))
        })?;
        match out {
            Out::Done(b) => Ok(*b),
            Out::Expired => Err(Error::BookingExpired),
        }
    }

    async fn start_payment(
        &self,
        id: i64,
        user_id: i64,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        enum Out {
            Done(Box<Transitioned>),
            Expired,
        }
        let out = tx!(self, |c| {
            let b = load(c, id, true).await?.ok_or_else(|| not_found(id))?;
            if b.user_id != user_id {
                return Err(not_found(id));
            }
            let from = b.status;
            let plan = b.apply(BookingAction::StartPayment, now, &[]).map_err(TxError::Domain)?;
            if plan.fail_after_commit.is_some() {
                write_plan(c, &b, &plan, now).await?;
                return Ok(Out::Expired);
            }
            match <[Transition]>::first(&plan.steps) {
                None => Ok(Out::Done(Box::new(Transitioned { booking: b, from, changed: false }))),
                Some(_) => {
                    // GUESTS_ADDED → PAYMENTS_PENDING opens a new attempt; its session is stored later.
                    crate::prepared::sql(
                        "UPDATE booking SET booking_status = 'PAYMENTS_PENDING', payment_attempt = payment_attempt + 1,
                            payment_started_at = $2, expires_at = $3, payment_session_id = NULL, payment_session_url = NULL
                         WHERE id = $1 AND booking_status = 'GUESTS_ADDED'",
                    )
                    .bind::<BigInt, _>(id)
                    .bind::<Timestamptz, _>(now)
                    .bind::<Timestamptz, _>(provisional_expiry)
                    .execute(c)
                    .await?;
                    let booking = load(c, id, false).await?.ok_or_else(|| not_found(id))?;
                    Ok::<_, TxError>(Out::Done(Box::new(Transitioned { booking, from, changed: true })))
                }
            }
        })?;
        match out {
            Out::Done(t) => Ok(*t),
            Out::Expired => Err(Error::BookingExpired),
        }
    }

    async fn store_payment_session(
        &self,
        id: i64,
        attempt: i32,
        session: PaymentSession,
        _now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE booking SET payment_session_id = $3, payment_session_url = $4, expires_at = $5
             WHERE id = $1 AND payment_attempt = $2 AND booking_status = 'PAYMENTS_PENDING'",
        )
        .bind::<BigInt, _>(id)
        .bind::<Integer, _>(attempt)
        .bind::<Text, _>(&session.id)
        .bind::<Text, _>(&session.url)
        .bind::<Timestamptz, _>(session.expires_at)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        if n == 0 {
            return Ok(None);
        }
        Ok(load(&mut conn, id, false).await?)
    }

    async fn abort_payment(&self, id: i64, attempt: i32, hold_minutes: i64, _now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "UPDATE booking SET booking_status = 'GUESTS_ADDED', expires_at = created_at + make_interval(mins => $3)
             WHERE id = $1 AND payment_attempt = $2 AND booking_status = 'PAYMENTS_PENDING'",
        )
        .bind::<BigInt, _>(id)
        .bind::<Integer, _>(attempt)
        .bind::<Integer, _>(hold_minutes as i32)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn apply_payment_event(&self, ev: PaymentEvent, now: DateTime<Utc>) -> Result<EventOutcome> {
        tx!(self, |c| {
            let fresh = crate::prepared::sql(
                "INSERT INTO processed_webhook_event (event_id, event_type, outcome, received_at)
                 VALUES ($1, $2, 'ignored', $3) ON CONFLICT (event_id) DO NOTHING",
            )
            .bind::<Text, _>(&ev.event_id)
            .bind::<Text, _>(&ev.event_type)
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            if fresh == 0 {
                return Ok(EventOutcome::Duplicate);
            }
            let outcome = decide_event(c, &ev, now).await?;
            let booking_id = match &outcome {
                EventOutcome::Confirmed(b)
                | EventOutcome::LateRehold(b)
                | EventOutcome::RefundQueued(b)
                | EventOutcome::DuplicatePayment { booking: b, .. }
                | EventOutcome::Cancelled(b)
                | EventOutcome::Expired(b) => Some(b.id),
                _ => None,
            };
            crate::prepared::sql(
                "UPDATE processed_webhook_event SET outcome = $2, booking_id = $3 WHERE event_id = $1",
            )
            .bind::<Text, _>(&ev.event_id)
            .bind::<Text, _>(outcome_label(&outcome))
            .bind::<Nullable<BigInt>, _>(booking_id)
            .execute(c)
            .await?;
            Ok::<_, TxError>(outcome)
        })
    }

    async fn expire_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        let mut out = Vec::new();
        while (out.len() as i64) < limit {
            match self.expire_one(now).await? {
                Some(b) => out.push(b),
                None => break,
            }
        }
        Ok(out)
    }

    async fn pending_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {BOOKING_COLS} FROM {BOOKING_FROM} WHERE b.refund_status = 'PENDING'
               AND (b.refund_attempts = 0 OR b.updated_at + make_interval(secs => power(2, least(b.refund_attempts, 16))) <= $1)
             ORDER BY b.id LIMIT $2"
        );
        let rows = crate::prepared::sql(q)
            .bind::<Timestamptz, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<BookingRow>(&mut conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(Booking::try_from).collect()
    }

    async fn record_refund(&self, id: i64, result: std::result::Result<String, ()>, max_attempts: i32) -> Result<()> {
        let mut conn = self.conn().await?;
        let q = match &result {
            Ok(_) => {
                "UPDATE booking SET refund_status = 'SUCCEEDED', refund_id = $2, refund_attempts = refund_attempts + 1
                      WHERE id = $1 AND refund_status = 'PENDING' AND $3 = $3 RETURNING refund_status AS status"
            }
            Err(_) => {
                "UPDATE booking SET refund_attempts = refund_attempts + 1,
                         refund_status = CASE WHEN refund_attempts + 1 >= $3 THEN 'FAILED' ELSE 'PENDING' END
                       WHERE id = $1 AND refund_status = 'PENDING' AND ($2::text IS NULL OR true)
                       RETURNING refund_status AS status"
            }
        };
        #[derive(QueryableByName)]
        struct Status {
            #[diesel(sql_type = Text)]
            status: String,
        }
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .bind::<Nullable<Text>, _>(result.as_ref().ok())
            .bind::<Integer, _>(max_attempts)
            .get_result::<Status>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        if let Some(row) = row {
            let outcome = match (result.is_ok(), row.status.as_str()) {
                (true, _) => "succeeded",
                (false, "FAILED") => {
                    tracing::error!(booking_id = id, attempts = max_attempts, "refund failed for good; refund by hand");
                    "failed"
                }
                (false, _) => "retry",
            };
            metrics::counter!("refunds_total", "outcome" => outcome).increment(1);
        }
        Ok(())
    }

    async fn pending_payment_refunds(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<PaymentRefund>> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            id: i64,
            #[diesel(sql_type = BigInt)]
            booking_id: i64,
            #[diesel(sql_type = Nullable<Text>)]
            payment_intent_id: Option<String>,
            #[diesel(sql_type = Nullable<Text>)]
            session_id: Option<String>,
            #[diesel(sql_type = Numeric)]
            amount: rust_decimal::Decimal,
            #[diesel(sql_type = Text)]
            idempotency_key: String,
        }
        let mut conn = self.conn().await?;
        let rows = crate::prepared::sql(
            "SELECT id, booking_id, payment_intent_id, session_id, amount, idempotency_key FROM payment_refund
             WHERE status = 'PENDING'
               AND (last_attempt_at IS NULL
                    OR last_attempt_at + make_interval(secs => power(2, least(attempts, 16))) <= $1)
             ORDER BY id LIMIT $2",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<Row>(&mut conn)
        .await
        .map_err(db_error)?;
        rows.into_iter()
            .map(|r| {
                Ok(PaymentRefund {
                    id: r.id,
                    booking_id: r.booking_id,
                    payment_intent: r.payment_intent_id,
                    session_id: r.session_id,
                    amount: money(r.amount)?,
                    idempotency_key: r.idempotency_key,
                })
            })
            .collect()
    }

    async fn record_payment_refund(
        &self,
        id: i64,
        result: std::result::Result<String, ()>,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE payment_refund SET attempts = attempts + 1, last_attempt_at = $4, refund_id = COALESCE($2, refund_id),
                status = CASE WHEN $2 IS NOT NULL THEN 'SUCCEEDED' WHEN attempts + 1 >= $3 THEN 'FAILED' ELSE 'PENDING' END
             WHERE id = $1 AND status = 'PENDING'",
        )
        .bind::<BigInt, _>(id)
        .bind::<Nullable<Text>, _>(result.as_ref().ok())
        .bind::<Integer, _>(max_attempts)
        .bind::<Timestamptz, _>(now)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        if n > 0 {
            metrics::counter!("refunds_total", "outcome" => if result.is_ok() { "succeeded" } else { "retry" })
                .increment(1);
        }
        Ok(())
    }
}

/// Finds the booking an event is about (by session id, else by the booking id it carries), locks it, asks the
/// planner what the event does and writes that.
async fn decide_event(c: &mut AsyncPgConnection, ev: &PaymentEvent, now: DateTime<Utc>) -> TxResult<EventOutcome> {
    if ev.kind.is_none() {
        return Ok(EventOutcome::Ignored);
    }
    let mut id = None;
    if let Some(sid) = &ev.session_id {
        id = crate::prepared::sql("SELECT id FROM booking WHERE payment_session_id = $1")
            .bind::<Text, _>(sid)
            .get_result::<IdRow>(c)
            .await
            .optional()?
            .map(|r| r.id);
    }
    let Some(id) = id.or(ev.booking_id) else { return Ok(EventOutcome::Unmatched) };
    let Some(b) = load(c, id, true).await? else { return Ok(EventOutcome::Unmatched) };
    let nights = if b.needs_nights(BookingAction::PaymentSucceeded, now) && ev.kind == Some(PaymentEventKind::Paid) {
        lock_nights(c, &b).await?
    } else {
        Vec::new()
    };
    match plan_event(&b, ev, now, &nights).map_err(TxError::Domain)? {
        EventPlan::Unmatched => Ok(EventOutcome::Unmatched),
        EventPlan::NoEffect => Ok(EventOutcome::NoEffect),
        EventPlan::ExtraPayment { key } => {
            let row = crate::prepared::sql(
                "INSERT INTO payment_refund (booking_id, payment_intent_id, session_id, amount, idempotency_key)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            )
            .bind::<BigInt, _>(id)
            .bind::<Nullable<Text>, _>(ev.payment_intent.as_deref())
            .bind::<Nullable<Text>, _>(ev.session_id.as_deref())
            .bind::<Numeric, _>(b.amount.to_decimal())
            .bind::<Text, _>(&key)
            .get_result::<IdRow>(c)
            .await
            .optional()?;
            Ok(match row {
                Some(IdRow { id: refund_id }) => {
                    let refund = extra_refund(refund_id, &b, ev, key);
                    EventOutcome::DuplicatePayment { booking: b, refund }
                }
                None => EventOutcome::NoEffect,
            })
        }
        EventPlan::ClearDeadline => {
            crate::prepared::sql("UPDATE booking SET expires_at = NULL, updated_at = $2 WHERE id = $1")
                .bind::<BigInt, _>(id)
                .bind::<Timestamptz, _>(now)
                .execute(c)
                .await?;
            Ok(EventOutcome::NoEffect)
        }
        EventPlan::Apply { record_payment, plan, result } => {
            if record_payment && (ev.payment_intent.is_some() || ev.session_id.is_some()) {
                crate::prepared::sql(
                    "UPDATE booking SET payment_intent_id = COALESCE($2, payment_intent_id),
                        payment_session_id = COALESCE($3, payment_session_id) WHERE id = $1",
                )
                .bind::<BigInt, _>(id)
                .bind::<Nullable<Text>, _>(ev.payment_intent.as_deref())
                .bind::<Nullable<Text>, _>(ev.session_id.as_deref())
                .execute(c)
                .await?;
            }
            write_plan(c, &b, &plan, now).await?;
            let after = load(c, id, false).await?.ok_or_else(|| not_found(id))?;
            Ok(result.outcome(after))
        }
    }
}

/// The `processed_webhook_event.outcome` spelling of an outcome (API.md §5).
fn outcome_label(o: &EventOutcome) -> &'static str {
    match o {
        EventOutcome::Duplicate => "duplicate",
        EventOutcome::Confirmed(_) => "confirmed",
        EventOutcome::LateRehold(_) => "late_rehold",
        EventOutcome::RefundQueued(_) | EventOutcome::DuplicatePayment { .. } => "refund_queued",
        EventOutcome::Cancelled(_) => "cancelled",
        EventOutcome::Expired(_) => "expired",
        EventOutcome::NoEffect | EventOutcome::Ignored => "ignored",
        EventOutcome::Unmatched => "unmatched",
    }
}
