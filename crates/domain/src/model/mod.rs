//! Value types and aggregates.

pub mod booking;
pub mod catalog;
pub mod money;
pub mod stay;
pub mod user;

pub use booking::*;
pub use catalog::*;
pub use money::*;
pub use stay::*;
pub use user::*;

/// A page request: `limit` rows starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Page {
    /// The default page of list endpoints.
    pub const DEFAULT: Page = Page { limit: 50, offset: 0 };
}

/// One page of results plus the number of matches before paging.
#[derive(Debug, Clone, PartialEq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}
