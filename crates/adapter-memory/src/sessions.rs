//! Checkout sessions of the simulated payment gateway.

use crate::InMemoryStore;
use async_trait::async_trait;
use domain::ports::{SimulatedSession, SimulatedSessionStore};
use domain::{Error, Result};

#[async_trait]
impl SimulatedSessionStore for InMemoryStore {
    async fn insert_session(&self, session: SimulatedSession) -> Result<()> {
        self.with(|st| {
            if st.sessions.contains_key(&session.id) {
                return Err(Error::Internal(format!("duplicate simulated session id {}", session.id)));
            }
            if !st.bookings.contains_key(&session.booking_id) {
                return Err(Error::BookingNotFound(session.booking_id));
            }
            st.sessions.insert(session.id.clone(), session);
            Ok(())
        })
    }

    async fn session(&self, id: &str) -> Result<Option<SimulatedSession>> {
        self.with(|st| Ok(st.sessions.get(id).cloned()))
    }

    async fn set_session_status(&self, id: &str, from: &str, to: &str) -> Result<bool> {
        self.with(|st| match st.sessions.get_mut(id) {
            Some(s) if s.status == from => {
                s.status = to.to_string();
                Ok(true)
            }
            _ => Ok(false),
        })
    }
}
