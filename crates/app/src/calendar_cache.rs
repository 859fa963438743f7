//! A per-replica cache of hotel calendars, kept coherent by the database's change feed.
//!
//! `GET /hotels/{id}/calendar` is a browse read that front ends poll while a guest moves through months. A miss
//! reads the hotel's whole inventory window in one query and keeps it compactly (32 bytes a night); hits cut any
//! range out of it. Two ways keep it true:
//!
//! - **The change feed** (PostgreSQL: `adapter_postgres::changes`): every committed change to a hotel's settings,
//!   room types, rate plans or nights (prices, restrictions, rooms held or booked) drops that hotel's entry as soon
//!   as the notification arrives (milliseconds after the commit), so the next request reads the new state. A read
//!   that raced with a change is answered but not kept. While the feed is live an entry otherwise lives
//!   [`FEED_TTL`] (a safety net, refreshed in the background).
//! - **Expiry** (`CALENDAR_CACHE_MS`, default 3000 ms; 0 turns the cache off), whenever the feed is not live (lost
//!   connection, or a store without a feed such as the in-memory one): past the TTL an entry still answers (until
//!   twice the TTL) while one background read replaces it, so a calendar is at most `2 × CALENDAR_CACHE_MS` (plus
//!   one read) behind the database.
//!
//! Quotes, hotel info, search and every booking write never go through it, and init re-checks availability under
//! its row locks. The cache keeps at most [`MAX_CACHED_NIGHTS`] nights (about 32 MB); past that, expired hotels
//! are dropped first, then everything.

use crate::packed::Night;
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::Result;
use domain::model::*;
use domain::ports::CatalogQueries;
use domain::pricing::PricingPolicy;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How long an entry lives while the change feed is live (changes drop entries as they happen; this only bounds
/// the damage of a notification that never came).
pub const FEED_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Most nights kept across all cached hotels.
pub const MAX_CACHED_NIGHTS: usize = 1_000_000;

struct Room {
    room: domain::model::Room,
    rate_plan_id: Option<RatePlanId>,
    price_rule: PriceRule,
    nights: Vec<Night>,
}

struct Entry {
    at: Instant,
    from: NaiveDate,
    to: NaiveDate,
    hotel: Hotel,
    rooms: Vec<Room>,
    nights: usize,
}

impl Entry {
    /// Packs a calendar read; `Err` gives it back when a value does not fit the compact form.
    fn pack(cal: HotelCalendar, from: NaiveDate, to: NaiveDate) -> std::result::Result<Entry, Box<HotelCalendar>> {
        let mut packed_rooms = Vec::with_capacity(cal.rooms.len());
        for r in &cal.rooms {
            match r.nights.iter().map(|n| Night::pack(from, n)).collect::<Option<Vec<_>>>() {
                Some(p) => packed_rooms.push(p),
                None => return Err(Box::new(cal)),
            }
        }
        let nights = packed_rooms.iter().map(Vec::len).sum();
        let rooms = cal
            .rooms
            .into_iter()
            .zip(packed_rooms)
            .map(|(r, p)| Room { room: r.room, rate_plan_id: r.rate_plan_id, price_rule: r.price_rule, nights: p })
            .collect();
        Ok(Entry { at: Instant::now(), from, to, hotel: cal.hotel, rooms, nights })
    }

    fn slice(&self, from: NaiveDate, to: NaiveDate) -> HotelCalendar {
        let rooms = self
            .rooms
            .iter()
            .map(|r| CalendarRoom {
                room: r.room.clone(),
                rate_plan_id: r.rate_plan_id,
                price_rule: r.price_rule,
                nights: {
                    // Nights are kept in date order: cut the range out before unpacking anything.
                    let day = |d: NaiveDate| (d - self.from).num_days().clamp(0, i64::from(u16::MAX)) as u16;
                    let lo = r.nights.partition_point(|n| n.day < day(from));
                    let hi = r.nights.partition_point(|n| n.day <= day(to));
                    r.nights[lo..hi.max(lo)].iter().map(|n| n.unpack(self.from, self.hotel.id, r.room.id)).collect()
                },
            })
            .collect();
        HotelCalendar { hotel: self.hotel.clone(), rooms }
    }
}

#[derive(Default)]
struct State {
    hotels: HashMap<HotelId, Arc<Entry>>,
    nights: usize,
    /// Hotels whose refresh is running (one at a time per hotel).
    refreshing: std::collections::HashSet<HotelId>,
    /// Bumped by every change told for a hotel / for everything: a read that started before a change is not kept.
    epochs: HashMap<HotelId, u64>,
    epoch_all: u64,
}

impl State {
    fn epoch(&self, hotel_id: HotelId) -> (u64, u64) {
        (self.epoch_all, self.epochs.get(&hotel_id).copied().unwrap_or(0))
    }

    fn drop_hotel(&mut self, hotel_id: HotelId) {
        if let Some(old) = self.hotels.remove(&hotel_id) {
            self.nights -= old.nights;
        }
        *self.epochs.entry(hotel_id).or_default() += 1;
    }

    fn drop_all(&mut self) {
        self.hotels.clear();
        self.nights = 0;
        self.epochs.clear();
        self.epoch_all += 1;
    }

    fn keep(&mut self, hotel_id: HotelId, entry: Arc<Entry>, ttl: std::time::Duration) {
        if let Some(old) = self.hotels.remove(&hotel_id) {
            self.nights -= old.nights;
        }
        if self.nights + entry.nights > MAX_CACHED_NIGHTS {
            self.hotels.retain(|_, e| e.at.elapsed() < 2 * ttl);
            self.nights = self.hotels.values().map(|e| e.nights).sum();
            if self.nights + entry.nights > MAX_CACHED_NIGHTS {
                self.hotels.clear();
                self.nights = 0;
            }
        }
        self.nights += entry.nights;
        self.hotels.insert(hotel_id, entry);
    }
}

/// What a lookup found.
enum Lookup {
    /// Younger than the TTL.
    Fresh(Arc<Entry>),
    /// Older than the TTL but younger than twice it: served while one refresh runs in the background.
    Stale(Arc<Entry>, bool),
    Miss,
}

/// [`CatalogQueries`] with cached calendars; every other query goes straight to `inner`.
pub struct CalendarCache {
    inner: Arc<dyn CatalogQueries>,
    ttl: std::time::Duration,
    state: Arc<Mutex<State>>,
    feed: Arc<AtomicBool>,
}

/// The change feed's end of a [`CalendarCache`] (see [`CalendarCache::invalidator`]).
#[derive(Clone)]
pub struct Invalidator {
    state: Arc<Mutex<State>>,
    feed: Arc<AtomicBool>,
}

impl adapter_postgres::CatalogListener for Invalidator {
    fn feed(&self, live: bool) {
        self.feed.store(live, Ordering::SeqCst);
    }

    fn changed(&self, change: adapter_postgres::CatalogChange) {
        let Ok(mut st) = self.state.lock() else { return };
        match change {
            adapter_postgres::CatalogChange::Hotels(changes) => changes.iter().for_each(|c| st.drop_hotel(c.hotel_id)),
            adapter_postgres::CatalogChange::All | adapter_postgres::CatalogChange::Nights(..) => st.drop_all(),
            adapter_postgres::CatalogChange::Counts(c) => st.drop_hotel(c.hotel_id),
            adapter_postgres::CatalogChange::Sync(_) => {}
        }
    }
}

impl CalendarCache {
    /// Caches `inner`'s calendars for `ttl` (zero: no caching). An entry older than `ttl` is still answered, at
    /// most until `2 × ttl`, while one background read replaces it, so no request waits on a refresh; a calendar
    /// is therefore at most `2 × ttl` (plus one read) behind the database.
    pub fn new(inner: Arc<dyn CatalogQueries>, ttl: std::time::Duration) -> Self {
        CalendarCache {
            inner,
            ttl,
            state: Arc::new(Mutex::new(State::default())),
            feed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The handle the change feed drives: while it says the feed is live, entries live [`FEED_TTL`] unless a
    /// change drops them; otherwise they expire after the TTL given to [`CalendarCache::new`].
    pub fn invalidator(&self) -> Invalidator {
        Invalidator { state: self.state.clone(), feed: self.feed.clone() }
    }

    fn current_ttl(&self) -> std::time::Duration {
        if self.feed.load(Ordering::Relaxed) { FEED_TTL.max(self.ttl) } else { self.ttl }
    }

    /// The dates a miss reads: every hotel's inventory window, whatever its zone (a day either side of UTC's).
    fn window(now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
        let today = now.date_naive();
        (today - Duration::days(1), today + Duration::days(INVENTORY_WINDOW_DAYS + 1))
    }

    fn lookup(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Lookup {
        let Ok(mut st) = self.state.lock() else { return Lookup::Miss };
        let Some(e) = st.hotels.get(&hotel_id).cloned() else { return Lookup::Miss };
        if !(e.from <= from && to <= e.to) {
            return Lookup::Miss;
        }
        let age = e.at.elapsed();
        let ttl = self.current_ttl();
        if age < ttl {
            Lookup::Fresh(e)
        } else if age < 2 * ttl {
            let start_refresh = st.refreshing.insert(hotel_id);
            Lookup::Stale(e, start_refresh)
        } else {
            Lookup::Miss
        }
    }

    /// Reads the hotel's window and keeps it; `None` when the hotel does not exist (nothing is kept).
    async fn load(
        inner: &dyn CatalogQueries,
        state: &Mutex<State>,
        ttl: std::time::Duration,
        hotel_id: HotelId,
    ) -> Result<Option<std::result::Result<Arc<Entry>, Box<HotelCalendar>>>> {
        let (start, end) = Self::window(Utc::now());
        let before = state.lock().map(|st| st.epoch(hotel_id)).ok();
        let Some(cal) = inner.calendar(hotel_id, start, end).await? else { return Ok(None) };
        let entry = Entry::pack(cal, start, end).map(Arc::new);
        if let (Ok(e), Ok(mut st)) = (&entry, state.lock()) {
            // A change told while reading may be missing from what was read: answer it, do not keep it.
            if before == Some(st.epoch(hotel_id)) {
                st.keep(hotel_id, e.clone(), ttl);
            }
        }
        Ok(Some(entry))
    }

    /// Hotels and nights held now (for tests and diagnostics).
    pub fn size(&self) -> (usize, usize) {
        self.state.lock().map(|st| (st.hotels.len(), st.nights)).unwrap_or((0, 0))
    }
}

#[async_trait]
impl CatalogQueries for CalendarCache {
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        self.inner.hotel_listing(hotel_id, stay).await
    }

    async fn search(&self, query: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        self.inner.search(query, policy, now).await
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
        self.inner.room_offer(hotel_id, room_id, stay).await
    }

    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        let (start, end) = Self::window(Utc::now());
        if self.ttl.is_zero() || from < start || to > end {
            return self.inner.calendar(hotel_id, from, to).await;
        }
        match self.lookup(hotel_id, from, to) {
            Lookup::Fresh(e) => return Ok(Some(e.slice(from, to))),
            Lookup::Stale(e, start_refresh) => {
                if start_refresh {
                    let (inner, state, ttl) = (self.inner.clone(), self.state.clone(), self.current_ttl());
                    tokio::spawn(async move {
                        // A failed refresh leaves the stale entry to expire; the next request then reads itself.
                        let _ = Self::load(&*inner, &state, ttl, hotel_id).await;
                        if let Ok(mut st) = state.lock() {
                            st.refreshing.remove(&hotel_id);
                        }
                    });
                }
                return Ok(Some(e.slice(from, to)));
            }
            Lookup::Miss => {}
        }
        let Some(entry) = Self::load(&*self.inner, &self.state, self.current_ttl(), hotel_id).await? else {
            return Ok(None);
        };
        Ok(Some(match entry {
            Ok(e) => e.slice(from, to),
            // Values the compact form cannot hold: answer from what was read, uncached.
            Err(cal) => HotelCalendar {
                hotel: cal.hotel,
                rooms: cal
                    .rooms
                    .into_iter()
                    .map(|mut r| {
                        r.nights.retain(|n| n.date >= from && n.date <= to);
                        r
                    })
                    .collect(),
            },
        }))
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

#[cfg(test)]
mod tests;
