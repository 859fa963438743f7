//! `Booking::apply`: every client, provider and sweeper action as a plan of writes.

use crate::Error;
use crate::model::{
    Booking, BookingAction, BookingStatus, CancellationOutcome, GuestId, InventoryEffect, InventoryNight, Money, Step,
    Transition, decide,
};
use crate::pricing::stay_is_available;
use chrono::{DateTime, Utc};

/// The writes one action makes to a booking and its stay's inventory, in order, decided from the rows the
/// adapter loaded under lock. Each step is one conditional status update (`WHERE status = step.from`) plus
/// its inventory effect on every night of the stay; the adapter applies them in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransitionPlan {
    /// At most two: the expiry of an overdue hold, then the action's own transition.
    pub steps: Vec<Transition>,
    /// The error to answer *after* committing the steps: a client action on an overdue hold persists the
    /// expiry, then fails with `BookingExpired`.
    pub fail_after_commit: Option<Error>,
    /// A late payment found no room to re-hold: the booking is cancelled and refunded instead.
    pub rehold_failed: bool,
    /// The money side of the plan's cancel of a confirmed booking (its policy applied at `now`), or of a
    /// payment that cannot be honoured (everything refunded): what to record as `penalty_amount` and
    /// `refund_amount`. A refund is queued only when `refund > 0`.
    pub settlement: Option<CancellationOutcome>,
}

impl TransitionPlan {
    /// Whether anything is written.
    pub fn changed(&self) -> bool {
        self.steps.iter().any(|t| t.from != t.to || t.effect != InventoryEffect::None || t.refund)
    }
    /// The status after the plan (`None` when nothing changes the status).
    pub fn final_status(&self) -> Option<BookingStatus> {
        self.steps.last().map(|t| t.to)
    }
    /// Whether a refund is queued by the plan.
    pub fn queues_refund(&self) -> bool {
        self.steps.iter().any(|t| t.refund)
    }
    /// Whether a step re-holds rooms (a late payment of an expired hold).
    pub fn reholds(&self) -> bool {
        self.steps.iter().any(|t| t.effect == InventoryEffect::Rehold)
    }
}

/// Whether an action is a client's (they fail on an overdue hold after its expiry is persisted).
pub fn is_client_action(action: BookingAction) -> bool {
    matches!(action, BookingAction::AddGuests | BookingAction::StartPayment | BookingAction::Cancel)
}

/// `nights` with `effect` applied for `rooms` rooms (a pure simulation of the inventory write).
fn after_effect(nights: &[InventoryNight], effect: InventoryEffect, rooms: i32) -> Vec<InventoryNight> {
    let (book, reserved) = match effect {
        InventoryEffect::None => (0, 0),
        InventoryEffect::ReleaseReserved => (0, -rooms),
        InventoryEffect::ReservedToBooked => (rooms, -rooms),
        InventoryEffect::ReleaseBooked => (-rooms, 0),
        InventoryEffect::Rehold => (rooms, 0),
    };
    nights
        .iter()
        .map(|n| InventoryNight {
            book_count: n.book_count + book,
            reserved_count: n.reserved_count + reserved,
            ..n.clone()
        })
        .collect()
}

impl Booking {
    /// What cancelling this (confirmed) booking at `now` would keep and refund under its frozen policy.
    pub fn cancellation_outcome(&self, now: DateTime<Utc>) -> CancellationOutcome {
        self.cancellation_policy.outcome(self.cancel_deadline, self.amount, self.nights, now)
    }

    /// Whether [`Booking::apply`] of `action` at `now` needs the stay's nights (only a late payment that may
    /// re-hold rooms does), so adapters lock them only then.
    pub fn needs_nights(&self, action: BookingAction, now: DateTime<Utc>) -> bool {
        action == BookingAction::PaymentSucceeded && self.effective_status(now) == BookingStatus::Expired
    }

    /// Plans `action` on this booking (the row as loaded under its lock) at `now`: an overdue hold is expired
    /// first, then the state machine decides. `nights` are the stay's rows loaded under lock when
    /// [`Booking::needs_nights`] says so (else ignored); a re-hold that does not fit cancels and refunds.
    ///
    /// ```
    /// # use domain::model::*;
    /// # fn demo(b: &Booking, now: chrono::DateTime<chrono::Utc>) -> Result<(), domain::Error> {
    /// let plan = b.apply(BookingAction::Cancel, now, &[])?;
    /// for step in &plan.steps {
    ///     // UPDATE booking SET status = step.to WHERE id = b.id AND status = step.from; inventory per step.effect
    /// }
    /// if let Some(e) = plan.fail_after_commit { /* commit, then answer e */ }
    /// # Ok(()) }
    /// ```
    pub fn apply(
        &self,
        action: BookingAction,
        now: DateTime<Utc>,
        nights: &[InventoryNight],
    ) -> Result<TransitionPlan, Error> {
        let mut plan = TransitionPlan::default();
        let mut status = self.status;
        let mut nights = nights.to_vec();
        if status.is_hold() && self.effective_status(now) == BookingStatus::Expired {
            let expire = Transition {
                from: status,
                to: BookingStatus::Expired,
                effect: InventoryEffect::ReleaseReserved,
                refund: false,
            };
            nights = after_effect(&nights, expire.effect, self.rooms_count);
            plan.steps.push(expire);
            status = BookingStatus::Expired;
            if is_client_action(action) {
                plan.fail_after_commit = Some(Error::BookingExpired);
                return Ok(plan);
            }
        }
        match decide(status, action, self.time_zone.today(now), self.check_in_date)? {
            Step::NoEffect => {}
            Step::Apply(mut t) => {
                if t.effect == InventoryEffect::Rehold && !stay_is_available(&nights, &self.stay(), self.rooms_count) {
                    t = Transition {
                        from: t.from,
                        to: BookingStatus::Cancelled,
                        effect: InventoryEffect::None,
                        refund: true,
                    };
                    plan.rehold_failed = true;
                }
                if t.refund {
                    let settlement = if t.from == BookingStatus::Confirmed && action == BookingAction::Cancel {
                        // The guest cancels a paid stay: the frozen policy decides what is kept.
                        self.cancellation_outcome(now)
                    } else {
                        // A payment the booking cannot honour (cancelled, or no room left): all of it goes back.
                        CancellationOutcome { penalty: Money::ZERO, refund: self.amount }
                    };
                    t.refund = settlement.refund > Money::ZERO;
                    plan.settlement = Some(settlement);
                }
                plan.steps.push(t);
            }
        }
        Ok(plan)
    }
}

impl Booking {
    /// The addGuests checks on the rows read under the booking lock: every requested id must be one of
    /// `live` (the user's guests that are not deleted; the first missing id → `GuestNotFound`), and the
    /// guests linked afterwards must fit `capacity × rooms_count` (`TooManyGuests`).
    pub fn check_guests(
        &self,
        requested: &[GuestId],
        live: &std::collections::HashSet<GuestId>,
        capacity: i32,
    ) -> Result<(), Error> {
        if let Some(missing) = requested.iter().find(|g| !live.contains(g)) {
            return Err(Error::GuestNotFound(*missing));
        }
        let mut linked: std::collections::BTreeSet<GuestId> = self.guests.iter().map(|g| g.id).collect();
        linked.extend(requested.iter().copied());
        let max = i64::from(capacity) * i64::from(self.rooms_count);
        if i64::try_from(linked.len()).unwrap_or(i64::MAX) > max {
            return Err(Error::TooManyGuests(max));
        }
        Ok(())
    }
}
