//! Transitions: the planner's steps written under the booking lock, checkout attempts and expiry.

use super::*;

/// Applies an inventory effect to every night, guarded by the condition that makes it valid; a night that
/// fails the guard is an invariant breach (the planner decided on the same locked rows) and rolls back.
pub(super) async fn apply_effect(c: &mut AsyncPgConnection, b: &Booking, effect: InventoryEffect) -> TxResult<()> {
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
        .bind::<BigInt, _>(i64::from(b.room_id))
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
pub(super) async fn set_status(
    c: &mut AsyncPgConnection,
    b: &Booking,
    t: Transition,
    now: DateTime<Utc>,
) -> TxResult<()> {
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
    .bind::<BigInt, _>(i64::from(b.id))
    .bind::<Text, _>(t.to.as_str())
    .bind::<Text, _>(t.from.as_str())
    .bind::<Timestamptz, _>(now)
    .bind::<Bool, _>(t.refund)
    .execute(c)
    .await?;
    Ok(())
}

/// Writes a plan's steps in order: each step's inventory effect, then its status.
pub(super) async fn write_plan(
    c: &mut AsyncPgConnection,
    b: &Booking,
    plan: &TransitionPlan,
    now: DateTime<Utc>,
) -> TxResult<()> {
    for step in &plan.steps {
        apply_effect(c, b, step.effect).await?;
        set_status(c, b, *step, now).await?;
    }
    if let Some(settlement) = plan.settlement {
        crate::prepared::sql("UPDATE booking SET penalty_amount = $2, refund_amount = $3 WHERE id = $1")
            .bind::<BigInt, _>(i64::from(b.id))
            .bind::<Numeric, _>(settlement.penalty.to_decimal())
            .bind::<Numeric, _>(settlement.refund.to_decimal())
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Plans `action` on the locked booking (loading its nights when the planner needs them) and writes it.
pub(super) async fn apply_action(
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

impl PgStore {
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
            let id = BookingId(id);
            let Some(b) = load(c, id, true).await? else { return Ok(None) };
            apply_action(c, &b, BookingAction::HoldTimeout, now).await?;
            load(c, id, false).await
        })
    }

    pub(super) async fn transition_tx(
        &self,
        id: BookingId,
        actor: Actor,
        action: BookingAction,
        now: DateTime<Utc>,
        _hold_minutes: i64,
    ) -> Result<Transitioned> {
        let (t, fail) = tx!(self, |c| {
            PgStore::set_actor(c, actor.user_id.map_or(EventActor::System, EventActor::User)).await?;
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

    pub(super) async fn add_guests_tx(
        &self,
        id: BookingId,
        user_id: UserId,
        guest_ids: Vec<GuestId>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        enum Out {
            Done(Box<Booking>),
            Expired,
        }
        let out = tx!(self, |c| {
            PgStore::set_actor(c, EventActor::User(user_id)).await?;
            let b = load(c, id, true).await?.ok_or_else(|| not_found(id))?;
            if b.user_id != user_id {
                return Err(not_found(id));
            }
            let plan = b.apply(BookingAction::AddGuests, now, &[]).map_err(TxError::Domain)?;
            if plan.fail_after_commit.is_some() {
                write_plan(c, &b, &plan, now).await?;
                return Ok(Out::Expired);
            }
            let raw_ids: Vec<i64> = guest_ids.iter().map(|g| g.get()).collect();
            let live =
                crate::prepared::sql("SELECT id FROM guest WHERE id = ANY($1) AND user_id = $2 AND deleted_at IS NULL")
                    .bind::<Array<BigInt>, _>(&raw_ids)
                    .bind::<BigInt, _>(i64::from(user_id))
                    .load::<IdRow>(c)
                    .await?;
            let live: std::collections::HashSet<GuestId> = live.into_iter().map(|r| GuestId(r.id)).collect();
            #[derive(QueryableByName)]
            struct Cap {
                #[diesel(sql_type = Integer)]
                capacity: i32,
            }
            let cap = crate::prepared::sql("SELECT capacity FROM room WHERE id = $1")
                .bind::<BigInt, _>(i64::from(b.room_id))
                .get_result::<Cap>(c)
                .await?
                .capacity;
            b.check_guests(&guest_ids, &live, cap).map_err(TxError::Domain)?;
            crate::prepared::sql(
                "INSERT INTO booking_guest (booking_id, guest_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
            )
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Array<BigInt>, _>(&raw_ids)
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

    pub(super) async fn start_payment_tx(
        &self,
        id: BookingId,
        user_id: UserId,
        now: DateTime<Utc>,
        provisional_expiry: DateTime<Utc>,
    ) -> Result<Transitioned> {
        enum Out {
            Done(Box<Transitioned>),
            Expired,
        }
        let out = tx!(self, |c| {
            PgStore::set_actor(c, EventActor::User(user_id)).await?;
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
                    .bind::<BigInt, _>(i64::from(id))
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

    pub(super) async fn store_payment_session_tx(
        &self,
        id: BookingId,
        attempt: i32,
        session: PaymentSession,
        _now: DateTime<Utc>,
    ) -> Result<Option<Booking>> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE booking SET payment_session_id = $3, payment_session_url = $4, expires_at = $5
             WHERE id = $1 AND payment_attempt = $2 AND booking_status = 'PAYMENTS_PENDING'",
        )
        .bind::<BigInt, _>(i64::from(id))
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

    pub(super) async fn abort_payment_tx(
        &self,
        id: BookingId,
        attempt: i32,
        hold_minutes: i64,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "UPDATE booking SET booking_status = 'GUESTS_ADDED', expires_at = created_at + make_interval(mins => $3)
             WHERE id = $1 AND payment_attempt = $2 AND booking_status = 'PAYMENTS_PENDING'",
        )
        .bind::<BigInt, _>(i64::from(id))
        .bind::<Integer, _>(attempt)
        .bind::<Integer, _>(hold_minutes as i32)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    pub(super) async fn expire_due_tx(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Booking>> {
        let mut out = Vec::new();
        while (out.len() as i64) < limit {
            match self.expire_one(now).await? {
                Some(b) => out.push(b),
                None => break,
            }
        }
        Ok(out)
    }
}
