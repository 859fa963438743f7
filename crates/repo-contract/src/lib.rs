#![doc = include_str!("../README.md")]

pub mod fixtures;

pub mod bookings;
pub mod catalog;
pub mod events;
pub mod guests;
pub mod idempotency;
pub mod local;
pub mod payments;
pub mod rate_plans;
pub mod search;
pub mod sessions;
pub mod stays;
pub mod users;

use async_trait::async_trait;
use domain::ports::{
    BookingRepository, CatalogStore, EventLog, GuestRepository, IdempotencyStore, SimulatedSessionStore, UserRepository,
};
use std::any::Any;
use std::sync::Arc;

/// One set of empty repositories, all backed by the same storage.
pub struct Stores {
    pub users: Arc<dyn UserRepository>,
    pub guests: Arc<dyn GuestRepository>,
    pub catalog: Arc<dyn CatalogStore>,
    pub bookings: Arc<dyn BookingRepository>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub sessions: Arc<dyn SimulatedSessionStore>,
    pub events: Arc<dyn EventLog>,
    /// Anything that must live as long as the test (a temporary database, a container handle…); dropped
    /// when the test ends.
    pub guard: Option<Box<dyn Any + Send + Sync>>,
}

impl Stores {
    /// All seven ports from one value that implements them all.
    pub fn from_store<T>(store: Arc<T>) -> Stores
    where
        T: UserRepository
            + GuestRepository
            + CatalogStore
            + BookingRepository
            + IdempotencyStore
            + SimulatedSessionStore
            + EventLog
            + 'static,
    {
        Stores {
            users: store.clone(),
            guests: store.clone(),
            catalog: store.clone(),
            bookings: store.clone(),
            idempotency: store.clone(),
            events: store.clone(),
            sessions: store,
            guard: None,
        }
    }

    /// Keeps `guard` alive for the duration of the test.
    pub fn with_guard(mut self, guard: impl Any + Send + Sync) -> Stores {
        self.guard = Some(Box::new(guard));
        self
    }
}

/// Creates fresh, empty stores for one test.
#[async_trait]
pub trait StoreFactory: Send + Sync {
    async fn fresh(&self) -> Stores;
}

/// The list of contract tests, by area. `$mode` selects what [`__contract_emit`] generates.
#[doc(hidden)]
#[macro_export]
macro_rules! __contract_list {
    ($mode:ident $args:tt) => {
        $crate::__contract_emit! { $mode $args
            users {
                signup_stores_user_and_rejects_duplicate_email,
                concurrent_signups_create_one_account,
                profile_password_and_manager_role,
                refresh_rotation_keeps_the_family,
                refresh_rejects_invalid_tokens,
                refresh_concurrent_presentation_rotates_once,
                login_throttle_fixed_window,
                login_attempts_counted_atomically,
            }
            guests {
                guests_crud_and_soft_delete,
                guests_limit_per_user,
                concurrent_guest_creation_respects_limit,
            }
            catalog {
                hotels_crud_and_listing,
                room_creation_inserts_the_inventory_window,
                room_limit_per_hotel,
                room_update_propagates_to_future_inventory,
                room_update_conflict_changes_nothing,
                inventory_patch_applies_to_range,
                inventory_patch_conflict_changes_nothing,
                inventory_window_extension,
                hotel_delete_rules,
                room_delete_rules,
                revenue_report,
                hotel_listing_matches_rooms_and_nights,
            }
            search {
                search_needs_one_room_type_for_every_night,
                search_closed_nights_and_check_out_day,
                search_city_is_case_insensitive_equality,
                search_guests_filter,
                search_price_filter_and_min_price,
                search_sort_and_paging,
                search_rounds_each_night_half_even,
            }
            bookings {
                hold_reserves_and_prices_the_stay,
                hold_errors_in_order_change_nothing,
                hold_cap_counts_unexpired_holds,
                concurrent_holds_never_oversell,
                concurrent_holds_respect_the_cap,
                cancel_rules,
                overdue_hold_expires_before_client_actions,
                concurrent_identical_transitions_apply_once,
                concurrent_cancel_timeout_and_payment,
                add_guests_rules,
                booking_lists,
            }
            payments {
                payment_attempts,
                payment_event_confirms_exactly_once,
                payment_event_matching,
                payment_event_failure_expiry_and_async,
                late_payment_rules,
                expire_due_releases_each_hold_once,
                refund_queue_and_backoff,
                every_payment_of_a_cancelled_booking_is_refunded,
            }
            idempotency {
                idempotency_lifecycle,
                idempotency_lease_and_retention,
                concurrent_idempotency_claims,
                idempotency_lease_takeover_is_fenced,
            }
            sessions {
                simulated_sessions,
            }
            local {
                hotel_local_settings_round_trip,
                booking_freezes_its_policy_and_records_the_settlement,
                search_and_window_use_each_hotels_local_date,
            }
            rate_plans {
                rate_plans_crud_and_default_plan,
                holds_on_a_plan_and_plan_deletes,
                search_offers_the_cheapest_bookable_plan,
            }
            events {
                booking_transitions_are_recorded_with_their_actor,
                catalog_changes_are_recorded_with_before_and_after,
                relay_reads_marks_and_prunes,
            }
            stays {
                restrictions_and_taxes_round_trip_and_guard_holds,
                search_honours_restrictions,
                room_offer_reads_a_room_of_the_hotel,
                calendar_reads_every_room_and_night_of_the_range,
                calendars_read_many_windows_at_once,
                revenue_facts_are_exact,
                hotel_ids_page_through_every_hotel,
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __contract_emit {
    (tests ($factory:expr) $($module:ident { $($name:ident),* $(,)? })*) => {
        $(
            mod $module {
                #[allow(unused_imports)]
                use super::*;
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $name() {
                        $crate::$module::$name(&$factory).await;
                    }
                )*
            }
        )*
    };
    (run ($factory:expr) $($module:ident { $($name:ident),* $(,)? })*) => {
        $($(
            eprintln!("contract: {}::{}", stringify!($module), stringify!($name));
            $crate::$module::$name($factory).await;
        )*)*
    };
    (names () $($module:ident { $($name:ident),* $(,)? })*) => {
        &[$($(concat!(stringify!($module), "::", stringify!($name)),)*)*]
    };
}

/// Expands to one multi-thread tokio test per contract test, each calling `$factory`'s
/// [`StoreFactory::fresh`]. The factory is an expression evaluated in each test (e.g. a unit struct).
#[macro_export]
macro_rules! contract_tests {
    ($factory:expr) => {
        $crate::__contract_list! { tests ($factory) }
    };
}

/// Every contract test as `module::name`, in the order they run.
pub const TEST_NAMES: &[&str] = __contract_list! { names () };

/// Runs every contract test one after the other (the first failure panics).
pub async fn run_all<F: StoreFactory>(factory: &F) {
    __contract_list! { run (factory) }
}
