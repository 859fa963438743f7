use async_trait::async_trait;
use domain::ports::*;
use std::sync::Arc;

/// The offline payment provider: sessions live in the database, refunds succeed at once.
pub struct SimulatedGateway {
    store: Arc<dyn SimulatedSessionStore>,
    public_base_url: String,
}

impl SimulatedGateway {
    /// `public_base_url` is this server's external base URL (session pages are served there).
    pub fn new(store: Arc<dyn SimulatedSessionStore>, public_base_url: &str) -> Self {
        SimulatedGateway { store, public_base_url: public_base_url.trim_end_matches('/').to_string() }
    }
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    async fn create_checkout(&self, req: CheckoutRequest) -> std::result::Result<PaymentSession, PaymentError> {
        let id = format!("sim_cs_{}", uuid::Uuid::new_v4().simple());
        let session = SimulatedSession {
            id: id.clone(),
            booking_id: req.booking_id,
            amount: req.amount,
            currency: req.currency.as_str().to_string(),
            status: "OPEN".into(),
            expires_at: req.expires_at,
        };
        self.store.insert_session(session).await.map_err(|e| PaymentError::Retryable(e.to_string()))?;
        Ok(PaymentSession {
            url: format!("{}/payments/simulated/{id}", self.public_base_url),
            id,
            expires_at: req.expires_at,
        })
    }

    async fn expire_session(&self, session_id: &str) -> std::result::Result<(), PaymentError> {
        self.store
            .set_session_status(session_id, "OPEN", "EXPIRED")
            .await
            .map(|_| ())
            .map_err(|e| PaymentError::Retryable(e.to_string()))
    }

    async fn refund(&self, req: RefundRequest) -> std::result::Result<String, PaymentError> {
        Ok(format!("sim_re_{}", req.booking_id))
    }
}
