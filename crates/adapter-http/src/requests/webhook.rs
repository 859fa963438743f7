//! The provider webhook (documentation of what the provider sends).

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Provider webhook (documentation of what the provider sends; verified and parsed by the domain's verifier)
// ---------------------------------------------------------------------------------------------------------------

/// A Stripe event: the raw body is verified against `Stripe-Signature` before it is parsed.
#[derive(ToSchema)]
#[schema(example = json!({"id": "evt_123", "type": "checkout.session.completed",
    "data": {"object": {"id": "cs_test_123", "payment_status": "paid", "metadata": {"booking_id": "42"}}}}))]
pub struct StripeEvent {
    pub id: String,
    #[schema(rename = "type", example = "checkout.session.completed")]
    pub event_type: String,
    pub data: StripeEventData,
}

/// `data` of a Stripe event.
#[derive(ToSchema)]
pub struct StripeEventData {
    /// The provider object (a Checkout Session for the events acted on).
    #[schema(value_type = HashMap<String, Value>)]
    pub object: HashMap<String, Value>,
}
