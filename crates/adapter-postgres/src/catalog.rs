//! Hotels, room types, inventory, search and reports.
//!
//! Why one file (~700 lines): it implements the three catalog ports (`CatalogRepository`, `InventoryRepository`,
//! `CatalogQueries`) over the same locking helpers (`lock_hotel`, rows locked in date order); the next split is
//! one module per port, as `bookings/` already is.

use crate::rows::*;
use crate::users::split;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::OptionalExtension;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Numeric, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use domain::model::*;
use domain::ports::{CatalogQueries, CatalogRepository, InventoryRepository};
use domain::pricing::PricingPolicy;
use domain::{Error, Result};

/// The SQL twin of `PricingPolicy::nightly`, in integers (exact, and far cheaper than numeric arithmetic):
/// price in cents × surge in hundredths × 1xx for each enabled strategy (100 when it does not apply that night).
/// Returns the expression over inventory alias `i` and the divisor that brings it back to cents.
/// Binds used: `$today` (date) for urgency, `$holidays` (date[]) for holiday.
pub(crate) fn nightly_scaled_sql(policy: &PricingPolicy, today: usize, holidays: usize) -> (String, i64) {
    let mut expr = "((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)".to_string();
    let mut divisor: i64 = 100;
    if policy.occupancy {
        expr += " * CASE WHEN 5 * (i.book_count + i.reserved_count) >= 4 * i.total_count THEN 120 ELSE 100 END";
        divisor *= 100;
    }
    if policy.urgency {
        expr += &format!(" * CASE WHEN i.date - ${today}::date BETWEEN 0 AND 6 THEN 115 ELSE 100 END");
        divisor *= 100;
    }
    if policy.holiday {
        expr += &format!(" * CASE WHEN i.date = ANY(${holidays}::date[]) THEN 125 ELSE 100 END");
        divisor *= 100;
    }
    (expr, divisor)
}

/// `round_half_even(x / d)` for a non-negative bigint `x` and positive constant `d`, in integer arithmetic.
pub(crate) fn div_half_even_sql(x: &str, d: &str) -> String {
    format!(
        "({x} / {d} + CASE WHEN 2 * ({x} % {d}) > {d} OR (2 * ({x} % {d}) = {d} AND ({x} / {d}) % 2 = 1) THEN 1 ELSE 0 END)"
    )
}

/// Active bookings are neither CANCELLED nor EXPIRED (a hold past its deadline counts as expired).
/// Active at `$2`: confirmed, or a hold whose deadline has not passed.
const ACTIVE_BOOKING: &str =
    "(booking_status = 'CONFIRMED' OR (booking_status IN ('RESERVED','GUESTS_ADDED','PAYMENTS_PENDING')
     AND (expires_at IS NULL OR expires_at > $2)))";

async fn lock_hotel(c: &mut AsyncPgConnection, id: i64) -> std::result::Result<bool, DieselError> {
    Ok(crate::prepared::sql("SELECT id FROM hotel WHERE id = $1 FOR UPDATE")
        .bind::<BigInt, _>(id)
        .get_result::<IdRow>(c)
        .await
        .optional()?
        .is_some())
}

async fn inventory_rows(
    c: &mut AsyncPgConnection,
    room_id: i64,
    start: NaiveDate,
    end: NaiveDate,
) -> std::result::Result<Vec<InventoryViewRow>, DieselError> {
    let q = format!(
        "SELECT {NIGHT_COLS}, COALESCE(h.city, '') AS city FROM inventory i JOIN hotel h ON h.id = i.hotel_id
         WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date"
    );
    crate::prepared::sql(q)
        .bind::<BigInt, _>(room_id)
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .load::<InventoryViewRow>(c)
        .await
}

fn views(rows: Vec<InventoryViewRow>) -> Result<Vec<InventoryView>> {
    rows.into_iter().map(|r| Ok(InventoryView { night: r.night.try_into()?, city: r.city })).collect()
}

#[async_trait]
impl CatalogRepository for PgStore {
    async fn create_hotel(&self, owner_id: i64, h: NewHotel, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!(
            "INSERT INTO hotel (name, city, photos, amenities, contact_phone, contact_email, contact_address, owner_id,
                                created_at, updated_at)
             VALUES ($1, $2, $3::varchar[], $4::varchar[], $5, $6, $7, $8, $9, $9) RETURNING {HOTEL_COLS}"
        );
        let row = crate::prepared::sql(q)
            .bind::<Text, _>(&h.name)
            .bind::<Nullable<Text>, _>(h.city.as_deref())
            .bind::<Nullable<Array<Text>>, _>(h.photos.as_ref())
            .bind::<Nullable<Array<Text>>, _>(h.amenities.as_ref())
            .bind::<Nullable<Text>, _>(h.contact_phone.as_deref())
            .bind::<Nullable<Text>, _>(h.contact_email.as_deref())
            .bind::<Nullable<Text>, _>(h.contact_address.as_deref())
            .bind::<BigInt, _>(owner_id)
            .bind::<Timestamptz, _>(now)
            .get_result::<HotelRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(row.into())
    }

    async fn hotel(&self, id: i64) -> Result<Option<Hotel>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {HOTEL_COLS} FROM hotel WHERE id = $1");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        Ok(row.map(Hotel::from))
    }

    async fn hotels_of_owner(&self, owner_id: i64, page: Page) -> Result<Paged<Hotel>> {
        let mut conn = self.conn().await?;
        let total = crate::prepared::sql("SELECT count(*) AS n FROM hotel WHERE owner_id = $1")
            .bind::<BigInt, _>(owner_id)
            .get_result::<CountRow>(&mut conn)
            .await
            .map_err(db_error)?
            .n;
        let q = format!("SELECT {HOTEL_COLS} FROM hotel WHERE owner_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(owner_id)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<HotelRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: rows.into_iter().map(Hotel::from).collect(), total })
    }

    async fn update_hotel(&self, id: i64, p: HotelPatch, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!(
            "UPDATE hotel SET name = COALESCE($2, name),
                city = CASE WHEN $3 THEN $4 ELSE city END,
                photos = CASE WHEN $5 THEN $6::varchar[] ELSE photos END,
                amenities = CASE WHEN $7 THEN $8::varchar[] ELSE amenities END,
                contact_phone = CASE WHEN $9 THEN $10 ELSE contact_phone END,
                contact_email = CASE WHEN $11 THEN $12 ELSE contact_email END,
                contact_address = CASE WHEN $13 THEN $14 ELSE contact_address END,
                updated_at = $15
             WHERE id = $1 RETURNING {HOTEL_COLS}"
        );
        let (s_city, city) = split(p.city);
        let (s_photos, photos) = split(p.photos);
        let (s_amen, amen) = split(p.amenities);
        let (s_phone, phone) = split(p.contact_phone);
        let (s_email, email) = split(p.contact_email);
        let (s_addr, addr) = split(p.contact_address);
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .bind::<Nullable<Text>, _>(p.name)
            .bind::<Bool, _>(s_city)
            .bind::<Nullable<Text>, _>(city)
            .bind::<Bool, _>(s_photos)
            .bind::<Nullable<Array<Text>>, _>(photos)
            .bind::<Bool, _>(s_amen)
            .bind::<Nullable<Array<Text>>, _>(amen)
            .bind::<Bool, _>(s_phone)
            .bind::<Nullable<Text>, _>(phone)
            .bind::<Bool, _>(s_email)
            .bind::<Nullable<Text>, _>(email)
            .bind::<Bool, _>(s_addr)
            .bind::<Nullable<Text>, _>(addr)
            .bind::<Timestamptz, _>(now)
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Hotel::from).ok_or_else(|| Error::HotelNotFound(format!("Hotel not found with id: {id}")))
    }

    async fn set_hotel_active(&self, id: i64, active: bool, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!("UPDATE hotel SET active = $2, updated_at = $3 WHERE id = $1 RETURNING {HOTEL_COLS}");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .bind::<Bool, _>(active)
            .bind::<Timestamptz, _>(now)
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Hotel::from).ok_or_else(|| Error::HotelNotFound(format!("Hotel not found with id: {id}")))
    }

    async fn delete_hotel(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        const MSG: &str = "Hotel has active bookings; deactivate it instead";
        let r: Result<()> = tx!(self, |c| {
            if !lock_hotel(c, id).await? {
                return Err(TxError::Domain(Error::HotelNotFound(format!("Hotel not found with id: {id}"))));
            }
            let q = format!("SELECT count(*) AS n FROM booking WHERE hotel_id = $1 AND {ACTIVE_BOOKING}");
            let n = crate::prepared::sql(q)
                .bind::<BigInt, _>(id)
                .bind::<Timestamptz, _>(now)
                .get_result::<CountRow>(c)
                .await?
                .n;
            if n > 0 {
                return Err(TxError::Domain(Error::HasActiveBookings(MSG)));
            }
            if refunds_owed(c, "hotel_id", id).await? {
                return Err(TxError::Domain(Error::HasActiveBookings(HOTEL_REFUNDS_OWED)));
            }
            release_and_delete_bookings(c, "hotel_id", id).await?;
            crate::prepared::sql("DELETE FROM hotel WHERE id = $1").bind::<BigInt, _>(id).execute(c).await?;
            Ok::<_, TxError>(())
        });
        // A booking inserted concurrently makes the RESTRICT foreign key fail: the same 409.
        r.map_err(|e| match e {
            Error::Internal(m) if m.contains("foreign key") => Error::HasActiveBookings(MSG),
            other => other,
        })
    }

    async fn create_room(&self, hotel_id: i64, room: NewRoom, today: NaiveDate, now: DateTime<Utc>) -> Result<Room> {
        tx!(self, |c| {
            if !lock_hotel(c, hotel_id).await? {
                return Err(TxError::Domain(Error::HotelNotFound(format!("Hotel not found with id: {hotel_id}"))));
            }
            let n = crate::prepared::sql("SELECT count(*) AS n FROM room WHERE hotel_id = $1")
                .bind::<BigInt, _>(hotel_id)
                .get_result::<CountRow>(c)
                .await?
                .n;
            if n >= MAX_ROOMS_PER_HOTEL {
                return Err(TxError::Domain(Error::LimitExceeded("A hotel can have at most 100 room types")));
            }
            let q = format!(
                "INSERT INTO room (hotel_id, type, base_price, photos, amenities, total_count, capacity, created_at, updated_at)
                 VALUES ($1, $2, $3, $4::varchar[], $5::varchar[], $6, $7, $8, $8) RETURNING {ROOM_COLS}"
            );
            let row = crate::prepared::sql(q)
                .bind::<BigInt, _>(hotel_id)
                .bind::<Text, _>(&room.kind)
                .bind::<Numeric, _>(room.base_price.to_decimal())
                .bind::<Nullable<Array<Text>>, _>(room.photos.as_ref())
                .bind::<Nullable<Array<Text>>, _>(room.amenities.as_ref())
                .bind::<Integer, _>(room.total_count)
                .bind::<Integer, _>(room.capacity)
                .bind::<Timestamptz, _>(now)
                .get_result::<RoomRow>(c)
                .await?;
            crate::prepared::sql(
                "INSERT INTO inventory (hotel_id, room_id, date, total_count, price)
                 SELECT $1, $2, d::date, $3, $4 FROM generate_series($5::date, $5::date + 364, interval '1 day') d",
            )
            .bind::<BigInt, _>(hotel_id)
            .bind::<BigInt, _>(row.id)
            .bind::<Integer, _>(room.total_count)
            .bind::<Numeric, _>(room.base_price.to_decimal())
            .bind::<Date, _>(today)
            .execute(c)
            .await?;
            Ok::<_, TxError>(Room::try_from(row)?)
        })
    }

    async fn room(&self, id: i64) -> Result<Option<Room>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {ROOM_COLS} FROM room WHERE id = $1");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(id)
            .get_result::<RoomRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Room::try_from).transpose()
    }

    async fn rooms_of_hotel(&self, hotel_id: i64, page: Page) -> Result<Paged<Room>> {
        let mut conn = self.conn().await?;
        let total = crate::prepared::sql("SELECT count(*) AS n FROM room WHERE hotel_id = $1")
            .bind::<BigInt, _>(hotel_id)
            .get_result::<CountRow>(&mut conn)
            .await
            .map_err(db_error)?
            .n;
        let q = format!("SELECT {ROOM_COLS} FROM room WHERE hotel_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(hotel_id)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<RoomRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: rows.into_iter().map(Room::try_from).collect::<Result<_>>()?, total })
    }

    async fn update_room(&self, id: i64, p: RoomPatch, today: NaiveDate, now: DateTime<Utc>) -> Result<Room> {
        tx!(self, |c| {
            let q = format!("SELECT {ROOM_COLS} FROM room WHERE id = $1 FOR UPDATE");
            let old = crate::prepared::sql(q).bind::<BigInt, _>(id).get_result::<RoomRow>(c).await.optional()?;
            let Some(old) = old else {
                return Err(TxError::Domain(Error::RoomNotFound(format!("Room not found with id: {id}"))));
            };
            let old = Room::try_from(old)?;
            let new_price = p.base_price.unwrap_or(old.base_price);
            let new_total = p.total_count.unwrap_or(old.total_count);
            if new_price != old.base_price || new_total != old.total_count {
                // Lock the future rows in date order, then check before changing anything.
                let q = format!(
                    "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date >= $2 ORDER BY i.date FOR UPDATE"
                );
                let nights =
                    crate::prepared::sql(q).bind::<BigInt, _>(id).bind::<Date, _>(today).load::<NightRow>(c).await?;
                if new_total != old.total_count
                    && let Some(bad) = nights
                        .iter()
                        .find(|n| n.total_count == old.total_count && n.book_count + n.reserved_count > new_total)
                {
                    return Err(TxError::Domain(Error::InventoryConflict(bad.date)));
                }
                crate::prepared::sql(
                    "UPDATE inventory SET
                        price = CASE WHEN price = $3 THEN $4 ELSE price END,
                        total_count = CASE WHEN total_count = $5 THEN $6 ELSE total_count END
                     WHERE room_id = $1 AND date >= $2 AND (price = $3 OR total_count = $5)",
                )
                .bind::<BigInt, _>(id)
                .bind::<Date, _>(today)
                .bind::<Numeric, _>(old.base_price.to_decimal())
                .bind::<Numeric, _>(new_price.to_decimal())
                .bind::<Integer, _>(old.total_count)
                .bind::<Integer, _>(new_total)
                .execute(c)
                .await?;
            }
            let (s_photos, photos) = split(p.photos.clone());
            let (s_amen, amen) = split(p.amenities.clone());
            let q = format!(
                "UPDATE room SET type = COALESCE($2, type), base_price = $3,
                    photos = CASE WHEN $4 THEN $5::varchar[] ELSE photos END,
                    amenities = CASE WHEN $6 THEN $7::varchar[] ELSE amenities END,
                    total_count = $8, capacity = COALESCE($9, capacity), updated_at = $10
                 WHERE id = $1 RETURNING {ROOM_COLS}"
            );
            let row = crate::prepared::sql(q)
                .bind::<BigInt, _>(id)
                .bind::<Nullable<Text>, _>(p.kind.as_deref())
                .bind::<Numeric, _>(new_price.to_decimal())
                .bind::<Bool, _>(s_photos)
                .bind::<Nullable<Array<Text>>, _>(photos)
                .bind::<Bool, _>(s_amen)
                .bind::<Nullable<Array<Text>>, _>(amen)
                .bind::<Integer, _>(new_total)
                .bind::<Nullable<Integer>, _>(p.capacity)
                .bind::<Timestamptz, _>(now)
                .get_result::<RoomRow>(c)
                .await?;
            Ok::<_, TxError>(Room::try_from(row)?)
        })
    }

    async fn delete_room(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        const MSG: &str = "Room has active bookings";
        let r: Result<()> = tx!(self, |c| {
            let q = "SELECT id FROM room WHERE id = $1 FOR UPDATE";
            if crate::prepared::sql(q).bind::<BigInt, _>(id).get_result::<IdRow>(c).await.optional()?.is_none() {
                return Err(TxError::Domain(Error::RoomNotFound(format!("Room not found with id: {id}"))));
            }
            let q = format!("SELECT count(*) AS n FROM booking WHERE room_id = $1 AND {ACTIVE_BOOKING}");
            let n = crate::prepared::sql(q)
                .bind::<BigInt, _>(id)
                .bind::<Timestamptz, _>(now)
                .get_result::<CountRow>(c)
                .await?
                .n;
            if n > 0 {
                return Err(TxError::Domain(Error::HasActiveBookings(MSG)));
            }
            if refunds_owed(c, "room_id", id).await? {
                return Err(TxError::Domain(Error::HasActiveBookings(ROOM_REFUNDS_OWED)));
            }
            release_and_delete_bookings(c, "room_id", id).await?;
            crate::prepared::sql("DELETE FROM room WHERE id = $1").bind::<BigInt, _>(id).execute(c).await?;
            Ok::<_, TxError>(())
        });
        // A booking inserted concurrently makes the RESTRICT foreign key fail: the same 409.
        r.map_err(|e| match e {
            Error::Internal(m) if m.contains("foreign key") => Error::HasActiveBookings(MSG),
            other => other,
        })
    }
}

#[async_trait]
impl InventoryRepository for PgStore {
    async fn inventory(
        &self,
        room_id: i64,
        start: NaiveDate,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>> {
        let mut conn = self.conn().await?;
        let end = end.unwrap_or(NaiveDate::MAX);
        let total =
            crate::prepared::sql("SELECT count(*) AS n FROM inventory WHERE room_id = $1 AND date BETWEEN $2 AND $3")
                .bind::<BigInt, _>(room_id)
                .bind::<Date, _>(start)
                .bind::<Date, _>(end)
                .get_result::<CountRow>(&mut conn)
                .await
                .map_err(db_error)?
                .n;
        let q = format!(
            "SELECT {NIGHT_COLS}, COALESCE(h.city, '') AS city FROM inventory i JOIN hotel h ON h.id = i.hotel_id
             WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date LIMIT $4 OFFSET $5"
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(room_id)
            .bind::<Date, _>(start)
            .bind::<Date, _>(end)
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<InventoryViewRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: views(rows)?, total })
    }

    async fn patch_inventory(
        &self,
        room_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        p: InventoryPatch,
    ) -> Result<Vec<InventoryView>> {
        let rows = tx!(self, |c| {
            let q = format!(
                "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date FOR UPDATE"
            );
            let nights = crate::prepared::sql(q)
                .bind::<BigInt, _>(room_id)
                .bind::<Date, _>(start)
                .bind::<Date, _>(end)
                .load::<NightRow>(c)
                .await?;
            if let Some(total) = p.total_count
                && let Some(bad) = nights.iter().find(|n| n.book_count + n.reserved_count > total)
            {
                return Err(TxError::Domain(Error::InventoryConflict(bad.date)));
            }
            if p.surge_factor.is_some() || p.price.is_some() || p.closed.is_some() || p.total_count.is_some() {
                crate::prepared::sql(
                    "UPDATE inventory SET surge_factor = COALESCE($4, surge_factor), price = COALESCE($5, price),
                        closed = COALESCE($6, closed), total_count = COALESCE($7, total_count)
                     WHERE room_id = $1 AND date BETWEEN $2 AND $3",
                )
                .bind::<BigInt, _>(room_id)
                .bind::<Date, _>(start)
                .bind::<Date, _>(end)
                .bind::<Nullable<Numeric>, _>(p.surge_factor)
                .bind::<Nullable<Numeric>, _>(p.price.map(Money::to_decimal))
                .bind::<Nullable<Bool>, _>(p.closed)
                .bind::<Nullable<Integer>, _>(p.total_count)
                .execute(c)
                .await?;
            }
            Ok::<_, TxError>(inventory_rows(c, room_id, start, end).await?)
        })?;
        views(rows)
    }

    async fn stay_nights(&self, room_id: i64, stay: StayDates) -> Result<Vec<InventoryNight>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date >= $2 AND i.date < $3 ORDER BY i.date"
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(room_id)
            .bind::<Date, _>(stay.check_in())
            .bind::<Date, _>(stay.check_out())
            .load::<NightRow>(&mut conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(InventoryNight::try_from).collect()
    }

    async fn extend_inventory_window(&self, today: NaiveDate) -> Result<u64> {
        tx!(self, |c| {
            // One instance at a time; the others skip (the insert is idempotent anyway).
            #[derive(diesel::QueryableByName)]
            struct Locked {
                #[diesel(sql_type = Bool)]
                locked: bool,
            }
            let got = crate::prepared::sql("SELECT pg_try_advisory_xact_lock(7283640001) AS locked")
                .get_result::<Locked>(c)
                .await?
                .locked;
            if !got {
                return Ok(0);
            }
            let n = crate::prepared::sql(
                "INSERT INTO inventory (hotel_id, room_id, date, total_count, price)
                 SELECT r.hotel_id, r.id, d::date, r.total_count, r.base_price
                 FROM room r CROSS JOIN generate_series($1::date, $1::date + 364, interval '1 day') d
                 ON CONFLICT (room_id, date) DO NOTHING",
            )
            .bind::<Date, _>(today)
            .execute(c)
            .await?;
            Ok::<_, TxError>(n as u64)
        })
    }
}

#[async_trait]
impl CatalogQueries for PgStore {
    async fn hotel_listing(&self, hotel_id: i64, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT h.{}, r.id AS r_id, r.type AS r_kind, r.base_price AS r_base_price,
                    r.photos::text[] AS r_photos, r.amenities::text[] AS r_amenities, r.total_count AS r_total_count,
                    r.capacity AS r_capacity, r.created_at AS r_created_at, r.updated_at AS r_updated_at
             FROM hotel h LEFT JOIN room r ON r.hotel_id = h.id WHERE h.id = $1 ORDER BY r.id",
            HOTEL_COLS.replace(", ", ", h.")
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(hotel_id)
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
        let hotel = Hotel::from(first.hotel.clone());
        if let Some(stay) = stay
            && !rooms.is_empty()
        {
            let q = format!(
                "SELECT {NIGHT_COLS} FROM inventory i WHERE i.hotel_id = $1 AND i.date >= $2 AND i.date < $3
                 ORDER BY i.room_id, i.date"
            );
            let nights = crate::prepared::sql(q)
                .bind::<BigInt, _>(hotel_id)
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
        Ok(Some(HotelListing { hotel, rooms }))
    }

    async fn search(&self, q: SearchQuery, policy: PricingPolicy, today: NaiveDate) -> Result<Paged<SearchHit>> {
        let mut conn = self.conn().await?;
        let order = match q.sort {
            SearchSort::PriceAsc => "f.min_cents ASC, h.id",
            SearchSort::PriceDesc => "f.min_cents DESC, h.id",
            SearchSort::Name => "lower(h.name), h.id",
        };
        let (scaled, divisor) = nightly_scaled_sql(&policy, 9, 10);
        let nightly = div_half_even_sql("n.scaled", &divisor.to_string());
        let avg = div_half_even_sql("q.total", "$4::bigint");
        // The room row is only needed for the guests filter (capacity × rooms ≥ guests).
        let room_join = if q.guests.is_some() {
            "JOIN room r ON r.id = q.room_id AND r.capacity * $5 >= $11::int"
        } else {
            "CROSS JOIN (SELECT $11::int IS NULL) unused(g)"
        };
        // One round trip: candidate hotels by city, their nights of the stay through (hotel_id, date), each
        // night's price in cents computed once (OFFSET 0 keeps the subquery from being flattened), rooms that
        // qualify on every night, then per hotel the lowest average. count(*) OVER () gives X-Total-Count.
        // $6..$8 are the policy's switches (kept as binds so every variant has the same parameters).
        let sql = format!(
            "WITH h AS (
                SELECT id, name, city, photos, amenities FROM hotel WHERE active AND lower(city) = lower($1)
             ), q AS (
                SELECT n.hotel_id, n.room_id, sum({nightly})::bigint AS total
                FROM (
                    SELECT i.hotel_id, i.room_id, {scaled} AS scaled,
                           (NOT i.closed AND i.total_count - i.book_count - i.reserved_count >= $5) AS ok
                    FROM inventory i
                    WHERE i.hotel_id IN (SELECT id FROM h) AND i.date >= $2 AND i.date < $3
                    OFFSET 0
                ) n
                GROUP BY n.hotel_id, n.room_id
                HAVING count(*) = $4 AND bool_and(n.ok)
             ), f AS (
                SELECT q.hotel_id, min({avg}) AS min_cents FROM q {room_join}
                WHERE ($12::bigint IS NULL OR {avg} >= $12::bigint)
                  AND ($13::bigint IS NULL OR {avg} <= $13::bigint)
                  AND ($6 OR $7 OR $8 OR $9::date IS NULL OR $10::date[] IS NULL OR true)
                GROUP BY q.hotel_id
             )
             SELECT h.id, h.name, h.city, h.photos::text[] AS photos, h.amenities::text[] AS amenities,
                    (f.min_cents::numeric / 100)::numeric(12,2) AS min_price, count(*) OVER () AS total
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
            .bind::<Date, _>(today)
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
                Box::pin(self.search(SearchQuery { page: Page { limit: 1, offset: 0 }, ..q.clone() }, policy, today))
                    .await?;
            total = count.total;
        }
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(SearchHit {
                    id: r.id,
                    name: r.name,
                    city: r.city,
                    photos: r.photos,
                    amenities: r.amenities,
                    min_price: money(r.min_price)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Paged { items, total })
    }

    async fn report(&self, hotel_id: i64, start: NaiveDate, end: NaiveDate) -> Result<(i64, Money)> {
        let mut conn = self.conn().await?;
        let r = crate::prepared::sql(
            "SELECT count(*) AS n, COALESCE(sum(amount), 0)::numeric(14,2) AS revenue FROM booking
             WHERE hotel_id = $1 AND booking_status = 'CONFIRMED' AND check_in_date BETWEEN $2 AND $3",
        )
        .bind::<BigInt, _>(hotel_id)
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .get_result::<ReportRow>(&mut conn)
        .await
        .map_err(db_error)?;
        Ok((r.n, money(r.revenue)?))
    }
}

/// Deletes the CANCELLED/EXPIRED bookings of a hotel or room, releasing the holds of expired-but-unswept ones
/// first so the counts stay consistent.
/// Whether any ended booking of the hotel/room still owes its guest a refund (PENDING, or FAILED and waiting
/// for an operator). Deleting it would drop the payment reference the refund needs.
async fn refunds_owed(
    c: &mut AsyncPgConnection,
    column: &'static str,
    id: i64,
) -> std::result::Result<bool, DieselError> {
    let q = format!("SELECT count(*) AS n FROM booking WHERE {column} = $1 AND refund_status IN ('PENDING','FAILED')");
    Ok(crate::prepared::sql(q).bind::<BigInt, _>(id).get_result::<CountRow>(c).await?.n > 0)
}

async fn release_and_delete_bookings(
    c: &mut AsyncPgConnection,
    column: &'static str,
    id: i64,
) -> std::result::Result<(), DieselError> {
    let q = format!(
        "WITH due AS (
            UPDATE booking SET booking_status = 'EXPIRED', expires_at = NULL
            WHERE {column} = $1 AND booking_status IN {HOLD_STATUSES}
            RETURNING room_id, check_in_date, check_out_date, rooms_count
         )
         UPDATE inventory i SET reserved_count = i.reserved_count - due.rooms_count
         FROM due WHERE i.room_id = due.room_id AND i.date >= due.check_in_date AND i.date < due.check_out_date"
    );
    crate::prepared::sql(q).bind::<BigInt, _>(id).execute(c).await?;
    let q = format!("DELETE FROM booking WHERE {column} = $1 AND booking_status IN ('CANCELLED','EXPIRED')");
    crate::prepared::sql(q).bind::<BigInt, _>(id).execute(c).await?;
    Ok(())
}
