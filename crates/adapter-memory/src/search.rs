//! Public hotel search (API.md §4.4.3).

use crate::state::{State, paged};
use chrono::{DateTime, NaiveDate, Utc};
use domain::model::{Hotel, Money, Paged, Room, SearchHit, SearchQuery, SearchSort, stay_restriction};
use domain::pricing::{PricingPolicy, stay_is_available};

/// Active hotels in the city with at least one room type that qualifies on every night of the stay.
pub(crate) fn search(st: &State, q: &SearchQuery, policy: &PricingPolicy, now: DateTime<Utc>) -> Paged<SearchHit> {
    // Plain equality of lower-cased strings: `%` and `_` are ordinary characters.
    let city = q.city.to_lowercase();
    let mut hits: Vec<SearchHit> = st
        .hotels
        .values()
        .filter(|h| h.active && h.city.as_ref().is_some_and(|c| c.to_lowercase() == city))
        .filter_map(|h| {
            // Each hotel prices at its own local date, and a stay already begun there is not offered.
            let today = h.time_zone.today(now);
            if q.stay.check_in() < today {
                return None;
            }
            let min_price = st
                .rooms
                .values()
                .filter(|r| r.hotel_id == h.id)
                .filter_map(|r| qualifying_average(st, r, q, policy, today))
                .min()?;
            Some(hit(h, min_price))
        })
        .collect();
    hits.sort_by(|a, b| {
        let primary = match q.sort {
            SearchSort::PriceAsc => a.min_price.cmp(&b.min_price),
            SearchSort::PriceDesc => b.min_price.cmp(&a.min_price),
            SearchSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        };
        primary.then(a.id.cmp(&b.id))
    });
    paged(hits, q.page)
}

/// `avg(R)` when room type `R` qualifies for the query on its own, else `None`.
fn qualifying_average(
    st: &State,
    room: &Room,
    q: &SearchQuery,
    policy: &PricingPolicy,
    today: NaiveDate,
) -> Option<Money> {
    if let Some(guests) = q.guests
        && i64::from(room.capacity) * i64::from(q.rooms_count) < i64::from(guests)
    {
        return None;
    }
    let nights = st.stay_nights(room.id, &q.stay);
    if !stay_is_available(&nights, &q.stay, q.rooms_count) {
        return None;
    }
    if stay_restriction(&nights, st.departure_closed(room.id, &q.stay), &q.stay).is_some() {
        return None;
    }
    // The cheapest bookable rate plan of the room type (active, and the stay fits its limits).
    st.rate_plans
        .values()
        .filter(|p| p.room_id == room.id && p.active && p.allows_stay(q.stay.nights()))
        .map(|p| policy.average_with(&nights, today, &p.price_rule))
        .filter(|avg| q.min_price.is_none_or(|min| *avg >= min) && q.max_price.is_none_or(|max| *avg <= max))
        .min()
}

fn hit(h: &Hotel, min_price: Money) -> SearchHit {
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
