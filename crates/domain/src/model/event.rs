//! Domain events as the transactional outbox records them (docs/EVENTS.md): every booking transition and refund
//! outcome, and every change of a hotel, room type, rate plan or inventory, written in the transaction that makes
//! the change; published to the message broker by the relay and read back as audit history.

use super::{HotelId, UserId};
use chrono::{DateTime, NaiveDate, Utc};

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventActor {
    /// A signed-in user (a guest, or a hotel's manager).
    User(UserId),
    /// The payment provider (a verified webhook or the simulated checkout).
    Provider,
    /// The system itself (expiry, refunds, the daily inventory top-up).
    System,
}

impl EventActor {
    /// Storage form: `user:<id>`, `provider`, `system`.
    pub fn encode(self) -> String {
        match self {
            EventActor::User(id) => format!("user:{}", id.get()),
            EventActor::Provider => "provider".into(),
            EventActor::System => "system".into(),
        }
    }

    /// Parses [`Self::encode`]'s form.
    pub fn parse(s: &str) -> Option<EventActor> {
        match s {
            "provider" => Some(EventActor::Provider),
            "system" => Some(EventActor::System),
            _ => s.strip_prefix("user:")?.parse().ok().map(|id| EventActor::User(UserId(id))),
        }
    }

    /// `user`, `provider` or `system`.
    pub fn kind(self) -> &'static str {
        match self {
            EventActor::User(_) => "user",
            EventActor::Provider => "provider",
            EventActor::System => "system",
        }
    }
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateType {
    /// A booking (`booking.*` events).
    Booking,
    /// A hotel (`hotel.*`).
    Hotel,
    /// A room type (`room.*`) and its inventory (`inventory.*`).
    Room,
    /// A rate plan (`rate_plan.*`).
    RatePlan,
}

impl AggregateType {
    /// Wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateType::Booking => "booking",
            AggregateType::Hotel => "hotel",
            AggregateType::Room => "room",
            AggregateType::RatePlan => "rate_plan",
        }
    }

    /// Parses [`Self::as_str`]'s form.
    pub fn parse(s: &str) -> Option<AggregateType> {
        [AggregateType::Booking, AggregateType::Hotel, AggregateType::Room, AggregateType::RatePlan]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// The event types (the `type` of the envelope and the last two tokens of the NATS subject).
pub mod event_types {
    /// A hold was made (RESERVED).
    pub const BOOKING_HELD: &str = "booking.held";
    /// Guests were added (GUESTS_ADDED), also when a payment attempt is given up.
    pub const BOOKING_GUESTS_ADDED: &str = "booking.guests_added";
    /// A checkout session was opened (PAYMENTS_PENDING).
    pub const BOOKING_PAYMENT_STARTED: &str = "booking.payment_started";
    /// Paid (CONFIRMED).
    pub const BOOKING_CONFIRMED: &str = "booking.confirmed";
    /// Cancelled (by the guest, or a failed payment), with the penalty and refund applied.
    pub const BOOKING_CANCELLED: &str = "booking.cancelled";
    /// The hold ran out (EXPIRED).
    pub const BOOKING_EXPIRED: &str = "booking.expired";
    /// Every type, for validation of filters.
    pub const ALL: &[&str] = &[
        BOOKING_HELD,
        BOOKING_GUESTS_ADDED,
        BOOKING_PAYMENT_STARTED,
        BOOKING_CONFIRMED,
        BOOKING_CANCELLED,
        BOOKING_EXPIRED,
        "booking.reserved",
        "booking.refund_pending",
        "booking.refund_succeeded",
        "booking.refund_failed",
        "booking.payment_refund_pending",
        "booking.payment_refund_succeeded",
        "booking.payment_refund_failed",
        "hotel.created",
        "hotel.updated",
        "hotel.deleted",
        "room.created",
        "room.updated",
        "room.deleted",
        "rate_plan.created",
        "rate_plan.updated",
        "rate_plan.deleted",
        "inventory.opened",
        "inventory.updated",
        "inventory.removed",
    ];
}

/// One recorded event (a row of the outbox).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Position in the outbox: publication order, and the aggregate's version (strictly increasing per
    /// aggregate, not contiguous).
    pub seq: i64,
    /// The event's unique id (a UUID): the broker's message id and the consumers' dedupe key.
    pub event_id: String,
    /// One of [`event_types::ALL`].
    pub event_type: String,
    /// What the event is about.
    pub aggregate_type: AggregateType,
    /// Its id (a booking, hotel, room type or rate plan id; inventory events name the room type).
    pub aggregate_id: i64,
    /// The hotel it belongs to (the NATS subject's second token).
    pub hotel_id: HotelId,
    /// Who made the change.
    pub actor: EventActor,
    /// When the change was made (its transaction's time).
    pub occurred_at: DateTime<Utc>,
    /// The event's data as a JSON object (text): the booking as consumers need it, or for catalog changes
    /// `after`, `before` and `changes` (field → {before, after}); docs/EVENTS.md.
    pub data: String,
    /// When the relay had the broker acknowledge it (`None`: not yet).
    pub published_at: Option<DateTime<Utc>>,
}

/// Filters of a hotel's history (all optional; dates are inclusive, by the day the event occurred, UTC).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryFilter {
    /// One aggregate only.
    pub aggregate: Option<(AggregateType, i64)>,
    /// One event type only.
    pub event_type: Option<String>,
    /// Events on or after this day.
    pub from: Option<NaiveDate>,
    /// Events on or before this day.
    pub to: Option<NaiveDate>,
}

impl HistoryFilter {
    /// Whether `e` passes the filter (the in-memory store's reading of it).
    pub fn matches(&self, e: &StoredEvent) -> bool {
        self.aggregate.is_none_or(|(t, id)| e.aggregate_type == t && e.aggregate_id == id)
            && self.event_type.as_deref().is_none_or(|t| e.event_type == t)
            && self.from.is_none_or(|d| e.occurred_at.date_naive() >= d)
            && self.to.is_none_or(|d| e.occurred_at.date_naive() <= d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip() {
        for a in [EventActor::User(UserId(17)), EventActor::Provider, EventActor::System] {
            assert_eq!(EventActor::parse(&a.encode()), Some(a));
        }
        assert_eq!(EventActor::parse("user:x"), None);
        assert_eq!(EventActor::parse("root"), None);
        assert_eq!(AggregateType::parse("rate_plan"), Some(AggregateType::RatePlan));
        assert_eq!(AggregateType::parse("inventory"), None);
    }
}
