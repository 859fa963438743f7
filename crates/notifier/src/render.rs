//! The guest's emails, rendered from the booking events' data read into the domain's own types (money,
//! currency, policy, dates): text and HTML of the confirmation, the cancellation (with the refund and the policy
//! applied) and the expiry of a hold.

use chrono::{DateTime, NaiveDate, Utc};
use domain::model::{CancellationPolicy, Currency, Email, Money, Penalty};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Which email an event sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Confirmation,
    Cancellation,
    Expiry,
}

impl MailKind {
    /// The email an event type sends (`None`: the event sends none).
    pub fn of(event_type: &str) -> Option<MailKind> {
        match event_type {
            "booking.confirmed" => Some(MailKind::Confirmation),
            "booking.cancelled" => Some(MailKind::Cancellation),
            "booking.expired" => Some(MailKind::Expiry),
            _ => None,
        }
    }
}

/// What an email says, in the domain's types.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingFacts {
    pub booking_id: i64,
    pub guest_email: Email,
    pub guest_name: Option<String>,
    pub hotel_name: String,
    pub room_type: String,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub nights: i64,
    pub rooms: i64,
    pub amount: Money,
    pub currency: Currency,
    pub policy: CancellationPolicy,
    pub deadline: Option<DateTime<Utc>>,
    pub penalty: Option<Money>,
    pub refund: Option<Money>,
}

fn text(v: &Value, k: &str) -> Result<String, String> {
    v[k].as_str().map(str::to_string).ok_or_else(|| format!("{k} missing"))
}

fn money(v: &Value, k: &str) -> Result<Option<Money>, String> {
    match &v[k] {
        Value::Null => Ok(None),
        x => {
            let d = Decimal::from_str(x.to_string().trim_matches('"')).map_err(|e| format!("{k}: {e}"))?;
            Money::from_decimal_exact(d).map(Some).ok_or_else(|| format!("{k}: not an amount"))
        }
    }
}

impl BookingFacts {
    /// Reads an event's `data` (docs/EVENTS.md, a booking's fields).
    pub fn read(data: &Value) -> Result<BookingFacts, String> {
        let date = |k: &str| NaiveDate::parse_from_str(&text(data, k)?, "%Y-%m-%d").map_err(|e| format!("{k}: {e}"));
        let deadline = match &data["cancellation_deadline"] {
            Value::String(s) => Some(
                DateTime::parse_from_rfc3339(s).map_err(|e| format!("cancellation_deadline: {e}"))?.with_timezone(&Utc),
            ),
            _ => None,
        };
        Ok(BookingFacts {
            booking_id: data["booking_id"].as_i64().ok_or("booking_id missing")?,
            guest_email: Email::parse(&text(data, "guest_email")?).ok_or("guest_email invalid")?,
            guest_name: data["guest_name"].as_str().map(str::to_string),
            hotel_name: text(data, "hotel_name")?,
            room_type: text(data, "room_type")?,
            check_in: date("check_in_date")?,
            check_out: date("check_out_date")?,
            nights: data["nights"].as_i64().unwrap_or(0),
            rooms: data["rooms_count"].as_i64().unwrap_or(1),
            amount: money(data, "amount")?.ok_or("amount missing")?,
            currency: Currency::parse(text(data, "currency")?.trim()).ok_or("currency invalid")?,
            policy: CancellationPolicy::parse(&text(data, "cancellation_policy")?).ok_or("policy invalid")?,
            deadline,
            penalty: money(data, "penalty_amount")?,
            refund: money(data, "refund_amount")?,
        })
    }

    fn price(&self, m: Money) -> String {
        format!("{m} {}", self.currency.as_str())
    }

    /// The policy in words, with its frozen deadline.
    pub fn policy_text(&self) -> String {
        match self.policy {
            CancellationPolicy::NonRefundable => "Non-refundable: a cancellation is not refunded.".into(),
            CancellationPolicy::Refundable { penalty, .. } => {
                let after = match penalty {
                    Penalty::Full => "the whole amount is kept".to_string(),
                    Penalty::FirstNights(n) => format!("the first {n} night(s) are kept"),
                    Penalty::Percent(p) => format!("{p} % of the amount is kept"),
                };
                match self.deadline {
                    Some(d) => {
                        format!("Free cancellation until {} UTC; after that {after}.", d.format("%Y-%m-%d %H:%M"))
                    }
                    None => format!("Free cancellation before check-in; after that {after}."),
                }
            }
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The email of `kind` about the booking.
pub fn render(kind: MailKind, f: &BookingFacts) -> Mail {
    let hello = match &f.guest_name {
        Some(n) if !n.trim().is_empty() => format!("Hello {},", n.trim()),
        _ => "Hello,".to_string(),
    };
    let stay = format!(
        "{} ({}), {} to {} ({} night(s), {} room(s))",
        f.hotel_name, f.room_type, f.check_in, f.check_out, f.nights, f.rooms
    );
    let (subject, lines): (String, Vec<String>) = match kind {
        MailKind::Confirmation => (
            format!("Booking {} confirmed: {}", f.booking_id, f.hotel_name),
            vec![
                format!("your booking {} is confirmed.", f.booking_id),
                format!("Stay: {stay}."),
                format!("Paid: {}.", f.price(f.amount)),
                format!("Cancellation policy: {}", f.policy_text()),
            ],
        ),
        MailKind::Cancellation => {
            let refund = f.refund.unwrap_or(Money::ZERO);
            let penalty = f.penalty.unwrap_or(Money::ZERO);
            let money_line = if f.refund.is_none() && f.penalty.is_none() {
                "Nothing had been paid, so nothing is charged.".to_string()
            } else if refund > Money::ZERO {
                format!(
                    "Refund: {} (kept under the policy: {}). It reaches you within a few days.",
                    f.price(refund),
                    f.price(penalty)
                )
            } else {
                format!("No refund: the policy keeps {}.", f.price(penalty))
            };
            (
                format!("Booking {} cancelled: {}", f.booking_id, f.hotel_name),
                vec![
                    format!("your booking {} is cancelled.", f.booking_id),
                    format!("Stay: {stay}."),
                    money_line,
                    format!("Policy applied: {}", f.policy_text()),
                ],
            )
        }
        MailKind::Expiry => (
            format!("Hold {} expired: {}", f.booking_id, f.hotel_name),
            vec![
                format!("your hold {} expired before it was paid; the rooms are released.", f.booking_id),
                format!("Stay: {stay}."),
                "Nothing was charged. You can book again from the hotel's page.".to_string(),
            ],
        ),
    };
    let text = format!("{hello}\n\n{}\n\n— staybook\n", lines.join("\n"));
    let html = format!(
        "<!doctype html><html><body><p>{}</p>{}<p>— staybook</p></body></html>",
        escape(&hello),
        lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect::<String>()
    );
    Mail { to: f.guest_email.clone(), subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> Value {
        json!({"booking_id": 42, "guest_email": "ana@example.com", "guest_name": "Ana <A>", "hotel_name": "Grand & Co",
               "room_type": "Double", "check_in_date": "2027-05-10", "check_out_date": "2027-05-13", "nights": 3,
               "rooms_count": 1, "amount": 300.00, "currency": "EUR", "cancellation_policy": "FREE:48:NIGHTS:1",
               "cancellation_deadline": "2027-05-08T13:00:00+00:00", "penalty_amount": 100.00, "refund_amount": 200.00})
    }

    #[test]
    fn reads_the_data_into_domain_types_and_renders_each_email() {
        let f = BookingFacts::read(&data()).unwrap();
        assert_eq!(
            (f.amount, f.refund, f.penalty),
            (Money::from_minor(30_000), Some(Money::from_minor(20_000)), Some(Money::from_minor(10_000)))
        );
        assert_eq!(f.policy, CancellationPolicy::Refundable { free_hours: 48, penalty: Penalty::FirstNights(1) });
        let m = render(MailKind::Cancellation, &f);
        assert_eq!(m.subject, "Booking 42 cancelled: Grand & Co");
        assert!(m.text.contains("Refund: 200.00 EUR (kept under the policy: 100.00 EUR)"), "{}", m.text);
        assert!(
            m.text.contains("Free cancellation until 2027-05-08 13:00 UTC; after that the first 1 night(s) are kept.")
        );
        assert!(m.html.contains("Hello Ana &lt;A&gt;,") && m.html.contains("Grand &amp; Co"), "{}", m.html);
        let m = render(MailKind::Confirmation, &f);
        assert!(m.text.contains("Paid: 300.00 EUR."), "{}", m.text);
        let m = render(MailKind::Expiry, &f);
        assert!(m.subject.starts_with("Hold 42 expired"));
        let mut d = data();
        d["cancellation_policy"] = json!("NON_REFUNDABLE");
        d["refund_amount"] = json!(0.00);
        d["penalty_amount"] = json!(300.00);
        let m = render(MailKind::Cancellation, &BookingFacts::read(&d).unwrap());
        assert!(
            m.text.contains("No refund: the policy keeps 300.00 EUR.") && m.text.contains("Non-refundable"),
            "{}",
            m.text
        );
        d["guest_email"] = json!("not an email");
        assert!(BookingFacts::read(&d).is_err());
        assert_eq!(MailKind::of("booking.held"), None);
    }
}
