//! Reading the catalog into the model: the full load (in place, a hotel at a time), one hotel, and the nights a
//! batch of changes names (a few hundred hotels a query).

use super::*;

impl ReadModel {
    /// Reads a hotel whole; `None` when it no longer exists.
    pub(super) async fn read_hotel(&self, base: NaiveDate, id: HotelId) -> Result<Option<HotelEntry>> {
        let Some(cal) = self.source.calendar(id, base, base + Duration::days(HORIZON_DAYS)).await? else {
            return Ok(None);
        };
        let plans = self.source.rate_plans_of_hotel(id).await?;
        let mut rooms = Vec::with_capacity(cal.rooms.len());
        for r in cal.rooms {
            let nights = pack(base, id, &r.nights)?;
            rooms.push(RoomEntry { room: r.room, nights });
        }
        rooms.sort_by_key(|r| r.room.id);
        Ok(Some(HotelEntry { hotel: cal.hotel, rooms, plans }))
    }

    /// Reads every hotel again, one at a time, replacing each in place (a model that serves keeps serving, and
    /// never holds two copies of the catalog); hotels gone meanwhile are dropped at the end.
    pub(super) async fn load_all(&self) -> Result<()> {
        let losses = self.feed_losses.load(Ordering::Acquire);
        let base = Utc::now().date_naive() - Duration::days(1);
        {
            let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
            if !self.loaded.load(Ordering::Acquire) || m.base != base {
                // Not serving, or a new day: start from an empty model based on yesterday.
                *m = Model { base, ..Model::default() };
            }
        }
        let mut seen = HashSet::new();
        let mut after = HotelId(0);
        loop {
            let ids = self.source.hotel_ids(after, 500).await?;
            let Some(last) = ids.last().copied() else { break };
            for id in ids {
                let entry = self.read_hotel(base, id).await?;
                let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
                match entry {
                    Some(e) => {
                        seen.insert(id);
                        m.put(e);
                    }
                    None => m.remove(id),
                }
                if m.nights > MAX_MODEL_NIGHTS {
                    *m = Model { base, ..Model::default() };
                    return Err(Error::internal(format!("more than {MAX_MODEL_NIGHTS} nights: not modelled")));
                }
            }
            after = last;
        }
        let (hotels, nights) = {
            let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
            let gone: Vec<HotelId> = m.hotels.keys().filter(|id| !seen.contains(id)).copied().collect();
            gone.into_iter().for_each(|id| m.remove(id));
            (m.hotels.len(), m.nights)
        };
        if self.feed.load(Ordering::Acquire) && self.feed_losses.load(Ordering::Acquire) == losses {
            self.loaded.store(true, Ordering::Release);
        }
        tracing::info!(hotels, nights, "read model loaded");
        Ok(())
    }

    pub(super) async fn reload_hotel(&self, id: HotelId) -> Result<()> {
        let base = self.model.read().map(|m| m.base).map_err(|_| Error::internal("read model lock"))?;
        let entry = self.read_hotel(base, id).await?;
        let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
        match entry {
            Some(e) => m.put(e),
            None => m.remove(id),
        }
        Ok(())
    }

    /// Re-reads the nights of many hotels, each over its own window (hotel, first, last), a few hundred hotels
    /// a round trip ([`CatalogQueries::calendars`]): a burst of bookings over many hotels costs a few queries,
    /// not one a hotel.
    pub(super) async fn reload_nights(&self, windows: &[(HotelId, NaiveDate, NaiveDate)]) -> Result<()> {
        let base = self.model.read().map(|m| m.base).map_err(|_| Error::internal("read model lock"))?;
        let windows: Vec<_> = windows
            .iter()
            .map(|&(id, first, last)| (id, first.max(base), last))
            .filter(|&(_, first, last)| first <= last)
            .collect();
        for chunk in windows.chunks(NIGHTS_BATCH) {
            let mut found: HashMap<HotelId, HotelCalendar> =
                self.source.calendars(chunk).await?.into_iter().map(|c| (c.hotel.id, c)).collect();
            let mut whole = Vec::new();
            {
                let mut m = self.model.write().map_err(|_| Error::internal("read model lock"))?;
                for &(id, first, last) in chunk {
                    match found.remove(&id) {
                        None => m.remove(id),
                        Some(cal) => {
                            if !m.splice_nights(base, cal, first, last)? {
                                whole.push(id);
                            }
                        }
                    }
                }
            }
            for id in whole {
                // A room type came or went meanwhile (its own notification follows): read the hotel whole.
                self.reload_hotel(id).await?;
            }
        }
        Ok(())
    }
}
