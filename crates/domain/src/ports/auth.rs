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
    pub valid: bool,
    pub needs_rehash: bool,
}

/// Claims of a verified access token.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessClaims {
    pub user_id: i64,
}

/// Claims of a verified refresh token.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshClaims {
    pub user_id: i64,
    pub jti: String,
}

/// An issued token pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_in: i64,
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
