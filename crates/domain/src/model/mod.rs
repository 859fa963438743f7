//! Value types and aggregates.

pub mod booking;
pub mod catalog;
pub mod event;
pub mod ids;
pub mod local;
pub mod money;
pub mod offer;
pub mod policy;
pub mod rate_plan;
pub mod restriction;
pub mod revenue;
pub mod stay;
pub mod tax;
pub mod user;

pub use booking::*;
pub use catalog::*;
pub use event::*;
pub use ids::*;
pub use local::*;
pub use money::*;
pub use offer::*;
pub use policy::*;
pub use rate_plan::*;
pub use restriction::*;
pub use revenue::*;
pub use stay::*;
pub use tax::*;
pub use user::*;

/// A page request: `limit` rows starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Most rows to return (1..=200, default 50; the inventory list allows up to 366).
    pub limit: i64,
    /// Matching rows to skip first (0..=1000000, default 0).
    pub offset: i64,
}

impl Page {
    /// The default page of list endpoints.
    pub const DEFAULT: Page = Page { limit: 50, offset: 0 };
}

/// One page of results plus the number of matches before paging.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    /// The rows of the requested page, in the endpoint's order.
    pub items: Vec<T>,
    /// Matches before paging (the `X-Total-Count` header).
    pub total: i64,
}
