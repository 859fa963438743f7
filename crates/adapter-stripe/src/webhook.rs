//! Stripe webhook verification (`Stripe-Signature: t=…,v1=…`) and event parsing.

use chrono::{DateTime, Utc};
use domain::model::BookingId;
use domain::ports::{PaymentEvent, PaymentEventKind, WebhookVerifier};
use domain::{Error, Result};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// Signatures older or newer than this are rejected.
pub const TOLERANCE_SECS: i64 = 300;

/// Verifies signatures against one or more secrets (rotation) and parses the event.
pub struct StripeWebhookVerifier {
    secrets: Vec<String>,
}

impl StripeWebhookVerifier {
    /// `secrets`: the comma-separated `STRIPE_WEBHOOK_SECRET` value; empty means every request is rejected.
    pub fn new(secrets: &str) -> Self {
        StripeWebhookVerifier {
            secrets: secrets.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        }
    }

    /// Checks `t=…,v1=…` against every secret. The cheap checks (header length, entry count, timestamp
    /// window, well-formed 64-hex `v1` values) run first; then one HMAC per secret over the body, compared in
    /// constant time with each candidate. A forged or absurd header costs no HMAC at all, a well-formed one at
    /// most one per secret, however many entries it carries.
    fn signature_ok(&self, payload: &[u8], header: &str, now: DateTime<Utc>) -> bool {
        if header.len() > MAX_HEADER_BYTES {
            return false;
        }
        let mut ts: Option<i64> = None;
        let mut candidates: Vec<[u8; 32]> = Vec::new();
        for (i, part) in header.split(',').enumerate() {
            if i >= MAX_ENTRIES {
                return false;
            }
            let Some((k, v)) = part.trim().split_once('=') else { continue };
            match k {
                "t" => ts = parse_timestamp(v),
                "v1" => {
                    let mut sig = [0u8; 32];
                    if v.len() == 64 && hex::decode_to_slice(v, &mut sig).is_ok() {
                        if candidates.len() >= MAX_SIGNATURES {
                            return false;
                        }
                        candidates.push(sig);
                    }
                }
                _ => {}
            }
        }
        let Some(ts) = ts else { return false };
        let fresh = now.timestamp().checked_sub(ts).and_then(i64::checked_abs).is_some_and(|d| d <= TOLERANCE_SECS);
        if !fresh || candidates.is_empty() {
            return false;
        }
        let signed_prefix = format!("{ts}.");
        self.secrets.iter().any(|secret| {
            let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else { return false };
            mac.update(signed_prefix.as_bytes());
            mac.update(payload);
            // The body is hashed once; each candidate only finalises a clone of that state (the outer hash) and is
            // compared in constant time by `verify_slice`.
            candidates.iter().any(|sig| mac.clone().verify_slice(sig).is_ok())
        })
    }
}

/// Longest `Stripe-Signature` header accepted (Stripe sends well under 1 KiB, even while rotating secrets).
pub const MAX_HEADER_BYTES: usize = 4096;
/// Most comma-separated entries in the header.
pub const MAX_ENTRIES: usize = 32;
/// Most well-formed `v1` signatures in the header.
pub const MAX_SIGNATURES: usize = 8;

/// A Unix timestamp of 1..=12 ASCII digits (no sign, no overflow).
fn parse_timestamp(v: &str) -> Option<i64> {
    if v.is_empty() || v.len() > 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// Parses a verified event body into the domain's event.
pub fn parse_event(payload: &[u8]) -> Result<PaymentEvent> {
    let v: Value = serde_json::from_slice(payload).map_err(|_| Error::InvalidPayload)?;
    let id = v.get("id").and_then(Value::as_str).ok_or(Error::InvalidPayload)?;
    let kind_name = v.get("type").and_then(Value::as_str).ok_or(Error::InvalidPayload)?;
    let obj = v.get("data").and_then(|d| d.get("object")).and_then(Value::as_object).ok_or(Error::InvalidPayload)?;
    let kind = match kind_name {
        "checkout.session.completed" => match obj.get("payment_status").and_then(Value::as_str) {
            Some("unpaid") => Some(PaymentEventKind::AwaitingAsync),
            Some("paid") | Some("no_payment_required") => Some(PaymentEventKind::Paid),
            _ => None,
        },
        "checkout.session.async_payment_succeeded" => Some(PaymentEventKind::Paid),
        "checkout.session.async_payment_failed" => Some(PaymentEventKind::Failed),
        "checkout.session.expired" => Some(PaymentEventKind::Expired),
        _ => None,
    };
    let digits = |s: &str| s.parse::<i64>().ok().filter(|n| *n > 0);
    let booking_id = obj
        .get("metadata")
        .and_then(|m| m.get("booking_id"))
        .and_then(Value::as_str)
        .and_then(digits)
        .or_else(|| obj.get("client_reference_id").and_then(Value::as_str).and_then(digits))
        .map(BookingId);
    let payment_intent = match obj.get("payment_intent") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).map(String::from),
        _ => None,
    };
    Ok(PaymentEvent {
        event_id: id.to_string(),
        event_type: kind_name.chars().take(100).collect(),
        kind,
        session_id: obj.get("id").and_then(Value::as_str).map(String::from),
        booking_id,
        amount_minor: obj.get("amount_total").and_then(Value::as_i64),
        currency: obj.get("currency").and_then(Value::as_str).map(String::from),
        payment_intent,
    })
}

impl WebhookVerifier for StripeWebhookVerifier {
    fn verify(&self, payload: &[u8], signature: Option<String>, now: DateTime<Utc>) -> Result<PaymentEvent> {
        match signature {
            Some(h) if !self.secrets.is_empty() && self.signature_ok(payload, &h, now) => parse_event(payload),
            _ => Err(Error::InvalidSignature),
        }
    }
}

/// A `Stripe-Signature` header value for `payload` (tests and the fake provider).
pub fn sign(payload: &[u8], secret: &str, ts: i64) -> String {
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{ts}.").as_bytes());
    mac.update(payload);
    format!("t={ts},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","payment_status":"paid","amount_total":12345,"currency":"usd","metadata":{"booking_id":"7"},"payment_intent":"pi_1"}}}"#;

    #[test]
    fn valid_signature_parses_the_event() {
        let v = StripeWebhookVerifier::new("whsec_a");
        let now = Utc::now();
        let ev = v.verify(BODY, Some(sign(BODY, "whsec_a", now.timestamp())), now).unwrap();
        assert_eq!(ev.kind, Some(PaymentEventKind::Paid));
        assert_eq!(
            (ev.booking_id, ev.amount_minor, ev.session_id.as_deref()),
            (Some(BookingId(7)), Some(12345), Some("cs_1"))
        );
    }

    #[test]
    fn invalid_stale_tampered_and_rotated() {
        let v = StripeWebhookVerifier::new("whsec_old, whsec_new");
        let now = Utc::now();
        let t = now.timestamp();
        assert!(v.verify(BODY, Some(sign(BODY, "whsec_new", t)), now).is_ok());
        assert!(v.verify(BODY, Some(sign(BODY, "whsec_old", t)), now).is_ok());
        assert_eq!(v.verify(BODY, Some(sign(BODY, "other", t)), now).unwrap_err(), Error::InvalidSignature);
        assert_eq!(v.verify(BODY, Some(sign(BODY, "whsec_new", t - 301)), now).unwrap_err(), Error::InvalidSignature);
        let mut tampered = BODY.to_vec();
        tampered[10] = b'X';
        assert_eq!(v.verify(&tampered, Some(sign(BODY, "whsec_new", t)), now).unwrap_err(), Error::InvalidSignature);
        assert_eq!(v.verify(BODY, None, now).unwrap_err(), Error::InvalidSignature);
        // several v1 values: one matching is enough
        let good = sign(BODY, "whsec_new", t);
        let multi = format!("{},v1={}", sign(BODY, "nope", t), good.split_once(",v1=").unwrap().1);
        assert!(v.verify(BODY, Some(multi), now).is_ok());
        assert_eq!(
            StripeWebhookVerifier::new("").verify(BODY, Some(sign(BODY, "", t)), now).unwrap_err(),
            Error::InvalidSignature
        );
    }

    #[test]
    fn absurd_headers_are_refused_without_hashing() {
        let v = StripeWebhookVerifier::new("s");
        let now = Utc::now();
        let t = now.timestamp();
        let body = vec![b'x'; 400 * 1024];
        let good = sign(&body, "s", t);
        // Thousands of empty or malformed v1 entries, an overlong header, too many signatures.
        let flood = format!("t={t}{}", ",v1=".repeat(6000));
        let long = format!("{good},{}", "x".repeat(MAX_HEADER_BYTES));
        let many = format!("t={t}{}", format!(",v1={}", "ab".repeat(32)).repeat(MAX_SIGNATURES + 1));
        let started = std::time::Instant::now();
        for h in [&flood, &long, &many] {
            assert_eq!(v.verify(&body, Some(h.clone()), now).unwrap_err(), Error::InvalidSignature);
        }
        // No HMAC over 400 KiB was computed: the three refusals together take far less than one would.
        assert!(started.elapsed() < std::time::Duration::from_millis(50), "{:?}", started.elapsed());
        // Timestamps that would overflow or are not plain digits are refused, not wrapped.
        for ts in ["-9223372036854775808", "9223372036854775807", "+1", "1e3", "99999999999999999999"] {
            let sig = good.split_once(",v1=").unwrap().1;
            assert_eq!(
                v.verify(&body, Some(format!("t={ts},v1={sig}")), now).unwrap_err(),
                Error::InvalidSignature,
                "{ts}"
            );
        }
        // The genuine signature among a few junk entries still verifies.
        let mixed = format!("{good},v1=,v1=zz,v0=abc");
        assert!(v.verify(&body, Some(mixed), now).is_err_and(|e| e == Error::InvalidPayload), "verified, not JSON");
    }

    #[test]
    fn payload_checks() {
        let v = StripeWebhookVerifier::new("s");
        let now = Utc::now();
        for body in [&b"[]"[..], br#"{"id":1,"type":"x","data":{"object":{}}}"#, br#"{"id":"e","type":"x","data":{}}"#]
        {
            let sig = sign(body, "s", now.timestamp());
            assert_eq!(v.verify(body, Some(sig), now).unwrap_err(), Error::InvalidPayload);
        }
    }
}
