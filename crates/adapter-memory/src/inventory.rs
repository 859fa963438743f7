//! The inventory port: a room type's nights (list, patch), a stay's nights, and the daily window top-up.

use crate::InMemoryStore;
use crate::catalog::inventory_room_missing;
use crate::state::paged;
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::model::{
    INVENTORY_WINDOW_DAYS, InventoryNight, InventoryPatch, InventoryView, Page, Paged, Room, RoomId, StayDates,
};
use domain::ports::InventoryRepository;
use domain::{Error, Result};

#[async_trait]
impl InventoryRepository for InMemoryStore {
    async fn inventory(
        &self,
        room_id: RoomId,
        start: NaiveDate,
        end: Option<NaiveDate>,
        page: Page,
    ) -> Result<Paged<InventoryView>> {
        self.with(|st| {
            if !st.rooms.contains_key(&room_id) {
                return Err(inventory_room_missing(room_id));
            }
            if end.is_some_and(|e| e < start) {
                return Ok(Paged { items: Vec::new(), total: 0 });
            }
            Ok(paged(st.rows_between(room_id, start, end), page))
        })
    }

    async fn patch_inventory(
        &self,
        room_id: RoomId,
        start: NaiveDate,
        end: NaiveDate,
        patch: InventoryPatch,
    ) -> Result<Vec<InventoryView>> {
        let now = self.with(|st| Ok(st.latest_now.unwrap_or_else(Utc::now)))?;
        self.catalog_write(
            |st| st.rooms.get(&room_id).map(|r| r.hotel_id),
            now,
            |st| {
                if !st.rooms.contains_key(&room_id) {
                    return Err(inventory_room_missing(room_id));
                }
                if end < start {
                    return Ok(Vec::new());
                }
                let range = (room_id, start)..=(room_id, end);
                if let Some(total) = patch.total_count
                    && let Some((_, bad)) =
                        st.inventory.range(range.clone()).find(|(_, n)| total < n.book_count + n.reserved_count)
                {
                    return Err(Error::InventoryConflict(bad.date));
                }
                for (_, night) in st.inventory.range_mut(range) {
                    night.surge_factor = patch.surge_factor.unwrap_or(night.surge_factor);
                    night.price = patch.price.unwrap_or(night.price);
                    night.closed = patch.closed.unwrap_or(night.closed);
                    night.total_count = patch.total_count.unwrap_or(night.total_count);
                    let r = &mut night.restrictions;
                    r.min_stay = patch.min_stay.apply(r.min_stay);
                    r.max_stay = patch.max_stay.apply(r.max_stay);
                    r.closed_to_arrival = patch.closed_to_arrival.unwrap_or(r.closed_to_arrival);
                    r.closed_to_departure = patch.closed_to_departure.unwrap_or(r.closed_to_departure);
                }
                Ok(st.rows_between(room_id, start, Some(end)))
            },
        )
    }

    async fn stay_nights(&self, room_id: RoomId, stay: StayDates) -> Result<Vec<InventoryNight>> {
        self.with(|st| Ok(st.stay_nights(room_id, &stay)))
    }

    async fn extend_inventory_window(&self, now: DateTime<Utc>) -> Result<u64> {
        self.with(|st| {
            let rooms: Vec<Room> = st.rooms.values().cloned().collect();
            Ok(rooms
                .iter()
                .map(|room| {
                    let today = st.hotels.get(&room.hotel_id).map_or(now.date_naive(), |h| h.time_zone.today(now));
                    // From the day after the room's last night (as the PostgreSQL store does).
                    let last = st.inventory.range((room.id, NaiveDate::MIN)..=(room.id, NaiveDate::MAX)).next_back();
                    let from = last.map_or(today, |((_, d), _)| today.max(*d + Duration::days(1)));
                    let end = today + Duration::days(INVENTORY_WINDOW_DAYS);
                    let opened: Vec<NaiveDate> =
                        from.iter_days().take_while(|d| *d < end).filter(|d| st.insert_night(room, *d)).collect();
                    st.nights_event("opened", room, &opened, Some(domain::model::EventActor::System), now);
                    opened.len() as u64
                })
                .sum())
        })
    }
}
