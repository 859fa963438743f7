#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod bookings;
mod catalog;
mod events;
mod guests;
mod idempotency;
mod inventory;
mod payments;
mod rate_plans;
mod search;
mod sessions;
mod state;
mod stays;
mod users;

use domain::{Error, Result};
use state::State;
use std::sync::{Arc, Mutex};

/// Every repository port, in memory. Share it as `Arc<InMemoryStore>` and coerce the `Arc` to each
/// `Arc<dyn Port>` the services need; all of them then see the same data.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    state: Mutex<State>,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store behind an `Arc`, ready to be handed out as several ports.
    pub fn shared() -> Arc<Self> {
        Arc::new(Self::new())
    }

    /// Runs `f` under the lock: the whole call is one atomic step, like one database transaction.
    fn with<T>(&self, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let mut state = self.state.lock().map_err(|_| Error::Internal("in-memory store lock poisoned".into()))?;
        f(&mut state)
    }

    /// [`Self::with`] for a manager's catalog write to the hotel `hotel_of` names (resolved before the write):
    /// then records the events of what it changed in that hotel.
    fn catalog_write<T>(
        &self,
        hotel_of: impl FnOnce(&State) -> Option<domain::model::HotelId>,
        now: chrono::DateTime<chrono::Utc>,
        f: impl FnOnce(&mut State) -> Result<T>,
    ) -> Result<T> {
        self.with(|st| {
            let Some(hotel) = hotel_of(st) else { return f(st) };
            let before = st.snapshot(hotel);
            let out = f(st)?;
            st.catalog_events(hotel, before, now);
            Ok(out)
        })
    }

    /// [`Self::with`] for a booking write by `actor`: then records the events of what it changed (kept even
    /// when `f` fails after writing, as a committed transaction's would be).
    fn write<T>(
        &self,
        actor: domain::model::EventActor,
        now: chrono::DateTime<chrono::Utc>,
        f: impl FnOnce(&mut State) -> Result<T>,
    ) -> Result<T> {
        self.with(|st| {
            let out = f(st);
            st.booking_events(actor, now);
            out
        })
    }
}
