//! The outbox: events recorded with every change (in the change's own transaction, by the store), read back as
//! audit history, and handed to the relay that publishes them.

use crate::Result;
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The recorded events. Writing them is not a method: every write of the other ports records its events in the
/// same transaction (docs/EVENTS.md lists which).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventLog: Send + Sync {
    /// One aggregate's events, newest first.
    async fn aggregate_history(&self, aggregate: AggregateType, id: i64, page: Page) -> Result<Paged<StoredEvent>>;
    /// The events of a hotel and of everything in it that pass `filter`, newest first.
    async fn hotel_history(&self, hotel_id: HotelId, filter: HistoryFilter, page: Page) -> Result<Paged<StoredEvent>>;
    /// Events not yet published, in `seq` order, at most `limit`.
    async fn unpublished(&self, limit: i64) -> Result<Vec<StoredEvent>>;
    /// Marks events published at `at`; returns how many were still unmarked.
    async fn mark_published(&self, seqs: &[i64], at: DateTime<Utc>) -> Result<u64>;
    /// Deletes the events that occurred before `before` and were published, or whatever their state when
    /// `unpublished_too` (no relay: the outbox is history only). Returns how many.
    async fn prune_events(&self, before: DateTime<Utc>, unpublished_too: bool) -> Result<u64>;
}

/// The message broker the relay publishes to (NATS JetStream in production).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes `events` in this order, each under its `event_id` as the broker's message id; `Ok` once the
    /// broker stored every one (one it already had, by id, counts as stored). An error leaves the caller to try
    /// them all again.
    async fn publish(&self, events: &[StoredEvent]) -> Result<()>;
}
