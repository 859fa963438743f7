//! What the read model answers: search, hotel listings, quotes' room offers and calendars, each `None` when it
//! is not serving (the caller then asks the database), and [`Modelled`], the [`CatalogQueries`] that tries it
//! first.

use super::{HotelEntry, ReadModel};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::Result;
use domain::model::*;
use domain::plan::{rank_hits, room_search_price};
use domain::ports::CatalogQueries;
use domain::pricing::PricingPolicy;
use std::sync::Arc;

impl ReadModel {
    /// Search from memory, or `None` when the model is not serving.
    pub fn search(&self, q: &SearchQuery, policy: &PricingPolicy, now: DateTime<Utc>) -> Option<Paged<SearchHit>> {
        if !self.serving() {
            return None;
        }
        let m = self.model.read().ok()?;
        if q.stay.check_in() < m.base {
            return None;
        }
        let (check_in, check_out) = (q.stay.check_in(), q.stay.check_out());
        let mut hits = Vec::new();
        for id in m.by_city.get(&q.city.to_lowercase()).into_iter().flatten() {
            let Some(e) = m.hotels.get(id) else { continue };
            let today = e.hotel.time_zone.today(now);
            if !e.hotel.active || check_in < today {
                continue;
            }
            let best = e
                .rooms
                .iter()
                .filter_map(|r| {
                    let mut nights = r.unpacked(m.base, e.hotel.id, check_in, check_out);
                    let departure_closed = match nights.last() {
                        Some(n) if n.date == check_out => {
                            let closed = n.restrictions.closed_to_departure;
                            nights.pop();
                            closed
                        }
                        _ => false,
                    };
                    room_search_price(&r.room, &nights, departure_closed, &e.plans, q, policy, today)
                })
                .min();
            if let Some(price) = best {
                hits.push(SearchHit::of(&e.hotel, price));
            }
        }
        Some(rank_hits(hits, q.sort, q.page))
    }

    /// A hotel's listing from memory (`Some(None)`: no such hotel), or `None` when the model is not serving.
    pub fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Option<Option<HotelListing>> {
        self.with_hotel(hotel_id, stay.map(|s| s.check_in()), |base, e| HotelListing {
            hotel: e.hotel.clone(),
            rooms: e
                .rooms
                .iter()
                .map(|r| {
                    let nights = match stay {
                        Some(s) => r.unpacked(base, e.hotel.id, s.check_in(), s.check_out()),
                        None => Vec::new(),
                    };
                    (r.room.clone(), nights)
                })
                .collect(),
            plans: e.plans.clone(),
        })
    }

    /// A quote's room offer from memory, or `None` when the model is not serving.
    pub fn room_offer(&self, hotel_id: HotelId, room_id: RoomId, stay: Option<StayDates>) -> Option<Option<RoomOffer>> {
        self.offer_if(self.serving(), hotel_id, room_id, stay)
    }

    /// The room offer a hold starts from: from memory while the model follows the feed and has caught up with
    /// this replica's catalog writes ([`ReadModel::serves_holds`]), even while bookings made here are on their
    /// way back: the hold re-reads the hotel, the room and every night under its locks, and what it takes from
    /// the offer (the hotel's time zone, currency, taxes and policy, the room's rate plans) is as fresh as on any
    /// other replica (PERFORMANCE.md §9). `None` (ask the database) otherwise, and when the model does not hold
    /// the hotel and the room: one created a moment ago is never mistaken for a missing one.
    pub fn hold_offer(&self, hotel_id: HotelId, room_id: RoomId) -> Option<RoomOffer> {
        self.offer_if(self.serves_holds(), hotel_id, room_id, None).flatten().filter(|o| o.room.is_some())
    }

    fn offer_if(
        &self,
        gate: bool,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Option<Option<RoomOffer>> {
        self.with_hotel_if(gate, hotel_id, stay.map(|s| s.check_in()), |base, e| {
            let room = e.rooms.iter().find(|r| r.room.id == room_id);
            RoomOffer {
                hotel: e.hotel.clone(),
                room: room.map(|r| r.room.clone()),
                plans: if room.is_some() {
                    let mut plans: Vec<RatePlan> = e.plans.iter().filter(|p| p.room_id == room_id).cloned().collect();
                    plans.sort_by_key(|p| p.id);
                    plans
                } else {
                    Vec::new()
                },
                nights: match (room, stay) {
                    (Some(r), Some(s)) => r.unpacked(base, e.hotel.id, s.check_in(), s.check_out()),
                    _ => Vec::new(),
                },
            }
        })
    }

    /// A calendar from memory, or `None` when the model is not serving.
    pub fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Option<Option<HotelCalendar>> {
        self.with_hotel(hotel_id, Some(from), |base, e| HotelCalendar {
            hotel: e.hotel.clone(),
            rooms: e
                .rooms
                .iter()
                .map(|r| {
                    let plan = e.plans.iter().find(|p| p.room_id == r.room.id && p.is_default);
                    CalendarRoom {
                        room: r.room.clone(),
                        rate_plan_id: plan.map(|p| p.id),
                        price_rule: plan.map_or(PriceRule::BASE, |p| p.price_rule),
                        nights: r.unpacked(base, e.hotel.id, from, to),
                    }
                })
                .collect(),
        })
    }

    /// `f` over the hotel's entry when the model serves and holds the dates from `first` on.
    fn with_hotel<T>(
        &self,
        hotel_id: HotelId,
        first: Option<NaiveDate>,
        f: impl FnOnce(NaiveDate, &HotelEntry) -> T,
    ) -> Option<Option<T>> {
        self.with_hotel_if(self.serving(), hotel_id, first, f)
    }

    /// [`Self::with_hotel`] when `gate` holds.
    fn with_hotel_if<T>(
        &self,
        gate: bool,
        hotel_id: HotelId,
        first: Option<NaiveDate>,
        f: impl FnOnce(NaiveDate, &HotelEntry) -> T,
    ) -> Option<Option<T>> {
        if !gate {
            return None;
        }
        let m = self.model.read().ok()?;
        if first.is_some_and(|d| d < m.base) {
            return None;
        }
        Some(m.hotels.get(&hotel_id).map(|e| f(m.base, e)))
    }
}

/// Counts where a query was answered (`read_model_answers_total{query, from="memory"|"database"}`).
fn answered<T>(query: &'static str, answer: Option<T>) -> Option<T> {
    let from = if answer.is_some() { "memory" } else { "database" };
    metrics::counter!("read_model_answers_total", "query" => query, "from" => from).increment(1);
    answer
}

/// [`CatalogQueries`] answered by the model while it serves, by `inner` otherwise (and for everything else).
pub struct Modelled {
    pub model: Arc<ReadModel>,
    pub inner: Arc<dyn CatalogQueries>,
    /// Room offers are those of holds ([`ReadModel::hold_offer`]): the booking service's instance.
    pub holds: bool,
}

impl Modelled {
    /// Browse queries, quotes and search, with read-your-writes.
    pub fn new(model: Arc<ReadModel>, inner: Arc<dyn CatalogQueries>) -> Modelled {
        Modelled { model, inner, holds: false }
    }

    /// The booking service's: room offers for holds ([`ReadModel::hold_offer`]), the rest as [`Modelled::new`].
    pub fn for_holds(model: Arc<ReadModel>, inner: Arc<dyn CatalogQueries>) -> Modelled {
        Modelled { model, inner, holds: true }
    }
}

#[async_trait]
impl CatalogQueries for Modelled {
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        match answered("info", self.model.hotel_listing(hotel_id, stay)) {
            Some(found) => Ok(found),
            None => self.inner.hotel_listing(hotel_id, stay).await,
        }
    }

    async fn search(&self, query: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        match answered("search", self.model.search(&query, &policy, now)) {
            Some(page) => Ok(page),
            None => self.inner.search(query, policy, now).await,
        }
    }

    async fn report(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals> {
        self.inner.report(hotel_id, start, end).await
    }

    async fn room_offer(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>> {
        if self.holds && stay.is_none() {
            return match answered("hold", self.model.hold_offer(hotel_id, room_id)) {
                Some(offer) => Ok(Some(offer)),
                None => self.inner.room_offer(hotel_id, room_id, stay).await,
            };
        }
        match answered("quote", self.model.room_offer(hotel_id, room_id, stay)) {
            Some(found) => Ok(found),
            None => self.inner.room_offer(hotel_id, room_id, stay).await,
        }
    }

    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        match answered("calendar", self.model.calendar(hotel_id, from, to)) {
            Some(found) => Ok(found),
            None => self.inner.calendar(hotel_id, from, to).await,
        }
    }

    async fn calendars(&self, windows: &[(HotelId, NaiveDate, NaiveDate)]) -> Result<Vec<HotelCalendar>> {
        self.inner.calendars(windows).await
    }

    async fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts> {
        self.inner.revenue(hotel_id, start, end).await
    }

    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>> {
        self.inner.hotel_ids(after, limit).await
    }
}
