//! Rate plans (part of `CatalogRepository`): a room type's plans, its default plan created with the room.

use super::*;
use diesel::result::DatabaseErrorKind;

#[derive(diesel::QueryableByName)]
pub(super) struct RatePlanRow {
    #[diesel(sql_type = BigInt)]
    pub(super) id: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) hotel_id: i64,
    #[diesel(sql_type = BigInt)]
    pub(super) room_id: i64,
    #[diesel(sql_type = Text)]
    pub(super) name: String,
    #[diesel(sql_type = Text)]
    pub(super) code: String,
    #[diesel(sql_type = Text)]
    pub(super) meal_plan: String,
    #[diesel(sql_type = Text)]
    pub(super) price_rule: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub(super) min_stay: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub(super) max_stay: Option<i32>,
    #[diesel(sql_type = Bool)]
    pub(super) active: bool,
    #[diesel(sql_type = Bool)]
    pub(super) is_default: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) cancellation_policy: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub(super) created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub(super) updated_at: DateTime<Utc>,
}

const PLAN_COLS: &str = "id, hotel_id, room_id, name, code, meal_plan, price_rule, min_stay, max_stay, active, \
    is_default, cancellation_policy, created_at, updated_at";

impl TryFrom<RatePlanRow> for RatePlan {
    type Error = Error;
    fn try_from(r: RatePlanRow) -> Result<RatePlan> {
        let bad = |what: &str| Error::internal(format!("rate plan {}: stored {what} is invalid", r.id));
        let stay = |n: Option<i32>| n.map(u32::try_from).transpose().map_err(|_| bad("length of stay"));
        Ok(RatePlan {
            id: RatePlanId(r.id),
            hotel_id: HotelId(r.hotel_id),
            room_id: RoomId(r.room_id),
            meal_plan: MealPlan::parse(&r.meal_plan).ok_or_else(|| bad("meal plan"))?,
            price_rule: PriceRule::parse(&r.price_rule).ok_or_else(|| bad("price rule"))?,
            min_stay: stay(r.min_stay)?,
            max_stay: stay(r.max_stay)?,
            cancellation_policy: r.cancellation_policy.as_deref().map(cancellation_policy).transpose()?,
            name: r.name,
            code: r.code,
            active: r.active,
            is_default: r.is_default,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A unique violation of the room's plan codes is the client's `rate_plan_code_taken`.
fn code_taken(e: DieselError) -> TxError {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("rate_plan_code_unique") =>
        {
            TxError::Domain(Error::RatePlanCodeTaken)
        }
        _ => e.into(),
    }
}

fn stay_bind(n: Option<u32>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// Inserts a plan of the room `room_id` (of hotel `hotel_id`) inside the caller's transaction.
pub(super) async fn insert_rate_plan(
    c: &mut AsyncPgConnection,
    hotel_id: i64,
    room_id: i64,
    plan: &NewRatePlan,
    is_default: bool,
    now: DateTime<Utc>,
) -> std::result::Result<RatePlan, TxError> {
    let q = format!(
        "INSERT INTO rate_plan (hotel_id, room_id, name, code, meal_plan, price_rule, min_stay, max_stay, active,
                                is_default, cancellation_policy, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {PLAN_COLS}"
    );
    let row = crate::prepared::sql(q)
        .bind::<BigInt, _>(hotel_id)
        .bind::<BigInt, _>(room_id)
        .bind::<Text, _>(&plan.name)
        .bind::<Text, _>(&plan.code)
        .bind::<Text, _>(plan.meal_plan.as_str())
        .bind::<Text, _>(plan.price_rule.encode())
        .bind::<Nullable<Integer>, _>(stay_bind(plan.min_stay))
        .bind::<Nullable<Integer>, _>(stay_bind(plan.max_stay))
        .bind::<Bool, _>(plan.active || is_default)
        .bind::<Bool, _>(is_default)
        .bind::<Nullable<Text>, _>(plan.cancellation_policy.map(|p| p.encode()))
        .bind::<Timestamptz, _>(now)
        .get_result::<RatePlanRow>(c)
        .await
        .map_err(code_taken)?;
    Ok(RatePlan::try_from(row)?)
}

fn plan_missing(id: RatePlanId) -> TxError {
    TxError::Domain(Error::RatePlanNotFound(format!("Rate plan not found: {id}")))
}

impl PgStore {
    pub(super) async fn create_rate_plan_tx(
        &self,
        room_id: RoomId,
        plan: NewRatePlan,
        now: DateTime<Utc>,
    ) -> Result<RatePlan> {
        tx!(self, |c| {
            let hotel = crate::prepared::sql("SELECT hotel_id AS id FROM room WHERE id = $1")
                .bind::<BigInt, _>(i64::from(room_id))
                .get_result::<IdRow>(c)
                .await
                .optional()?
                .ok_or_else(|| TxError::Domain(Error::RoomNotFound(format!("Room not found with id: {room_id}"))))?;
            insert_rate_plan(c, hotel.id, room_id.get(), &plan, false, now).await
        })
    }

    pub(super) async fn rate_plan_tx(&self, id: RatePlanId) -> Result<Option<RatePlan>> {
        let mut conn = self.conn().await?;
        let row = crate::prepared::sql(format!("SELECT {PLAN_COLS} FROM rate_plan WHERE id = $1"))
            .bind::<BigInt, _>(id.get())
            .get_result::<RatePlanRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(RatePlan::try_from).transpose()
    }

    pub(super) async fn rate_plans_of_hotel_tx(&self, hotel_id: HotelId) -> Result<Vec<RatePlan>> {
        let mut conn = self.conn().await?;
        let rows = crate::prepared::sql(format!(
            "SELECT {PLAN_COLS} FROM rate_plan WHERE hotel_id = $1 ORDER BY room_id, is_default DESC, id"
        ))
        .bind::<BigInt, _>(hotel_id.get())
        .load::<RatePlanRow>(&mut conn)
        .await
        .map_err(db_error)?;
        rows.into_iter().map(RatePlan::try_from).collect()
    }

    pub(super) async fn update_rate_plan_tx(
        &self,
        id: RatePlanId,
        p: RatePlanPatch,
        now: DateTime<Utc>,
    ) -> Result<RatePlan> {
        tx!(self, |c| {
            let q = format!("SELECT {PLAN_COLS} FROM rate_plan WHERE id = $1 FOR UPDATE");
            let old = crate::prepared::sql(q)
                .bind::<BigInt, _>(id.get())
                .get_result::<RatePlanRow>(c)
                .await
                .optional()?
                .ok_or_else(|| plan_missing(id))?;
            let old = RatePlan::try_from(old)?;
            if old.is_default && p.active == Some(false) {
                return Err(TxError::Domain(Error::DefaultRatePlan));
            }
            let q = format!(
                "UPDATE rate_plan SET name = $2, code = $3, meal_plan = $4, price_rule = $5, min_stay = $6,
                    max_stay = $7, active = $8, cancellation_policy = $9, updated_at = $10
                 WHERE id = $1 RETURNING {PLAN_COLS}"
            );
            let row = crate::prepared::sql(q)
                .bind::<BigInt, _>(id.get())
                .bind::<Text, _>(p.name.as_deref().unwrap_or(&old.name))
                .bind::<Text, _>(p.code.as_deref().unwrap_or(&old.code))
                .bind::<Text, _>(p.meal_plan.unwrap_or(old.meal_plan).as_str())
                .bind::<Text, _>(p.price_rule.unwrap_or(old.price_rule).encode())
                .bind::<Nullable<Integer>, _>(stay_bind(p.min_stay.apply(old.min_stay)))
                .bind::<Nullable<Integer>, _>(stay_bind(p.max_stay.apply(old.max_stay)))
                .bind::<Bool, _>(p.active.unwrap_or(old.active))
                .bind::<Nullable<Text>, _>(p.cancellation_policy.apply(old.cancellation_policy).map(|c| c.encode()))
                .bind::<Timestamptz, _>(now)
                .get_result::<RatePlanRow>(c)
                .await
                .map_err(code_taken)?;
            Ok::<_, TxError>(RatePlan::try_from(row)?)
        })
    }

    pub(super) async fn delete_rate_plan_tx(&self, id: RatePlanId, now: DateTime<Utc>) -> Result<()> {
        tx!(self, |c| {
            let q = format!("SELECT {PLAN_COLS} FROM rate_plan WHERE id = $1 FOR UPDATE");
            let plan = crate::prepared::sql(q)
                .bind::<BigInt, _>(id.get())
                .get_result::<RatePlanRow>(c)
                .await
                .optional()?
                .ok_or_else(|| plan_missing(id))?;
            if plan.is_default {
                return Err(TxError::Domain(Error::DefaultRatePlan));
            }
            let q = format!("SELECT count(*) AS n FROM booking WHERE rate_plan_id = $1 AND {ACTIVE_BOOKING}");
            let n = crate::prepared::sql(q)
                .bind::<BigInt, _>(id.get())
                .bind::<Timestamptz, _>(now)
                .get_result::<CountRow>(c)
                .await?
                .n;
            if n > 0 {
                return Err(TxError::Domain(Error::HasActiveBookings("Rate plan has active bookings")));
            }
            crate::prepared::sql("DELETE FROM rate_plan WHERE id = $1").bind::<BigInt, _>(id.get()).execute(c).await?;
            Ok::<_, TxError>(())
        })
    }
}
