//! Reads: one booking, and the effective-status lists of a user and of a hotel.

use super::*;

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
        let ids: Vec<BookingId> = items.iter().map(|b| b.id).collect();
        let mut guests = guests_of(&mut conn, &ids).await.map_err(Error::from)?;
        for b in &mut items {
            b.guests = guests.remove(&b.id).unwrap_or_default();
        }
        Ok(Paged { items, total })
    }

    pub(super) async fn booking_tx(&self, id: BookingId) -> Result<Option<Booking>> {
        let mut conn = self.conn().await?;
        Ok(load(&mut conn, id, false).await?)
    }

    pub(super) async fn bookings_of_user_tx(
        &self,
        user_id: UserId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.list_bookings("user_id", user_id.get(), status, now, page).await
    }

    pub(super) async fn bookings_of_hotel_tx(
        &self,
        hotel_id: HotelId,
        status: Option<BookingStatus>,
        now: DateTime<Utc>,
        page: Page,
    ) -> Result<Paged<Booking>> {
        self.list_bookings("hotel_id", hotel_id.get(), status, now, page).await
    }
}
