//! Use-case services: the only API the HTTP adapter calls.

mod api;
mod auth;
mod booking;
mod catalog;
mod history;
mod offers;
mod relay;
mod simulated;

pub use api::*;
pub use auth::{AuthConfig, AuthService, LoginResult};
pub use booking::{BookingConfig, BookingService, PaymentStart, SweepReport};
pub use catalog::CatalogService;
#[cfg(any(test, feature = "mocks"))]
pub use history::MockHistoryUseCases;
pub use history::{HistoryService, HistoryUseCases};
pub use relay::{OutboxRelay, RelayRound};
pub use simulated::{SimulatedCheckout, SimulatedOutcome};

use crate::{Error, model::User};

/// Fails with `Forbidden` unless the user is a hotel manager.
pub fn require_manager(user: &User) -> Result<(), Error> {
    if user.is_manager() { Ok(()) } else { Err(Error::Forbidden) }
}
