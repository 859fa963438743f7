//! Audit history: the outbox's events read back for a booking's owner and a hotel's owner.

use crate::model::*;
use crate::ports::{BookingRepository, CatalogRepository, EventLog};
use crate::{Error, Result};
use async_trait::async_trait;
use std::sync::Arc;

/// Reads the recorded events (docs/EVENTS.md).
pub struct HistoryService {
    bookings: Arc<dyn BookingRepository>,
    catalog: Arc<dyn CatalogRepository>,
    events: Arc<dyn EventLog>,
}

impl HistoryService {
    /// A history service over the stores.
    pub fn new(
        bookings: Arc<dyn BookingRepository>,
        catalog: Arc<dyn CatalogRepository>,
        events: Arc<dyn EventLog>,
    ) -> HistoryService {
        HistoryService { bookings, catalog, events }
    }

    /// A booking's events, newest first: its owner only (`BookingNotFound` for anyone else, as every booking
    /// endpoint answers).
    pub async fn booking_history(&self, user: &User, id: BookingId, page: Page) -> Result<Paged<StoredEvent>> {
        match self.bookings.booking(id).await? {
            Some(b) if b.user_id == user.id => {}
            _ => return Err(Error::BookingNotFound(id)),
        }
        self.events.aggregate_history(AggregateType::Booking, id.get(), page).await
    }

    /// A hotel's events (the hotel, its room types, rate plans, inventory and bookings), newest first, filtered:
    /// its owner only (`HotelNotFound`, then `NotOwner`, as every admin hotel endpoint answers).
    pub async fn hotel_history(
        &self,
        manager: &User,
        hotel_id: HotelId,
        filter: HistoryFilter,
        page: Page,
    ) -> Result<Paged<StoredEvent>> {
        super::require_manager(manager)?;
        let hotel = self.catalog.hotel(hotel_id).await?.ok_or_else(|| super::catalog::hotel_missing(hotel_id))?;
        if hotel.owner_id != manager.id {
            return Err(Error::NotOwner);
        }
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(Error::validation(&["query", "to"], "to must not be before from", "value_error"));
        }
        self.events.hotel_history(hotel_id, filter, page).await
    }
}

/// Audit history as the HTTP adapter calls it (docs/EVENTS.md); the use-case traits of the other services are in
/// `api.rs`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HistoryUseCases: Send + Sync {
    /// See [`HistoryService::booking_history`].
    async fn booking_history(&self, user: &User, id: BookingId, page: Page) -> Result<Paged<StoredEvent>>;
    /// See [`HistoryService::hotel_history`].
    async fn hotel_history(
        &self,
        manager: &User,
        hotel_id: HotelId,
        filter: HistoryFilter,
        page: Page,
    ) -> Result<Paged<StoredEvent>>;
}

#[async_trait]
impl HistoryUseCases for HistoryService {
    async fn booking_history(&self, user: &User, id: BookingId, page: Page) -> Result<Paged<StoredEvent>> {
        HistoryService::booking_history(self, user, id, page).await
    }
    async fn hotel_history(
        &self,
        manager: &User,
        hotel_id: HotelId,
        filter: HistoryFilter,
        page: Page,
    ) -> Result<Paged<StoredEvent>> {
        HistoryService::hotel_history(self, manager, hotel_id, filter, page).await
    }
}
