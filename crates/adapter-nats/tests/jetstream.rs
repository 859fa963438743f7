//! Against the machine's NATS server (JetStream on 127.0.0.1:4222, or NATS_URL): events published twice are
//! stored once (the event id is the message id), in order, on `<prefix>.<hotel>.<type>` subjects, with the
//! envelope of docs/EVENTS.md. Skipped, saying so, when no NATS server answers.

use adapter_nats::{NatsPublisher, NatsSettings, envelope};
use async_nats::jetstream::consumer::pull;
use chrono::{TimeZone, Utc};
use domain::model::*;
use domain::ports::EventPublisher;
use futures_util::StreamExt;
use std::time::Duration;

fn event(seq: i64, kind: &str, hotel: i64) -> StoredEvent {
    StoredEvent {
        seq,
        event_id: format!("00000000-0000-4000-8000-{:012x}", seq + std::process::id() as i64 * 1_000_000),
        event_type: kind.into(),
        aggregate_type: AggregateType::Booking,
        aggregate_id: 40 + seq,
        hotel_id: HotelId(hotel),
        actor: if seq % 2 == 0 { EventActor::User(UserId(9)) } else { EventActor::Provider },
        occurred_at: Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, seq as u32).unwrap(),
        data: format!(r#"{{"booking_id": {}, "status": "CONFIRMED"}}"#, 40 + seq),
        published_at: None,
    }
}

async fn publisher(tag: &str) -> Option<NatsPublisher> {
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let probe = tokio::time::timeout(Duration::from_secs(3), async_nats::connect(url.as_str())).await;
    if !matches!(probe, Ok(Ok(_))) {
        eprintln!("skipped: no NATS server answers at {url} (the machine's NATS with JetStream; see docs/EVENTS.md)");
        return None;
    }
    let unique = format!("{tag}{}x{}", std::process::id(), Utc::now().timestamp_micros());
    let settings = NatsSettings {
        stream: format!("TEST_{unique}"),
        prefix: format!("test{unique}"),
        duplicate_window: Duration::from_secs(60),
        max_age: Duration::from_secs(600),
        ..NatsSettings::new(&url)
    };
    let p = NatsPublisher::connect(settings).await.unwrap();
    p.ensure_stream().await.unwrap();
    Some(p)
}

#[tokio::test]
async fn published_twice_stored_once_in_order_with_the_envelope() {
    let Some(p) = publisher("dedupe").await else { return };
    let first = [event(1, "booking.held", 7), event(2, "booking.confirmed", 7), event(3, "hotel.updated", 8)];
    p.publish(&first).await.unwrap();
    // The relay crashed before marking them: it publishes them again, with one more.
    let mut again = first.to_vec();
    again.push(event(4, "booking.cancelled", 7));
    p.publish(&again).await.unwrap();

    let js = p.jetstream();
    let mut stream = js.get_stream(&p.settings().stream).await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 4, "the copies were dropped by message id");
    let consumer: async_nats::jetstream::consumer::PullConsumer = stream
        .create_consumer(pull::Config { durable_name: Some("check".into()), ..Default::default() })
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut msgs = consumer.fetch().max_messages(10).expires(Duration::from_secs(2)).messages().await.unwrap();
    while let Some(m) = msgs.next().await {
        let m = m.unwrap();
        let id = m.headers.as_ref().and_then(|h| h.get("Nats-Msg-Id")).map(|v| v.to_string());
        let body: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        got.push((m.subject.to_string(), id, body));
        m.ack().await.unwrap();
    }
    let want: Vec<&StoredEvent> = again.iter().collect();
    assert_eq!(got.len(), 4);
    for ((subject, id, body), e) in got.iter().zip(want) {
        assert_eq!(subject, &p.subject(e));
        assert!(subject.ends_with(&format!(".{}.{}", e.hotel_id.get(), e.event_type)), "{subject}");
        assert_eq!(id.as_deref(), Some(e.event_id.as_str()));
        assert_eq!(body, &envelope(e));
    }
    let held = &got[0].2;
    assert_eq!(held["schema_version"], 1);
    assert_eq!(held["aggregate"], serde_json::json!({"type": "booking", "id": 41, "version": 1}));
    assert_eq!(held["actor"], serde_json::json!({"kind": "provider", "user_id": null}));
    assert_eq!(held["occurred_at"], "2027-03-01T10:00:01.000000Z");
    assert_eq!(held["data"]["status"], "CONFIRMED");
    js.delete_stream(&p.settings().stream).await.unwrap();
}
