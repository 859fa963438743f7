//! The outbox's events to NATS JetStream (docs/EVENTS.md): one message per event on
//! `<prefix>.<hotel_id>.<event type>` (e.g. `staybook.12.booking.confirmed`), the event id as `Nats-Msg-Id`
//! so the stream drops a copy published again within its duplicate window, the envelope as JSON.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use async_nats::jetstream::{self, context::Context, stream};
use async_trait::async_trait;
use domain::model::{EventActor, StoredEvent};
use domain::ports::EventPublisher;
use domain::{Error, Result};
use serde_json::{Value, json};
use std::time::Duration;

/// Where and how events are published.
#[derive(Debug, Clone)]
pub struct NatsSettings {
    /// `nats://127.0.0.1:4222`.
    pub url: String,
    /// The stream (created when missing, with `<prefix>.>` as its subjects).
    pub stream: String,
    /// The subjects' first token.
    pub prefix: String,
    /// How long the stream remembers message ids (broker-side dedupe of the relay's re-publications).
    pub duplicate_window: Duration,
    /// How long the stream keeps messages (zero: forever).
    pub max_age: Duration,
}

impl NatsSettings {
    /// The defaults for `url`: stream `STAYBOOK`, prefix `staybook`, a 10-minute duplicate window, 30 days kept.
    pub fn new(url: &str) -> NatsSettings {
        NatsSettings {
            url: url.to_string(),
            stream: "STAYBOOK".into(),
            prefix: "staybook".into(),
            duplicate_window: Duration::from_secs(600),
            max_age: Duration::from_secs(30 * 86_400),
        }
    }
}

/// Publishes to JetStream. Connects lazily and reconnects by itself (async-nats); a publish while NATS is down
/// fails, and the relay tries again later.
pub struct NatsPublisher {
    js: Context,
    settings: NatsSettings,
}

impl NatsPublisher {
    /// Connects (async-nats keeps reconnecting in the background after a first success) and makes sure the stream
    /// exists.
    pub async fn connect(settings: NatsSettings) -> Result<NatsPublisher> {
        let client = async_nats::ConnectOptions::new()
            .connection_timeout(Duration::from_secs(3))
            .retry_on_initial_connect()
            .connect(settings.url.as_str())
            .await
            .map_err(|e| Error::internal(format!("NATS connect: {e}")))?;
        let js = jetstream::new(client);
        let publisher = NatsPublisher { js, settings };
        Ok(publisher)
    }

    /// Creates the stream when missing (the relay calls it before its first round, and again after errors).
    pub async fn ensure_stream(&self) -> Result<()> {
        let s = &self.settings;
        self.js
            .get_or_create_stream(stream::Config {
                name: s.stream.clone(),
                subjects: vec![format!("{}.>", s.prefix)],
                duplicate_window: s.duplicate_window,
                max_age: s.max_age,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::internal(format!("NATS stream {}: {e}", s.stream)))?;
        Ok(())
    }

    /// The JetStream context (tests and the notifier read through it).
    pub fn jetstream(&self) -> &Context {
        &self.js
    }

    /// The settings it publishes with.
    pub fn settings(&self) -> &NatsSettings {
        &self.settings
    }

    /// The subject of an event.
    pub fn subject(&self, e: &StoredEvent) -> String {
        format!("{}.{}.{}", self.settings.prefix, e.hotel_id.get(), e.event_type)
    }
}

/// The message body of an event (docs/EVENTS.md, schema version 1).
pub fn envelope(e: &StoredEvent) -> Value {
    json!({
        "schema_version": 1,
        "event_id": e.event_id,
        "type": e.event_type,
        "occurred_at": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "hotel_id": e.hotel_id.get(),
        "aggregate": {"type": e.aggregate_type.as_str(), "id": e.aggregate_id, "version": e.seq},
        "actor": {"kind": e.actor.kind(), "user_id": match e.actor { EventActor::User(id) => Some(id.get()), _ => None }},
        "data": serde_json::from_str::<Value>(&e.data).unwrap_or(Value::Null),
    })
}

#[async_trait]
impl EventPublisher for NatsPublisher {
    async fn publish(&self, events: &[StoredEvent]) -> Result<()> {
        // Sent back to back (pipelined on the connection); the acknowledgements are awaited after, in order.
        let mut acks = Vec::with_capacity(events.len());
        for e in events {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", e.event_id.as_str());
            let body = envelope(e).to_string();
            let ack = self
                .js
                .publish_with_headers(self.subject(e), headers, body.into())
                .await
                .map_err(|err| unavailable("publish", err))?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await.map_err(|err| unavailable("acknowledgement", err))?;
        }
        Ok(())
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::warn!(error = %e, "NATS {what} failed");
    Error::Unavailable
}
