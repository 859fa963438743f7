//! The notifier (docs/EVENTS.md): a second binary over the domain crate. It reads the booking events from the
//! NATS JetStream stream the outbox relay fills (a durable pull consumer, so nothing is missed while it is
//! down), renders the guest's email for `booking.confirmed`, `booking.cancelled` and `booking.expired`
//! ([`render`]) and sends it over SMTP (`lettre`). At least once from the broker, once to the guest: the ids of
//! events already mailed are kept in a JetStream key-value bucket, and an event delivered again (a redelivery, a
//! re-publication) is acknowledged without a second email. (The ids live in a stream of their own,
//! `<consumer>_SENT`, one message per id subject: what a key-value bucket is, but readable by the NATS 2.9 of
//! Debian 12, whose key-value API async-nats no longer speaks.)
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod render;

use async_nats::jetstream::{self, AckKind, consumer::PullConsumer, stream};
use futures_util::StreamExt;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use render::{BookingFacts, MailKind};
use serde_json::Value;
use std::time::Duration;

/// The notifier's settings (environment of the binary).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `NATS_URL`.
    pub nats_url: String,
    /// `NATS_STREAM` (STAYBOOK).
    pub stream: String,
    /// The subjects' first token (`staybook`).
    pub prefix: String,
    /// `NOTIFIER_CONSUMER` (notifier): the durable consumer's name.
    pub consumer: String,
    /// `SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@smtp.example.com` (lettre's URL form).
    pub smtp_url: String,
    /// `MAIL_FROM` (`staybook <no-reply@staybook.local>`).
    pub from: String,
}

/// What happened to one delivered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The email went out.
    Sent,
    /// The event sends no email (a hold, a payment started, a catalog change).
    NoEmail,
    /// Already mailed: acknowledged without sending again.
    Duplicate,
}

/// The consumer, the sent-ids bucket and the mailer.
pub struct Notifier {
    consumer: PullConsumer,
    js: jetstream::Context,
    /// The sent-ids stream and its subjects' prefix.
    sent: stream::Stream,
    sent_prefix: String,
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

fn err(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

impl Notifier {
    /// Connects to NATS (the stream must exist: the relay creates it) and prepares the SMTP transport.
    pub async fn connect(s: &Settings) -> Result<Notifier, String> {
        let client = async_nats::connect(s.nats_url.as_str()).await.map_err(|e| err("NATS", e))?;
        let js = jetstream::new(client);
        let stream = js.get_stream(&s.stream).await.map_err(|e| err("stream", e))?;
        let consumer = stream
            .get_or_create_consumer(
                &s.consumer,
                jetstream::consumer::pull::Config {
                    durable_name: Some(s.consumer.clone()),
                    filter_subject: format!("{}.*.booking.>", s.prefix),
                    ack_wait: Duration::from_secs(60),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| err("consumer", e))?;
        let sent_prefix = format!("{}.sent", s.consumer);
        let sent = js
            .get_or_create_stream(stream::Config {
                name: format!("{}_SENT", s.consumer.to_uppercase()),
                subjects: vec![format!("{sent_prefix}.>")],
                max_messages_per_subject: 1,
                max_age: Duration::from_secs(30 * 86_400),
                ..Default::default()
            })
            .await
            .map_err(|e| err("sent-ids stream", e))?;
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.smtp_url)
            .map_err(|e| err("SMTP_URL", e))?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = s.from.parse().map_err(|e| err("MAIL_FROM", e))?;
        Ok(Notifier { consumer, js, sent, sent_prefix, mailer, from })
    }

    /// Handles one event envelope: renders and sends its email unless already sent. An error leaves the event
    /// to be delivered again.
    pub async fn handle(&self, envelope: &Value) -> Result<Outcome, String> {
        let id = envelope["event_id"].as_str().ok_or("event without event_id")?;
        let Some(kind) = envelope["type"].as_str().and_then(MailKind::of) else { return Ok(Outcome::NoEmail) };
        let marker = format!("{}.{id}", self.sent_prefix);
        match self.sent.get_last_raw_message_by_subject(&marker).await {
            Ok(_) => return Ok(Outcome::Duplicate),
            Err(e) if e.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {}
            Err(e) => return Err(err("sent-ids stream", e)),
        }
        let facts = BookingFacts::read(&envelope["data"])?;
        let mail = render::render(kind, &facts);
        let to: Mailbox = mail.to.as_str().parse().map_err(|e| err("recipient", e))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(lettre::message::header::MessageId::from(format!("<{id}@staybook>")))
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| err("message", e))?;
        self.mailer.send(message).await.map_err(|e| err("SMTP", e))?;
        let ack = self.js.publish(marker, "sent".into()).await.map_err(|e| err("sent-ids stream", e))?;
        ack.await.map_err(|e| err("sent-ids stream", e))?;
        Ok(Outcome::Sent)
    }

    /// Handles the events waiting now, until none arrives for `idle`; returns the outcomes (tests, catch-up).
    pub async fn drain(&self, idle: Duration) -> Result<Vec<Outcome>, String> {
        let mut out = Vec::new();
        loop {
            let mut batch =
                self.consumer.fetch().max_messages(100).expires(idle).messages().await.map_err(|e| err("fetch", e))?;
            let mut n = 0;
            while let Some(m) = batch.next().await {
                let m = m.map_err(|e| err("message", e))?;
                n += 1;
                out.push(self.deliver(&m).await);
            }
            if n == 0 {
                return Ok(out.into_iter().flatten().collect());
            }
        }
    }

    /// Runs forever.
    pub async fn run(&self) -> Result<(), String> {
        let mut messages = self.consumer.messages().await.map_err(|e| err("subscribe", e))?;
        while let Some(m) = messages.next().await {
            match m {
                Ok(m) => {
                    let _ = self.deliver(&m).await;
                }
                Err(e) => tracing::warn!(error = %e, "notifier: delivery error"),
            }
        }
        Ok(())
    }

    async fn deliver(&self, m: &jetstream::Message) -> Option<Outcome> {
        let envelope: Value = match serde_json::from_slice(&m.payload) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, subject = %m.subject, "notifier: not an event envelope; dropped");
                let _ = m.ack_with(AckKind::Term).await;
                return None;
            }
        };
        match self.handle(&envelope).await {
            Ok(o) => {
                let _ = m.ack().await;
                Some(o)
            }
            Err(e) => {
                tracing::warn!(error = %e, event = %envelope["event_id"], "notifier: failed; delivered again later");
                let _ = m.ack_with(AckKind::Nak(Some(Duration::from_secs(5)))).await;
                None
            }
        }
    }
}
