#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod simulated;
mod stripe_gateway;
mod traced_client;
mod webhook;

pub use simulated::SimulatedGateway;
pub use stripe_gateway::{CALL_TIMEOUT, CircuitBreaker, StripeGateway, StripeSettings};
pub use traced_client::{TraceContext, TraceContextSource, TracedStripeClient, traceparent_for};
pub use webhook::{StripeWebhookVerifier, parse_event, sign};
