//! Sessions of the simulated gateway.

use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Sessions of the simulated gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedSession {
    pub id: String,
    pub booking_id: i64,
    pub amount: Money,
    pub currency: String,
    pub status: String,
    pub expires_at: DateTime<Utc>,
}

/// Storage of the simulated gateway's sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SimulatedSessionStore: Send + Sync {
    /// Stores a new OPEN session.
    async fn insert_session(&self, session: SimulatedSession) -> Result<()>;
    /// A session by id.
    async fn session(&self, id: &str) -> Result<Option<SimulatedSession>>;
    /// Compare-and-set of the status: `true` if it was `from`.
    async fn set_session_status(&self, id: &str, from: &str, to: &str) -> Result<bool>;
}
