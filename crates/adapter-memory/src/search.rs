//! Public hotel search (API.md §4.4.3), decided by `domain::plan` over the store's maps.

use crate::state::State;
use chrono::{DateTime, Utc};
use domain::model::{Paged, SearchHit, SearchQuery};
use domain::plan::{rank_hits, room_search_price};
use domain::pricing::PricingPolicy;

/// Active hotels in the city with at least one room type that qualifies on every night of the stay.
pub(crate) fn search(st: &State, q: &SearchQuery, policy: &PricingPolicy, now: DateTime<Utc>) -> Paged<SearchHit> {
    // Plain equality of lower-cased strings: `%` and `_` are ordinary characters.
    let city = q.city.to_lowercase();
    let hits: Vec<SearchHit> = st
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
                .filter_map(|r| {
                    let nights = st.stay_nights(r.id, &q.stay);
                    let plans = st.rate_plans.values().filter(|p| p.room_id == r.id);
                    room_search_price(r, &nights, st.departure_closed(r.id, &q.stay), plans, q, policy, today)
                })
                .min()?;
            Some(SearchHit::of(h, min_price))
        })
        .collect();
    rank_hits(hits, q.sort, q.page)
}
