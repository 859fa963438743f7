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
    // The outbox's retention (docs/EVENTS.md): published events past it; with no relay, every event past it.
    let cutoff = Utc::now() - chrono::Duration::days(w.outbox_retention_days);
    let pruned = w.events.prune_events(cutoff, !w.relay_on).await?;
    if pruned > 0 {
        metrics::counter!("outbox_pruned_total").increment(pruned);
        tracing::info!(events = pruned, "outbox events pruned");
    }
    Ok(report.expired)
}

/// Keeps the statistics of the hot tables fresh (the application creates their bulk data and autovacuum may be
/// off): analyses a table once enough of it changed (a new room's year of nights, bookings) or right after a
/// window top-up, vacuums it when dead rows pile up, and exports their health to `/metrics`.
pub async fn maintain_tables(w: &Wired, after_bulk_insert: bool) {
    let Some(store) = w.store.postgres() else { return };
    match store.maintain(adapter_postgres::MaintenancePolicy::default(), after_bulk_insert).await {
        Ok(tables) => {
            for t in &tables {
                let table = t.table.clone();
                metrics::gauge!("db_table_dead_tuple_ratio", "table" => table.clone()).set(t.dead_ratio());
                if let Some(age) = t.analyze_age_secs {
                    metrics::gauge!("db_table_last_analyze_age_seconds", "table" => table.clone()).set(age);
                }
                if t.analyzed || t.vacuumed {
                    let action = if t.vacuumed { "vacuum_analyze" } else { "analyze" };
                    metrics::counter!("db_table_maintenance_total", "table" => table.clone(), "action" => action)
                        .increment(1);
                    tracing::info!(table = %t.table, action, live = t.live, dead = t.dead, "table maintained");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "table maintenance failed"),
    }
}

/// Runs forever: the sweeper every `interval` seconds, the inventory window once per UTC day (and at start).
pub async fn run(w: Wired, interval: u64, login_window_secs: i64) {
    let mut last_topup: Option<NaiveDate> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(interval));
    loop {
        tick.tick().await;
        let today = Utc::now().date_naive();
        let mut topped_up = false;
        if last_topup != Some(today) {
            match w.catalog.extend_window().await {
                Ok(n) => {
                    last_topup = Some(today);
                    topped_up = n > 0;
                    tracing::info!(rows = n, "inventory window topped up");
                }
                Err(e) => tracing::warn!(error = %e, "inventory top-up failed"),
            }
        }
        if let Err(e) = sweep_once(&w, login_window_secs).await {
            tracing::warn!(error = %e, "sweep failed");
        }
        maintain_tables(&w, topped_up).await;
    }
}
