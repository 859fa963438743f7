//! Audit history entries (`GET /bookings/{booking_id}/history`, `GET /admin/hotels/{hotel_id}/history`): the
//! outbox's events as docs/EVENTS.md describes them.

use super::*;

/// Who made a change.
#[derive(Serialize, ToSchema)]
pub struct EventActorResponse {
    /// `user`, `provider` (the payment provider) or `system` (expiry, refunds, the daily top-up).
    #[schema(example = "user")]
    pub kind: &'static str,
    /// The user's id when `kind` is `user`, else null.
    #[schema(example = 17)]
    pub user_id: Option<i64>,
}

/// One recorded event, newest first in lists.
#[derive(Serialize, ToSchema)]
pub struct HistoryEventResponse {
    /// The event's unique id (the NATS message id; consumers dedupe on it).
    #[schema(example = "6f1c2a9e-3b7d-4c55-9e0a-2d8f1b7c4e11")]
    pub event_id: String,
    /// `booking.held`, `booking.confirmed`, `hotel.updated`, `inventory.updated`, ... (docs/EVENTS.md).
    #[serde(rename = "type")]
    #[schema(example = "booking.confirmed")]
    pub event_type: String,
    #[schema(example = "2026-12-06T14:03:11.204518Z")]
    pub occurred_at: String,
    #[schema(example = 7)]
    pub hotel_id: i64,
    /// `booking`, `hotel`, `room` (a room type and its inventory) or `rate_plan`.
    #[schema(example = "booking")]
    pub aggregate_type: &'static str,
    #[schema(example = 42)]
    pub aggregate_id: i64,
    /// Strictly increasing per aggregate (the outbox sequence; not contiguous).
    #[schema(example = 1093)]
    pub aggregate_version: i64,
    pub actor: EventActorResponse,
    /// The event's data: a booking's fields (with `status` and `previous_status`), or for catalog changes
    /// `after` (created), `before` (deleted), or `changes` (field → `{before, after}`) and `after` (updated);
    /// inventory events name the room type, the dates and, when updated, every changed field's distinct values
    /// before and after.
    #[schema(value_type = std::collections::HashMap<String, Object>)]
    pub data: serde_json::Value,
}

impl From<&StoredEvent> for HistoryEventResponse {
    fn from(e: &StoredEvent) -> Self {
        HistoryEventResponse {
            event_id: e.event_id.clone(),
            event_type: e.event_type.clone(),
            occurred_at: ts(e.occurred_at),
            hotel_id: e.hotel_id.get(),
            aggregate_type: e.aggregate_type.as_str(),
            aggregate_id: e.aggregate_id,
            aggregate_version: e.seq,
            actor: EventActorResponse {
                kind: e.actor.kind(),
                user_id: match e.actor {
                    EventActor::User(id) => Some(id.get()),
                    _ => None,
                },
            },
            data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
        }
    }
}
