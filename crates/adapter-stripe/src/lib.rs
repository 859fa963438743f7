#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod simulated;
mod webhook;

pub use simulated::SimulatedGateway;
pub use webhook::{StripeWebhookVerifier, parse_event, sign};
