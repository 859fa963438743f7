//! Sessions of the simulated gateway.

use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Sessions of the simulated gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedSession {
    /// `sim_cs_` + 32 random hex characters; the unguessable capability in the page's URL.
    pub id: String,
    /// The booking being paid.
    pub booking_id: BookingId,
    /// The booking's frozen amount.
    pub amount: Money,
    /// The booking's upper-case currency.
    pub currency: String,
    /// `OPEN`, `COMPLETE`, `CANCELLED` or `EXPIRED`; an OPEN session past `expires_at` counts as EXPIRED.
    pub status: String,
    /// When the session stops accepting Pay.
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
