//! The stay queries of `CatalogQueries` (quote, calendar, revenue report), called from `queries.rs`.

use super::rate_plans::RatePlanRow;
use super::*;
use diesel::QueryableByName;

/// One room of a calendar with its rows of the range as parallel arrays (one row per room: the whole calendar
/// is one round trip of at most 100 rows).
#[derive(QueryableByName)]
struct CalendarRow {
    /// The window the row belongs to.
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(embed)]
    hotel_room: HotelRoomRow,
    #[diesel(sql_type = Nullable<BigInt>)]
    plan_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    plan_rule: Option<String>,
    #[diesel(sql_type = Array<BigInt>)]
    ids: Vec<i64>,
    #[diesel(sql_type = Array<Date>)]
    dates: Vec<NaiveDate>,
    #[diesel(sql_type = Array<Integer>)]
    books: Vec<i32>,
    #[diesel(sql_type = Array<Integer>)]
    reserveds: Vec<i32>,
    #[diesel(sql_type = Array<Integer>)]
    totals: Vec<i32>,
    /// Surge factors in hundredths (the column is numeric(5,2)).
    #[diesel(sql_type = Array<Integer>)]
    surges: Vec<i32>,
    /// Prices in cents (the column is numeric(10,2)).
    #[diesel(sql_type = Array<BigInt>)]
    prices: Vec<i64>,
    #[diesel(sql_type = Array<Bool>)]
    closeds: Vec<bool>,
    #[diesel(sql_type = Array<Nullable<Integer>>)]
    min_stays: Vec<Option<i32>>,
    #[diesel(sql_type = Array<Nullable<Integer>>)]
    max_stays: Vec<Option<i32>>,
    #[diesel(sql_type = Array<Bool>)]
    ctas: Vec<bool>,
    #[diesel(sql_type = Array<Bool>)]
    ctds: Vec<bool>,
}

impl CalendarRow {
    fn nights(&self, hotel_id: HotelId, room_id: RoomId) -> Result<Vec<InventoryNight>> {
        let n = self.ids.len();
        let lens = [
            self.dates.len(),
            self.books.len(),
            self.reserveds.len(),
            self.totals.len(),
            self.surges.len(),
            self.prices.len(),
            self.closeds.len(),
            self.min_stays.len(),
            self.max_stays.len(),
            self.ctas.len(),
            self.ctds.len(),
        ];
        if lens.iter().any(|l| *l != n) {
            return Err(Error::internal("calendar arrays of different lengths"));
        }
        (0..n)
            .map(|i| {
                Ok(InventoryNight {
                    id: self.ids[i],
                    hotel_id,
                    room_id,
                    date: self.dates[i],
                    book_count: self.books[i],
                    reserved_count: self.reserveds[i],
                    total_count: self.totals[i],
                    surge_factor: rust_decimal::Decimal::new(i64::from(self.surges[i]), 2),
                    price: Money::from_minor(self.prices[i]),
                    closed: self.closeds[i],
                    restrictions: Restrictions {
                        min_stay: self.min_stays[i],
                        max_stay: self.max_stays[i],
                        closed_to_arrival: self.ctas[i],
                        closed_to_departure: self.ctds[i],
                    },
                })
            })
            .collect()
    }
}

/// A hotel, one of its rooms and one of that room's rate plans (plan columns prefixed `p_`, null when there is
/// none): a quote's first read, one row per plan.
#[derive(QueryableByName)]
struct OfferRow {
    #[diesel(embed)]
    hotel_room: HotelRoomRow,
    #[diesel(sql_type = Nullable<BigInt>)]
    p_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    p_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    p_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    p_meal_plan: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    p_price_rule: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    p_min_stay: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    p_max_stay: Option<i32>,
    #[diesel(sql_type = Nullable<Bool>)]
    p_active: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    p_is_default: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    p_cancellation_policy: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    p_created_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    p_updated_at: Option<DateTime<Utc>>,
}

impl OfferRow {
    fn plan(&self, hotel_id: i64, room_id: i64) -> Result<Option<RatePlan>> {
        let (Some(id), Some(name), Some(code), Some(meal), Some(rule), Some(active), Some(dflt), Some(c), Some(u)) = (
            self.p_id,
            self.p_name.clone(),
            self.p_code.clone(),
            self.p_meal_plan.clone(),
            self.p_price_rule.clone(),
            self.p_active,
            self.p_is_default,
            self.p_created_at,
            self.p_updated_at,
        ) else {
            return Ok(None);
        };
        let row = RatePlanRow {
            id,
            hotel_id,
            room_id,
            name,
            code,
            meal_plan: meal,
            price_rule: rule,
            min_stay: self.p_min_stay,
            max_stay: self.p_max_stay,
            active,
            is_default: dflt,
            cancellation_policy: self.p_cancellation_policy.clone(),
            created_at: c,
            updated_at: u,
        };
        RatePlan::try_from(row).map(Some)
    }
}

#[derive(QueryableByName)]
struct CapacityRow {
    #[diesel(sql_type = Date)]
    date: NaiveDate,
    #[diesel(sql_type = BigInt)]
    rooms: i64,
}

#[derive(QueryableByName)]
struct RevenueRow {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Date)]
    check_in_date: NaiveDate,
    #[diesel(sql_type = Date)]
    check_out_date: NaiveDate,
    #[diesel(sql_type = Integer)]
    rooms_count: i32,
    #[diesel(sql_type = Numeric)]
    amount: rust_decimal::Decimal,
    #[diesel(sql_type = Numeric)]
    subtotal: rust_decimal::Decimal,
    #[diesel(sql_type = Text)]
    charges: String,
    #[diesel(sql_type = Nullable<Numeric>)]
    penalty_amount: Option<rust_decimal::Decimal>,
    #[diesel(sql_type = Nullable<Numeric>)]
    refund_amount: Option<rust_decimal::Decimal>,
}

/// The room columns `HotelRoomRow` reads, prefixed `r_`.
const ROOM_R_COLS: &str = "r.id AS r_id, r.type AS r_kind, r.base_price AS r_base_price, r.photos::text[] AS r_photos,
    r.amenities::text[] AS r_amenities, r.total_count AS r_total_count, r.capacity AS r_capacity,
    r.created_at AS r_created_at, r.updated_at AS r_updated_at";

impl PgStore {
    pub(super) async fn room_offer_query(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>> {
        let mut conn = self.conn().await?;
        // The hotel, the room (if it is the hotel's) and its plans in one read: one row per plan.
        let q = format!(
            "SELECT h.{}, {ROOM_R_COLS}, p.id AS p_id, p.name AS p_name, p.code AS p_code, p.meal_plan AS p_meal_plan,
                    p.price_rule AS p_price_rule, p.min_stay AS p_min_stay, p.max_stay AS p_max_stay,
                    p.active AS p_active, p.is_default AS p_is_default, p.cancellation_policy AS p_cancellation_policy,
                    p.created_at AS p_created_at, p.updated_at AS p_updated_at
             FROM hotel h LEFT JOIN room r ON r.id = $2 AND r.hotel_id = h.id LEFT JOIN rate_plan p ON p.room_id = r.id
             WHERE h.id = $1 ORDER BY p.id",
            HOTEL_COLS.replace(", ", ", h.")
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(hotel_id))
            .bind::<BigInt, _>(i64::from(room_id))
            .load::<OfferRow>(&mut conn)
            .await
            .map_err(db_error)?;
        let Some(first) = rows.as_slice().first() else { return Ok(None) };
        let room = first.hotel_room.room()?;
        let hotel = Hotel::try_from(first.hotel_room.hotel.clone())?;
        let mut plans = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Some(p) = r.plan(hotel_id.get(), room_id.get())? {
                plans.push(p);
            }
        }
        let mut nights = Vec::new();
        if room.is_some()
            && let Some(stay) = stay
        {
            let q = format!(
                "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date"
            );
            nights = crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(room_id))
                .bind::<Date, _>(stay.check_in())
                .bind::<Date, _>(stay.check_out())
                .load::<NightRow>(&mut conn)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(InventoryNight::try_from)
                .collect::<Result<_>>()?;
        }
        Ok(Some(RoomOffer { hotel, room, plans, nights }))
    }

    pub(super) async fn calendar_query(
        &self,
        hotel_id: HotelId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<HotelCalendar>> {
        let mut conn = self.conn().await?;
        let q = calendar_sql("SELECT $1::bigint AS hotel_id, $2::date AS first, $3::date AS last, 1::bigint AS k");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(hotel_id))
            .bind::<Date, _>(from)
            .bind::<Date, _>(to)
            .load::<CalendarRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(calendars_of(rows)?.pop())
    }

    pub(super) async fn calendars_query(
        &self,
        windows: &[(HotelId, NaiveDate, NaiveDate)],
    ) -> Result<Vec<HotelCalendar>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = windows.iter().map(|w| w.0.get()).collect();
        let firsts: Vec<NaiveDate> = windows.iter().map(|w| w.1).collect();
        let lasts: Vec<NaiveDate> = windows.iter().map(|w| w.2).collect();
        let mut conn = self.conn().await?;
        let q = calendar_sql("SELECT * FROM unnest($1::bigint[], $2::date[], $3::date[]) WITH ORDINALITY");
        let rows = crate::prepared::sql(q)
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<Date>, _>(firsts)
            .bind::<Array<Date>, _>(lasts)
            .load::<CalendarRow>(&mut conn)
            .await
            .map_err(db_error)?;
        calendars_of(rows)
    }

    pub(super) async fn revenue_query(
        &self,
        hotel_id: HotelId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<RevenueFacts> {
        let mut conn = self.conn().await?;
        let capacity = crate::prepared::sql(
            "SELECT date, sum(total_count)::bigint AS rooms FROM inventory
             WHERE hotel_id = $1 AND date BETWEEN $2 AND $3 GROUP BY date ORDER BY date",
        )
        .bind::<BigInt, _>(i64::from(hotel_id))
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .load::<CapacityRow>(&mut conn)
        .await
        .map_err(db_error)?;
        // A stay has at most 365 nights, so its check-in is within a year before the range: the bound lets the
        // (hotel_id, check_in_date) index narrow the scan.
        let rows = crate::prepared::sql(
            "SELECT booking_status::text AS status, check_in_date, check_out_date, rooms_count, amount, subtotal,
                    charges::text AS charges, penalty_amount, refund_amount
             FROM booking
             WHERE hotel_id = $1 AND check_in_date <= $3 AND check_out_date > $2 AND check_in_date > $2 - 366
               AND (booking_status = 'CONFIRMED'
                    OR (booking_status = 'CANCELLED' AND (penalty_amount > 0 OR refund_amount > 0)))
             ORDER BY id",
        )
        .bind::<BigInt, _>(i64::from(hotel_id))
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .load::<RevenueRow>(&mut conn)
        .await
        .map_err(db_error)?;
        let bookings = rows
            .into_iter()
            .map(|r| {
                Ok(RevenueBooking {
                    status: BookingStatus::parse(&r.status).ok_or_else(|| Error::internal("stored status"))?,
                    check_in: r.check_in_date,
                    check_out: r.check_out_date,
                    rooms_count: r.rooms_count,
                    price: PriceBreakdown {
                        subtotal: money(r.subtotal)?,
                        lines: crate::json::decode_charges(&r.charges)?,
                        total: money(r.amount)?,
                    },
                    penalty: r.penalty_amount.map(money).transpose()?,
                    refund: r.refund_amount.map(money).transpose()?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(RevenueFacts { rooms_per_night: capacity.into_iter().map(|c| (c.date, c.rooms)).collect(), bookings })
    }
}

/// The calendar statement over `windows`, a subquery of rows (hotel_id, first, last, k): one row per window and
/// room type (ordered by k, then room id), its nights `first..=last` as parallel arrays in date order (the lateral
/// subquery reads them through inventory_room_date_key, already in date order).
fn calendar_sql(windows: &str) -> String {
    format!(
        "SELECT w.k, h.{}, {ROOM_R_COLS}, p.id AS plan_id, p.price_rule AS plan_rule,
                COALESCE(n.ids, '{{}}') AS ids, COALESCE(n.dates, '{{}}') AS dates,
                COALESCE(n.books, '{{}}') AS books, COALESCE(n.reserveds, '{{}}') AS reserveds,
                COALESCE(n.totals, '{{}}') AS totals, COALESCE(n.surges, '{{}}') AS surges,
                COALESCE(n.prices, '{{}}') AS prices, COALESCE(n.closeds, '{{}}') AS closeds,
                COALESCE(n.min_stays, '{{}}') AS min_stays, COALESCE(n.max_stays, '{{}}') AS max_stays,
                COALESCE(n.ctas, '{{}}') AS ctas, COALESCE(n.ctds, '{{}}') AS ctds
         FROM ({windows}) AS w(hotel_id, first, last, k)
         JOIN hotel h ON h.id = w.hotel_id
         LEFT JOIN room r ON r.hotel_id = h.id
         LEFT JOIN rate_plan p ON p.room_id = r.id AND p.is_default
         LEFT JOIN LATERAL (
             SELECT array_agg(i.id) AS ids, array_agg(i.date) AS dates, array_agg(i.book_count) AS books,
                    array_agg(i.reserved_count) AS reserveds, array_agg(i.total_count) AS totals,
                    array_agg((i.surge_factor * 100)::int) AS surges, array_agg((i.price * 100)::bigint) AS prices,
                    array_agg(i.closed) AS closeds,
                    array_agg(i.min_stay) AS min_stays, array_agg(i.max_stay) AS max_stays,
                    array_agg(i.closed_to_arrival) AS ctas, array_agg(i.closed_to_departure) AS ctds
             FROM (SELECT * FROM inventory WHERE room_id = r.id AND date BETWEEN w.first AND w.last ORDER BY date) i
         ) n ON true
         ORDER BY w.k, r.id",
        HOTEL_COLS.replace(", ", ", h.")
    )
}

/// The calendars of [`calendar_sql`]'s rows, one per window whose hotel exists, in window order.
fn calendars_of(rows: Vec<CalendarRow>) -> Result<Vec<HotelCalendar>> {
    let mut out: Vec<HotelCalendar> = Vec::new();
    let mut window = None;
    for r in &rows {
        if window != Some(r.k) {
            window = Some(r.k);
            out.push(HotelCalendar { hotel: Hotel::try_from(r.hotel_room.hotel.clone())?, rooms: Vec::new() });
        }
        let Some(cal) = out.last_mut() else { continue };
        let Some(room) = r.hotel_room.room()? else { continue };
        let price_rule = match r.plan_rule.as_deref() {
            Some(s) => PriceRule::parse(s).ok_or_else(|| Error::internal(format!("stored price rule {s:?}")))?,
            None => PriceRule::BASE,
        };
        let nights = r.nights(cal.hotel.id, room.id)?;
        cal.rooms.push(CalendarRoom { room, rate_plan_id: r.plan_id.map(RatePlanId), price_rule, nights });
    }
    Ok(out)
}
