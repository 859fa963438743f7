//! The read replica (`DATABASE_READ_URL`) serves search only while it keeps up: a monitor reads its replication
//! lag every second (`db_replica_lag_ms`), and past `REPLICA_MAX_LAG_MS` (or when it does not answer) search goes
//! to the primary until the replica is back under the threshold (`db_replica_serving_reads` 0/1). `/ready` reports
//! the lag but does not depend on it; `/ready/read` answers 503 while the replica lags: a lagging replica makes
//! only the read path step aside.

use adapter_postgres::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::Result;
use domain::model::*;
use domain::ports::CatalogQueries;
use domain::pricing::PricingPolicy;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

/// The replica's state as the monitor last saw it (before the first measurement: not serving, no lag known).
#[derive(Debug)]
pub struct ReplicaHealth {
    serving: AtomicBool,
    lag_ms: AtomicI64,
}

impl Default for ReplicaHealth {
    fn default() -> Self {
        ReplicaHealth { serving: AtomicBool::new(false), lag_ms: AtomicI64::new(-1) }
    }
}

impl ReplicaHealth {
    /// Whether search goes to the replica now.
    pub fn serving(&self) -> bool {
        self.serving.load(Ordering::Acquire)
    }

    /// The last lag measured (-1: no answer).
    pub fn lag_ms(&self) -> i64 {
        self.lag_ms.load(Ordering::Acquire)
    }

    /// The state for `/ready` and `/ready/read`.
    pub fn status(&self, max_lag_ms: i64) -> adapter_http::ReplicaStatus {
        let lag = self.lag_ms();
        adapter_http::ReplicaStatus { lag_ms: (lag >= 0).then_some(lag), max_lag_ms, serving_reads: self.serving() }
    }

    /// Records a measurement against `max_lag_ms`.
    pub fn observe(&self, lag: Option<i64>, max_lag_ms: i64) {
        let serving = lag.is_some_and(|l| l <= max_lag_ms);
        let was = self.serving.swap(serving, Ordering::AcqRel);
        self.lag_ms.store(lag.unwrap_or(-1), Ordering::Release);
        metrics::gauge!("db_replica_lag_ms").set(lag.unwrap_or(-1) as f64);
        metrics::gauge!("db_replica_serving_reads").set(if serving { 1.0 } else { 0.0 });
        if was != serving {
            match lag {
                Some(l) if serving => {
                    tracing::info!(lag_ms = l, "read replica back under its lag threshold: search uses it")
                }
                Some(l) => tracing::warn!(lag_ms = l, max_lag_ms, "read replica lags: search goes to the primary"),
                None => tracing::warn!("read replica does not answer: search goes to the primary"),
            }
        }
    }

    /// Measures `replica` every second, forever.
    pub async fn monitor(self: Arc<Self>, replica: PgStore, max_lag_ms: i64) {
        loop {
            self.observe(replica.replica_lag_ms().await, max_lag_ms);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Search on the replica while it is healthy, on the primary otherwise; every other query on the primary.
pub struct ReplicaGate {
    pub replica: Arc<dyn CatalogQueries>,
    pub primary: Arc<dyn CatalogQueries>,
    pub health: Arc<ReplicaHealth>,
}

#[async_trait]
impl CatalogQueries for ReplicaGate {
    async fn hotel_listing(&self, hotel_id: HotelId, stay: Option<StayDates>) -> Result<Option<HotelListing>> {
        self.primary.hotel_listing(hotel_id, stay).await
    }

    async fn search(&self, query: SearchQuery, policy: PricingPolicy, now: DateTime<Utc>) -> Result<Paged<SearchHit>> {
        let from = if self.health.serving() { &self.replica } else { &self.primary };
        from.search(query, policy, now).await
    }

    async fn report(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<ReportTotals> {
        self.primary.report(hotel_id, start, end).await
    }

    async fn room_offer(
        &self,
        hotel_id: HotelId,
        room_id: RoomId,
        stay: Option<StayDates>,
    ) -> Result<Option<RoomOffer>> {
        self.primary.room_offer(hotel_id, room_id, stay).await
    }

    async fn calendar(&self, hotel_id: HotelId, from: NaiveDate, to: NaiveDate) -> Result<Option<HotelCalendar>> {
        self.primary.calendar(hotel_id, from, to).await
    }

    async fn calendars(&self, windows: &[(HotelId, NaiveDate, NaiveDate)]) -> Result<Vec<HotelCalendar>> {
        self.primary.calendars(windows).await
    }

    async fn revenue(&self, hotel_id: HotelId, start: NaiveDate, end: NaiveDate) -> Result<RevenueFacts> {
        self.primary.revenue(hotel_id, start, end).await
    }

    async fn hotel_ids(&self, after: HotelId, limit: i64) -> Result<Vec<HotelId>> {
        self.primary.hotel_ids(after, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_reads_only_under_the_threshold_and_while_it_answers() {
        let h = ReplicaHealth::default();
        assert!(!h.serving(), "not before the first measurement");
        assert_eq!(h.status(5000).lag_ms, None);
        h.observe(Some(120), 5000);
        assert!(h.serving());
        h.observe(Some(5001), 5000);
        assert!(!h.serving());
        assert_eq!(h.lag_ms(), 5001);
        let s = h.status(5000);
        assert_eq!((s.lag_ms, s.max_lag_ms, s.serving_reads), (Some(5001), 5000, false));
        h.observe(Some(0), 5000);
        assert!(h.serving());
        h.observe(None, 5000);
        assert!(!h.serving());
        assert_eq!(h.lag_ms(), -1);
    }
}
