//! Password hashing, tokens and webhook verification.

use super::payments::PaymentEvent;
use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Password hashing (argon2id); runs off the async executor.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password`.
    async fn hash(&self, password: String) -> Result<String>;
    /// Whether `password` matches `hash`; `needs_rehash` for legacy hashes.
    async fn verify(&self, password: String, hash: String) -> Result<PasswordCheck>;
}

/// Result of a password verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCheck {
    /// Whether the password matches the hash.
    pub valid: bool,
    /// The hash is a legacy (bcrypt) one: after a successful login, store a fresh argon2id hash.
    pub needs_rehash: bool,
}

/// Claims of a verified access token.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessClaims {
    /// The numeric `sub`; the user is then loaded, and its stored roles decide.
    pub user_id: UserId,
}

/// Claims of a verified refresh token.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshClaims {
    /// The numeric `sub`.
    pub user_id: UserId,
    /// The token's `jti`, the key of its stored [`RefreshTokenRecord`].
    pub jti: String,
}

/// An issued token pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPair {
    /// The signed access JWT (`type` = `access`).
    pub access_token: String,
    /// The signed refresh JWT (`type` = `refresh`), also set as the `refreshToken` cookie.
    pub refresh_token: String,
    /// Access-token lifetime in seconds, the `expires_in` of the login answer (`ACCESS_TOKEN_MINUTES × 60`).
    pub access_expires_in: i64,
    /// The refresh token's record, to store before the pair is handed out.
    pub refresh: RefreshTokenRecord,
}

/// Issues and verifies JWTs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Issues an access token and a refresh token of `family_id`.
    fn issue(&self, user: &User, family_id: &str, now: DateTime<Utc>) -> Result<TokenPair>;
    /// Verifies an access token: `InvalidToken` or `TokenExpired`.
    fn verify_access(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims>;
    /// Verifies a refresh token: `InvalidRefreshToken` on any failure.
    fn verify_refresh(&self, token: &str, now: DateTime<Utc>) -> Result<RefreshClaims>;
    /// A fresh random id (refresh families).
    fn new_id(&self) -> String;
}

/// Verifies and parses provider webhooks (signature first, then payload).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait WebhookVerifier: Send + Sync {
    /// `Error::InvalidSignature` for a missing, malformed, stale or unmatched signature; `Error::InvalidPayload`
    /// when a correctly signed body is not an event object.
    fn verify(&self, payload: &[u8], signature: Option<String>, now: DateTime<Utc>) -> Result<PaymentEvent>;
}
