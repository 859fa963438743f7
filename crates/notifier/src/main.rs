//! `notifier`: the guests' booking emails from the events on NATS JetStream (see the crate documentation and
//! docs/EVENTS.md). Environment: NATS_URL (nats://127.0.0.1:4222), NATS_STREAM (STAYBOOK), NOTIFIER_CONSUMER
//! (notifier), SMTP_URL (smtp://127.0.0.1:25), MAIL_FROM (staybook <no-reply@staybook.local>).

use notifier::{Notifier, Settings};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into())).init();
    let var = |k: &str, d: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| d.into());
    let settings = Settings {
        nats_url: var("NATS_URL", "nats://127.0.0.1:4222"),
        stream: var("NATS_STREAM", "STAYBOOK"),
        prefix: "staybook".into(),
        consumer: var("NOTIFIER_CONSUMER", "notifier"),
        smtp_url: var("SMTP_URL", "smtp://127.0.0.1:25"),
        from: var("MAIL_FROM", "staybook <no-reply@staybook.local>"),
    };
    loop {
        match Notifier::connect(&settings).await {
            Ok(n) => {
                tracing::info!(stream = %settings.stream, "notifier: consuming booking events");
                if let Err(e) = n.run().await {
                    tracing::warn!(error = %e, "notifier: consumer stopped");
                }
            }
            Err(e) => tracing::warn!(error = %e, "notifier: not ready; retrying in 5 s"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}
