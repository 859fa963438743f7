//! The notifier against the machine's NATS (JetStream, 127.0.0.1:4222 or NATS_URL) and a local SMTP sink: one
//! email per confirmation, cancellation and expiry, in text and HTML, none for other events, and still one when
//! an event is delivered twice. Skipped, saying so, when no NATS server answers.

use adapter_nats::{NatsPublisher, NatsSettings, envelope};
use chrono::{TimeZone, Utc};
use domain::model::*;
use domain::ports::EventPublisher;
use notifier::{Notifier, Outcome, Settings};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A tiny SMTP server that keeps every message it is given: (recipients, raw message).
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 sink ready\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_string());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        let _ = w.write_all(b"354 go on\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().unwrap().push((std::mem::take(&mut rcpt), data));
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

fn event(seq: i64, kind: &str, data: serde_json::Value) -> StoredEvent {
    StoredEvent {
        seq,
        event_id: format!("00000000-0000-4000-9000-{:012x}", seq + std::process::id() as i64 * 1_000),
        event_type: kind.into(),
        aggregate_type: AggregateType::Booking,
        aggregate_id: 41,
        hotel_id: HotelId(7),
        actor: EventActor::System,
        occurred_at: Utc.with_ymd_and_hms(2027, 5, 1, 9, 0, seq as u32).unwrap(),
        data: data.to_string(),
        published_at: None,
    }
}

fn booking(status: &str, refund: Option<&str>, penalty: Option<&str>) -> serde_json::Value {
    let n = |s: Option<&str>| s.map_or(serde_json::Value::Null, |s| s.parse::<serde_json::Number>().unwrap().into());
    serde_json::json!({
        "booking_id": 41, "user_id": 3, "guest_email": "ana@example.com", "guest_name": "Ana", "hotel_id": 7,
        "hotel_name": "Grand", "room_id": 2, "room_type": "Double", "check_in_date": "2027-05-10",
        "check_out_date": "2027-05-12", "nights": 2, "rooms_count": 1, "adults": 2, "status": status,
        "amount": 200.00, "subtotal": 200.00, "currency": "EUR", "cancellation_policy": "FREE:24:FULL",
        "cancellation_deadline": "2027-05-09T13:00:00+00:00", "time_zone": "UTC",
        "penalty_amount": n(penalty), "refund_amount": n(refund)
    })
}

/// The body with quoted-printable soft breaks undone (enough for the assertions).
fn unfold(raw: &str) -> String {
    raw.replace("=\n", "").replace("=3D", "=")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_email_per_booking_event_even_when_delivered_twice() {
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    if !matches!(tokio::time::timeout(Duration::from_secs(3), async_nats::connect(url.as_str())).await, Ok(Ok(_))) {
        eprintln!("skipped: no NATS server answers at {url}");
        return;
    }
    let unique = format!("{}x{}", std::process::id(), Utc::now().timestamp_micros());
    let nats = NatsSettings {
        stream: format!("NOTIFY_{unique}"),
        prefix: format!("n{unique}"),
        duplicate_window: Duration::from_secs(60),
        max_age: Duration::from_secs(600),
        ..NatsSettings::new(&url)
    };
    let publisher = NatsPublisher::connect(nats.clone()).await.unwrap();
    publisher.ensure_stream().await.unwrap();
    let events = [
        event(1, "booking.held", booking("RESERVED", None, None)),
        event(2, "booking.confirmed", booking("CONFIRMED", None, None)),
        event(3, "booking.cancelled", booking("CANCELLED", Some("200.00"), Some("0.00"))),
        event(4, "booking.expired", booking("EXPIRED", None, None)),
        event(5, "hotel.updated", serde_json::json!({"changes": {}})),
    ];
    publisher.publish(&events).await.unwrap();
    // The confirmation delivered a second time (a re-publication under another message id).
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "again");
    let again = publisher
        .jetstream()
        .publish_with_headers(publisher.subject(&events[1]), headers, envelope(&events[1]).to_string().into())
        .await
        .unwrap();
    again.await.unwrap();

    let (port, mails) = smtp_sink().await;
    let settings = Settings {
        nats_url: url.clone(),
        stream: nats.stream.clone(),
        prefix: nats.prefix.clone(),
        consumer: format!("notifier{unique}"),
        smtp_url: format!("smtp://127.0.0.1:{port}"),
        from: "staybook <no-reply@staybook.test>".into(),
    };
    let n = Notifier::connect(&settings).await.unwrap();
    let outcomes = n.drain(Duration::from_millis(700)).await.unwrap();
    assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Sent).count(), 3, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Duplicate).count(), 1, "{outcomes:?}");
    assert_eq!(
        outcomes.iter().filter(|o| **o == Outcome::NoEmail).count(),
        1,
        "the hold; hotel events are not consumed"
    );

    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    for (rcpt, raw) in &got {
        assert_eq!(rcpt, &["ana@example.com"]);
        assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"));
    }
    let subjects: Vec<String> =
        got.iter().map(|(_, raw)| raw.lines().find(|l| l.starts_with("Subject:")).unwrap().to_string()).collect();
    assert_eq!(
        subjects,
        [
            "Subject: Booking 41 confirmed: Grand",
            "Subject: Booking 41 cancelled: Grand",
            "Subject: Hold 41 expired: Grand"
        ]
    );
    let cancel = unfold(&got[1].1);
    assert!(cancel.contains("Refund: 200.00 EUR (kept under the policy: 0.00 EUR)"), "{cancel}");
    assert!(cancel.contains("Free cancellation until 2027-05-09 13:00 UTC"), "{cancel}");

    // A restart of the notifier finds nothing left to send.
    let n = Notifier::connect(&settings).await.unwrap();
    assert!(n.drain(Duration::from_millis(500)).await.unwrap().is_empty());
    assert_eq!(mails.lock().unwrap().len(), 3);
    let js = publisher.jetstream();
    js.delete_stream(&nats.stream).await.unwrap();
    js.delete_stream(format!("NOTIFIER{unique}_SENT").to_uppercase()).await.unwrap();
}
