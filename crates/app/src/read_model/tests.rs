//! The read model answers exactly what its store answers (search, hotel info, quotes' offers, calendars) over a
//! random catalog, after a full load and after random changes told through the feed; and it steps aside whenever
//! it might be behind (not loaded, feed down, a local write not yet caught up).

use super::*;
use adapter_memory::InMemoryStore;
use adapter_postgres::HotelChange;
use chrono::DateTime;
use domain::ports::{CatalogRepository, InventoryRepository, UserRepository};
use domain::pricing::{PricingPolicy, Strategy};
use rust_decimal::Decimal;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> i64 {
        (self.next() % n) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The feed's round trip, in process: a marker comes straight back as `Sync` (unless the test loses it).
struct Loopback(Mutex<Option<Arc<ReadModel>>>, AtomicBool);

#[async_trait]
impl SyncMarker for Loopback {
    async fn send(&self, token: u64) -> Result<()> {
        if let Some(m) = self.0.lock().unwrap().as_ref()
            && !self.1.load(Ordering::Acquire)
        {
            m.changed(CatalogChange::Sync(token));
        }
        Ok(())
    }
}

const CITIES: [&str; 3] = ["Lisbon", "Porto", "Faro"];

struct World {
    store: Arc<InMemoryStore>,
    model: Arc<ReadModel>,
    loopback: Arc<Loopback>,
    rooms: Vec<(HotelId, Room)>,
    today: NaiveDate,
    now: DateTime<Utc>,
}

async fn world(rng: &mut Rng) -> World {
    let store = InMemoryStore::shared();
    let now = Utc::now();
    let today = now.date_naive();
    let owner = store
        .create_user(NewUser { email: Email::parse("o@example.com").unwrap(), password_hash: "-".into(), name: None })
        .await
        .unwrap();
    let mut rooms = Vec::new();
    for i in 0..24 {
        let city = CITIES[rng.below(3) as usize];
        let city = if rng.chance(30) { city.to_uppercase() } else { city.to_string() };
        let zone = ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"][rng.below(3) as usize];
        let new = NewHotel {
            name: format!("{} Hotel {i}", ["alpha", "Beta", "gamma", "Delta"][rng.below(4) as usize]),
            city: Some(city),
            time_zone: TimeZone::parse(zone),
            ..NewHotel::default()
        };
        let h = store.create_hotel(owner.id, new, now).await.unwrap();
        if rng.chance(85) {
            store.set_hotel_active(h.id, true, now).await.unwrap();
        }
        for k in 0..rng.below(4) {
            let room = NewRoom {
                kind: format!("Type {k}"),
                base_price: Money::from_minor(5_000 + rng.below(30_000)),
                photos: None,
                amenities: None,
                total_count: 1 + rng.below(5) as i32,
                capacity: 1 + rng.below(4) as i32,
            };
            let r = store.create_room(h.id, room, today, now).await.unwrap();
            if rng.chance(50) {
                let rule = if rng.chance(50) {
                    PriceRule::Percent(Decimal::new(-rng.below(30), 0))
                } else {
                    PriceRule::PerNight(Money::from_minor(rng.below(4_000) - 2_000))
                };
                let plan = NewRatePlan {
                    code: "EXTRA".into(),
                    price_rule: rule,
                    min_stay: rng.chance(30).then(|| 1 + rng.below(3) as u32),
                    max_stay: rng.chance(30).then(|| 2 + rng.below(4) as u32),
                    active: rng.chance(80),
                    ..NewRatePlan::standard()
                };
                store.create_rate_plan(r.id, plan, now).await.unwrap();
            }
            rooms.push((h.id, r));
        }
    }
    let loopback = Arc::new(Loopback(Mutex::new(None), AtomicBool::new(false)));
    let model = ReadModel::new(store.clone(), Some(loopback.clone()));
    *loopback.0.lock().unwrap() = Some(model.clone());
    let mut w = World { store, model, loopback, rooms, today, now };
    for _ in 0..60 {
        w.random_patch(rng).await;
    }
    w
}

impl World {
    /// The feed (re)connects: "anything may have changed", live, and the model catches up.
    async fn connect(&self) {
        self.model.changed(CatalogChange::All);
        self.model.feed(true);
        self.model.catch_up().await;
    }

    /// A random inventory change; returns the change the feed would tell.
    async fn random_patch(&mut self, rng: &mut Rng) -> Option<HotelChange> {
        let (hotel_id, room) = self.rooms[rng.below(self.rooms.len() as u64) as usize].clone();
        let start = self.today + Duration::days(rng.below(25));
        let end = start + Duration::days(rng.below(4));
        let mut patch = InventoryPatch::default();
        match rng.below(7) {
            0 => patch.price = Some(Money::from_minor(3_000 + rng.below(40_000))),
            1 => patch.surge_factor = Some(Decimal::new(50 + rng.below(200), 2)),
            2 => patch.closed = Some(rng.chance(50)),
            3 => patch.total_count = Some(rng.below(4) as i32),
            4 => patch.min_stay = Patch::Set(rng.chance(70).then(|| 1 + rng.below(4) as i32)),
            5 => patch.closed_to_arrival = Some(rng.chance(50)),
            _ => patch.closed_to_departure = Some(rng.chance(50)),
        }
        self.store.patch_inventory(room.id, start, end, patch).await.ok()?;
        Some(HotelChange { hotel_id, nights: Some((start, end)) })
    }

    fn query(&self, rng: &mut Rng) -> SearchQuery {
        let check_in = self.today + Duration::days(rng.below(22) - 1);
        let check_out = check_in + Duration::days(1 + rng.below(6));
        let city = match rng.below(5) {
            0 => "nowhere".to_string(),
            1 => CITIES[rng.below(3) as usize].to_lowercase(),
            _ => CITIES[rng.below(3) as usize].to_string(),
        };
        let price = |rng: &mut Rng| rng.chance(25).then(|| Money::from_minor(5_000 + rng.below(25_000)));
        SearchQuery {
            city,
            stay: StayDates::new(check_in, check_out, self.today - Duration::days(1), 30).unwrap(),
            rooms_count: 1 + rng.below(3) as i32,
            guests: rng.chance(40).then(|| 1 + rng.below(8) as i32),
            min_price: price(rng),
            max_price: price(rng),
            sort: [SearchSort::PriceAsc, SearchSort::PriceDesc, SearchSort::Name][rng.below(3) as usize],
            page: Page { limit: 1 + rng.below(12), offset: rng.below(4) },
        }
    }

    /// Every answer the model gives equals the store's; at least a quarter of the searches find hotels.
    async fn agree(&self, rng: &mut Rng, rounds: usize) {
        let mut found = 0;
        assert!(self.model.serving());
        let policies = [PricingPolicy::default(), PricingPolicy::new(&[Strategy::Occupancy, Strategy::Urgency], [])];
        for _ in 0..rounds {
            let q = self.query(rng);
            let policy = &policies[rng.below(2) as usize];
            let direct = self.store.search(q.clone(), policy.clone(), self.now).await.unwrap();
            found += usize::from(direct.total > 0);
            assert_eq!(self.model.search(&q, policy, self.now), Some(direct), "{q:?}");
            let (hotel_id, room) = &self.rooms[rng.below(self.rooms.len() as u64) as usize];
            let stay = rng.chance(70).then_some(q.stay);
            assert_eq!(
                self.model.hotel_listing(*hotel_id, stay),
                Some(self.store.hotel_listing(*hotel_id, stay).await.unwrap())
            );
            assert_eq!(
                self.model.room_offer(*hotel_id, room.id, stay),
                Some(self.store.room_offer(*hotel_id, room.id, stay).await.unwrap())
            );
            let (from, to) = (q.stay.check_in(), q.stay.check_out() + Duration::days(10));
            assert_eq!(
                self.model.calendar(*hotel_id, from, to),
                Some(self.store.calendar(*hotel_id, from, to).await.unwrap())
            );
        }
        assert!(found * 4 >= rounds, "only {found} of {rounds} searches found hotels");
        let missing = HotelId(9_999);
        assert_eq!(self.model.hotel_listing(missing, None), Some(None));
    }
}

#[tokio::test]
async fn answers_what_the_store_answers_after_loading_and_after_every_change() {
    let mut rng = Rng(0x5EED_2026_1206);
    let mut w = world(&mut rng).await;
    // Nothing is answered before the feed is live and a full load completed.
    assert!(!w.model.serving());
    assert_eq!(w.model.search(&w.query(&mut rng), &PricingPolicy::default(), w.now), None);
    w.connect().await;
    assert!(w.model.serving());
    let (hotels, nights) = w.model.size();
    assert_eq!(hotels, 24);
    assert_eq!(nights, w.rooms.len() * 365, "every room's window: today .. today+364");
    w.agree(&mut rng, 400).await;

    // Changes told night by night, a few at a time, then checked again.
    for _ in 0..30 {
        for _ in 0..1 + rng.below(4) {
            if let Some(c) = w.random_patch(&mut rng).await {
                w.model.changed(CatalogChange::Hotels(vec![c]));
            }
        }
        w.model.catch_up().await;
        w.agree(&mut rng, 20).await;
    }

    // A statement over every hotel's nights of some dates (the daily top-up): told as one date range.
    let (first, last) = (w.today + Duration::days(3), w.today + Duration::days(5));
    let rooms: Vec<RoomId> = w.rooms.iter().map(|(_, r)| r.id).collect();
    for (i, room) in rooms.iter().enumerate() {
        let patch =
            InventoryPatch { price: Some(Money::from_minor(9_000 + 100 * i as i64)), ..InventoryPatch::default() };
        w.store.patch_inventory(*room, first, last, patch).await.unwrap();
    }
    w.model.changed(CatalogChange::Nights(first, last));
    w.model.catch_up().await;
    w.agree(&mut rng, 200).await;

    // A hotel-level change (deactivation, a new room type with its nights, a plan change) is re-read whole.
    let (hotel_id, room) = w.rooms[0].clone();
    w.store.set_hotel_active(hotel_id, false, w.now).await.unwrap();
    let extra = NewRoom {
        kind: "Late".into(),
        base_price: Money::from_minor(4_200),
        photos: None,
        amenities: None,
        total_count: 3,
        capacity: 2,
    };
    let late = w.store.create_room(w.rooms[1].0, extra, w.today, w.now).await.unwrap();
    w.rooms.push((w.rooms[1].0, late));
    let promo = NewRatePlan {
        code: "PROMO".into(),
        price_rule: PriceRule::Percent(Decimal::new(-50, 0)),
        ..NewRatePlan::standard()
    };
    w.store.create_rate_plan(room.id, promo, w.now).await.unwrap();
    let whole = |id| HotelChange { hotel_id: id, nights: None };
    w.model.changed(CatalogChange::Hotels(vec![whole(hotel_id), whole(w.rooms[1].0)]));
    w.model.catch_up().await;
    w.agree(&mut rng, 200).await;
}

#[tokio::test]
async fn holds_offers_wait_for_this_replicas_catalog_writes_only() {
    let mut rng = Rng(7);
    let w = world(&mut rng).await;
    w.connect().await;
    let (hotel_id, room) = w.rooms[0].clone();
    let held = w.model.hold_offer(hotel_id, room.id).expect("served from memory");
    assert_eq!((held.hotel.id, held.room.map(|r| r.id)), (hotel_id, Some(room.id)));
    assert_eq!(w.model.hold_offer(hotel_id, RoomId(room.id.get() + 10_000)), None, "a room it does not hold");

    // A booking served here: browse queries step aside, holds' offers do not.
    w.model.local_write();
    assert!(!w.model.serving());
    assert!(w.model.hold_offer(hotel_id, room.id).is_some());
    // A manager's change served here: both wait for its marker.
    w.model.local_catalog_write();
    assert!(w.model.hold_offer(hotel_id, room.id).is_none());
    w.model.catch_up().await;
    assert!(w.model.serving());
    assert!(w.model.hold_offer(hotel_id, room.id).is_some());
    // The feed lost: nothing from memory.
    w.model.feed(false);
    assert!(w.model.hold_offer(hotel_id, room.id).is_none());
}

#[tokio::test]
async fn steps_aside_while_it_may_be_behind() {
    let mut rng = Rng(42);
    let mut w = world(&mut rng).await;
    w.connect().await;
    assert!(w.model.serving());

    // A change not yet told: the model answers its old state (the bound is the feed's delivery plus one read).
    let change = loop {
        if let Some(c) = w.random_patch(&mut rng).await {
            break c;
        }
    };
    // A local write: the model steps aside until its marker came back and everything before it was applied.
    w.model.local_write();
    assert!(!w.model.serving());
    w.model.changed(CatalogChange::Hotels(vec![change]));
    w.model.catch_up().await;
    assert!(w.model.serving());
    w.agree(&mut rng, 50).await;

    // A marker lost with the connection: once the feed is back, a new one is sent and the model serves again.
    w.loopback.1.store(true, Ordering::Release);
    w.model.local_write();
    w.model.catch_up().await;
    assert!(!w.model.serving());
    w.model.feed(false);
    w.loopback.1.store(false, Ordering::Release);
    w.connect().await;
    assert!(w.model.serving(), "a new marker was sent on the new connection");

    // The feed lost: nothing is answered until it is back and a full load completed.
    w.model.feed(false);
    assert!(!w.model.serving());
    w.random_patch(&mut rng).await;
    w.model.changed(CatalogChange::All);
    w.model.feed(true);
    assert!(!w.model.serving());
    w.model.catch_up().await;
    assert!(w.model.serving());
    w.agree(&mut rng, 50).await;
}

#[tokio::test]
async fn a_holds_counts_are_applied_without_reading_the_nights_back() {
    let mut rng = Rng(11);
    let w = world(&mut rng).await;
    w.connect().await;
    let (hotel_id, room) = w.rooms[0].clone();
    let (from, to) = (w.today + Duration::days(2), w.today + Duration::days(4));
    // The store's nights change in their total (which a counts notice carries) and their price (which it does
    // not); the notice carries the counts as the store now has them.
    let patch =
        InventoryPatch { total_count: Some(7), price: Some(Money::from_minor(12_345)), ..InventoryPatch::default() };
    w.store.patch_inventory(room.id, from, to, patch).await.unwrap();
    let stored = w.store.calendar(hotel_id, from, to).await.unwrap().unwrap();
    let nights_of = |cal: &HotelCalendar| cal.rooms.iter().find(|r| r.room.id == room.id).unwrap().nights.clone();
    let counts = NightCounts {
        hotel_id,
        room_id: room.id,
        nights: nights_of(&stored).iter().map(|n| (n.date, n.book_count, n.reserved_count, n.total_count)).collect(),
    };
    assert_eq!(counts.nights.len(), 3);
    w.model.changed(CatalogChange::Counts(counts.clone()));
    w.model.catch_up().await;
    let held = w.model.calendar(hotel_id, from, to).unwrap().unwrap();
    for (m, s) in nights_of(&held).iter().zip(nights_of(&stored).iter()) {
        assert_eq!((m.total_count, m.book_count, m.reserved_count), (7, s.book_count, s.reserved_count));
        assert_ne!(m.price, s.price, "the nights were not read back: the price is still the one loaded");
    }
    // A notice about a room type the model does not hold is read back: the model then equals the store.
    let unknown = NightCounts { room_id: RoomId(99_999), ..counts };
    w.model.changed(CatalogChange::Counts(unknown));
    w.model.catch_up().await;
    assert_eq!(w.model.calendar(hotel_id, from, to), Some(Some(stored)));
}
