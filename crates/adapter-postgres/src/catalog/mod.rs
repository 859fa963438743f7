//! Hotels, room types, inventory, search and reports.
//!
//! One module per port: `hotels` (`CatalogRepository`), `inventory` (`InventoryRepository`) and `queries`
//! (`CatalogQueries`), `rate_plans` (the rate plan part of `CatalogRepository`); the locking and SQL helpers they
//! share are here.

mod hotels;
mod inventory;
mod offers;
mod queries;
mod rate_plans;

use crate::rows::*;
use crate::users::split;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::OptionalExtension;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Nullable, Numeric, Text, Time, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use domain::model::*;
use domain::ports::{CatalogQueries, CatalogRepository, InventoryRepository};
use domain::pricing::PricingPolicy;
use domain::{Error, Result};

/// The SQL twin of `PricingPolicy::nightly`, in integers (exact, and far cheaper than numeric arithmetic):
/// price in cents × surge in hundredths × 1xx for each enabled strategy (100 when it does not apply that night).
/// Returns the expression over inventory alias `i` and the divisor that brings it back to cents.
/// Binds used: `$today` (date) for urgency, `$holidays` (date[]) for holiday.
pub(crate) fn nightly_scaled_sql(policy: &PricingPolicy, today: &str, holidays: usize) -> (String, i64) {
    let mut expr = "((i.price * 100)::bigint * (i.surge_factor * 100)::bigint)".to_string();
    let mut divisor: i64 = 100;
    if policy.occupancy {
        expr += " * CASE WHEN 5 * (i.book_count + i.reserved_count) >= 4 * i.total_count THEN 120 ELSE 100 END";
        divisor *= 100;
    }
    if policy.urgency {
        expr += &format!(" * CASE WHEN i.date - {today} BETWEEN 0 AND 6 THEN 115 ELSE 100 END");
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
pub(super) const ACTIVE_BOOKING: &str =
    "(booking_status = 'CONFIRMED' OR (booking_status IN ('RESERVED','GUESTS_ADDED','PAYMENTS_PENDING')
     AND (expires_at IS NULL OR expires_at > $2)))";

pub(super) async fn lock_hotel(c: &mut AsyncPgConnection, id: HotelId) -> std::result::Result<bool, DieselError> {
    Ok(crate::prepared::sql("SELECT id FROM hotel WHERE id = $1 FOR UPDATE")
        .bind::<BigInt, _>(i64::from(id))
        .get_result::<IdRow>(c)
        .await
        .optional()?
        .is_some())
}

pub(super) async fn inventory_rows(
    c: &mut AsyncPgConnection,
    room_id: RoomId,
    start: NaiveDate,
    end: NaiveDate,
) -> std::result::Result<Vec<InventoryViewRow>, DieselError> {
    let q = format!(
        "SELECT {NIGHT_COLS}, COALESCE(h.city, '') AS city FROM inventory i JOIN hotel h ON h.id = i.hotel_id
         WHERE i.room_id = $1 AND i.date BETWEEN $2 AND $3 ORDER BY i.date"
    );
    crate::prepared::sql(q)
        .bind::<BigInt, _>(i64::from(room_id))
        .bind::<Date, _>(start)
        .bind::<Date, _>(end)
        .load::<InventoryViewRow>(c)
        .await
}

pub(super) fn views(rows: Vec<InventoryViewRow>) -> Result<Vec<InventoryView>> {
    rows.into_iter()
        .map(|r| Ok(InventoryView { night: r.night.try_into()?, city: r.city, effective_price: Money::ZERO }))
        .collect()
}

/// Deletes the CANCELLED/EXPIRED bookings of a hotel or room, releasing the holds of expired-but-unswept ones
/// first so the counts stay consistent.
/// Whether any ended booking of the hotel/room still owes its guest a refund (PENDING, or FAILED and waiting
/// for an operator). Deleting it would drop the payment reference the refund needs.
pub(super) async fn refunds_owed(
    c: &mut AsyncPgConnection,
    column: &'static str,
    id: i64,
) -> std::result::Result<bool, DieselError> {
    let q = format!("SELECT count(*) AS n FROM booking WHERE {column} = $1 AND refund_status IN ('PENDING','FAILED')");
    Ok(crate::prepared::sql(q).bind::<BigInt, _>(id).get_result::<CountRow>(c).await?.n > 0)
}

pub(super) async fn release_and_delete_bookings(
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
