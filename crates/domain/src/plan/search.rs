//! Search, decided once for every store that searches in memory (the in-memory store, a replica's read model):
//! whether a room type qualifies for a query and at which price, and the order and page of the hits. The SQL of the
//! PostgreSQL store mirrors these rules; the contract suite holds the two equal.

use crate::model::stay_restriction;
use crate::model::{Hotel, InventoryNight, Money, Page, Paged, RatePlan, Room, SearchHit, SearchQuery, SearchSort};
use crate::pricing::{PricingPolicy, stay_is_available};
use chrono::NaiveDate;

/// The lowest average nightly price of the room type's bookable rate plans (active, the stay fits their length
/// limits, the average within the query's price bounds) when the room type qualifies for `q` on its own: it fits
/// the guests, has `rooms_count` free on every night of the stay and no restriction refuses the stay. `nights` are
/// the room's rows of the stay's nights in date order; `departure_closed` says whether the row dated the check-out
/// date is closed to departure; `today` is the hotel's local date.
pub fn room_search_price<'a>(
    room: &Room,
    nights: &[InventoryNight],
    departure_closed: bool,
    plans: impl IntoIterator<Item = &'a RatePlan>,
    q: &SearchQuery,
    policy: &PricingPolicy,
    today: NaiveDate,
) -> Option<Money> {
    if let Some(guests) = q.guests
        && i64::from(room.capacity) * i64::from(q.rooms_count) < i64::from(guests)
    {
        return None;
    }
    if !stay_is_available(nights, &q.stay, q.rooms_count) {
        return None;
    }
    if stay_restriction(nights, departure_closed, &q.stay).is_some() {
        return None;
    }
    plans
        .into_iter()
        .filter(|p| p.room_id == room.id && p.active && p.allows_stay(q.stay.nights()))
        .map(|p| policy.average_with(nights, today, &p.price_rule))
        .filter(|avg| q.min_price.is_none_or(|min| *avg >= min) && q.max_price.is_none_or(|max| *avg <= max))
        .min()
}

impl SearchHit {
    /// The hit of a hotel whose cheapest qualifying room type averages `min_price` a night.
    pub fn of(h: &Hotel, min_price: Money) -> SearchHit {
        SearchHit {
            id: h.id,
            name: h.name.clone(),
            city: h.city.clone(),
            photos: h.photos.clone(),
            amenities: h.amenities.clone(),
            min_price,
            currency: h.currency.clone(),
        }
    }
}

/// Orders hits as the query asks (name: lower-cased, by code point), ties by hotel id, and cuts the page out.
pub fn rank_hits(mut hits: Vec<SearchHit>, sort: SearchSort, page: Page) -> Paged<SearchHit> {
    match sort {
        SearchSort::PriceAsc => hits.sort_by(|a, b| a.min_price.cmp(&b.min_price).then(a.id.cmp(&b.id))),
        SearchSort::PriceDesc => hits.sort_by(|a, b| b.min_price.cmp(&a.min_price).then(a.id.cmp(&b.id))),
        SearchSort::Name => hits.sort_by_cached_key(|h| (h.name.to_lowercase(), h.id)),
    }
    let total = i64::try_from(hits.len()).unwrap_or(i64::MAX);
    let offset = usize::try_from(page.offset).unwrap_or(0);
    let limit = usize::try_from(page.limit).unwrap_or(0);
    Paged { items: hits.into_iter().skip(offset).take(limit).collect(), total }
}
