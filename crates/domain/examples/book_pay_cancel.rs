//! The domain reused outside the server: a hotel, a hold, guests, a checkout paid through the simulated
//! gateway, then a cancellation with its refund, all through the domain's services on the in-memory store.
//! No HTTP server, no database.
//!
//! Run with `cargo run -p domain --example book_pay_cancel`.

use adapter_memory::InMemoryStore;
use adapter_stripe::SimulatedGateway;
use chrono::Duration;
use domain::model::*;
use domain::ports::*;
use domain::pricing::PricingPolicy;
use domain::services::*;
use std::sync::Arc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), domain::Error> {
    let store = InMemoryStore::shared();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let catalog = CatalogService::new(
        store.clone(),
        store.clone(),
        store.clone(),
        store.clone(),
        clock.clone(),
        PricingPolicy::new(&[], []),
        30,
    );
    let gateway = Arc::new(SimulatedGateway::new(store.clone(), "http://localhost:8000"));
    let config = BookingConfig {
        hold_minutes: 15,
        checkout_session_minutes: 31,
        max_stay_nights: 30,
        max_active_holds: 5,
        currency: Currency::parse("EUR").ok_or(domain::Error::internal("currency"))?,
        refund_max_attempts: 10,
    };
    let bookings = Arc::new(BookingService::new(
        store.clone(),
        store.clone(),
        gateway,
        clock.clone(),
        PricingPolicy::new(&[], []),
        config,
    ));
    let checkout = SimulatedCheckout::new(store.clone(), store.clone(), bookings.clone(), clock.clone());

    // A manager and a guest (accounts are plain repository rows here: no password hashing needed).
    let email = |s: &str| Email::parse(s).ok_or(domain::Error::internal("email"));
    let manager_email = email("manager@example.com")?;
    store.create_user(NewUser { email: manager_email.clone(), password_hash: "-".into(), name: None }).await?;
    store.set_manager(&manager_email, true).await?;
    let manager = store.user_by_email(&manager_email).await?.ok_or(domain::Error::internal("manager"))?;
    let guest = store
        .create_user(NewUser {
            email: email("guest@example.com")?,
            password_hash: "-".into(),
            name: Some("Ann".into()),
        })
        .await?;

    let hotel = catalog
        .create_hotel(
            &manager,
            NewHotel { name: "Harbour View".into(), city: Some("Lisbon".into()), ..NewHotel::default() },
        )
        .await?;
    catalog.set_active(&manager, hotel.id, true).await?;
    let room = NewRoom {
        kind: "Double".into(),
        base_price: Money::from_minor(12_000),
        photos: None,
        amenities: None,
        total_count: 3,
        capacity: 2,
    };
    let room = catalog.create_room(&manager, hotel.id, room).await?;

    let check_in = clock.today() + Duration::days(14);
    let hold =
        bookings.init(&guest, StayRequest::new(hotel.id, room.id, check_in, check_in + Duration::days(3), 1)).await?;
    println!("held booking #{} for {} {} ({})", hold.id, hold.amount, hold.currency, hold.status);

    let ann =
        store.create_guest(guest.id, NewGuest { name: "Ann".into(), gender: Gender::Female, age: Some(34) }).await?;
    bookings.add_guests(&guest, hold.id, vec![ann.id]).await?;
    let start = bookings.start_payment(&guest, hold.id).await?;
    println!("checkout page: {}", start.session_url);

    // The guest presses Pay on the simulated page: the same exactly-once path as a provider webhook.
    let session = start.session_url.rsplit('/').next().unwrap_or_default().to_string();
    checkout.complete(&session).await?;
    let paid = bookings.get(&guest, hold.id).await?;
    println!("after payment: {}", paid.status);

    bookings.cancel(&guest, hold.id).await?;
    let cancelled = bookings.get(&guest, hold.id).await?;
    println!(
        "after cancel: {}, refund {}",
        cancelled.status,
        cancelled.refund_status.map(|r| r.as_str()).unwrap_or("none")
    );
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.refund_status, Some(RefundStatus::Succeeded));
    Ok(())
}
