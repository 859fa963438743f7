//! The model's state, the feed's coherence and read-your-writes are here; reading the catalog into it (the full
//! load, a hotel, changed nights) is in `load.rs`, the answers in `queries.rs`, the tests apart.
//!
//! A replica's read model of the catalog: every hotel, room type, rate plan and inventory night from yesterday on,
//! held in memory (32 bytes a night) and kept coherent by the database's change feed, so that search, hotel info,
//! quotes and calendars are answered without a database round trip.
//!
//! **Loading.** At start (and whenever the feed reconnects, since notifications may have been missed) the model
//! pages through every hotel ([`CatalogQueries::hotel_ids`]) and reads each one's rooms, plans and nights (two
//! queries a hotel). Until that completes, and whenever the feed is down, it answers nothing and every query goes
//! to the database as before.
//!
//! **Coherence.** The feed (`adapter_postgres::changes`) tells which hotels changed and, for inventory, which dates:
//! one task re-reads exactly those nights (one query per hotel, coalescing what piled up meanwhile) or, for a
//! hotel, room type or plan change, the whole hotel. A hold's notice carries its nights' counts after it, which are
//! applied as they are, with no read (they are read back only when the model lacks one of those nights). Another
//! replica's change is therefore visible here after the notification's delivery plus at most one read (the bound
//! `make bench` measures).
//!
//! **Read your writes.** Every write request served by this replica ([`ReadModel::local_write`], called for each
//! non-GET request) makes the model step aside until it has caught up with that write: it sends a marker down the
//! feed ([`adapter_postgres::PgStore::notify_catalog_sync`]); notifications arrive in commit order, so once the
//! marker is back and everything before it applied, the write is in the model. Meanwhile queries go to the
//! database. A client that writes and then reads on the same replica never sees the model behind its write.
//!
//! Booking never trusts it: init re-checks every night under the rows' locks. Names sort by the code points of
//! their lower-cased form (the `C` collation, which the schema's databases use).

use crate::packed::Night;
use adapter_postgres::{CatalogChange, CatalogListener, NightCounts};
use async_trait::async_trait;
use chrono::{Duration, NaiveDate, Utc};
use domain::model::*;
use domain::ports::{CatalogQueries, CatalogRepository};
use domain::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Most nights the model holds (about 96 MB); a larger catalog is not modelled (every query goes to the database).
pub const MAX_MODEL_NIGHTS: usize = 3_000_000;
/// How far ahead of its first night the model reads a hotel's inventory (far past the 365-day window).
const HORIZON_DAYS: i64 = 3 * 366;
/// Hotels whose changed nights one query re-reads.
const NIGHTS_BATCH: usize = 200;

/// What the model needs from the database: the catalog queries and the hotel's rate plans.
pub trait ModelSource: CatalogQueries + CatalogRepository {}
impl<T: CatalogQueries + CatalogRepository> ModelSource for T {}

/// Sends the feed's sync marker (PostgreSQL: `notify_catalog_sync`).
#[async_trait]
pub trait SyncMarker: Send + Sync {
    async fn send(&self, token: u64) -> Result<()>;
}

#[async_trait]
impl SyncMarker for adapter_postgres::PgStore {
    async fn send(&self, token: u64) -> Result<()> {
        self.notify_catalog_sync(token).await
    }
}

/// A room's nights packed against `base` (an error names the hotel when one does not fit).
fn pack(base: NaiveDate, hotel_id: HotelId, nights: &[InventoryNight]) -> Result<Vec<Night>> {
    nights
        .iter()
        .map(|n| Night::pack(base, n))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Error::internal(format!("hotel {hotel_id}: a night the read model cannot hold")))
}

struct RoomEntry {
    room: Room,
    /// In date order; `day` counts from the model's base date.
    nights: Vec<Night>,
}

impl RoomEntry {
    fn range(&self, base: NaiveDate, from: NaiveDate, to: NaiveDate) -> &[Night] {
        let day = |d: NaiveDate| (d - base).num_days();
        let (lo, hi) = (day(from), day(to));
        if hi < 0 || lo > hi {
            return &[];
        }
        let start = self.nights.partition_point(|n| i64::from(n.day) < lo);
        let end = self.nights.partition_point(|n| i64::from(n.day) <= hi);
        &self.nights[start..end.max(start)]
    }

    fn unpacked(&self, base: NaiveDate, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Vec<InventoryNight> {
        self.range(base, from, to).iter().map(|n| n.unpack(base, hotel_id, self.room.id)).collect()
    }
}

struct HotelEntry {
    hotel: Hotel,
    /// By room id.
    rooms: Vec<RoomEntry>,
    /// As `rate_plans_of_hotel` gives them (by room, the default first, then id).
    plans: Vec<RatePlan>,
}

impl HotelEntry {
    fn nights(&self) -> usize {
        self.rooms.iter().map(|r| r.nights.len()).sum()
    }
}

#[derive(Default)]
struct Model {
    /// Night `day` 0; nights before it are not held.
    base: NaiveDate,
    hotels: HashMap<HotelId, HotelEntry>,
    /// Lower-cased city → its hotels.
    by_city: HashMap<String, Vec<HotelId>>,
    nights: usize,
}

impl Model {
    fn remove(&mut self, id: HotelId) {
        if let Some(old) = self.hotels.remove(&id) {
            self.nights -= old.nights();
            if let Some(city) = old.hotel.city.as_ref().map(|c| c.to_lowercase())
                && let Some(ids) = self.by_city.get_mut(&city)
            {
                ids.retain(|h| *h != id);
                if ids.is_empty() {
                    self.by_city.remove(&city);
                }
            }
        }
    }

    fn put(&mut self, entry: HotelEntry) {
        let id = entry.hotel.id;
        self.remove(id);
        if let Some(city) = entry.hotel.city.as_ref().map(|c| c.to_lowercase()) {
            self.by_city.entry(city).or_default().push(id);
        }
        self.nights += entry.nights();
        self.hotels.insert(id, entry);
    }

    /// Applies a hold's night counts; `false` when the model holds the room type but not every one of those
    /// nights (they must be read back). A hotel the model does not hold has nothing to update.
    fn patch_counts(&mut self, base: NaiveDate, c: &NightCounts) -> bool {
        let Some(entry) = self.hotels.get_mut(&c.hotel_id) else { return true };
        let Some(room) = entry.rooms.iter_mut().find(|r| r.room.id == c.room_id) else { return false };
        c.nights.iter().all(|&(date, book, reserved, total)| {
            let day = (date - base).num_days();
            if day < 0 {
                return true; // before the model's first night: not held
            }
            let at = room.nights.partition_point(|n| i64::from(n.day) < day);
            match room.nights.get_mut(at) {
                Some(n) if i64::from(n.day) == day => n.set_counts(book, reserved, total),
                _ => false,
            }
        })
    }

    /// Replaces the hotel's nights `first..=last` by the calendar's; `false` (nothing changed) when the model
    /// does not hold the hotel with exactly the calendar's room types.
    fn splice_nights(
        &mut self,
        base: NaiveDate,
        cal: HotelCalendar,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<bool> {
        let id = cal.hotel.id;
        let Some(entry) = self.hotels.get_mut(&id) else { return Ok(false) };
        let same_rooms = entry.rooms.len() == cal.rooms.len()
            && cal.rooms.iter().all(|r| entry.rooms.iter().any(|x| x.room.id == r.room.id));
        if !same_rooms {
            return Ok(false);
        }
        let (lo, hi) = ((first - base).num_days(), (last - base).num_days());
        let mut delta: isize = 0;
        for r in cal.rooms {
            let Some(room) = entry.rooms.iter_mut().find(|x| x.room.id == r.room.id) else { continue };
            let packed = pack(base, id, &r.nights)?;
            let start = room.nights.partition_point(|n| i64::from(n.day) < lo);
            let end = room.nights.partition_point(|n| i64::from(n.day) <= hi);
            delta += packed.len() as isize - (end - start) as isize;
            room.nights.splice(start..end, packed);
        }
        self.nights = self.nights.saturating_add_signed(delta);
        Ok(true)
    }
}

/// Changes heard and not yet applied.
#[derive(Default)]
struct Pending {
    all: bool,
    hotels: HashSet<HotelId>,
    /// Per hotel, the dates to re-read (first, last), merged.
    nights: HashMap<HotelId, (NaiveDate, NaiveDate)>,
    /// Every hotel's nights to re-read (first, last), merged.
    every_hotel: Option<(NaiveDate, NaiveDate)>,
    /// Holds' night counts, in the order heard (applied before any re-read of the same batch, which is newer).
    counts: Vec<NightCounts>,
    sync: Option<u64>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        !self.all
            && self.hotels.is_empty()
            && self.nights.is_empty()
            && self.every_hotel.is_none()
            && self.counts.is_empty()
            && self.sync.is_none()
    }
}

/// The read model (see the module documentation).
pub struct ReadModel {
    source: Arc<dyn ModelSource>,
    marker: Option<Arc<dyn SyncMarker>>,
    model: RwLock<Model>,
    pending: Mutex<Pending>,
    wake: tokio::sync::Notify,
    /// The feed is live.
    feed: AtomicBool,
    /// Bumped whenever the feed goes down: a reload that started before cannot make the model current.
    feed_losses: AtomicU64,
    /// A full load completed since the feed last came up.
    loaded: AtomicBool,
    /// Local writes seen, and the highest of them the model has caught up with.
    writes: AtomicU64,
    caught_up: AtomicU64,
    /// The highest sync marker sent.
    sent: AtomicU64,
    /// The count of local writes when the last catalog write was served (holds' offers wait for it).
    catalog_writes: AtomicU64,
}

impl ReadModel {
    /// An empty model over `source`; `marker` sends the feed's sync marker (without one, a local write makes the
    /// model step aside until the next full load).
    pub fn new(source: Arc<dyn ModelSource>, marker: Option<Arc<dyn SyncMarker>>) -> Arc<ReadModel> {
        Arc::new(ReadModel {
            source,
            marker,
            model: RwLock::new(Model::default()),
            pending: Mutex::new(Pending::default()),
            wake: tokio::sync::Notify::new(),
            feed: AtomicBool::new(false),
            feed_losses: AtomicU64::new(0),
            loaded: AtomicBool::new(false),
            writes: AtomicU64::new(0),
            catalog_writes: AtomicU64::new(0),
            caught_up: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        })
    }

    /// Spawns the task that applies what the feed tells (and sends sync markers), on the current runtime.
    pub fn start(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                me.wake.notified().await;
                me.catch_up().await;
            }
        })
    }

    /// Whether queries are answered from memory now.
    pub fn serving(&self) -> bool {
        self.feed.load(Ordering::Acquire)
            && self.loaded.load(Ordering::Acquire)
            && self.caught_up.load(Ordering::Acquire) >= self.writes.load(Ordering::Acquire)
    }

    /// Whether the room offers of holds are answered from memory now: the model follows the feed and has caught
    /// up with this replica's catalog writes (a hotel's policy, currency, taxes or plans changed here are what
    /// the next hold here freezes); bookings made here since do not matter (the hold re-reads every night under
    /// its locks).
    pub fn serves_holds(&self) -> bool {
        self.feed.load(Ordering::Acquire)
            && self.loaded.load(Ordering::Acquire)
            && self.caught_up.load(Ordering::Acquire) >= self.catalog_writes.load(Ordering::Acquire)
    }

    /// This replica served a write request (a booking or its payment): step aside until the model has caught up
    /// with it.
    pub fn local_write(&self) {
        self.note_write(false);
    }

    /// This replica served a manager's catalog write (hotels, rooms, rate plans, inventory): as
    /// [`Self::local_write`], and holds' offers wait for it too.
    pub fn local_catalog_write(&self) {
        self.note_write(true);
    }

    fn note_write(&self, catalog: bool) {
        let n = self.writes.fetch_add(1, Ordering::AcqRel) + 1;
        if catalog {
            self.catalog_writes.fetch_max(n, Ordering::AcqRel);
        }
        metrics::gauge!("read_model_serving").set(0.0);
        self.wake.notify_one();
    }

    /// Hotels and nights held (diagnostics, tests).
    pub fn size(&self) -> (usize, usize) {
        self.model.read().map(|m| (m.hotels.len(), m.nights)).unwrap_or((0, 0))
    }

    /// Applies everything heard so far (the background task runs this; tests call it to settle).
    pub async fn catch_up(&self) {
        loop {
            // A sync marker for the local writes seen so far, once per round.
            let writes = self.writes.load(Ordering::Acquire);
            if writes > self.sent.load(Ordering::Acquire)
                && self.feed.load(Ordering::Acquire)
                && let Some(m) = &self.marker
            {
                match m.send(writes).await {
                    Ok(()) => self.sent.store(writes, Ordering::Release),
                    Err(e) => {
                        // Try again shortly (until then this replica's reads go to the database).
                        tracing::warn!(error = %e, "read model: sync marker failed");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        self.wake.notify_one();
                    }
                }
            }
            let batch = match self.pending.lock() {
                Ok(mut p) => std::mem::take(&mut *p),
                Err(_) => return,
            };
            if batch.is_empty() {
                return;
            }
            let sync = batch.sync;
            if let Err(e) = self.apply(batch).await {
                tracing::warn!(error = %e, "read model: update failed; reloading everything in 1 s");
                self.loaded.store(false, Ordering::Release);
                if let Ok(mut p) = self.pending.lock() {
                    p.all = true;
                    p.sync = p.sync.max(sync);
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
            if let Some(token) = sync {
                self.caught_up.fetch_max(token, Ordering::AcqRel);
            }
            let (hotels, nights) = self.size();
            metrics::gauge!("read_model_hotels").set(hotels as f64);
            metrics::gauge!("read_model_nights").set(nights as f64);
            metrics::gauge!("read_model_loaded").set(if self.loaded.load(Ordering::Acquire) { 1.0 } else { 0.0 });
            metrics::gauge!("read_model_serving").set(if self.serving() { 1.0 } else { 0.0 });
        }
    }

    async fn apply(&self, batch: Pending) -> Result<()> {
        if batch.all {
            return self.load_all().await;
        }
        // Counts first (each is the state its commit left, heard in commit order); the re-reads after them see at
        // least as much. A night read back earlier may step back to a count heard late until the next notice.
        let mut unknown = Vec::new();
        if !batch.counts.is_empty() {
            let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
            let base = m.base;
            for c in &batch.counts {
                if !m.patch_counts(base, c)
                    && let Some((first, last)) = c.window()
                {
                    unknown.push((c.hotel_id, first, last));
                }
            }
        }
        self.reload_nights(&unknown).await?;
        for id in &batch.hotels {
            self.reload_hotel(*id).await?;
        }
        let windows: Vec<_> = batch
            .nights
            .into_iter()
            .filter(|(id, _)| !batch.hotels.contains(id))
            .map(|(id, (first, last))| (id, first, last))
            .collect();
        self.reload_nights(&windows).await?;
        if let Some((first, last)) = batch.every_hotel {
            let windows: Vec<_> = match self.model.read() {
                Ok(m) => m.hotels.keys().map(|id| (*id, first, last)).collect(),
                Err(_) => return Err(Error::internal("read model lock")),
            };
            self.reload_nights(&windows).await?;
        }
        Ok(())
    }
}

impl CatalogListener for ReadModel {
    fn feed(&self, live: bool) {
        if live {
            // A marker sent on the lost connection may never come back: send one again.
            self.sent.store(self.caught_up.load(Ordering::Acquire), Ordering::Release);
        } else {
            self.feed_losses.fetch_add(1, Ordering::AcqRel);
            self.loaded.store(false, Ordering::Release);
        }
        self.feed.store(live, Ordering::Release);
        self.wake.notify_one();
    }

    fn changed(&self, change: CatalogChange) {
        let Ok(mut p) = self.pending.lock() else { return };
        match change {
            CatalogChange::All => p.all = true,
            CatalogChange::Sync(token) => p.sync = p.sync.max(Some(token)),
            CatalogChange::Counts(c) => p.counts.push(c),
            CatalogChange::Nights(first, last) => {
                let r = p.every_hotel.get_or_insert((first, last));
                *r = (r.0.min(first), r.1.max(last));
            }
            CatalogChange::Hotels(items) => {
                for c in items {
                    match c.nights {
                        None => {
                            p.hotels.insert(c.hotel_id);
                        }
                        Some((first, last)) => {
                            let r = p.nights.entry(c.hotel_id).or_insert((first, last));
                            *r = (r.0.min(first), r.1.max(last));
                        }
                    }
                }
            }
        }
        drop(p);
        self.wake.notify_one();
    }
}

mod load;
mod queries;
#[cfg(test)]
mod tests;

pub use queries::Modelled;
