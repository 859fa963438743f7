//! The outbox in memory: the same events the PostgreSQL triggers record (docs/EVENTS.md), written under the same
//! lock as the change. Booking events come from comparing each booking's status and refund status with the last
//! ones recorded; catalog events from the writes that make them.

use crate::InMemoryStore;
use crate::state::State;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::Result;
use domain::model::*;
use domain::ports::EventLog;
use serde_json::{Map, Value, json};

/// A booking's status and refund status as its last event recorded them.
type Mark = (BookingStatus, Option<RefundStatus>);

fn opt<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref().map_or(Value::Null, |v| Value::String(v.to_string()))
}

fn number(m: Money) -> Value {
    m.to_decimal().to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
}

/// A hotel as `to_jsonb(hotel)` shows it (timestamps left out).
pub(crate) fn hotel_json(h: &Hotel) -> Value {
    json!({
        "id": h.id.get(), "name": h.name, "city": h.city, "photos": h.photos, "amenities": h.amenities,
        "contact_phone": h.contact_phone, "contact_email": h.contact_email, "contact_address": h.contact_address,
        "active": h.active, "owner_id": h.owner_id.get(), "time_zone": h.time_zone.name(),
        "currency": h.currency.as_str(), "check_in_time": h.check_in_time.format("%H:%M:%S").to_string(),
        "check_out_time": h.check_out_time.format("%H:%M:%S").to_string(),
        "cancellation_policy": h.cancellation_policy.encode(),
        "taxes": h.taxes.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>(),
    })
}

/// A room type as `to_jsonb(room)` shows it.
pub(crate) fn room_json(r: &Room) -> Value {
    json!({
        "id": r.id.get(), "hotel_id": r.hotel_id.get(), "type": r.kind, "base_price": number(r.base_price),
        "photos": r.photos, "amenities": r.amenities, "total_count": r.total_count, "capacity": r.capacity,
    })
}

/// A rate plan as `to_jsonb(rate_plan)` shows it.
pub(crate) fn plan_json(p: &RatePlan) -> Value {
    json!({
        "id": p.id.get(), "hotel_id": p.hotel_id.get(), "room_id": p.room_id.get(), "name": p.name, "code": p.code,
        "meal_plan": p.meal_plan.as_str(), "price_rule": p.price_rule.encode(), "min_stay": p.min_stay,
        "max_stay": p.max_stay, "active": p.active, "is_default": p.is_default,
        "cancellation_policy": p.cancellation_policy.as_ref().map(|c| c.encode()),
    })
}

/// What changed between two rows' JSON: field → {before, after}; `None` when nothing did.
fn changes(before: &Value, after: &Value) -> Option<Value> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else { return None };
    let out: Map<String, Value> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), json!({"before": b.get(k).cloned().unwrap_or(Value::Null), "after": v})))
        .collect();
    (!out.is_empty()).then_some(Value::Object(out))
}

impl State {
    /// Appends one event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &mut self,
        event_type: &str,
        aggregate_type: AggregateType,
        aggregate_id: i64,
        hotel_id: HotelId,
        actor: EventActor,
        now: DateTime<Utc>,
        data: Value,
    ) {
        self.event_seq += 1;
        let seq = self.event_seq;
        self.events.push(StoredEvent {
            seq,
            event_id: format!("00000000-0000-4000-8000-{seq:012x}"),
            event_type: event_type.to_string(),
            aggregate_type,
            aggregate_id,
            hotel_id,
            actor,
            occurred_at: now,
            data: data.to_string(),
            published_at: None,
        });
    }

    /// The actor of a catalog change: the hotel's owner (only the owner may change a hotel), else the system.
    fn owner_of(&self, hotel_id: HotelId) -> EventActor {
        self.hotels.get(&hotel_id).map_or(EventActor::System, |h| EventActor::User(h.owner_id))
    }

    /// `inventory.opened|removed` of a room type's nights.
    pub(crate) fn nights_event(
        &mut self,
        verb: &str,
        room: &Room,
        dates: &[NaiveDate],
        actor: Option<EventActor>,
        now: DateTime<Utc>,
    ) {
        let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) else { return };
        let data = json!({"room_id": room.id.get(), "first_date": first.to_string(), "last_date": last.to_string(), "nights": dates.len()});
        let actor = actor.unwrap_or_else(|| self.owner_of(room.hotel_id));
        self.record(&format!("inventory.{verb}"), AggregateType::Room, room.id.get(), room.hotel_id, actor, now, data);
    }

    /// `inventory.updated` for nights changed by a manager: every changed field with its distinct values before
    /// and after (booked and reserved counts are the booking events' business).
    pub(crate) fn inventory_event(
        &mut self,
        room: &Room,
        before: &[InventoryNight],
        after: &[InventoryNight],
        now: DateTime<Utc>,
    ) {
        type Field = fn(&InventoryNight) -> Value;
        let fields: [(&str, Field); 8] = [
            ("price", |n| number(n.price)),
            ("surge_factor", |n| {
                n.surge_factor.to_string().parse::<serde_json::Number>().map_or(Value::Null, Value::Number)
            }),
            ("total_count", |n| json!(n.total_count)),
            ("closed", |n| json!(n.closed)),
            ("min_stay", |n| json!(n.restrictions.min_stay)),
            ("max_stay", |n| json!(n.restrictions.max_stay)),
            ("closed_to_arrival", |n| json!(n.restrictions.closed_to_arrival)),
            ("closed_to_departure", |n| json!(n.restrictions.closed_to_departure)),
        ];
        let mut out = Map::new();
        let mut dates = Vec::new();
        for (b, a) in before.iter().zip(after) {
            if fields.iter().any(|(_, f)| f(b) != f(a)) {
                dates.push(a.date);
            }
        }
        let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else { return };
        for (name, f) in fields {
            let mut was: Vec<Value> = Vec::new();
            let mut now_is: Vec<Value> = Vec::new();
            for (b, a) in before.iter().zip(after).filter(|(b, a)| f(b) != f(a)) {
                if !was.contains(&f(b)) {
                    was.push(f(b));
                }
                if !now_is.contains(&f(a)) {
                    now_is.push(f(a));
                }
            }
            if !was.is_empty() {
                out.insert(name.to_string(), json!({"before": was, "after": now_is}));
            }
        }
        let data = json!({"room_id": room.id.get(), "first_date": first.to_string(), "last_date": last.to_string(), "nights": dates.len(),
                          "changes": out});
        let actor = self.owner_of(room.hotel_id);
        self.record("inventory.updated", AggregateType::Room, room.id.get(), room.hotel_id, actor, now, data);
    }

    /// Records the booking events of every booking whose status or refund status moved since last recorded
    /// (`booking.held` for a new one, by its guest); `actor` made the other changes.
    pub(crate) fn booking_events(&mut self, actor: EventActor, now: DateTime<Utc>) {
        let moved: Vec<(Booking, Option<Mark>)> = self
            .bookings
            .values()
            .filter_map(|row| {
                let b = &row.booking;
                let mark = self.booking_marks.get(&b.id).copied();
                (mark != Some((b.status, b.refund_status))).then(|| (b.clone(), mark))
            })
            .collect();
        for (b, mark) in moved {
            self.booking_marks.insert(b.id, (b.status, b.refund_status));
            let Some((status, refund)) = mark else {
                let data = self.booking_data(&b, None);
                self.record(
                    "booking.held",
                    AggregateType::Booking,
                    b.id.get(),
                    b.hotel_id,
                    EventActor::User(b.user_id),
                    now,
                    data,
                );
                continue;
            };
            if status != b.status {
                let kind = match b.status {
                    BookingStatus::Reserved => "booking.reserved",
                    BookingStatus::GuestsAdded => "booking.guests_added",
                    BookingStatus::PaymentsPending => "booking.payment_started",
                    BookingStatus::Confirmed => "booking.confirmed",
                    BookingStatus::Cancelled => "booking.cancelled",
                    BookingStatus::Expired => "booking.expired",
                };
                let data = self.booking_data(&b, Some(status));
                self.record(kind, AggregateType::Booking, b.id.get(), b.hotel_id, actor, now, data);
            }
            if refund != b.refund_status
                && let Some(r) = b.refund_status
            {
                let data = self.booking_data(&b, Some(status));
                let kind = format!("booking.refund_{}", r.as_str().to_lowercase());
                self.record(&kind, AggregateType::Booking, b.id.get(), b.hotel_id, actor, now, data);
            }
        }
        let refunds: Vec<(i64, BookingId, Money, RefundStatus, i32)> = self
            .payment_refunds
            .iter()
            .filter(|(id, r)| self.payment_refund_marks.get(id) != Some(&r.status))
            .map(|(id, r)| (*id, r.refund.booking_id, r.refund.amount, r.status, r.attempts))
            .collect();
        for (id, booking_id, amount, status, attempts) in refunds {
            self.payment_refund_marks.insert(id, status);
            let Some(b) = self.bookings.get(&booking_id).map(|r| r.booking.clone()) else { continue };
            let mut data = self.booking_data(&b, Some(b.status));
            data["payment_refund"] =
                json!({"id": id, "amount": number(amount), "status": status.as_str(), "attempts": attempts});
            let kind = format!("booking.payment_refund_{}", status.as_str().to_lowercase());
            self.record(&kind, AggregateType::Booking, b.id.get(), b.hotel_id, actor, now, data);
        }
    }

    /// A booking as its events carry it (the same fields as the PostgreSQL trigger's).
    fn booking_data(&self, b: &Booking, previous: Option<BookingStatus>) -> Value {
        let user = self.users.get(&b.user_id);
        json!({
            "booking_id": b.id.get(), "user_id": b.user_id.get(),
            "guest_email": user.map(|u| u.email.as_str().to_string()), "guest_name": user.and_then(|u| u.name.clone()),
            "hotel_id": b.hotel_id.get(), "hotel_name": self.hotels.get(&b.hotel_id).map(|h| h.name.clone()),
            "room_id": b.room_id.get(), "room_type": self.rooms.get(&b.room_id).map(|r| r.kind.clone()),
            "check_in_date": b.check_in_date.to_string(), "check_out_date": b.check_out_date.to_string(), "nights": b.nights,
            "rooms_count": b.rooms_count, "adults": b.adults, "status": b.status.as_str(),
            "previous_status": previous.map(|s| s.as_str()),
            "amount": number(b.amount), "subtotal": number(b.subtotal), "currency": b.currency.as_str(),
            "cancellation_policy": b.cancellation_policy.encode(), "cancellation_deadline": opt(&b.cancel_deadline),
            "time_zone": b.time_zone.name(), "rate_plan_id": b.rate_plan_id.map(|p| p.get()),
            "expires_at": opt(&b.expires_at), "penalty_amount": b.penalty_amount.map(number),
            "refund_amount": b.refund_amount.map(number), "refund_status": b.refund_status.map(|r| r.as_str()),
        })
    }
}

fn page_of(mut events: Vec<StoredEvent>, page: Page) -> Paged<StoredEvent> {
    events.sort_by_key(|e| std::cmp::Reverse(e.seq));
    let total = events.len() as i64;
    let items = events.into_iter().skip(page.offset.max(0) as usize).take(page.limit.max(0) as usize).collect();
    Paged { items, total }
}

#[async_trait]
impl EventLog for InMemoryStore {
    async fn aggregate_history(&self, aggregate: AggregateType, id: i64, page: Page) -> Result<Paged<StoredEvent>> {
        self.with(|st| {
            let found =
                st.events.iter().filter(|e| e.aggregate_type == aggregate && e.aggregate_id == id).cloned().collect();
            Ok(page_of(found, page))
        })
    }

    async fn hotel_history(&self, hotel_id: HotelId, filter: HistoryFilter, page: Page) -> Result<Paged<StoredEvent>> {
        self.with(|st| {
            let found = st.events.iter().filter(|e| e.hotel_id == hotel_id && filter.matches(e)).cloned().collect();
            Ok(page_of(found, page))
        })
    }

    async fn unpublished(&self, limit: i64) -> Result<Vec<StoredEvent>> {
        self.with(|st| {
            Ok(st
                .events
                .iter()
                .filter(|e| e.published_at.is_none())
                .take(limit.clamp(1, 10_000) as usize)
                .cloned()
                .collect())
        })
    }

    async fn mark_published(&self, seqs: &[i64], at: DateTime<Utc>) -> Result<u64> {
        self.with(|st| {
            let mut n = 0;
            for e in st.events.iter_mut().filter(|e| e.published_at.is_none() && seqs.contains(&e.seq)) {
                e.published_at = Some(at);
                n += 1;
            }
            Ok(n)
        })
    }

    async fn prune_events(&self, before: DateTime<Utc>, unpublished_too: bool) -> Result<u64> {
        self.with(|st| {
            let len = st.events.len();
            st.events.retain(|e| !(e.occurred_at < before && (unpublished_too || e.published_at.is_some())));
            Ok((len - st.events.len()) as u64)
        })
    }
}

/// A hotel and everything in it, as its events see them: the state a catalog write is compared against.
#[derive(Default)]
pub(crate) struct Snapshot {
    hotel: Option<(Value, UserId)>,
    rooms: std::collections::BTreeMap<RoomId, (Room, Value)>,
    plans: std::collections::BTreeMap<RatePlanId, (HotelId, Value)>,
    nights: std::collections::BTreeMap<RoomId, Vec<InventoryNight>>,
}

impl State {
    /// The snapshot of hotel `id` (empty when it does not exist).
    pub(crate) fn snapshot(&self, id: HotelId) -> Snapshot {
        let mut s =
            Snapshot { hotel: self.hotels.get(&id).map(|h| (hotel_json(h), h.owner_id)), ..Snapshot::default() };
        for r in self.rooms.values().filter(|r| r.hotel_id == id) {
            s.rooms.insert(r.id, (r.clone(), room_json(r)));
            s.nights.insert(
                r.id,
                self.inventory.range((r.id, NaiveDate::MIN)..=(r.id, NaiveDate::MAX)).map(|(_, n)| n.clone()).collect(),
            );
        }
        for p in self.rate_plans.values().filter(|p| p.hotel_id == id) {
            s.plans.insert(p.id, (p.hotel_id, plan_json(p)));
        }
        s
    }

    /// Records the events of what changed in hotel `id` since `before`, as the PostgreSQL triggers would: the
    /// hotel, its room types, rate plans and inventory (nights opened, updated, removed). Rows removed with
    /// their hotel are the system's doing, as there the owner is gone with the hotel.
    pub(crate) fn catalog_events(&mut self, id: HotelId, before: Snapshot, now: DateTime<Utc>) {
        let after = self.snapshot(id);
        let owner = after.hotel.as_ref().or(before.hotel.as_ref()).map(|h| h.1);
        let gone = after.hotel.is_none();
        let by = |removed: bool| match owner {
            Some(o) if !(removed && gone) => EventActor::User(o),
            _ => EventActor::System,
        };
        self.catalog_event_by(
            AggregateType::Hotel,
            id.get(),
            id,
            before.hotel.map(|h| h.0),
            after.hotel.map(|h| h.0),
            by(false),
            now,
        );
        let room_ids: std::collections::BTreeSet<RoomId> =
            before.rooms.keys().chain(after.rooms.keys()).copied().collect();
        for r in &room_ids {
            let (b, a) = (before.rooms.get(r), after.rooms.get(r));
            let removed = a.is_none();
            self.catalog_event_by(
                AggregateType::Room,
                r.get(),
                id,
                b.map(|x| x.1.clone()),
                a.map(|x| x.1.clone()),
                by(removed),
                now,
            );
        }
        let plan_ids: std::collections::BTreeSet<RatePlanId> =
            before.plans.keys().chain(after.plans.keys()).copied().collect();
        for p in plan_ids {
            let (b, a) = (before.plans.get(&p), after.plans.get(&p));
            self.catalog_event_by(
                AggregateType::RatePlan,
                p.get(),
                id,
                b.map(|x| x.1.clone()),
                a.map(|x| x.1.clone()),
                by(a.is_none()),
                now,
            );
        }
        for r in room_ids {
            let room = match after.rooms.get(&r).or(before.rooms.get(&r)) {
                Some((room, _)) => room.clone(),
                None => continue,
            };
            let empty = Vec::new();
            let was = before.nights.get(&r).unwrap_or(&empty);
            let is = after.nights.get(&r).unwrap_or(&empty);
            let was_dates: std::collections::BTreeSet<NaiveDate> = was.iter().map(|n| n.date).collect();
            let is_dates: std::collections::BTreeSet<NaiveDate> = is.iter().map(|n| n.date).collect();
            let kept_before: Vec<InventoryNight> = was.iter().filter(|n| is_dates.contains(&n.date)).cloned().collect();
            let kept_after: Vec<InventoryNight> = is.iter().filter(|n| was_dates.contains(&n.date)).cloned().collect();
            self.inventory_event(&room, &kept_before, &kept_after, now);
            let opened: Vec<NaiveDate> = is_dates.difference(&was_dates).copied().collect();
            self.nights_event("opened", &room, &opened, Some(by(false)), now);
            let removed: Vec<NaiveDate> = was_dates.difference(&is_dates).copied().collect();
            self.nights_event("removed", &room, &removed, Some(EventActor::System), now);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn catalog_event_by(
        &mut self,
        aggregate: AggregateType,
        id: i64,
        hotel_id: HotelId,
        before: Option<Value>,
        after: Option<Value>,
        actor: EventActor,
        now: DateTime<Utc>,
    ) {
        let (verb, data) = match (&before, &after) {
            (None, Some(a)) => ("created", json!({"after": a})),
            (Some(b), Some(a)) => match changes(b, a) {
                Some(c) => ("updated", json!({"changes": c, "after": a})),
                None => return,
            },
            (Some(b), None) => ("deleted", json!({"before": b})),
            (None, None) => return,
        };
        self.record(&format!("{}.{verb}", aggregate.as_str()), aggregate, id, hotel_id, actor, now, data);
    }
}
