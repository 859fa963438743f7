//! `app seed-demo`: a small demo data set, loaded through the same services the API uses, so every rule of the
//! domain applies (inventory windows, ownership, activation). Idempotent: what exists is left alone, what is
//! missing is added, so running it twice changes nothing.

use crate::startup::Wired;
use domain::Error;
use domain::model::{Email, Money, NewHotel, NewRoom, Page, User};

/// The password of both demo accounts (documented in README.md and docs/OPERATIONS.md).
pub const DEMO_PASSWORD: &str = "staybook-demo";
/// The demo hotel manager: owns the three demo hotels.
pub const DEMO_MANAGER: &str = "manager@demo.staybook";
/// The demo guest: a plain `GUEST` account, ready to book.
pub const DEMO_GUEST: &str = "guest@demo.staybook";

/// One demo hotel: name, city, and its room types (type, nightly price in cents, rooms, capacity).
struct DemoHotel {
    name: &'static str,
    city: &'static str,
    address: &'static str,
    rooms: [(&'static str, i64, i32, i32); 2],
}

const HOTELS: [DemoHotel; 3] = [
    DemoHotel {
        name: "Demo Riverside",
        city: "Vienna",
        address: "Donaukanal 1, Vienna",
        rooms: [("Double", 12000, 5, 2), ("Family Suite", 21000, 2, 4)],
    },
    DemoHotel {
        name: "Demo Old Town",
        city: "Vienna",
        address: "Graben 12, Vienna",
        rooms: [("Single", 8500, 4, 1), ("Double", 13500, 6, 2)],
    },
    DemoHotel {
        name: "Demo Harbour",
        city: "Lisbon",
        address: "Cais do Sodré 3, Lisbon",
        rooms: [("Double", 9900, 8, 2), ("Sea View Suite", 18900, 2, 3)],
    },
];

/// What one run added (zeros on a second run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub users: usize,
    pub hotels: usize,
    pub rooms: usize,
    /// Hotels that were inactive and got activated.
    pub activated: usize,
}

fn email(s: &str) -> Result<Email, String> {
    Email::parse(s).ok_or_else(|| format!("not an email address: {s}"))
}

/// Creates the account unless it exists; `true` when created.
async fn ensure_account(w: &Wired, address: &str, name: &str) -> Result<bool, String> {
    match w.auth.signup(email(address)?, DEMO_PASSWORD.into(), Some(name.into())).await {
        Ok(_) => Ok(true),
        Err(Error::EmailAlreadyRegistered) => Ok(false),
        Err(e) => Err(format!("cannot create {address}: {e}")),
    }
}

/// The account as stored (roles included), through a login with the demo password.
async fn load(w: &Wired, address: &str) -> Result<User, String> {
    w.auth.login(email(address)?, DEMO_PASSWORD.into()).await.map(|l| l.user).map_err(|e| {
        format!("{address} exists but does not accept the demo password ({e}); delete it or use another database")
    })
}

/// Loads the demo data set; see the module documentation.
pub async fn seed_demo(w: &Wired) -> Result<SeedReport, String> {
    let mut report = SeedReport::default();
    report.users += usize::from(ensure_account(w, DEMO_MANAGER, "Demo Manager").await?);
    report.users += usize::from(ensure_account(w, DEMO_GUEST, "Demo Guest").await?);
    w.auth.set_manager(&email(DEMO_MANAGER)?, true).await.map_err(|e| e.to_string())?;
    let manager = load(w, DEMO_MANAGER).await?;
    load(w, DEMO_GUEST).await?;

    let all = Page { limit: 1000, offset: 0 };
    let existing = w.catalog.my_hotels(&manager, all).await.map_err(|e| e.to_string())?.items;
    for demo in &HOTELS {
        let hotel = match existing.iter().find(|h| h.name == demo.name) {
            Some(h) => h.clone(),
            None => {
                let new = NewHotel {
                    name: demo.name.into(),
                    city: Some(demo.city.into()),
                    photos: None,
                    amenities: Some(vec!["wifi".into(), "breakfast".into()]),
                    contact_phone: None,
                    contact_email: Some(DEMO_MANAGER.into()),
                    contact_address: Some(demo.address.into()),
                    ..NewHotel::default()
                };
                report.hotels += 1;
                w.catalog.create_hotel(&manager, new).await.map_err(|e| format!("{}: {e}", demo.name))?
            }
        };
        let rooms = w.catalog.rooms(&manager, hotel.id, all).await.map_err(|e| e.to_string())?.items;
        for (kind, cents, total, capacity) in demo.rooms {
            if rooms.iter().any(|r| r.kind == kind) {
                continue;
            }
            let new = NewRoom {
                kind: kind.into(),
                base_price: Money::from_minor(cents),
                photos: None,
                amenities: None,
                total_count: total,
                capacity,
            };
            w.catalog.create_room(&manager, hotel.id, new).await.map_err(|e| format!("{} {kind}: {e}", demo.name))?;
            report.rooms += 1;
        }
        if !hotel.active {
            w.catalog.set_active(&manager, hotel.id, true).await.map_err(|e| e.to_string())?;
            report.activated += 1;
        }
    }
    Ok(report)
}
