//! Route handlers, grouped by area, and the route table.

pub mod admin;
pub mod auth;
pub mod bookings;
pub mod payments;
pub mod public;
pub mod service;
pub mod users;

use crate::error::{ApiError, error_response};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;

/// A JSON response.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").body(serde_json::to_vec(body).unwrap_or_default())
}

/// A JSON list with `X-Total-Count`.
pub fn paged<T: Serialize>(items: &[T], total: i64) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("X-Total-Count", total.to_string()))
        .body(serde_json::to_vec(items).unwrap_or_default())
}

/// The 405 handler of a resource with these methods.
fn not_allowed(allow: &'static [&'static str]) -> actix_web::Route {
    web::to(move || async move { error_response(&ApiError::MethodNotAllowed(allow.to_vec())) })
}

/// 404 for unknown paths.
pub async fn not_found() -> HttpResponse {
    error_response(&ApiError::NotFound)
}

macro_rules! resource {
    ($cfg:expr, $path:expr, [$(($m:ident, $h:expr)),+ $(,)?]) => {{
        const ALLOW: &[&str] = &[$(resource!(@name $m)),+];
        $cfg.service(
            web::resource($path)
                $(.route(web::$m().to($h)))+
                .default_service(not_allowed(ALLOW)),
        );
    }};
    (@name get) => { "GET" };
    (@name post) => { "POST" };
    (@name put) => { "PUT" };
    (@name patch) => { "PATCH" };
    (@name delete) => { "DELETE" };
}

/// Registers every route of the contract. `simulated` adds the simulated gateway's pages.
pub fn configure(cfg: &mut web::ServiceConfig, simulated: bool) {
    resource!(cfg, "/", [(get, service::root)]);
    resource!(cfg, "/health", [(get, service::health)]);
    resource!(cfg, "/ready", [(get, service::ready)]);
    resource!(cfg, "/metrics", [(get, service::metrics)]);
    resource!(cfg, "/auth/signup", [(post, auth::signup)]);
    resource!(cfg, "/auth/login", [(post, auth::login)]);
    resource!(cfg, "/auth/refresh", [(post, auth::refresh)]);
    resource!(cfg, "/auth/logout", [(post, auth::logout)]);
    resource!(cfg, "/hotels/search", [(get, public::search)]);
    resource!(cfg, "/hotels/{hotel_id}/info", [(get, public::info)]);
    resource!(cfg, "/users/profile", [(get, users::profile), (patch, users::update_profile)]);
    resource!(cfg, "/users/myBookings", [(get, users::my_bookings)]);
    resource!(cfg, "/users/guests", [(get, users::guests), (post, users::create_guest)]);
    resource!(cfg, "/users/guests/{guest_id}", [(put, users::update_guest), (delete, users::delete_guest)]);
    resource!(cfg, "/bookings/init", [(post, bookings::init)]);
    resource!(cfg, "/bookings/{booking_id}", [(get, bookings::detail)]);
    resource!(cfg, "/bookings/{booking_id}/addGuests", [(post, bookings::add_guests)]);
    resource!(cfg, "/bookings/{booking_id}/payments", [(post, bookings::payments)]);
    resource!(cfg, "/bookings/{booking_id}/cancel", [(post, bookings::cancel)]);
    resource!(cfg, "/bookings/{booking_id}/status", [(get, bookings::status)]);
    resource!(cfg, "/webhooks/stripe", [(post, payments::webhook)]);
    resource!(cfg, "/webhook/payment", [(post, payments::webhook)]);
    if simulated {
        resource!(cfg, "/payments/simulated/{session_id}", [(get, payments::page)]);
        resource!(cfg, "/payments/simulated/{session_id}/complete", [(post, payments::complete)]);
        resource!(cfg, "/payments/simulated/{session_id}/cancel", [(post, payments::cancel)]);
    }
    resource!(cfg, "/admin/hotels", [(post, admin::create_hotel), (get, admin::list_hotels)]);
    resource!(
        cfg,
        "/admin/hotels/{hotel_id}",
        [(get, admin::get_hotel), (put, admin::update_hotel), (delete, admin::delete_hotel)]
    );
    resource!(cfg, "/admin/hotels/{hotel_id}/activate", [(patch, admin::activate)]);
    resource!(cfg, "/admin/hotels/{hotel_id}/deactivate", [(patch, admin::deactivate)]);
    resource!(cfg, "/admin/hotels/{hotel_id}/bookings", [(get, admin::hotel_bookings)]);
    resource!(cfg, "/admin/hotels/{hotel_id}/reports", [(get, admin::report)]);
    resource!(cfg, "/admin/hotels/{hotel_id}/rooms", [(post, admin::create_room), (get, admin::list_rooms)]);
    resource!(
        cfg,
        "/admin/hotels/{hotel_id}/rooms/{room_id}",
        [(get, admin::get_room), (put, admin::update_room), (delete, admin::delete_room)]
    );
    resource!(cfg, "/admin/inventory/rooms/{room_id}", [(get, admin::inventory), (patch, admin::patch_inventory)]);
}
