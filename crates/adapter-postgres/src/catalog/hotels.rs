//! Hotels and room types (`CatalogRepository`): writes under the hotel lock, deletes that keep money owed.

use super::*;

#[async_trait]
impl CatalogRepository for PgStore {
    async fn create_hotel(&self, owner_id: UserId, h: NewHotel, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!(
            "INSERT INTO hotel (name, city, photos, amenities, contact_phone, contact_email, contact_address, owner_id,
                                created_at, updated_at, time_zone, currency, check_in_time, check_out_time,
                                cancellation_policy, taxes)
             VALUES ($1, $2, $3::varchar[], $4::varchar[], $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15::jsonb)
             RETURNING {HOTEL_COLS}"
        );
        let row = crate::prepared::sql(q)
            .bind::<Text, _>(&h.name)
            .bind::<Nullable<Text>, _>(h.city.as_deref())
            .bind::<Nullable<Array<Text>>, _>(h.photos.as_ref())
            .bind::<Nullable<Array<Text>>, _>(h.amenities.as_ref())
            .bind::<Nullable<Text>, _>(h.contact_phone.as_deref())
            .bind::<Nullable<Text>, _>(h.contact_email.as_deref())
            .bind::<Nullable<Text>, _>(h.contact_address.as_deref())
            .bind::<BigInt, _>(i64::from(owner_id))
            .bind::<Timestamptz, _>(now)
            .bind::<Text, _>(h.time_zone.unwrap_or_default().name())
            .bind::<Text, _>(h.currency.unwrap_or_default().as_str())
            .bind::<Time, _>(h.check_in_time.unwrap_or_else(default_check_in_time))
            .bind::<Time, _>(h.check_out_time.unwrap_or_else(default_check_out_time))
            .bind::<Text, _>(h.cancellation_policy.unwrap_or_default().encode())
            .bind::<Text, _>(crate::json::encode_taxes(h.taxes.as_deref().unwrap_or_default()))
            .get_result::<HotelRow>(&mut conn)
            .await
            .map_err(db_error)?;
        row.try_into()
    }

    async fn hotel(&self, id: HotelId) -> Result<Option<Hotel>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {HOTEL_COLS} FROM hotel WHERE id = $1");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Hotel::try_from).transpose()
    }

    async fn hotels_of_owner(&self, owner_id: UserId, page: Page) -> Result<Paged<Hotel>> {
        let mut conn = self.conn().await?;
        let total = crate::prepared::sql("SELECT count(*) AS n FROM hotel WHERE owner_id = $1")
            .bind::<BigInt, _>(i64::from(owner_id))
            .get_result::<CountRow>(&mut conn)
            .await
            .map_err(db_error)?
            .n;
        let q = format!("SELECT {HOTEL_COLS} FROM hotel WHERE owner_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(owner_id))
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<HotelRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: rows.into_iter().map(Hotel::try_from).collect::<Result<_>>()?, total })
    }

    async fn update_hotel(&self, id: HotelId, p: HotelPatch, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!(
            "UPDATE hotel SET name = COALESCE($2, name),
                city = CASE WHEN $3 THEN $4 ELSE city END,
                photos = CASE WHEN $5 THEN $6::varchar[] ELSE photos END,
                amenities = CASE WHEN $7 THEN $8::varchar[] ELSE amenities END,
                contact_phone = CASE WHEN $9 THEN $10 ELSE contact_phone END,
                contact_email = CASE WHEN $11 THEN $12 ELSE contact_email END,
                contact_address = CASE WHEN $13 THEN $14 ELSE contact_address END,
                updated_at = $15,
                time_zone = COALESCE($16, time_zone),
                currency = COALESCE($17, currency),
                check_in_time = COALESCE($18, check_in_time),
                check_out_time = COALESCE($19, check_out_time),
                cancellation_policy = COALESCE($20, cancellation_policy),
                taxes = COALESCE($21::jsonb, taxes)
             WHERE id = $1 RETURNING {HOTEL_COLS}"
        );
        let (s_city, city) = split(p.city);
        let (s_photos, photos) = split(p.photos);
        let (s_amen, amen) = split(p.amenities);
        let (s_phone, phone) = split(p.contact_phone);
        let (s_email, email) = split(p.contact_email);
        let (s_addr, addr) = split(p.contact_address);
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
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
            .bind::<Nullable<Text>, _>(p.time_zone.map(TimeZone::name))
            .bind::<Nullable<Text>, _>(p.currency.as_ref().map(Currency::as_str))
            .bind::<Nullable<Time>, _>(p.check_in_time)
            .bind::<Nullable<Time>, _>(p.check_out_time)
            .bind::<Nullable<Text>, _>(p.cancellation_policy.map(|c| c.encode()))
            .bind::<Nullable<Text>, _>(p.taxes.as_deref().map(crate::json::encode_taxes))
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Hotel::try_from)
            .transpose()?
            .ok_or_else(|| Error::HotelNotFound(format!("Hotel not found with id: {id}")))
    }

    async fn set_hotel_active(&self, id: HotelId, active: bool, now: DateTime<Utc>) -> Result<Hotel> {
        let mut conn = self.conn().await?;
        let q = format!("UPDATE hotel SET active = $2, updated_at = $3 WHERE id = $1 RETURNING {HOTEL_COLS}");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Bool, _>(active)
            .bind::<Timestamptz, _>(now)
            .get_result::<HotelRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Hotel::try_from)
            .transpose()?
            .ok_or_else(|| Error::HotelNotFound(format!("Hotel not found with id: {id}")))
    }

    async fn delete_hotel(&self, id: HotelId, now: DateTime<Utc>) -> Result<()> {
        let refused = Refusals { active: HOTEL_ACTIVE, owed: HOTEL_REFUNDS_OWED };
        let r: Result<()> = tx!(self, |c| {
            if !lock_hotel(c, id).await? {
                return Err(TxError::Domain(Error::HotelNotFound(format!("Hotel not found with id: {id}"))));
            }
            release_ended_bookings(c, "hotel_id", id.get(), now, refused).await?;
            crate::prepared::sql("DELETE FROM hotel WHERE id = $1").bind::<BigInt, _>(i64::from(id)).execute(c).await?;
            Ok::<_, TxError>(())
        });
        r.map_err(|e| refused.concurrent(e))
    }

    async fn create_room(
        &self,
        hotel_id: HotelId,
        room: NewRoom,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Room> {
        tx!(self, |c| {
            if !lock_hotel(c, hotel_id).await? {
                return Err(TxError::Domain(Error::HotelNotFound(format!("Hotel not found with id: {hotel_id}"))));
            }
            let n = crate::prepared::sql("SELECT count(*) AS n FROM room WHERE hotel_id = $1")
                .bind::<BigInt, _>(i64::from(hotel_id))
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
                .bind::<BigInt, _>(i64::from(hotel_id))
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
            .bind::<BigInt, _>(i64::from(hotel_id))
            .bind::<BigInt, _>(row.id)
            .bind::<Integer, _>(room.total_count)
            .bind::<Numeric, _>(room.base_price.to_decimal())
            .bind::<Date, _>(today)
            .execute(c)
            .await?;
            super::rate_plans::insert_rate_plan(c, hotel_id.get(), row.id, &NewRatePlan::standard(), true, now).await?;
            Ok::<_, TxError>(Room::try_from(row)?)
        })
    }

    async fn room(&self, id: RoomId) -> Result<Option<Room>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {ROOM_COLS} FROM room WHERE id = $1");
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .get_result::<RoomRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Room::try_from).transpose()
    }

    async fn rooms_of_hotel(&self, hotel_id: HotelId, page: Page) -> Result<Paged<Room>> {
        let mut conn = self.conn().await?;
        let total = crate::prepared::sql("SELECT count(*) AS n FROM room WHERE hotel_id = $1")
            .bind::<BigInt, _>(i64::from(hotel_id))
            .get_result::<CountRow>(&mut conn)
            .await
            .map_err(db_error)?
            .n;
        let q = format!("SELECT {ROOM_COLS} FROM room WHERE hotel_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(hotel_id))
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<RoomRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: rows.into_iter().map(Room::try_from).collect::<Result<_>>()?, total })
    }

    async fn update_room(&self, id: RoomId, p: RoomPatch, today: NaiveDate, now: DateTime<Utc>) -> Result<Room> {
        tx!(self, |c| {
            let q = format!("SELECT {ROOM_COLS} FROM room WHERE id = $1 FOR UPDATE");
            let old =
                crate::prepared::sql(q).bind::<BigInt, _>(i64::from(id)).get_result::<RoomRow>(c).await.optional()?;
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
                let nights = crate::prepared::sql(q)
                    .bind::<BigInt, _>(i64::from(id))
                    .bind::<Date, _>(today)
                    .load::<NightRow>(c)
                    .await?;
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
                .bind::<BigInt, _>(i64::from(id))
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
                .bind::<BigInt, _>(i64::from(id))
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

    async fn delete_room(&self, id: RoomId, now: DateTime<Utc>) -> Result<()> {
        let refused = Refusals { active: ROOM_ACTIVE, owed: ROOM_REFUNDS_OWED };
        let r: Result<()> = tx!(self, |c| {
            let q = "SELECT id FROM room WHERE id = $1 FOR UPDATE";
            if crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(id))
                .get_result::<IdRow>(c)
                .await
                .optional()?
                .is_none()
            {
                return Err(TxError::Domain(Error::RoomNotFound(format!("Room not found with id: {id}"))));
            }
            release_ended_bookings(c, "room_id", id.get(), now, refused).await?;
            crate::prepared::sql("DELETE FROM room WHERE id = $1").bind::<BigInt, _>(i64::from(id)).execute(c).await?;
            Ok::<_, TxError>(())
        });
        r.map_err(|e| refused.concurrent(e))
    }
    async fn create_rate_plan(&self, room_id: RoomId, plan: NewRatePlan, now: DateTime<Utc>) -> Result<RatePlan> {
        self.create_rate_plan_tx(room_id, plan, now).await
    }

    async fn rate_plan(&self, id: RatePlanId) -> Result<Option<RatePlan>> {
        self.rate_plan_tx(id).await
    }

    async fn rate_plans_of_hotel(&self, hotel_id: HotelId) -> Result<Vec<RatePlan>> {
        self.rate_plans_of_hotel_tx(hotel_id).await
    }

    async fn update_rate_plan(&self, id: RatePlanId, patch: RatePlanPatch, now: DateTime<Utc>) -> Result<RatePlan> {
        self.update_rate_plan_tx(id, patch, now).await
    }

    async fn delete_rate_plan(&self, id: RatePlanId, now: DateTime<Utc>) -> Result<()> {
        self.delete_rate_plan_tx(id, now).await
    }
}

const HOTEL_ACTIVE: &str = "Hotel has active bookings; deactivate it instead";
const ROOM_ACTIVE: &str = "Room has active bookings";

/// The two 409 details of a refused hotel or room delete.
#[derive(Clone, Copy)]
struct Refusals {
    active: &'static str,
    owed: &'static str,
}

impl Refusals {
    /// A booking inserted concurrently makes the RESTRICT foreign key fail: the same 409 as an active booking.
    fn concurrent(self, e: Error) -> Error {
        match e {
            Error::Internal(m) if m.contains("foreign key") => Error::HasActiveBookings(self.active),
            other => other,
        }
    }
}

/// Refuses while a booking of the hotel/room (`column` = `id`) is active at `now` or still owes a refund;
/// otherwise expires its overdue holds (releasing their rooms) and deletes its ended bookings.
async fn release_ended_bookings(
    c: &mut AsyncPgConnection,
    column: &'static str,
    id: i64,
    now: DateTime<Utc>,
    refused: Refusals,
) -> std::result::Result<(), TxError> {
    let q = format!("SELECT count(*) AS n FROM booking WHERE {column} = $1 AND {ACTIVE_BOOKING}");
    let n =
        crate::prepared::sql(q).bind::<BigInt, _>(id).bind::<Timestamptz, _>(now).get_result::<CountRow>(c).await?.n;
    if n > 0 {
        return Err(TxError::Domain(Error::HasActiveBookings(refused.active)));
    }
    if refunds_owed(c, column, id).await? {
        return Err(TxError::Domain(Error::HasActiveBookings(refused.owed)));
    }
    release_and_delete_bookings(c, column, id).await?;
    Ok(())
}
