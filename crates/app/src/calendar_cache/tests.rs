//! The calendar cache answers what its store answers, follows the change feed, and falls back to its TTL.

use super::*;
use adapter_memory::InMemoryStore;
use domain::ports::{CatalogRepository, InventoryRepository, UserRepository};
use rust_decimal::Decimal;

async fn hotel(store: &InMemoryStore) -> (Hotel, domain::model::Room) {
    let now = Utc::now();
    let email = Email::parse("owner@example.com").unwrap();
    let owner = store.create_user(NewUser { email, password_hash: "-".into(), name: None }).await.unwrap();
    let h = store.create_hotel(owner.id, NewHotel { name: "H".into(), ..NewHotel::default() }, now).await.unwrap();
    let room = NewRoom {
        kind: "Double".into(),
        base_price: Money::from_minor(12_345),
        photos: None,
        amenities: None,
        total_count: 4,
        capacity: 2,
    };
    let r = store.create_room(h.id, room, now.date_naive(), now).await.unwrap();
    (h, r)
}

#[tokio::test]
async fn hits_answer_exactly_what_the_store_would_until_the_ttl_passes() {
    let store = InMemoryStore::shared();
    let (h, r) = hotel(&store).await;
    let today = Utc::now().date_naive();
    let patch = InventoryPatch {
        surge_factor: Some(Decimal::new(125, 2)),
        min_stay: Patch::Set(Some(3)),
        closed_to_departure: Some(true),
        closed: Some(true),
        ..InventoryPatch::default()
    };
    store.patch_inventory(r.id, today + Duration::days(5), today + Duration::days(6), patch).await.unwrap();
    let cache = CalendarCache::new(store.clone(), std::time::Duration::from_millis(1000));
    let (from, to) = (today + Duration::days(3), today + Duration::days(40));
    let direct = store.calendar(h.id, from, to).await.unwrap();
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), direct, "a miss");
    assert_eq!(cache.size(), (1, 365));
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), direct, "a hit is the same, field by field");
    let other = (today + Duration::days(100), today + Duration::days(189));
    assert_eq!(
        cache.calendar(h.id, other.0, other.1).await.unwrap(),
        store.calendar(h.id, other.0, other.1).await.unwrap()
    );

    // A change is not seen within the TTL; past it, the stale rows answer once more while one refresh reads
    // the new ones, which the next request gets (so the lag is at most twice the TTL).
    let close = InventoryPatch { total_count: Some(1), ..InventoryPatch::default() };
    store.patch_inventory(r.id, from, from, close).await.unwrap();
    let now = store.calendar(h.id, from, to).await.unwrap();
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), direct, "within the TTL");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), direct, "stale, while the refresh runs");
    let mut refreshed = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if cache.calendar(h.id, from, to).await.unwrap() == now {
            refreshed = true;
            break;
        }
    }
    assert!(refreshed, "the background read replaced the entry");
    // Past twice the TTL an entry is not served at all.
    store
        .patch_inventory(r.id, from, from, InventoryPatch { total_count: Some(2), ..InventoryPatch::default() })
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), store.calendar(h.id, from, to).await.unwrap());

    // Ranges outside the cached window and a zero TTL go straight to the store; a missing hotel is None.
    let past = today - Duration::days(30);
    assert_eq!(cache.calendar(h.id, past, today).await.unwrap(), store.calendar(h.id, past, today).await.unwrap());
    let off = CalendarCache::new(store.clone(), std::time::Duration::ZERO);
    assert_eq!(off.calendar(h.id, from, to).await.unwrap(), store.calendar(h.id, from, to).await.unwrap());
    assert_eq!(off.size(), (0, 0));
    assert_eq!(cache.calendar(HotelId(999), from, to).await.unwrap(), None);
}

#[tokio::test]
async fn with_the_feed_live_entries_live_until_a_change_for_their_hotel_drops_them() {
    use adapter_postgres::{CatalogChange, CatalogListener};
    let store = InMemoryStore::shared();
    let (h, r) = hotel(&store).await;
    let today = Utc::now().date_naive();
    let (from, to) = (today + Duration::days(1), today + Duration::days(30));
    let cache = CalendarCache::new(store.clone(), std::time::Duration::from_millis(50));
    let feed = cache.invalidator();
    feed.feed(true);
    let before = cache.calendar(h.id, from, to).await.unwrap();
    let shrink = |n: i32| InventoryPatch { total_count: Some(n), ..InventoryPatch::default() };
    store.patch_inventory(r.id, from, from, shrink(1)).await.unwrap();
    // Far past twice the expiry TTL: still the cached answer, the feed has told nothing.
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), before);
    // Another hotel's change leaves it; its own drops it and the next request reads the store.
    feed.changed(CatalogChange::Hotels(vec![adapter_postgres::HotelChange {
        hotel_id: HotelId(h.id.get() + 1),
        nights: None,
    }]));
    assert_eq!(cache.size(), (1, 365));
    feed.changed(CatalogChange::Hotels(vec![adapter_postgres::HotelChange {
        hotel_id: h.id,
        nights: Some((from, from)),
    }]));
    assert_eq!(cache.size(), (0, 0));
    let after = cache.calendar(h.id, from, to).await.unwrap();
    assert_eq!(after, store.calendar(h.id, from, to).await.unwrap());
    assert_ne!(after, before);
    feed.changed(CatalogChange::All);
    assert_eq!(cache.size(), (0, 0));

    // The feed lost: back to expiry after the TTL.
    feed.feed(false);
    let cached = cache.calendar(h.id, from, to).await.unwrap();
    store.patch_inventory(r.id, from, from, shrink(2)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    let fresh = cache.calendar(h.id, from, to).await.unwrap();
    assert_eq!(fresh, store.calendar(h.id, from, to).await.unwrap());
    assert_ne!(fresh, cached);
}

/// A store whose calendar read is overtaken by a change notification (told while the read runs).
struct Overtaken {
    inner: Arc<InMemoryStore>,
    feed: Mutex<Option<Invalidator>>,
}

#[async_trait]
impl CatalogQueries for Overtaken {
    async fn hotel_listing(&self, h: HotelId, s: Option<StayDates>) -> Result<Option<HotelListing>> {
        self.inner.hotel_listing(h, s).await
    }
    async fn search(&self, q: SearchQuery, p: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        self.inner.search(q, p, now).await
    }
    async fn report(&self, h: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals> {
        self.inner.report(h, start, end).await
    }
    async fn room_offer(&self, h: HotelId, r: RoomId, s: Option<StayDates>) -> Result<Option<RoomOffer>> {
        self.inner.room_offer(h, r, s).await
    }
    async fn calendar(&self, h: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        let read = self.inner.calendar(h, from, to).await;
        if let Some(feed) = self.feed.lock().unwrap().as_ref() {
            let change = adapter_postgres::HotelChange { hotel_id: h, nights: None };
            adapter_postgres::CatalogListener::changed(feed, adapter_postgres::CatalogChange::Hotels(vec![change]));
        }
        read
    }
    async fn revenue(&self, h: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts> {
        self.inner.revenue(h, start, end).await
    }
    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>> {
        self.inner.hotel_ids(after, limit).await
    }
}

#[tokio::test]
async fn a_read_overtaken_by_a_change_is_answered_but_not_kept() {
    let store = InMemoryStore::shared();
    let (h, _) = hotel(&store).await;
    let racing = Arc::new(Overtaken { inner: store.clone(), feed: Mutex::new(None) });
    let cache = CalendarCache::new(racing.clone(), std::time::Duration::from_secs(60));
    *racing.feed.lock().unwrap() = Some(cache.invalidator());
    let today = Utc::now().date_naive();
    let (from, to) = (today, today + Duration::days(9));
    assert_eq!(cache.calendar(h.id, from, to).await.unwrap(), store.calendar(h.id, from, to).await.unwrap());
    assert_eq!(cache.size(), (0, 0), "what was read may predate the change: not kept");
    *racing.feed.lock().unwrap() = None;
    cache.calendar(h.id, from, to).await.unwrap();
    assert_eq!(cache.size(), (1, 365));
}
