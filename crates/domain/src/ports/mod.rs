//! Driven ports, one module per port with its own message types. Each method is one atomic unit (one
//! database transaction in the PostgreSQL adapter). Every "MUST" here has a test in the shared contract suite
//! (`adapter-memory` and `adapter-postgres`).

mod auth;
mod bookings;
mod catalog;
mod clock;
mod events;
mod idempotency;
mod observer;
mod payments;
mod sessions;
mod users;

pub use auth::*;
pub use bookings::*;
pub use catalog::*;
pub use clock::*;
pub use events::*;
pub use idempotency::*;
pub use observer::*;
pub use payments::*;
pub use sessions::*;
pub use users::*;
