//! Accounts, refresh-token families and the login throttle.

use crate::InMemoryStore;
use crate::state::{RefreshRow, Throttle};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::model::UserId;
use domain::model::{Email, NewUser, ProfilePatch, RefreshTokenRecord, Role, RotateOutcome, User};
use domain::ports::{LoginAttempts, UserRepository};
use domain::{Error, Result};

#[async_trait]
impl UserRepository for InMemoryStore {
    async fn create_user(&self, user: NewUser) -> Result<User> {
        self.with(|st| {
            let key = user.email.as_str().to_string();
            if st.emails.contains_key(&key) {
                return Err(Error::EmailAlreadyRegistered);
            }
            let id = st.ids.user();
            let stored = User {
                id,
                email: user.email,
                password_hash: user.password_hash,
                name: user.name,
                date_of_birth: None,
                gender: None,
                roles: vec![Role::Guest],
            };
            st.emails.insert(key, id);
            st.users.insert(id, stored.clone());
            Ok(stored)
        })
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        self.with(|st| Ok(st.emails.get(email.as_str()).and_then(|id| st.users.get(id)).cloned()))
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.with(|st| Ok(st.users.get(&id).cloned()))
    }

    async fn update_profile(&self, id: UserId, patch: ProfilePatch) -> Result<Option<User>> {
        self.with(|st| {
            let Some(user) = st.users.get_mut(&id) else { return Ok(None) };
            user.name = patch.name.apply(user.name.take());
            user.date_of_birth = patch.date_of_birth.apply(user.date_of_birth);
            user.gender = patch.gender.apply(user.gender);
            Ok(Some(user.clone()))
        })
    }

    async fn set_password_hash(&self, id: UserId, hash: String) -> Result<()> {
        self.with(|st| {
            if let Some(user) = st.users.get_mut(&id) {
                user.password_hash = hash;
            }
            Ok(())
        })
    }

    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool> {
        self.with(|st| {
            let Some(user) = st.emails.get(email.as_str()).copied().and_then(|id| st.users.get_mut(&id)) else {
                return Ok(false);
            };
            user.roles = if manager { vec![Role::Guest, Role::HotelManager] } else { vec![Role::Guest] };
            Ok(true)
        })
    }

    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> Result<()> {
        self.with(|st| {
            if st.refresh_tokens.contains_key(&token.jti) {
                return Err(Error::Internal(format!("duplicate refresh token id {}", token.jti)));
            }
            let row = RefreshRow { record: token, rotated_at: None, replaced_by: None, revoked_at: None };
            st.refresh_tokens.insert(row.record.jti.clone(), row);
            Ok(())
        })
    }

    async fn rotate_refresh_token(
        &self,
        jti: &str,
        user_id: UserId,
        next: RefreshTokenRecord,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome> {
        self.with(|st| {
            st.saw(now);
            let Some(row) = st.refresh_tokens.get(jti) else { return Ok(RotateOutcome::Invalid) };
            if row.record.user_id != user_id || row.revoked_at.is_some() || row.record.expires_at <= now {
                return Ok(RotateOutcome::Invalid);
            }
            let family = row.record.family_id.clone();
            // A rotated token presented again, concurrently or later, is reuse: the family dies (no grace).
            if row.rotated_at.is_some() {
                for r in st.refresh_tokens.values_mut() {
                    if r.record.family_id == family && r.revoked_at.is_none() {
                        r.revoked_at = Some(now);
                    }
                }
                return Ok(RotateOutcome::Reused);
            }
            if st.refresh_tokens.contains_key(&next.jti) {
                return Err(Error::Internal(format!("duplicate refresh token id {}", next.jti)));
            }
            if let Some(r) = st.refresh_tokens.get_mut(jti) {
                r.rotated_at = Some(now);
                r.replaced_by = Some(next.jti.clone());
            }
            // The successor always joins the presented token's family, whatever the caller put there.
            let record = RefreshTokenRecord { family_id: family, user_id, ..next };
            let row = RefreshRow { record, rotated_at: None, replaced_by: None, revoked_at: None };
            st.refresh_tokens.insert(row.record.jti.clone(), row);
            Ok(RotateOutcome::Rotated)
        })
    }

    async fn revoke_refresh_family(&self, jti: &str, now: DateTime<Utc>) -> Result<()> {
        self.with(|st| {
            st.saw(now);
            let Some(family) = st.refresh_tokens.get(jti).map(|r| r.record.family_id.clone()) else { return Ok(()) };
            for r in st.refresh_tokens.values_mut() {
                if r.record.family_id == family && r.revoked_at.is_none() {
                    r.revoked_at = Some(now);
                }
            }
            Ok(())
        })
    }

    async fn count_login_attempt(&self, email: &Email, now: DateTime<Utc>, window_secs: i64) -> Result<LoginAttempts> {
        self.with(|st| {
            st.saw(now);
            let fresh = Throttle { window_started_at: now, failures: 1 };
            let t = st
                .login_throttle
                .entry(email.as_str().to_string())
                .and_modify(|t| {
                    if now >= t.window_started_at + Duration::seconds(window_secs) {
                        *t = fresh;
                    } else {
                        t.failures = t.failures.saturating_add(1).min(1_000_000);
                    }
                })
                .or_insert(fresh);
            Ok(LoginAttempts { attempts: t.failures, window_started_at: t.window_started_at })
        })
    }

    async fn reset_login_failures(&self, email: &Email) -> Result<()> {
        self.with(|st| {
            st.login_throttle.remove(email.as_str());
            Ok(())
        })
    }
}
