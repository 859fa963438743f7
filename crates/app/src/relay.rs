//! The outbox relay's loop (docs/EVENTS.md): on one replica at a time (PostgreSQL: whoever holds the relay's
//! advisory lock; the others wait to take over), rounds of [`OutboxRelay::relay_once`] back to back while
//! events wait, every [`POLL`] when none do, with exponential backoff up to [`MAX_BACKOFF`] while NATS (or the
//! database) fails. Metrics: `outbox_relay_leader`, `outbox_published_total`, `outbox_relay_lag_ms`,
//! `outbox_relay_errors_total`.

use adapter_nats::NatsPublisher;
use adapter_postgres::PgStore;
use domain::services::OutboxRelay;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The wait between rounds when nothing was waiting.
pub const POLL: Duration = Duration::from_millis(100);
/// The longest wait after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How often a standby replica tries to take the lease, and the leader checks it still holds it.
pub const LEASE_CHECK: Duration = Duration::from_secs(2);

/// Runs forever. `lease`: the PostgreSQL store whose advisory lock elects the one relaying replica (`None`: this
/// process is the only one, e.g. the in-memory store).
pub async fn run(relay: OutboxRelay, publisher: Arc<NatsPublisher>, lease: Option<PgStore>) {
    loop {
        let mut held = match &lease {
            None => None,
            Some(pg) => match pg.try_relay_lease().await {
                Ok(Some(l)) => Some(l),
                Ok(None) => {
                    metrics::gauge!("outbox_relay_leader").set(0.0);
                    tokio::time::sleep(LEASE_CHECK).await;
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay: cannot take the lease");
                    tokio::time::sleep(LEASE_CHECK).await;
                    continue;
                }
            },
        };
        metrics::gauge!("outbox_relay_leader").set(1.0);
        tracing::info!("outbox relay: this replica publishes the events");
        if let Err(e) = publisher.ensure_stream().await {
            tracing::warn!(error = %e, "outbox relay: stream not ready yet");
        }
        let mut backoff = POLL;
        let mut checked = Instant::now();
        loop {
            if let Some(l) = held.as_mut()
                && checked.elapsed() >= LEASE_CHECK
            {
                checked = Instant::now();
                if !l.alive().await {
                    tracing::warn!("outbox relay: lease lost (its connection dropped); trying to take it again");
                    break;
                }
            }
            match relay.relay_once().await {
                Ok(r) if r.published > 0 => {
                    metrics::counter!("outbox_published_total").increment(r.published as u64);
                    metrics::gauge!("outbox_relay_lag_ms").set(r.oldest_age_ms as f64);
                    backoff = POLL;
                }
                Ok(_) => {
                    metrics::gauge!("outbox_relay_lag_ms").set(0.0);
                    backoff = POLL;
                    tokio::time::sleep(POLL).await;
                }
                Err(e) => {
                    metrics::counter!("outbox_relay_errors_total").increment(1);
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "outbox relay round failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    // The stream may be gone with a NATS restart without persistence: make sure it exists.
                    let _ = publisher.ensure_stream().await;
                }
            }
        }
        metrics::gauge!("outbox_relay_leader").set(0.0);
    }
}
