//! Saved guests (soft delete).

use crate::InMemoryStore;
use crate::state::{GuestRow, paged};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::model::{Guest, GuestPatch, MAX_SAVED_GUESTS, NewGuest, Page, Paged};
use domain::model::{GuestId, UserId};
use domain::ports::GuestRepository;
use domain::{Error, Result};

#[async_trait]
impl GuestRepository for InMemoryStore {
    async fn list_guests(&self, user_id: UserId, page: Page) -> Result<Paged<Guest>> {
        self.with(|st| {
            let live = st.guests.values().filter(|g| g.is_live_of(user_id)).map(|g| g.guest.clone());
            Ok(paged(live, page))
        })
    }

    async fn create_guest(&self, user_id: UserId, guest: NewGuest) -> Result<Guest> {
        self.with(|st| {
            let live = st.guests.values().filter(|g| g.is_live_of(user_id)).count();
            if i64::try_from(live).unwrap_or(i64::MAX) >= MAX_SAVED_GUESTS {
                return Err(Error::LimitExceeded("At most 200 saved guests"));
            }
            let id = st.ids.guest();
            let stored = Guest { id, user_id, name: guest.name, gender: guest.gender, age: guest.age };
            st.guests.insert(id, GuestRow { guest: stored.clone(), deleted_at: None });
            Ok(stored)
        })
    }

    async fn update_guest(&self, user_id: UserId, id: GuestId, patch: GuestPatch) -> Result<Option<Guest>> {
        self.with(|st| {
            let Some(row) = st.guests.get_mut(&id).filter(|g| g.is_live_of(user_id)) else { return Ok(None) };
            let g = &mut row.guest;
            if let Some(name) = patch.name {
                g.name = name;
            }
            if let Some(gender) = patch.gender {
                g.gender = gender;
            }
            g.age = patch.age.apply(g.age);
            Ok(Some(g.clone()))
        })
    }

    async fn delete_guest(&self, user_id: UserId, id: GuestId, now: DateTime<Utc>) -> Result<bool> {
        self.with(|st| {
            st.saw(now);
            let Some(row) = st.guests.get_mut(&id).filter(|g| g.is_live_of(user_id)) else { return Ok(false) };
            row.deleted_at = Some(now);
            Ok(true)
        })
    }
}
