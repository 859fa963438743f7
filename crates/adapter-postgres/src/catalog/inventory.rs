//! The nightly inventory (`InventoryRepository`): listings, range patches, a stay's nights, the window top-up.

use super::*;

#[async_trait]
impl InventoryRepository for PgStore {
    async fn inventory(
        &self,
        room_id: RoomId,
        start: NaiveDate,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>> {
        let mut conn = self.conn().await?;
        let end = end.unwrap_or(NaiveDate::MAX);
        let total =
            crate::prepared::sql("SELECT count(*) AS n FROM inventory WHERE room_id = $1 AND date BETWEEN $2 AND $3")
                .bind::<BigInt, _>(i64::from(room_id))
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
            .bind::<BigInt, _>(i64::from(room_id))
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
        room_id: RoomId,
        start: NaiveDate,
        end: NaiveDate,
        p: InventoryPatch,
    ) -> Result<Vec<InventoryView>> {
        let rows = tx!(self, |c| {
            let q = format!(
                "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date FOR UPDATE"
            );
            let nights = crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(room_id))
                .bind::<Date, _>(start)
                .bind::<Date, _>(end)
                .load::<NightRow>(c)
                .await?;
            if let Some(total) = p.total_count
                && let Some(bad) = nights.iter().find(|n| n.book_count + n.reserved_count > total)
            {
                return Err(TxError::Domain(Error::InventoryConflict(bad.date)));
            }
            let restricts = p.min_stay.is_set()
                || p.max_stay.is_set()
                || p.closed_to_arrival.is_some()
                || p.closed_to_departure.is_some();
            if p.surge_factor.is_some()
                || p.price.is_some()
                || p.closed.is_some()
                || p.total_count.is_some()
                || restricts
            {
                let (set_min, min) = split(p.min_stay.clone());
                let (set_max, max) = split(p.max_stay.clone());
                crate::prepared::sql(
                    "UPDATE inventory SET surge_factor = COALESCE($4, surge_factor), price = COALESCE($5, price),
                        closed = COALESCE($6, closed), total_count = COALESCE($7, total_count),
                        min_stay = CASE WHEN $8 THEN $9 ELSE min_stay END,
                        max_stay = CASE WHEN $10 THEN $11 ELSE max_stay END,
                        closed_to_arrival = COALESCE($12, closed_to_arrival),
                        closed_to_departure = COALESCE($13, closed_to_departure)
                     WHERE room_id = $1 AND date BETWEEN $2 AND $3",
                )
                .bind::<BigInt, _>(i64::from(room_id))
                .bind::<Date, _>(start)
                .bind::<Date, _>(end)
                .bind::<Nullable<Numeric>, _>(p.surge_factor)
                .bind::<Nullable<Numeric>, _>(p.price.map(Money::to_decimal))
                .bind::<Nullable<Bool>, _>(p.closed)
                .bind::<Nullable<Integer>, _>(p.total_count)
                .bind::<Bool, _>(set_min)
                .bind::<Nullable<Integer>, _>(min)
                .bind::<Bool, _>(set_max)
                .bind::<Nullable<Integer>, _>(max)
                .bind::<Nullable<Bool>, _>(p.closed_to_arrival)
                .bind::<Nullable<Bool>, _>(p.closed_to_departure)
                .execute(c)
                .await?;
            }
            Ok::<_, TxError>(inventory_rows(c, room_id, start, end).await?)
        })?;
        views(rows)
    }

    async fn stay_nights(&self, room_id: RoomId, stay: StayDates) -> Result<Vec<InventoryNight>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "SELECT {NIGHT_COLS} FROM inventory i WHERE i.room_id = $1 AND i.date >= $2 AND i.date < $3 ORDER BY i.date"
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(room_id))
            .bind::<Date, _>(stay.check_in())
            .bind::<Date, _>(stay.check_out())
            .load::<NightRow>(&mut conn)
            .await
            .map_err(db_error)?;
        rows.into_iter().map(InventoryNight::try_from).collect()
    }

    async fn extend_inventory_window(&self, now: DateTime<Utc>) -> Result<u64> {
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
            PgStore::set_actor(c, domain::model::EventActor::System).await?;
            let n = crate::prepared::sql(
                "INSERT INTO inventory (hotel_id, room_id, date, total_count, price)
                 SELECT r.hotel_id, r.id, d::date, r.total_count, r.base_price
                 FROM room r JOIN hotel h ON h.id = r.hotel_id
                 CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE h.time_zone)::date AS today) t
                 CROSS JOIN LATERAL (SELECT max(date) AS last FROM inventory WHERE room_id = r.id) m
                 CROSS JOIN LATERAL generate_series(GREATEST(t.today, m.last + 1), t.today + 364, interval '1 day') d
                 ON CONFLICT (room_id, date) DO NOTHING",
            )
            .bind::<Timestamptz, _>(now)
            .execute(c)
            .await?;
            Ok::<_, TxError>(n as u64)
        })
    }
}
