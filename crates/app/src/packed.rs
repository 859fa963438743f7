//! Inventory nights packed in 32 bytes each, for what a replica keeps in memory (the calendar cache, the read
//! model): counts, restrictions and the surge fit in 16 bits because the schema bounds them.

use chrono::{Duration, NaiveDate};
use domain::model::*;
use rust_decimal::Decimal;

/// One night in 32 bytes (counts, restrictions and the surge fit in 16 bits: the schema bounds them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Night {
    id: i64,
    price: i64,
    /// Days after the start date the night was packed against.
    pub(crate) day: u16,
    book: u16,
    reserved: u16,
    total: u16,
    surge: u16,
    min_stay: u16,
    max_stay: u16,
    flags: u8,
}

const CLOSED: u8 = 1;
const CTA: u8 = 2;
const CTD: u8 = 4;

impl Night {
    /// Sets the counts a committed change left (booked, held, total); `false`, unchanged, when one does not fit.
    pub(crate) fn set_counts(&mut self, book: i32, reserved: i32, total: i32) -> bool {
        match (u16::try_from(book), u16::try_from(reserved), u16::try_from(total)) {
            (Ok(b), Ok(r), Ok(t)) => {
                (self.book, self.reserved, self.total) = (b, r, t);
                true
            }
            _ => false,
        }
    }

    /// `None` when a value is outside what the schema allows (such a hotel is simply not cached).
    pub(crate) fn pack(start: NaiveDate, n: &InventoryNight) -> Option<Night> {
        let u = |v: i32| u16::try_from(v).ok();
        let opt = |v: Option<i32>| match v {
            None => Some(0),
            Some(v) => u16::try_from(v).ok().filter(|v| *v > 0),
        };
        let surge = (n.surge_factor * Decimal::from(100)).normalize();
        if surge.fract() != Decimal::ZERO {
            return None;
        }
        let r = n.restrictions;
        Some(Night {
            id: n.id,
            price: n.price.minor(),
            day: u16::try_from((n.date - start).num_days()).ok()?,
            book: u(n.book_count)?,
            reserved: u(n.reserved_count)?,
            total: u(n.total_count)?,
            surge: u16::try_from(i64::try_from(surge.trunc()).ok()?).ok()?,
            min_stay: opt(r.min_stay)?,
            max_stay: opt(r.max_stay)?,
            flags: if n.closed { CLOSED } else { 0 }
                | if r.closed_to_arrival { CTA } else { 0 }
                | if r.closed_to_departure { CTD } else { 0 },
        })
    }

    pub(crate) fn unpack(&self, start: NaiveDate, hotel_id: HotelId, room_id: RoomId) -> InventoryNight {
        let opt = |v: u16| (v > 0).then_some(i32::from(v));
        InventoryNight {
            id: self.id,
            hotel_id,
            room_id,
            date: start + Duration::days(i64::from(self.day)),
            book_count: i32::from(self.book),
            reserved_count: i32::from(self.reserved),
            total_count: i32::from(self.total),
            surge_factor: Decimal::new(i64::from(self.surge), 2),
            price: Money::from_minor(self.price),
            closed: self.flags & CLOSED != 0,
            restrictions: Restrictions {
                min_stay: opt(self.min_stay),
                max_stay: opt(self.max_stay),
                closed_to_arrival: self.flags & CTA != 0,
                closed_to_departure: self.flags & CTD != 0,
            },
        }
    }
}
