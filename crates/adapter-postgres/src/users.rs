//! Accounts, refresh-token families, login throttle and saved guests.

use crate::rows::*;
use crate::{PgStore, TxError, db_error, tx};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use domain::model::*;
use domain::ports::{GuestRepository, LoginAttempts, UserRepository};
use domain::{Error, Result};

#[async_trait]
impl UserRepository for PgStore {
    async fn create_user(&self, user: NewUser) -> Result<User> {
        let mut conn = self.conn().await?;
        let q = format!("INSERT INTO app_user (email, password, name) VALUES ($1, $2, $3) RETURNING {USER_COLS}");
        let r = crate::prepared::sql(q)
            .bind::<Text, _>(user.email.as_str())
            .bind::<Text, _>(&user.password_hash)
            .bind::<Nullable<Text>, _>(user.name.as_deref())
            .get_result::<UserRow>(&mut conn)
            .await;
        match r {
            Ok(row) => row.try_into(),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Err(Error::EmailAlreadyRegistered)
            }
            Err(e) => Err(db_error(e)),
        }
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {USER_COLS} FROM app_user WHERE email = $1");
        let r = crate::prepared::sql(q)
            .bind::<Text, _>(email.as_str())
            .get_result::<UserRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        r.map(User::try_from).transpose()
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        let mut conn = self.conn().await?;
        let q = format!("SELECT {USER_COLS} FROM app_user WHERE id = $1");
        let r = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .get_result::<UserRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        r.map(User::try_from).transpose()
    }

    async fn update_profile(&self, id: UserId, patch: ProfilePatch) -> Result<Option<User>> {
        let mut conn = self.conn().await?;
        let q = format!(
            "UPDATE app_user SET
                name = CASE WHEN $2 THEN $3 ELSE name END,
                date_of_birth = CASE WHEN $4 THEN $5 ELSE date_of_birth END,
                gender = CASE WHEN $6 THEN $7::gender ELSE gender END
             WHERE id = $1 RETURNING {USER_COLS}"
        );
        let (set_name, name) = split(patch.name);
        let (set_dob, dob) = split(patch.date_of_birth);
        let (set_gender, gender) = split(patch.gender);
        let r = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Bool, _>(set_name)
            .bind::<Nullable<Text>, _>(name)
            .bind::<Bool, _>(set_dob)
            .bind::<Nullable<Date>, _>(dob)
            .bind::<Bool, _>(set_gender)
            .bind::<Nullable<Text>, _>(gender.map(|g| g.as_str()))
            .get_result::<UserRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        r.map(User::try_from).transpose()
    }

    async fn set_password_hash(&self, id: UserId, hash: String) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql("UPDATE app_user SET password = $2 WHERE id = $1")
            .bind::<BigInt, _>(i64::from(id))
            .bind::<Text, _>(hash)
            .execute(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE app_user SET roles = CASE WHEN $2 THEN ARRAY['GUEST','HOTEL_MANAGER']::varchar[]
                                              ELSE ARRAY['GUEST']::varchar[] END
             WHERE email = $1",
        )
        .bind::<Text, _>(email.as_str())
        .bind::<Bool, _>(manager)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(n == 1)
    }

    async fn insert_refresh_token(&self, t: RefreshTokenRecord) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "INSERT INTO refresh_token (jti, family_id, user_id, issued_at, expires_at)
             VALUES ($1::uuid, $2::uuid, $3, $4, $5)",
        )
        .bind::<Text, _>(&t.jti)
        .bind::<Text, _>(&t.family_id)
        .bind::<BigInt, _>(i64::from(t.user_id))
        .bind::<Timestamptz, _>(t.issued_at)
        .bind::<Timestamptz, _>(t.expires_at)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        jti: &str,
        user_id: UserId,
        next: RefreshTokenRecord,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome> {
        if uuid::Uuid::parse_str(jti).is_err() {
            return Ok(RotateOutcome::Invalid);
        }
        tx!(self, |c| {
            let row = crate::prepared::sql(
                "SELECT family_id::text AS family_id, user_id, expires_at, rotated_at, revoked_at
                 FROM refresh_token WHERE jti = $1::uuid FOR UPDATE",
            )
            .bind::<Text, _>(jti)
            .get_result::<TokenRow>(c)
            .await
            .optional()?;
            let Some(row) = row else { return Ok(RotateOutcome::Invalid) };
            if row.user_id != user_id.get() || row.revoked_at.is_some() || row.expires_at <= now {
                return Ok(RotateOutcome::Invalid);
            }
            if row.rotated_at.is_some() {
                // A rotated token presented again, concurrently or later, is reuse: the family dies (no grace).
                crate::prepared::sql(
                    "UPDATE refresh_token SET revoked_at = $2 WHERE family_id = $1::uuid AND revoked_at IS NULL",
                )
                .bind::<Text, _>(&row.family_id)
                .bind::<Timestamptz, _>(now)
                .execute(c)
                .await?;
                return Ok(RotateOutcome::Reused);
            }
            crate::prepared::sql(
                "UPDATE refresh_token SET rotated_at = $2, replaced_by = $3::uuid WHERE jti = $1::uuid",
            )
            .bind::<Text, _>(jti)
            .bind::<Timestamptz, _>(now)
            .bind::<Text, _>(&next.jti)
            .execute(c)
            .await?;
            crate::prepared::sql(
                "INSERT INTO refresh_token (jti, family_id, user_id, issued_at, expires_at)
                 VALUES ($1::uuid, $2::uuid, $3, $4, $5)",
            )
            .bind::<Text, _>(&next.jti)
            .bind::<Text, _>(&row.family_id)
            .bind::<BigInt, _>(i64::from(user_id))
            .bind::<Timestamptz, _>(next.issued_at)
            .bind::<Timestamptz, _>(next.expires_at)
            .execute(c)
            .await?;
            Ok::<_, TxError>(RotateOutcome::Rotated)
        })
    }

    async fn revoke_refresh_family(&self, jti: &str, now: DateTime<Utc>) -> Result<()> {
        if uuid::Uuid::parse_str(jti).is_err() {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        crate::prepared::sql(
            "UPDATE refresh_token SET revoked_at = $2
             WHERE family_id = (SELECT family_id FROM refresh_token WHERE jti = $1::uuid) AND revoked_at IS NULL",
        )
        .bind::<Text, _>(jti)
        .bind::<Timestamptz, _>(now)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn count_login_attempt(&self, email: &Email, now: DateTime<Utc>, window_secs: i64) -> Result<LoginAttempts> {
        let mut conn = self.conn().await?;
        // One statement: the row lock of the upsert serialises concurrent attempts, each sees its own count.
        let row = crate::prepared::sql(
            "INSERT INTO login_throttle (email, window_started_at, failures) VALUES ($1, $2, 1)
             ON CONFLICT (email) DO UPDATE SET
               failures = CASE WHEN login_throttle.window_started_at + make_interval(secs => $3) <= $2
                               THEN 1 ELSE LEAST(login_throttle.failures + 1, 1000000) END,
               window_started_at = CASE WHEN login_throttle.window_started_at + make_interval(secs => $3) <= $2
                               THEN $2 ELSE login_throttle.window_started_at END
             RETURNING window_started_at, failures",
        )
        .bind::<Text, _>(email.as_str())
        .bind::<Timestamptz, _>(now)
        .bind::<diesel::sql_types::Double, _>(window_secs as f64)
        .get_result::<ThrottleRow>(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(LoginAttempts { attempts: row.failures, window_started_at: row.window_started_at })
    }

    async fn reset_login_failures(&self, email: &Email) -> Result<()> {
        let mut conn = self.conn().await?;
        crate::prepared::sql("DELETE FROM login_throttle WHERE email = $1")
            .bind::<Text, _>(email.as_str())
            .execute(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

/// (is set, value) for `CASE WHEN $set THEN $value ELSE column END`.
pub(crate) fn split<T>(p: Patch<Option<T>>) -> (bool, Option<T>) {
    match p {
        Patch::Keep => (false, None),
        Patch::Set(v) => (true, v),
    }
}

#[async_trait]
impl GuestRepository for PgStore {
    async fn list_guests(&self, user_id: UserId, page: Page) -> Result<Paged<Guest>> {
        let mut conn = self.conn().await?;
        let total = crate::prepared::sql("SELECT count(*) AS n FROM guest WHERE user_id = $1 AND deleted_at IS NULL")
            .bind::<BigInt, _>(i64::from(user_id))
            .get_result::<CountRow>(&mut conn)
            .await
            .map_err(db_error)?
            .n;
        let q = format!(
            "SELECT {GUEST_COLS} FROM guest g WHERE g.user_id = $1 AND g.deleted_at IS NULL ORDER BY g.id LIMIT $2 OFFSET $3"
        );
        let rows = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(user_id))
            .bind::<BigInt, _>(page.limit)
            .bind::<BigInt, _>(page.offset)
            .load::<GuestRow>(&mut conn)
            .await
            .map_err(db_error)?;
        Ok(Paged { items: rows.into_iter().map(Guest::try_from).collect::<Result<_>>()?, total })
    }

    async fn create_guest(&self, user_id: UserId, guest: NewGuest) -> Result<Guest> {
        tx!(self, |c| {
            // Serialise guest creation per user so the limit holds under concurrency.
            crate::prepared::sql("SELECT id FROM app_user WHERE id = $1 FOR UPDATE")
                .bind::<BigInt, _>(i64::from(user_id))
                .get_result::<IdRow>(c)
                .await?;
            let n = crate::prepared::sql("SELECT count(*) AS n FROM guest WHERE user_id = $1 AND deleted_at IS NULL")
                .bind::<BigInt, _>(i64::from(user_id))
                .get_result::<CountRow>(c)
                .await?
                .n;
            if n >= MAX_SAVED_GUESTS {
                return Err(TxError::Domain(Error::LimitExceeded("At most 200 saved guests")));
            }
            let q = format!(
                "INSERT INTO guest AS g (user_id, name, gender, age) VALUES ($1, $2, $3::gender, $4) RETURNING {GUEST_COLS}"
            );
            let row = crate::prepared::sql(q)
                .bind::<BigInt, _>(i64::from(user_id))
                .bind::<Text, _>(&guest.name)
                .bind::<Text, _>(guest.gender.as_str())
                .bind::<Nullable<Integer>, _>(guest.age)
                .get_result::<GuestRow>(c)
                .await?;
            Ok::<_, TxError>(Guest::try_from(row)?)
        })
    }

    async fn update_guest(&self, user_id: UserId, id: GuestId, patch: GuestPatch) -> Result<Option<Guest>> {
        let mut conn = self.conn().await?;
        let (set_age, age) = split(patch.age);
        let q = format!(
            "UPDATE guest AS g SET name = COALESCE($3, g.name), gender = COALESCE($4::gender, g.gender),
                    age = CASE WHEN $5 THEN $6 ELSE g.age END
             WHERE g.id = $1 AND g.user_id = $2 AND g.deleted_at IS NULL RETURNING {GUEST_COLS}"
        );
        let row = crate::prepared::sql(q)
            .bind::<BigInt, _>(i64::from(id))
            .bind::<BigInt, _>(i64::from(user_id))
            .bind::<Nullable<Text>, _>(patch.name)
            .bind::<Nullable<Text>, _>(patch.gender.map(|g| g.as_str()))
            .bind::<Bool, _>(set_age)
            .bind::<Nullable<Integer>, _>(age)
            .get_result::<GuestRow>(&mut conn)
            .await
            .optional()
            .map_err(db_error)?;
        row.map(Guest::try_from).transpose()
    }

    async fn delete_guest(&self, user_id: UserId, id: GuestId, now: DateTime<Utc>) -> Result<bool> {
        let mut conn = self.conn().await?;
        let n = crate::prepared::sql(
            "UPDATE guest SET deleted_at = $3 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        )
        .bind::<BigInt, _>(i64::from(id))
        .bind::<BigInt, _>(i64::from(user_id))
        .bind::<Timestamptz, _>(now)
        .execute(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(n == 1)
    }
}
