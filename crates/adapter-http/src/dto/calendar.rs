//! The availability calendar on the wire, and its direct JSON writer.

use super::*;

/// One night of one room type in the calendar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarNightDto {
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-05")]
    pub date: NaiveDate,
    /// Rooms free that night.
    pub available: i32,
    /// One room's price that night on the default plan, as a quote would price it now.
    #[serde(serialize_with = "ser_money")]
    #[schema(value_type = MoneyStr)]
    pub price: Money,
    /// Stop-sell.
    pub closed: bool,
    /// Stays arriving this night need at least this many nights (`null`: no minimum).
    pub min_stay: Option<i32>,
    /// Stays arriving this night allow at most this many nights (`null`: no maximum).
    pub max_stay: Option<i32>,
    pub closed_to_arrival: bool,
    pub closed_to_departure: bool,
    /// The night can be part of a stay of `rooms_count` rooms now: not past, open, enough rooms free (arrival and
    /// departure restrictions are for the client to apply to the dates it picks).
    pub bookable: bool,
}

/// One room type's nights in the calendar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarRoomDto {
    pub room_id: i64,
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "Double")]
    pub kind: String,
    pub capacity: i32,
    /// The default plan the prices are of.
    pub rate_plan_id: Option<i64>,
    /// Its nights of the range that have inventory, by date.
    pub nights: Vec<CalendarNightDto>,
}

/// `GET /hotels/{hotel_id}/calendar`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarResponse {
    pub hotel_id: i64,
    #[schema(example = "EUR", pattern = "^[A-Z]{3}$")]
    pub currency: String,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-01")]
    pub from: NaiveDate,
    #[serde(serialize_with = "ser_date")]
    #[schema(example = "2027-03-31")]
    pub to: NaiveDate,
    pub rooms_count: i32,
    /// The hotel's room types by id.
    pub rooms: Vec<CalendarRoomDto>,
}

impl CalendarResponse {
    pub fn new(h: &Hotel, from: NaiveDate, to: NaiveDate, rooms_count: i32, rooms: &[RoomCalendar]) -> Self {
        CalendarResponse {
            hotel_id: h.id.into(),
            currency: h.currency.to_string(),
            from,
            to,
            rooms_count,
            rooms: rooms
                .iter()
                .map(|r| CalendarRoomDto {
                    room_id: r.room_id.into(),
                    kind: r.kind.clone(),
                    capacity: r.capacity,
                    rate_plan_id: r.rate_plan_id.map(i64::from),
                    nights: r
                        .nights
                        .iter()
                        .map(|n| CalendarNightDto {
                            date: n.date,
                            available: n.available,
                            price: n.price,
                            closed: n.closed,
                            min_stay: n.restrictions.min_stay,
                            max_stay: n.restrictions.max_stay,
                            closed_to_arrival: n.restrictions.closed_to_arrival,
                            closed_to_departure: n.restrictions.closed_to_departure,
                            bookable: n.bookable,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl CalendarResponse {
    /// This answer's JSON, written directly: the bytes `serde_json::to_vec` writes (a test holds them equal),
    /// without escaping the fixed keys of hundreds of nights one by one.
    pub fn to_json(&self) -> Vec<u8> {
        use std::io::Write;
        let nights: usize = self.rooms.iter().map(|r| r.nights.len()).sum();
        let mut out = Vec::with_capacity(256 + 96 * self.rooms.len() + 200 * nights);
        let date = super::push_date;
        let opt = |out: &mut Vec<u8>, v: Option<i32>| match v {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.extend_from_slice(b"null"),
        };
        let flag = |b: bool| if b { &b"true"[..] } else { &b"false"[..] };
        let _ = write!(out, "{{\"hotel_id\":{},\"currency\":", self.hotel_id);
        let _ = serde_json::to_writer(&mut out, &self.currency);
        out.extend_from_slice(b",\"from\":");
        date(&mut out, self.from);
        out.extend_from_slice(b",\"to\":");
        date(&mut out, self.to);
        let _ = write!(out, ",\"rooms_count\":{},\"rooms\":[", self.rooms_count);
        for (i, r) in self.rooms.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let _ = write!(out, "{{\"room_id\":{},\"type\":", r.room_id);
            let _ = serde_json::to_writer(&mut out, &r.kind);
            let _ = write!(out, ",\"capacity\":{},\"rate_plan_id\":", r.capacity);
            match r.rate_plan_id {
                Some(id) => {
                    let _ = write!(out, "{id}");
                }
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"nights\":[");
            for (j, n) in r.nights.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"date\":");
                date(&mut out, n.date);
                let _ = write!(out, ",\"available\":{},\"price\":\"{}\",\"closed\":", n.available, n.price);
                out.extend_from_slice(flag(n.closed));
                out.extend_from_slice(b",\"min_stay\":");
                opt(&mut out, n.min_stay);
                out.extend_from_slice(b",\"max_stay\":");
                opt(&mut out, n.max_stay);
                out.extend_from_slice(b",\"closed_to_arrival\":");
                out.extend_from_slice(flag(n.closed_to_arrival));
                out.extend_from_slice(b",\"closed_to_departure\":");
                out.extend_from_slice(flag(n.closed_to_departure));
                out.extend_from_slice(b",\"bookable\":");
                out.extend_from_slice(flag(n.bookable));
                out.push(b'}');
            }
            out.extend_from_slice(b"]}");
        }
        out.extend_from_slice(b"]}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_writer_writes_what_serde_writes() {
        let night = |d: &str, price: i64, min: Option<i32>, flags: bool| CalendarNightDto {
            date: d.parse().unwrap(),
            available: 3,
            price: Money::from_minor(price),
            closed: flags,
            min_stay: min,
            max_stay: min.map(|m| m + 5),
            closed_to_arrival: !flags,
            closed_to_departure: flags,
            bookable: !flags,
        };
        let body = CalendarResponse {
            hotel_id: 7,
            currency: "EUR".into(),
            from: "2027-03-01".parse().unwrap(),
            to: "2027-03-31".parse().unwrap(),
            rooms_count: 2,
            rooms: vec![
                CalendarRoomDto {
                    room_id: 12,
                    kind: "Double \"deluxe\" \\ vue".into(),
                    capacity: 2,
                    rate_plan_id: Some(31),
                    nights: vec![night("2027-03-01", 10_000, Some(2), false), night("2027-03-02", 5, None, true)],
                },
                CalendarRoomDto { room_id: 13, kind: "Suite".into(), capacity: 4, rate_plan_id: None, nights: vec![] },
            ],
        };
        assert_eq!(String::from_utf8(body.to_json()).unwrap(), serde_json::to_string(&body).unwrap());
        let empty = CalendarResponse { rooms: vec![], ..body };
        assert_eq!(String::from_utf8(empty.to_json()).unwrap(), serde_json::to_string(&empty).unwrap());
    }
}
