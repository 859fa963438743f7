//! Accounts, refresh-token families, the login throttle and saved guests.

use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Accounts, refresh-token families and the login throttle.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user with roles `[GUEST]`. MUST return `Error::EmailAlreadyRegistered` when the
    /// normalised email exists, also when two signups race (exactly one wins).
    async fn create_user(&self, user: NewUser) -> Result<User>;
    /// The user with this normalised email.
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>>;
    /// The user with this id.
    async fn user_by_id(&self, id: UserId) -> Result<Option<User>>;
    /// Applies a profile patch; `None` when the user is gone.
    async fn update_profile(&self, id: UserId, patch: ProfilePatch) -> Result<Option<User>>;
    /// Replaces the stored password hash (re-hash on login).
    async fn set_password_hash(&self, id: UserId, hash: String) -> Result<()>;
    /// Grants or revokes `HOTEL_MANAGER`; `false` for an unknown email.
    async fn set_manager(&self, email: &Email, manager: bool) -> Result<bool>;

    /// Stores a freshly issued refresh token (a new family at login).
    async fn insert_refresh_token(&self, token: RefreshTokenRecord) -> Result<()>;
    /// Consumes `jti` of `user_id` and stores `next` in the same family, atomically. MUST give exactly one
    /// `Rotated` when the same token is presented concurrently; a token already rotated revokes its whole
    /// family and gives `Reused`; unknown, expired, revoked or foreign tokens give `Invalid`.
    async fn rotate_refresh_token(
        &self,
        jti: &str,
        user_id: UserId,
        next: RefreshTokenRecord,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome>;
    /// Revokes the family of `jti` (logout). Unknown tokens are ignored.
    async fn revoke_refresh_family(&self, jti: &str, now: DateTime<Utc>) -> Result<()>;

    /// Counts one login attempt for `email` *before* its password is checked and returns the attempts of the
    /// current window, this one included. A window older than `window_secs` restarts at `now` with this
    /// attempt. MUST be atomic: N concurrent calls for one email see N distinct counts, so a burst can never
    /// get more password checks than the limit.
    async fn count_login_attempt(&self, email: &Email, now: DateTime<Utc>, window_secs: i64) -> Result<LoginAttempts>;
    /// Clears the failures of `email` (after a success).
    async fn reset_login_failures(&self, email: &Email) -> Result<()>;
}

/// The login attempts of one email in its current lockout window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempts {
    /// Attempts counted in the window, the current one included.
    pub attempts: i32,
    /// When the window started.
    pub window_started_at: DateTime<Utc>,
}

impl LoginAttempts {
    /// Whole seconds (rounded up, at least 1) until the window of `window_secs` ends, when more than
    /// `max_attempts` were made in it; `None` while the attempt may be checked.
    pub fn locked_for(&self, now: DateTime<Utc>, window_secs: i64, max_attempts: i32) -> Option<u64> {
        if max_attempts <= 0 || self.attempts <= max_attempts {
            return None;
        }
        let left = self.window_started_at + chrono::Duration::seconds(window_secs) - now;
        let secs = left.num_seconds() + i64::from(left.subsec_nanos() > 0);
        // Concurrent requests read the clock at slightly different times: one that read it before the window
        // opened must not be told to wait longer than the window.
        Some(u64::try_from(secs.clamp(1, window_secs.max(1))).unwrap_or(1))
    }
}

/// Saved guests of a user.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GuestRepository: Send + Sync {
    /// Live guests of `user_id`, by id ascending.
    async fn list_guests(&self, user_id: UserId, page: Page) -> Result<Paged<Guest>>;
    /// Saves a guest. MUST fail with `Error::LimitExceeded` once the user has `MAX_SAVED_GUESTS` live guests.
    async fn create_guest(&self, user_id: UserId, guest: NewGuest) -> Result<Guest>;
    /// Updates a live guest of `user_id`; `None` when missing, deleted or foreign.
    async fn update_guest(&self, user_id: UserId, id: GuestId, patch: GuestPatch) -> Result<Option<Guest>>;
    /// Soft-deletes a live guest of `user_id`; `false` when missing, deleted or foreign.
    async fn delete_guest(&self, user_id: UserId, id: GuestId, now: DateTime<Utc>) -> Result<bool>;
}

#[cfg(test)]
mod tests {
    use super::LoginAttempts;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_wait_is_rounded_up_and_never_longer_than_the_window() {
        let start = Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap();
        let locked = LoginAttempts { attempts: 6, window_started_at: start };
        assert_eq!(locked.locked_for(start + Duration::milliseconds(500), 900, 5), Some(900));
        assert_eq!(locked.locked_for(start + Duration::seconds(899), 900, 5), Some(1));
        assert_eq!(locked.locked_for(start + Duration::seconds(950), 900, 5), Some(1));
        // A request that read the clock just before another one opened the window.
        assert_eq!(locked.locked_for(start - Duration::milliseconds(3), 900, 5), Some(900));
        assert_eq!(LoginAttempts { attempts: 5, ..locked }.locked_for(start, 900, 5), None);
    }
}
