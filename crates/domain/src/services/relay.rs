//! The outbox relay's round: the oldest unpublished events, published in order, then marked. At least once:
//! a crash between publishing and marking publishes them again, and the broker drops the copies by event id.

use crate::Result;
use crate::ports::{Clock, EventLog, EventPublisher};
use std::sync::Arc;

/// Moves recorded events to the broker (the app runs [`OutboxRelay::relay_once`] in a loop on one replica at a
/// time; docs/EVENTS.md).
pub struct OutboxRelay {
    events: Arc<dyn EventLog>,
    publisher: Arc<dyn EventPublisher>,
    clock: Arc<dyn Clock>,
    batch: i64,
}

impl OutboxRelay {
    /// A relay publishing up to `batch` events a round.
    pub fn new(
        events: Arc<dyn EventLog>,
        publisher: Arc<dyn EventPublisher>,
        clock: Arc<dyn Clock>,
        batch: i64,
    ) -> OutboxRelay {
        OutboxRelay { events, publisher, clock, batch: batch.clamp(1, 10_000) }
    }

    /// One round: returns how many events were published and marked (0: none waiting). On a publishing error
    /// nothing is marked, and the next round starts again from the same event.
    pub async fn relay_once(&self) -> Result<RelayRound> {
        let events = self.events.unpublished(self.batch).await?;
        let Some(oldest) = events.first().map(|e| e.occurred_at) else {
            return Ok(RelayRound { published: 0, oldest_age_ms: 0 });
        };
        self.publisher.publish(&events).await?;
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        let now = self.clock.now();
        self.events.mark_published(&seqs, now).await?;
        Ok(RelayRound { published: events.len(), oldest_age_ms: (now - oldest).num_milliseconds().max(0) })
    }
}

/// What one relay round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayRound {
    /// Events published and marked.
    pub published: usize,
    /// How long the oldest of them waited in the outbox (the relay's lag), in milliseconds.
    pub oldest_age_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::ports::{FixedClock, MockEventLog, MockEventPublisher};
    use chrono::{Duration, TimeZone, Utc};

    fn event(seq: i64) -> StoredEvent {
        StoredEvent {
            seq,
            event_id: format!("id-{seq}"),
            event_type: "booking.held".into(),
            aggregate_type: AggregateType::Booking,
            aggregate_id: 1,
            hotel_id: HotelId(1),
            actor: EventActor::System,
            occurred_at: Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 0).unwrap(),
            data: "{}".into(),
            published_at: None,
        }
    }

    #[tokio::test]
    async fn publishes_in_order_then_marks_and_marks_nothing_on_failure() {
        let now = Utc.with_ymd_and_hms(2027, 1, 1, 12, 0, 2).unwrap();
        let mut log = MockEventLog::new();
        log.expect_unpublished().withf(|n| *n == 100).returning(|_| Ok(vec![event(3), event(5)]));
        log.expect_mark_published().withf(move |s, at| s == [3, 5] && *at == now).times(1).returning(|_, _| Ok(2));
        let mut publisher = MockEventPublisher::new();
        publisher
            .expect_publish()
            .withf(|e| e.iter().map(|e| e.seq).collect::<Vec<_>>() == [3, 5])
            .times(1)
            .returning(|_| Ok(()));
        let relay = OutboxRelay::new(Arc::new(log), Arc::new(publisher), Arc::new(FixedClock(now)), 100);
        assert_eq!(relay.relay_once().await.unwrap(), RelayRound { published: 2, oldest_age_ms: 2000 });

        let mut log = MockEventLog::new();
        log.expect_unpublished().returning(|_| Ok(vec![event(3)]));
        log.expect_mark_published().never();
        let mut publisher = MockEventPublisher::new();
        publisher.expect_publish().returning(|_| Err(crate::Error::Unavailable));
        let relay = OutboxRelay::new(Arc::new(log), Arc::new(publisher), Arc::new(FixedClock(now)), 100);
        assert_eq!(relay.relay_once().await, Err(crate::Error::Unavailable));

        let mut log = MockEventLog::new();
        log.expect_unpublished().returning(|_| Ok(Vec::new()));
        let mut publisher = MockEventPublisher::new();
        publisher.expect_publish().never();
        let relay =
            OutboxRelay::new(Arc::new(log), Arc::new(publisher), Arc::new(FixedClock(now + Duration::days(1))), 100);
        assert_eq!(relay.relay_once().await.unwrap().published, 0);
    }
}
