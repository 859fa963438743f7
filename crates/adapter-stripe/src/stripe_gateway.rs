//! `StripeGateway`: Checkout Sessions, their expiry and refunds through async-stripe, behind a circuit breaker.
//! Provider error text is logged, never returned to clients.
//!
//! **Trace context.** Calls run inside the caller's request span, so every line this gateway logs (the provider
//! errors of `translate`, the breaker's transitions, the per-call debug line) carries the request's `request_id`
//! and, when the caller sent a `traceparent`, its `trace_id`. The calls go out through [`TracedStripeClient`],
//! which sends a W3C `traceparent` header: the caller's trace id and flags with a new span id per call, or a fresh
//! unsampled trace outside a traced request (the sweeper). Headers are not part of Stripe's idempotency check, so
//! a retried key with another `traceparent` is still the same request.

use crate::traced_client::{TraceContextSource, TracedStripeClient};
use async_trait::async_trait;
use domain::ports::*;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAllowedPaymentMethodTypes, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, ExpireCheckoutSession, ProductData,
};
use stripe_core::refund::CreateRefund;

/// Per-call timeout towards the provider.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens after `threshold` consecutive provider failures; after `cool_down` one trial call is let through.
pub struct CircuitBreaker {
    threshold: u32,
    cool_down: Duration,
    state: Mutex<BreakerState>,
}

#[derive(Default)]
struct BreakerState {
    failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

impl CircuitBreaker {
    /// A breaker with the given threshold and cool-down (closed: the `payment_circuit_open` gauge reads 0).
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        publish_state(false);
        CircuitBreaker { threshold, cool_down, state: Mutex::new(BreakerState::default()) }
    }

    /// Whether a call may go out now (open → refuse; half-open → exactly one trial). The permit records the
    /// call's outcome; a permit dropped without an outcome (the caller's future was cancelled) releases the
    /// trial slot, so a cancelled trial can never leave the breaker open for good.
    pub fn allow(&self) -> Option<Permit<'_>> {
        let Ok(mut s) = self.state.lock() else { return Some(Permit { breaker: self, trial: false, done: false }) };
        match s.open_until {
            None => Some(Permit { breaker: self, trial: false, done: false }),
            Some(t) if Instant::now() < t => None,
            Some(_) if s.trial_in_flight => None,
            Some(_) => {
                s.trial_in_flight = true;
                Some(Permit { breaker: self, trial: true, done: false })
            }
        }
    }

    fn record(&self, failure: bool, trial: bool) {
        let Ok(mut s) = self.state.lock() else { return };
        let was_open = s.open_until.is_some();
        if trial {
            s.trial_in_flight = false;
        }
        if failure {
            s.failures += 1;
            if trial || s.failures >= self.threshold {
                s.open_until = Some(Instant::now() + self.cool_down);
            }
        } else {
            *s = BreakerState::default();
        }
        let open = s.open_until.is_some();
        if open != was_open {
            publish_state(open);
            if open {
                tracing::warn!(
                    failures = s.failures,
                    cool_down_secs = self.cool_down.as_secs(),
                    "payment circuit opened"
                );
            } else {
                tracing::info!("payment circuit closed");
            }
        }
    }

    /// Whether the breaker currently refuses calls.
    pub fn is_open(&self) -> bool {
        self.state.lock().map(|s| s.open_until.is_some_and(|t| Instant::now() < t)).unwrap_or(false)
    }
}

/// The `payment_circuit_open` gauge: 1 from the moment the breaker opens until a call succeeds again (through the
/// cool-down and the half-open trial), else 0.
fn publish_state(open: bool) {
    metrics::gauge!("payment_circuit_open").set(if open { 1.0 } else { 0.0 });
}

/// Leave to make one call through a [`CircuitBreaker`].
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    trial: bool,
    done: bool,
}

impl Permit<'_> {
    /// Records the outcome of the call (`failure` only for provider/transport failures).
    pub fn record(mut self, failure: bool) {
        self.done = true;
        self.breaker.record(failure, self.trial);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.done && self.trial {
            // Cancelled mid-trial: free the slot without judging the provider; the next call is the trial.
            if let Ok(mut s) = self.breaker.state.lock() {
                s.trial_in_flight = false;
            }
        }
    }
}

/// Settings of the Stripe gateway.
#[derive(Clone)]
pub struct StripeSettings {
    pub secret_key: String,
    /// `STRIPE_API_BASE` (a local fake in tests).
    pub api_base: String,
    pub frontend_url: String,
    pub breaker_threshold: u32,
    pub breaker_cool_down: Duration,
    /// The current request's trace context (`|| None` outside a server: each call then starts a fresh trace).
    pub trace_context: TraceContextSource,
}

/// The payment port on Stripe Checkout.
pub struct StripeGateway {
    client: TracedStripeClient,
    frontend_url: String,
    breaker: CircuitBreaker,
}

fn translate(op: &'static str, e: StripeError) -> PaymentError {
    tracing::warn!(operation = op, error = %e, "payment provider error");
    metrics::counter!("payment_gateway_errors_total", "operation" => op).increment(1);
    match e {
        StripeError::Stripe(api, status) => {
            let card = matches!(api.type_, stripe::ApiErrorsType::CardError);
            match status {
                402 => PaymentError::Declined(format!("{status}")),
                _ if card => PaymentError::Declined(format!("{status}")),
                409 | 429 | 500..=599 => PaymentError::Retryable(format!("{status}")),
                _ => PaymentError::Permanent(format!("{status}")),
            }
        }
        StripeError::ClientError(m) => PaymentError::Retryable(m),
        StripeError::Timeout => PaymentError::Retryable("timeout".into()),
        StripeError::JSONDeserialize(m) => PaymentError::Retryable(m),
        StripeError::ConfigError(m) => PaymentError::Permanent(m),
    }
}

impl StripeGateway {
    /// Builds the client (no network I/O).
    pub fn new(settings: StripeSettings) -> Result<Self, String> {
        let client = TracedStripeClient::new(
            &settings.secret_key,
            &settings.api_base,
            RequestStrategy::Once,
            settings.trace_context,
        )
        .map_err(|e| e.to_string())?;
        Ok(StripeGateway {
            client,
            frontend_url: settings.frontend_url.trim_end_matches('/').to_string(),
            breaker: CircuitBreaker::new(settings.breaker_threshold, settings.breaker_cool_down),
        })
    }

    /// The breaker (for tests and metrics).
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    async fn guarded<T>(
        &self,
        op: &'static str,
        call: impl std::future::Future<Output = Result<T, StripeError>>,
    ) -> Result<T, PaymentError> {
        let Some(permit) = self.breaker.allow() else {
            metrics::counter!("payment_gateway_errors_total", "operation" => op).increment(1);
            return Err(PaymentError::Retryable("circuit open".into()));
        };
        let started = Instant::now();
        let result = match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(r) => r.map_err(|e| translate(op, e)),
            Err(_) => Err(translate(op, StripeError::Timeout)),
        };
        tracing::debug!(
            operation = op,
            ok = result.is_ok(),
            latency_ms = started.elapsed().as_secs_f64() * 1000.0,
            "payment provider call"
        );
        permit.record(matches!(result, Err(PaymentError::Retryable(_))));
        result
    }
}

fn key(k: &str) -> Result<RequestStrategy, PaymentError> {
    IdempotencyKey::new(k).map(RequestStrategy::Idempotent).map_err(|e| PaymentError::Permanent(e.to_string()))
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn create_checkout(&self, req: CheckoutRequest) -> Result<PaymentSession, PaymentError> {
        let currency = stripe_types::Currency::from_str(&req.currency.lower())
            .map_err(|_| PaymentError::Permanent(format!("currency {}", req.currency)))?;
        let mut product = ProductData::new(format!("Booking #{}", req.booking_id));
        product.description = Some(format!("Room booking from {} to {}", req.check_in_date, req.check_out_date));
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
        price.unit_amount = Some(req.amount.minor());
        price.product_data = Some(product);
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let id = req.booking_id.to_string();
        let create = CreateCheckoutSession::new()
            .mode(stripe_checkout::CheckoutSessionMode::Payment)
            .allowed_payment_method_types(vec![CreateCheckoutSessionAllowedPaymentMethodTypes::Card])
            .line_items(vec![item])
            .success_url(format!("{}/booking/{id}/success", self.frontend_url))
            .cancel_url(format!("{}/booking/{id}/cancel", self.frontend_url))
            .client_reference_id(id.clone())
            .metadata(HashMap::from([("booking_id".to_string(), id)]))
            .customer_email(req.customer_email.clone())
            .expires_at(req.expires_at.timestamp());
        let strategy = key(&req.idempotency_key)?;
        let session =
            self.guarded("create_checkout", create.customize().request_strategy(strategy).send(&self.client)).await?;
        let url = session.url.clone().ok_or_else(|| PaymentError::Permanent("session without url".into()))?;
        let expires_at = chrono::DateTime::from_timestamp(session.expires_at, 0).unwrap_or(req.expires_at);
        Ok(PaymentSession { id: session.id.to_string(), url, expires_at })
    }

    async fn expire_session(&self, session_id: &str) -> Result<(), PaymentError> {
        let req = ExpireCheckoutSession::new(session_id.to_string());
        self.guarded("expire_session", req.customize().send(&self.client)).await.map(|_| ())
    }

    async fn refund(&self, req: RefundRequest) -> Result<String, PaymentError> {
        let pi = req.payment_intent.clone().ok_or_else(|| PaymentError::Permanent("no payment intent".into()))?;
        let create = CreateRefund::new().payment_intent(pi).amount(req.amount.minor());
        let strategy = key(&req.idempotency_key)?;
        let refund = self.guarded("refund", create.customize().request_strategy(strategy).send(&self.client)).await?;
        Ok(refund.id.to_string())
    }
}
