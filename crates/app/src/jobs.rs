//! Background jobs: the hold sweeper with refund retries, the daily inventory top-up and housekeeping.
//! All are safe with several instances (SKIP LOCKED, advisory lock, idempotent deletes).

use crate::startup::Wired;
use chrono::{NaiveDate, Utc};
use std::time::Duration;

/// One pass: expire due holds, retry refunds, prune. Returns the number of holds expired. A refund that
/// keeps failing or a store error in one step is logged and counted; the rest of the pass still runs.
pub async fn sweep_once(w: &Wired, login_window_secs: i64) -> Result<usize, domain::Error> {
    let report = w.bookings.sweep().await;
    if report.expired > 0 {
        metrics::counter!("holds_expired_total").increment(report.expired as u64);
        tracing::info!(expired = report.expired, "holds expired");
    }
    if !report.refunds_failed.is_empty() {
        metrics::counter!("sweeper_refund_failures_total").increment(report.refunds_failed.len() as u64);
        tracing::warn!(bookings = ?report.refunds_failed, "refund attempts failed; retried later with backoff");
    }
    for e in &report.errors {
        metrics::counter!("sweeper_errors_total").increment(1);
        tracing::warn!(error = %e, "sweeper step failed");
    }
    w.store.prune(Utc::now(), login_window_secs).await?;
    Ok(report.expired)
}

/// Runs forever: the sweeper every `interval` seconds, the inventory window once per UTC day (and at start).
pub async fn run(w: Wired, interval: u64, login_window_secs: i64) {
    let mut last_topup: Option<NaiveDate> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(interval));
    loop {
        tick.tick().await;
        let today = Utc::now().date_naive();
        if last_topup != Some(today) {
            match w.catalog.extend_window().await {
                Ok(n) => {
                    last_topup = Some(today);
                    tracing::info!(rows = n, "inventory window topped up");
                }
                Err(e) => tracing::warn!(error = %e, "inventory top-up failed"),
            }
        }
        if let Err(e) = sweep_once(&w, login_window_secs).await {
            tracing::warn!(error = %e, "sweep failed");
        }
    }
}
