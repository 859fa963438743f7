//! Read-side queries (`CatalogQueries`): search, the public hotel page and reports.

use super::*;

#[async_trait]
impl CatalogQueries for PgStore {
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT h.{}, r.id AS r_id, r.type AS r_kind, r.base_price AS r_base_price,
                    r.photos::text[] AS r_photos, r.amenities::text[] AS r_amenities, r.total_count AS r_total_count,
                    r.capacity AS r_capacity, r.created_at AS r_created_at, r.updated_at AS r_updated_at
             FROM hotel h LEFT JOIN room r ON r.hotel_id = h.id WHERE h.id = $1 ORDER BY r.id",
            HOTEL_COLS.replace(", ", ", h.")
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(hotel_id))
            .load::<HotelRoomRow>(&mut conn)
            .await
            .map_err(db_error)?;
        let Some(first) = rows.as_slice().first() else { return Ok(None) };
        let mut rooms = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Some(room) = r.room()? {
                rooms.push((room, Vec::new()));
            }
        }
        let hotel = Hotel::try_from(first.hotel.clone())?;
        if let Some(stay) = stay
            && !rooms.is_empty()
        {
            let q = format!(
                "SELECT {NIGHT_COLS} FROM inventory i WHERE i.hotel_id = $1 AND i.date >= $2 AND i.date <= $3
                 ORDER BY i.room_id, i.date"
            );
            let nights = crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(hotel_id))
                .bind::<Date, _>(stay.check_in())
                .bind::<Date, _>(stay.check_out())
                .load::<NightRow>(&mut conn)
                .await
                .map_err(db_error)?;
            for n in nights {
                let n = InventoryNight::try_from(n)?;
                if let Some((_, list)) = rooms.iter_mut().find(|(r, _)| r.id == n.room_id) {
                    list.push(n);
                }
            }
        }
        // Never wait for a second pooled connection while holding one: enough concurrent listings would take
        // every connection and wait for each other for ever.
        drop(conn);
        let plans = self.rate_plans_of_hotel_tx(hotel_id).await?;
        Ok(Some(HotelListing { hotel, rooms, plans }))
    }

    async fn search(&self, q: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        let mut conn = self.conn().await?;
        let order = match q.sort {
            SearchSort::PriceAsc => "f.min_cents ASC, h.id",
            SearchSort::PriceDesc => "f.min_cents DESC, h.id",
            SearchSort::Name => "lower(h.name), h.id",
        };
        let (scaled, divisor) = nightly_scaled_sql(&policy, "h.today", 10);
        let nightly = div_half_even_sql(&format!("({scaled})"), &divisor.to_string());
        // A rate plan's price of the night (domain::model::PriceRule::apply): a percentage (stored ×100 as an
        // integer) rounded half-even to cents, or an amount in cents; never below one cent. The default rule
        // (`PERCENT:0`) is the identity, so a room's plain total serves it without touching the nights again.
        let plan_nightly = format!(
            "greatest(CASE WHEN p.pct THEN {} ELSE c + p.val END, 1)",
            div_half_even_sql("(c * (10000 + p.val))", "10000")
        );
        let avg = div_half_even_sql("q.total", "$4::bigint");
        // The room row is only needed for the guests filter (capacity × rooms ≥ guests).
        let room_join = if q.guests.is_some() {
            "JOIN room r ON r.id = q.room_id AND r.capacity * $5 >= $11::int"
        } else {
            "CROSS JOIN (SELECT $11::int IS NULL) unused(g)"
        };
        // One round trip: candidate hotels by city; their nights of the stay plus the row dated the check-out date,
        // read through (hotel_id, date), each night's price in cents computed once (OFFSET 0 keeps the subquery from
        // being flattened); per room type, whether every night is open with enough rooms, the arrival night allows
        // the stay (closed to arrival, minimum and maximum stay) and the check-out date is not closed to departure,
        // with its nights' prices (r, materialized: its ~100 rows are joined, never re-read); then each room type's
        // bookable rate plans (active, the stay within their limits) through (room_id, code), the default rule taking
        // the room's plain total; per hotel, the lowest average. (Joining the plans with the city's nights directly
        // was once planned as a nested loop re-reading every night for every plan: 70,000 buffers, 160 ms.)
        // count(*) OVER () gives X-Total-Count. $6..$8 are the policy's switches (kept as binds so every variant has
        // the same parameters). Each hotel prices at its own local date ($9 is the instant), and a hotel already past
        // the check-in date is out.
        let sql = format!(
            "WITH h AS (
                SELECT id, name, city, photos, amenities, currency, today FROM hotel
                CROSS JOIN LATERAL (SELECT ($9::timestamptz AT TIME ZONE time_zone)::date AS today) t
                WHERE active AND lower(city) = lower($1) AND $2::date >= t.today
             ), r AS MATERIALIZED (
                SELECT n.hotel_id, n.room_id, (sum(n.cents) FILTER (WHERE n.stay))::bigint AS base,
                       array_agg(n.cents) FILTER (WHERE n.stay) AS cents
                FROM (
                    SELECT i.hotel_id, i.room_id, i.date < $3 AS stay, {nightly} AS cents,
                           CASE WHEN i.date = $3 THEN NOT i.closed_to_departure
                                ELSE NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= $5
                                     AND (i.date <> $2 OR (NOT i.closed_to_arrival
                                          AND COALESCE(i.min_stay, 1) <= $4 AND COALESCE(i.max_stay, 365) >= $4))
                           END AS ok
                    FROM inventory i JOIN h ON h.id = i.hotel_id
                    WHERE i.date >= $2 AND i.date <= $3
                    OFFSET 0
                ) n
                GROUP BY n.hotel_id, n.room_id
                HAVING count(*) FILTER (WHERE n.stay) = $4 AND bool_and(n.ok)
             ), q AS (
                SELECT r.hotel_id, r.room_id,
                       CASE WHEN p.pct AND p.val = 0 THEN r.base
                            ELSE (SELECT sum({plan_nightly})::bigint FROM unnest(r.cents) AS c) END AS total
                FROM r CROSS JOIN LATERAL (
                    SELECT split_part(rp.price_rule, ':', 1) = 'PERCENT' AS pct,
                           CASE WHEN split_part(rp.price_rule, ':', 1) = 'PERCENT'
                                THEN (split_part(rp.price_rule, ':', 2)::numeric * 100)::bigint
                                ELSE split_part(rp.price_rule, ':', 2)::bigint END AS val
                    FROM rate_plan rp
                    WHERE rp.room_id = r.room_id AND rp.active
                      AND (rp.min_stay IS NULL OR rp.min_stay <= $4) AND (rp.max_stay IS NULL OR rp.max_stay >= $4)
                ) p
             ), f AS (
                SELECT q.hotel_id, min({avg}) AS min_cents FROM q {room_join}
                WHERE ($12::bigint IS NULL OR {avg} >= $12::bigint)
                  AND ($13::bigint IS NULL OR {avg} <= $13::bigint)
                  AND ($6 OR $7 OR $8 OR $9::timestamptz IS NULL OR $10::date[] IS NULL OR true)
                GROUP BY q.hotel_id
             )
             SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities,
                    (f.min_cents::numeric / 100)::numeric(12,2) AS min_price, h.currency::text AS currency,
                    count(*) OVER () AS total
             FROM f JOIN h ON h.id = f.hotel_id
             ORDER BY {order} LIMIT $14 OFFSET $15"
        );
        let holidays: Vec<NaiveDate> = policy.holidays.iter().copied().collect();
        let rows = crate::prepared::sql(sql)
            .bind::<Text, _>(&q.city)
            .bind::<Date, _>(q.stay.check_in())
            .bind::<Date, _>(q.stay.check_out())
            .bind::<Integer, _>(q.stay.nights() as i32)
            .bind::<Integer, _>(q.rooms_count)
            .bind::<Bool, _>(policy.occupancy)
            .bind::<Bool, _>(policy.urgency)
            .bind::<Bool, _>(policy.holiday)
            .bind::<Timestamptz, _>(now)
            .bind::<Array<Date>, _>(holidays)
            .bind::<Nullable<Integer>, _>(q.guests)
            .bind::<Nullable<BigInt>, _>(q.min_price.map(Money::minor))
            .bind::<Nullable<BigInt>, _>(q.max_price.map(Money::minor))
            .bind::<BigInt, _>(q.page.limit)
            .bind::<BigInt, _>(q.page.offset)
            .load::<SearchRow>(&mut conn)
            .await
            .map_err(db_error)?;
        let mut total = rows.as_slice().first().map(|r| r.total).unwrap_or(0);
        if rows.is_empty() && q.page.offset > 0 {
            // Past the last page: count the matches on their own.
            let count =
                Box::pin(self.search(SearchQuery { page: Page { limit: 1, offset: 0 }, ..q.clone() }, policy, now))
                    .await?;
            total = count.total;
        }
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(SearchHit {
                    id: HotelId(r.id),
                    name: r.name,
                    city: r.city,
                    photos: r.photos,
                    amenities: r.amenities,
                    min_price: money(r.min_price)?,
                    currency: hotel_currency(r.currency.as_deref())?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Paged { items, total })
    }

    async fn report(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals> {
        let mut conn = self.conn().await?;
        let r = crate::prepared::sql(
            "SELECT count(*) FILTER (WHERE booking_status = 'CONFIRMED') AS n,
                    COALESCE(sum(amount) FILTER (WHERE booking_status = 'CONFIRMED'), 0)::numeric(14,2) AS revenue,
                    COALESCE(sum(penalty_amount) FILTER (WHERE booking_status = 'CANCELLED'), 0)::numeric(14,2)
                        AS penalties
             FROM booking
             WHERE hotel_id = $1 AND check_in_date BETWEEN $2 AND $3
               AND (booking_status = 'CONFIRMED' OR (booking_status = 'CANCELLED' AND penalty_amount > 0))",
        )
        .bind::<BigInt, _>(i64::from(hotel_id))
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .get_result::<ReportRow>(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(ReportTotals { bookings: r.n, revenue: money(r.revenue)?, penalties: money(r.penalties)? })
    }

    async fn room_offer(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>> {
        self.room_offer_query(hotel_id, room_id, stay).await
    }

    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        self.calendar_query(hotel_id, from, to).await
    }

    async fn calendars(&self, windows: &[(HotelId, NaiveDate, NaiveDate)]) -> Result<Vec<HotelCalendar>> {
        self.calendars_query(windows).await
    }

    async fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts> {
        self.revenue_query(hotel_id, start, end).await
    }

    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>> {
        #[derive(diesel::QueryableByName)]
        struct IdRow {
            #[diesel(sql_type = BigInt)]
            id: i64,
        }
        let mut conn = self.conn().await?;
        let rows = crate::prepared::sql("SELECT id FROM hotel WHERE id > $1 ORDER BY id LIMIT $2")
            .bind::<BigInt, _>(i64::from(after))
            .bind::<BigInt, _>(limit.clamp(1, 10_000))
            .load::<IdRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(|r| HotelId(r.id)).collect())
    }
}
