//! Pure planners: the booking decisions, made once for every store.
//!
//! A store loads the rows a decision needs under its locks, calls a planner (plain values in, the writes to
//! make out) and applies the result in the same transaction, keeping its conditional updates as the guard.
//! No planner does I/O; each is unit-tested without any adapter (`tests/planners.rs`).

mod event;
mod hold;
mod quote;
mod refunds;
mod search;
mod transition;

pub use event::{EventPlan, EventResult, booking_refund_key, extra_refund, extra_refund_key, plan_event};
pub use hold::{HoldFacts, HoldPlan, plan_hold, plan_holds};
pub use quote::{StayInput, StayPrice, StayQuote, Unbookable, price_stay};
pub use refunds::{MAX_BACKOFF_EXPONENT, refund_backoff, refund_due, refund_outcome};
pub use search::{rank_hits, room_search_price};
pub use transition::{TransitionPlan, is_client_action};
