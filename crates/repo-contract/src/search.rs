//! `CatalogRepository::search` (API.md §4.4.3).

use crate::StoreFactory;
use crate::fixtures::*;
use domain::model::*;
use domain::pricing::{PricingPolicy, Strategy};

fn query(city: &str, stay: StayDates, rooms: i32) -> SearchQuery {
    SearchQuery {
        city: city.into(),
        stay,
        rooms_count: rooms,
        guests: None,
        min_price: None,
        max_price: None,
        sort: SearchSort::PriceAsc,
        page: Page::DEFAULT,
    }
}

impl Fx {
    /// (hotel id, min_price) of every hit, and the total.
    async fn find(&self, q: SearchQuery) -> (Vec<(HotelId, Money)>, i64) {
        self.find_with(q, plain()).await
    }

    async fn find_with(&self, q: SearchQuery, policy: PricingPolicy) -> (Vec<(HotelId, Money)>, i64) {
        let p = self.s.catalog.search(q, policy, self.now).await.unwrap();
        (p.items.iter().map(|h| (h.id, h.min_price)).collect(), p.total)
    }

    async fn found(&self, q: SearchQuery) -> Vec<HotelId> {
        let (hits, total) = self.find(q).await;
        assert_eq!(total, hits.len() as i64, "total of an unpaged search");
        hits.into_iter().map(|(id, _)| id).collect()
    }
}

/// One room type must qualify on every night: two types free on complementary nights are no match, nor
/// is a type with fewer than `rooms_count` rooms left on one night.
pub async fn search_needs_one_room_type_for_every_night(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let guest = fx.user("guest").await;

    let closed = fx.hotel(&owner, "Closed Nights", Some("Coimbra"), true).await;
    let ra = fx.room(&closed, "A", 10_000, 1, 2).await;
    let rb = fx.room(&closed, "B", 10_000, 1, 2).await;
    fx.close(&ra, fx.day(11)).await;
    fx.close(&rb, fx.day(10)).await;
    assert_eq!(fx.find(query("Coimbra", stay(fx.day(10), 2), 1)).await, (vec![], 0));
    assert_eq!(fx.found(query("Coimbra", stay(fx.day(10), 1), 1)).await, vec![closed.id]);
    assert_eq!(fx.found(query("Coimbra", stay(fx.day(11), 1), 1)).await, vec![closed.id]);

    let sold = fx.hotel(&owner, "Sold Out Nights", Some("Braga"), true).await;
    let rc = fx.room(&sold, "C", 10_000, 1, 2).await;
    let rd = fx.room(&sold, "D", 10_000, 1, 2).await;
    fx.hold(&guest, &rc, fx.day(10), 1, 1).await;
    fx.hold(&guest, &rd, fx.day(11), 1, 1).await;
    assert_eq!(fx.find(query("Braga", stay(fx.day(10), 2), 1)).await, (vec![], 0));
    assert_eq!(fx.found(query("Braga", stay(fx.day(10), 1), 1)).await, vec![sold.id]);

    let few = fx.hotel(&owner, "Few Left", Some("Evora"), true).await;
    let re = fx.room(&few, "E", 10_000, 3, 2).await;
    let b = fx.hold(&guest, &re, fx.day(11), 1, 1).await;
    fx.system(b.id, BookingAction::PaymentSucceeded, fx.now).await.unwrap();
    fx.hold(&guest, &re, fx.day(11), 1, 1).await;
    assert_eq!(fx.found(query("Evora", stay(fx.day(10), 2), 1)).await, vec![few.id]);
    assert_eq!(fx.found(query("Evora", stay(fx.day(10), 2), 2)).await, vec![], "1 left on day 11");
    assert_eq!(fx.found(query("Evora", stay(fx.day(10), 1), 3)).await, vec![few.id]);
}

/// A closed night excludes, the check-out day is not needed, nights without a row exclude, and only active
/// hotels are found.
pub async fn search_closed_nights_and_check_out_day(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let h = fx.hotel(&owner, "Aveiro Inn", Some("Aveiro"), true).await;
    let r = fx.room(&h, "Double", 10_000, 2, 2).await;
    fx.close(&r, fx.day(12)).await;
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(10), 2), 1)).await, vec![h.id], "check-out day closed");
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(10), 3), 1)).await, vec![], "a closed night");
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(12), 1), 1)).await, vec![]);
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(364), 1), 1)).await, vec![h.id]);
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(364), 2), 1)).await, vec![], "no row for day 365");

    let sleepy = fx.hotel(&owner, "Sleepy", Some("Aveiro"), false).await;
    fx.room(&sleepy, "Double", 5_000, 2, 2).await;
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(1), 1), 1)).await, vec![h.id], "inactive hotels are hidden");
    fx.s.catalog.set_hotel_active(sleepy.id, true, fx.now).await.unwrap();
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(1), 1), 1)).await, vec![sleepy.id, h.id]);
    fx.s.catalog.set_hotel_active(sleepy.id, false, fx.now).await.unwrap();
    assert_eq!(fx.found(query("Aveiro", stay(fx.day(1), 1), 1)).await, vec![h.id]);
    let roomless = fx.hotel(&owner, "No Rooms", Some("Aveiro"), true).await;
    assert!(!fx.found(query("Aveiro", stay(fx.day(1), 1), 1)).await.contains(&roomless.id));
}

/// `lower(city) = lower(query)`: no prefix match, `%` and `_` are ordinary characters; the current city.
pub async fn search_city_is_case_insensitive_equality(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let mut ids = Vec::new();
    for (name, city, active) in [
        ("H1", Some("Lisbon"), true),
        ("H2", Some("LISBON"), true),
        ("H3", Some("Lisbon"), false),
        ("H4", Some("Porto"), true),
        ("H5", Some("100% Lisbon"), true),
        ("H6", Some("Lis_on"), true),
        ("H7", None, true),
        ("H8", Some("Lisboa"), true),
    ] {
        let h = fx.hotel(&owner, name, city, active).await;
        fx.room(&h, "Double", 10_000, 1, 2).await;
        ids.push(h.id);
    }
    let s = stay(fx.day(3), 2);
    assert_eq!(fx.found(query("lisbon", s, 1)).await, vec![ids[0], ids[1]]);
    assert_eq!(fx.found(query("LiSbOn", s, 1)).await, vec![ids[0], ids[1]]);
    assert_eq!(fx.found(query("Lisbo", s, 1)).await, vec![]);
    assert_eq!(fx.found(query("Lis%", s, 1)).await, vec![]);
    assert_eq!(fx.found(query("%", s, 1)).await, vec![]);
    assert_eq!(fx.found(query("_", s, 1)).await, vec![]);
    assert_eq!(fx.found(query("Lis_on", s, 1)).await, vec![ids[5]]);
    assert_eq!(fx.found(query("100% LISBON", s, 1)).await, vec![ids[4]]);

    let patch = HotelPatch { city: Patch::Set(Some("lisbon".into())), ..HotelPatch::default() };
    fx.s.catalog.update_hotel(ids[3], patch, fx.now).await.unwrap();
    assert_eq!(fx.found(query("Lisbon", s, 1)).await, vec![ids[0], ids[1], ids[3]]);
    assert_eq!(fx.found(query("Porto", s, 1)).await, vec![]);
}

/// `capacity × rooms_count ≥ guests` per room type; `min_price` comes from the qualifying types only.
pub async fn search_guests_filter(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let h = fx.hotel(&owner, "Faro Resort", Some("Faro"), true).await;
    fx.room(&h, "Small", 8_000, 5, 2).await;
    fx.room(&h, "Big", 20_000, 5, 4).await;
    let s = stay(fx.day(10), 2);
    let with = |guests: i32, rooms: i32| SearchQuery { guests: Some(guests), ..query("Faro", s, rooms) };
    assert_eq!(fx.find(query("Faro", s, 1)).await, (vec![(h.id, money(8_000))], 1));
    assert_eq!(fx.find(with(2, 1)).await, (vec![(h.id, money(8_000))], 1));
    assert_eq!(fx.find(with(3, 1)).await, (vec![(h.id, money(20_000))], 1));
    assert_eq!(fx.find(with(4, 2)).await, (vec![(h.id, money(8_000))], 1));
    assert_eq!(fx.find(with(8, 2)).await, (vec![(h.id, money(20_000))], 1));
    assert_eq!(fx.find(with(9, 2)).await, (vec![], 0));
    assert_eq!(fx.find(with(4, 6)).await, (vec![], 0), "only 5 rooms of each type");
}

/// The price filter applies to `avg(R)` (Σ one-room nightly prices ÷ nights, half-even to cents, with
/// surge and the policy's strategies); `min_price` is the lowest qualifying average.
pub async fn search_price_filter_and_min_price(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let h = fx.hotel(&owner, "Tavira Sun", Some("Tavira"), true).await;
    let ra = fx.room(&h, "A", 10_000, 5, 2).await;
    let rb = fx.room(&h, "B", 15_000, 5, 2).await;
    // 100.00 and 100.01 average to 100.005, which rounds half-even to 100.00.
    fx.patch_night(&ra, fx.day(11), InventoryPatch { price: Some(money(10_001)), ..InventoryPatch::default() }).await;
    let s = stay(fx.day(10), 2);
    let priced = |min: Option<i64>, max: Option<i64>| SearchQuery {
        min_price: min.map(money),
        max_price: max.map(money),
        ..query("Tavira", s, 1)
    };
    assert_eq!(fx.find(priced(None, None)).await.0, vec![(h.id, money(10_000))]);
    assert_eq!(fx.find(priced(Some(10_000), Some(10_000))).await.0, vec![(h.id, money(10_000))], "inclusive");
    assert_eq!(fx.find(priced(Some(10_001), None)).await.0, vec![(h.id, money(15_000))], "A filtered out");
    assert_eq!(fx.find(priced(None, Some(9_999))).await, (vec![], 0));
    assert_eq!(fx.find(priced(Some(15_001), None)).await, (vec![], 0));

    // Surge halves B on both nights: avg 75.00.
    let half = InventoryPatch { surge_factor: Some(dec("0.50")), ..InventoryPatch::default() };
    fx.s.catalog.patch_inventory(rb.id, fx.day(10), fx.day(11), half).await.unwrap();
    assert_eq!(fx.find(priced(None, None)).await.0, vec![(h.id, money(7_500))]);
    assert_eq!(fx.find(priced(Some(9_000), None)).await.0, vec![(h.id, money(10_000))]);
    assert_eq!(fx.find(priced(None, Some(8_000))).await.0, vec![(h.id, money(7_500))]);

    // The policy prices the nights: urgency (< 7 days away) × 1.15.
    let urgency = PricingPolicy::new(&[Strategy::Urgency], []);
    let q = query("Tavira", stay(fx.day(1), 1), 1);
    assert_eq!(fx.find_with(q.clone(), urgency).await.0, vec![(h.id, money(11_500))]);
    assert_eq!(fx.find_with(q, plain()).await.0, vec![(h.id, money(10_000))]);
}

/// price_asc / price_desc by `min_price`, name by `lower(name)`, ties by id; paging with the total.
pub async fn search_sort_and_paging(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let mut hotels = Vec::new();
    for (name, price, active) in [
        ("beta", 15_000, true),
        ("Alpha", 10_000, true),
        ("alpha", 15_000, true),
        ("Gamma", 12_000, true),
        ("delta", 1_000, false),
    ] {
        let new = NewHotel {
            name: name.into(),
            city: Some("Nice".into()),
            photos: Some(vec![format!("https://img.example/{name}.jpg")]),
            amenities: Some(vec!["wifi".into()]),
            ..NewHotel::default()
        };
        let mut h = fx.s.catalog.create_hotel(owner.id, new, fx.now).await.unwrap();
        if active {
            h = fx.s.catalog.set_hotel_active(h.id, true, fx.now).await.unwrap();
        }
        fx.room(&h, "Double", price, 2, 2).await;
        hotels.push(h);
    }
    let [beta, alpha_upper, alpha, gamma, _] = &hotels[..] else { unreachable!() };
    let s = stay(fx.day(20), 3);
    let sorted = |sort: SearchSort, page: Page| SearchQuery { sort, page, ..query("nice", s, 1) };

    let p = fx.s.catalog.search(sorted(SearchSort::PriceAsc, Page::DEFAULT), plain(), fx.now).await.unwrap();
    assert_eq!(p.total, 4);
    assert_eq!(p.items.iter().map(|h| h.id).collect::<Vec<_>>(), vec![alpha_upper.id, gamma.id, beta.id, alpha.id]);
    assert_eq!(
        p.items.iter().map(|h| h.min_price).collect::<Vec<_>>(),
        vec![money(10_000), money(12_000), money(15_000), money(15_000)]
    );
    let first = &p.items[0];
    assert_eq!((first.name.as_str(), first.city.as_deref()), ("Alpha", Some("Nice")));
    assert_eq!(
        (first.photos.clone(), first.amenities.clone()),
        (alpha_upper.photos.clone(), alpha_upper.amenities.clone())
    );

    assert_eq!(
        fx.found(sorted(SearchSort::PriceDesc, Page::DEFAULT)).await,
        vec![beta.id, alpha.id, gamma.id, alpha_upper.id]
    );
    assert_eq!(
        fx.found(sorted(SearchSort::Name, Page::DEFAULT)).await,
        vec![alpha_upper.id, alpha.id, beta.id, gamma.id]
    );
    assert_eq!(
        fx.find(sorted(SearchSort::PriceAsc, page(2, 1))).await,
        (vec![(gamma.id, money(12_000)), (beta.id, money(15_000))], 4)
    );
    assert_eq!(fx.find(sorted(SearchSort::Name, page(5, 10))).await, (vec![], 4));
}

/// Each night is priced at full precision and rounded half-even once: 100.10 × 1.25 = 125.125 → 125.12 and
/// 100.30 × 1.25 = 125.375 → 125.38; with occupancy (≥ 80 % taken) × 1.20 and holiday × 1.25 on top.
pub async fn search_rounds_each_night_half_even(f: &impl StoreFactory) {
    let fx = Fx::new(f).await;
    let owner = fx.manager("owner").await;
    let h1 = fx.hotel(&owner, "Half One", Some("Evora"), true).await;
    let h2 = fx.hotel(&owner, "Half Two", Some("Evora"), true).await;
    let a = fx.room(&h1, "A", 10_010, 5, 2).await;
    let b = fx.room(&h2, "B", 10_030, 5, 2).await;
    let surge = InventoryPatch { surge_factor: Some(dec("1.25")), ..InventoryPatch::default() };
    for r in [&a, &b] {
        fx.s.catalog.patch_inventory(r.id, fx.day(20), fx.day(21), surge.clone()).await.unwrap();
    }
    let one = query("Evora", stay(fx.day(20), 1), 1);
    assert_eq!(fx.find(one.clone()).await.0, vec![(h1.id, money(12_512)), (h2.id, money(12_538))]);
    // Two nights of 125.12 and 125.12 average to 125.12; 125.375 + 125.375 → 125.38 + 125.38.
    let two = query("Evora", stay(fx.day(20), 2), 1);
    assert_eq!(fx.find(two).await.0, vec![(h1.id, money(12_512)), (h2.id, money(12_538))]);
    // Occupancy: 4 of 5 rooms held on day 20 → × 1.20; holiday on day 20 → × 1.25.
    // 100.10 × 1.25 × 1.20 × 1.25 = 187.6875 → 187.69
    let user = fx.user("holder").await;
    fx.hold(&user, &a, fx.day(20), 1, 4).await;
    let policy = PricingPolicy::new(&[Strategy::Occupancy, Strategy::Holiday], [fx.day(20)]);
    let q = query("Evora", stay(fx.day(20), 1), 1);
    let got = fx.find_with(q, policy.clone()).await.0;
    assert_eq!(got[0], (h2.id, money(15_672)), "B: 125.375 × 1.25 = 156.71875 → 156.72");
    assert_eq!(got[1], (h1.id, money(18_769)));
    let night = fx.s.catalog.stay_nights(a.id, stay(fx.day(20), 1)).await.unwrap();
    assert_eq!(policy.nightly(&night[0], fx.today), money(18_769), "the domain agrees");
}
