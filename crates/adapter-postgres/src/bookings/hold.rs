//! Holds: the rows the hold planner needs, read under lock, and its writes.

use super::*;

impl PgStore {
    pub(super) async fn hold_tx(&self, req: HoldRequest, policy: PricingPolicy) -> Result<Booking> {
        tx!(self, |c| {
            // The facts (`FactsRow`) in one read, not locked: a restriction changed concurrently applies to the
            // holds after it. One row always: a missing hotel or room leaves its columns null.
            // Everything the planner needs, pipelined (statements sent together, run in order by the server):
            // the facts with the stay's nights locked in date order (only when the room is the hotel's), one round
            // trip. With the hold cap, this user's row is locked first and their live holds counted after it (a
            // statement of its own, so it sees holds committed while it waited): concurrent inits of one user are
            // serialised, and always take the user's lock before the nights'.
            let read = crate::prepared::sql(
                "SELECT 1::bigint AS k, h.active, r.hotel_id AS room_hotel_id, r.capacity,
                        COALESCE((SELECT closed_to_departure FROM inventory WHERE room_id = $2 AND date = $3), false)
                          AS departure_closed
                 FROM (SELECT 1) one LEFT JOIN hotel h ON h.id = $1 LEFT JOIN room r ON r.id = $2",
            )
            .bind::<BigInt, _>(i64::from(req.hotel_id))
            .bind::<BigInt, _>(i64::from(req.room_id))
            .bind::<Date, _>(req.stay.check_out())
            .get_result::<FactsRow>(&mut &*c);
            let nights = crate::prepared::sql(format!(
                "SELECT {NIGHT_COLS} FROM inventory i
                 WHERE i.room_id = $1 AND i.date >= $2 AND i.date < $3
                   AND EXISTS (SELECT 1 FROM room WHERE id = $1 AND hotel_id = $4)
                 ORDER BY i.date FOR UPDATE"
            ))
            .bind::<BigInt, _>(i64::from(req.room_id))
            .bind::<Date, _>(req.stay.check_in())
            .bind::<Date, _>(req.stay.check_out())
            .bind::<BigInt, _>(i64::from(req.hotel_id));
            let (read, active_holds, nights) = if req.max_active_holds > 0 {
                let lock = crate::prepared::sql("SELECT id FROM app_user WHERE id = $1 FOR UPDATE")
                    .bind::<BigInt, _>(i64::from(req.user_id))
                    .load::<IdRow>(&mut &*c);
                let (read, _) = futures_util::future::try_join(read, lock).await?;
                let count = crate::prepared::sql(format!(
                    "SELECT count(*) AS n FROM booking WHERE user_id = $1 AND booking_status IN {HOLD_STATUSES}
                       AND (expires_at IS NULL OR expires_at > $2)"
                ))
                .bind::<BigInt, _>(i64::from(req.user_id))
                .bind::<Timestamptz, _>(req.now)
                .get_result::<CountRow>(&mut &*c);
                let (count, nights) = futures_util::future::try_join(count, nights.load::<NightRow>(&mut &*c)).await?;
                (read, count.n, nights)
            } else {
                let (read, nights) = futures_util::future::try_join(read, nights.load::<NightRow>(&mut &*c)).await?;
                (read, 0, nights)
            };
            let hotel_active = read.active;
            let room = read.room_hotel_id.map(|hotel_id| (hotel_id, read.capacity.unwrap_or(0), read.departure_closed));
            let mut facts = HoldFacts {
                hotel_active,
                room_hotel_id: room.map(|r| HotelId(r.0)),
                room_capacity: room.map_or(0, |r| r.1),
                departure_closed: room.is_some_and(|r| r.2),
                ..HoldFacts::default()
            };
            let found = hotel_active.is_some() && facts.room_hotel_id == Some(req.hotel_id);
            if found {
                facts.active_holds = active_holds;
                facts.nights = nights.into_iter().map(InventoryNight::try_from).collect::<Result<_>>()?;
            }
            let plan = plan_hold(&req, &facts, &policy).map_err(TxError::Domain)?;
            // The reservation and the booking, pipelined: both run in this transaction, so a count that does not
            // match the stay (impossible with the nights locked and checked above) rolls both back. The change feed's
            // notice carries the nights' counts after the hold (`staybook.feed = 'counts'`, migration 000008), so
            // replicas apply them without reading the nights back.
            let counts_feed =
                crate::prepared::sql("SELECT set_config('staybook.feed', 'counts', true)").execute(&mut &*c);
            let reserve = crate::prepared::sql(
                "UPDATE inventory SET reserved_count = reserved_count + $4
                 WHERE room_id = $1 AND date >= $2 AND date < $3
                   AND NOT closed AND total_count - book_count - reserved_count >= $4",
            )
            .bind::<BigInt, _>(i64::from(req.room_id))
            .bind::<Date, _>(req.stay.check_in())
            .bind::<Date, _>(req.stay.check_out())
            .bind::<Integer, _>(plan.reserve)
            .execute(&mut &*c);
            let amount = plan.price.total;
            // The insert and the booking as every read returns it, in one statement (a new hold has no guests).
            let q = format!(
                "WITH b AS (INSERT INTO booking (user_id, hotel_id, room_id, rooms_count, check_in_date, check_out_date, nights,
                                      booking_status, amount, currency, expires_at, created_at, updated_at,
                                      time_zone, cancellation_policy, cancel_deadline, rate_plan_id, adults, subtotal,
                                      charges)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'RESERVED', $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17,
                         $18::jsonb)
                 RETURNING *)
                 SELECT {BOOKING_COLS} FROM b JOIN hotel h ON h.id = b.hotel_id JOIN room r ON r.id = b.room_id"
            );
            let insert = crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(req.user_id))
                .bind::<BigInt, _>(i64::from(req.hotel_id))
                .bind::<BigInt, _>(i64::from(req.room_id))
                .bind::<Integer, _>(req.rooms_count)
                .bind::<Date, _>(req.stay.check_in())
                .bind::<Date, _>(req.stay.check_out())
                .bind::<Integer, _>(req.stay.nights() as i32)
                .bind::<Numeric, _>(amount.to_decimal())
                .bind::<Text, _>(req.currency.as_str())
                .bind::<Timestamptz, _>(req.expires_at)
                .bind::<Timestamptz, _>(req.now)
                .bind::<Text, _>(req.time_zone.name())
                .bind::<Text, _>(req.cancellation_policy.encode())
                .bind::<Nullable<Timestamptz>, _>(req.cancel_deadline)
                .bind::<Nullable<BigInt>, _>(req.rate_plan_id.map(i64::from))
                .bind::<Integer, _>(plan.adults)
                .bind::<Numeric, _>(plan.price.subtotal.to_decimal())
                .bind::<Text, _>(crate::json::encode_charges(&plan.price.lines))
                .get_result::<BookingRow>(&mut &*c);
            let (_, n, row) = futures_util::future::try_join3(counts_feed, reserve, insert).await?;
            if n as i64 != req.stay.nights() {
                return Err(TxError::Domain(Error::RoomUnavailable));
            }
            Ok(Booking::try_from(row)?)
        })
    }
}
