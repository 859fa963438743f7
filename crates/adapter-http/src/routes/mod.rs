//! Route handlers, grouped by area, and the route table.

pub mod admin;
pub mod auth;
pub mod bookings;
pub mod history;
pub mod payments;
pub mod public;
pub mod rate_plans;
pub mod service;
pub mod stays;
pub mod users;

use crate::error::{ApiError, error_response};
use actix_web::dev::ResourceDef;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
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

/// `Cache-Control` of the cacheable public reads (`/hotels/search`, `/hotels/{hotel_id}/info`): shared caches may
/// keep an answer this many seconds; after that a client revalidates with `If-None-Match`.
pub const PUBLIC_CACHE_CONTROL: &str = "public, max-age=10";

/// The strong `ETag` of an answer: a hash of its body bytes and, for lists, of its `X-Total-Count` (the same page
/// of a longer list is a different answer).
pub fn etag(body: &[u8], total: Option<i64>) -> String {
    // SipHash-1-3 with fixed keys, 128 bits: a validator, not a secret, so it need not be cryptographic, and it
    // is several times cheaper than SHA-256 on the calendar's ~80 KB answers; the same on every replica.
    use siphasher::sip128::{Hasher128, SipHasher13};
    use std::hash::Hasher;
    let mut h = SipHasher13::new();
    h.write(body);
    if let Some(t) = total {
        h.write(b"\nX-Total-Count: ");
        h.write(t.to_string().as_bytes());
    }
    format!("\"{:032x}\"", h.finish128().as_u128())
}

/// Whether the request's `If-None-Match` holds `tag`.
pub fn if_none_match(req: &HttpRequest, tag: &str) -> bool {
    crate::requests::ConditionalHeaders::parse(req).matches(tag)
}

/// A cacheable 200 JSON answer (public reads): `ETag`, `Cache-Control: public, max-age=10`, `Vary: Origin` and, for
/// lists, `X-Total-Count`; a 304 with the same headers and no body when `If-None-Match` already holds this answer.
pub fn cached(req: &HttpRequest, body: Vec<u8>, total: Option<i64>) -> HttpResponse {
    let tag = etag(&body, total);
    let mut res = if if_none_match(req, &tag) {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok().content_type("application/json").body(body)
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE_CONTROL));
    // The CORS headers the edge adds depend on `Origin`: a shared cache must key on it.
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(t) = total
        && let Ok(v) = HeaderValue::from_str(&t.to_string())
    {
        h.insert(header::HeaderName::from_static("x-total-count"), v);
    }
    res
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
    ($cfg:expr, $table:expr, $path:expr, [$(($m:ident, $h:expr)),+ $(,)?]) => {{
        const ALLOW: &[&str] = &[$(resource!(@name $m)),+];
        $table.push($path, ALLOW);
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

/// Every registered route pattern with its methods: the middleware answers 404/405 from it before any body
/// size or rate limit check (API.md §1.5), and `tests/openapi.rs` compares it with the OpenAPI document (every
/// route documented, nothing documented that is not routed).
#[derive(Default)]
pub struct RouteTable {
    routes: Vec<(ResourceDef, &'static str, &'static [&'static str])>,
}

impl RouteTable {
    fn push(&mut self, pattern: &'static str, methods: &'static [&'static str]) {
        self.routes.push((ResourceDef::new(pattern), pattern, methods));
    }

    /// The methods of the route matching `path`, if any.
    pub fn methods(&self, path: &str) -> Option<&'static [&'static str]> {
        self.routes.iter().find(|(def, _, _)| def.is_match(path)).map(|(_, _, m)| *m)
    }

    /// Every `(pattern, methods)` pair, in registration order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &'static [&'static str])> + '_ {
        self.routes.iter().map(|(_, p, m)| (*p, *m))
    }
}

/// Registers every route of the contract. `simulated` adds the simulated gateway's pages.
pub fn configure(cfg: &mut web::ServiceConfig, simulated: bool) {
    let mut table = RouteTable::default();
    resource!(cfg, table, "/", [(get, service::root)]);
    resource!(cfg, table, "/health", [(get, service::health)]);
    resource!(cfg, table, "/ready", [(get, service::ready)]);
    resource!(cfg, table, "/ready/read", [(get, service::ready_read)]);
    resource!(cfg, table, "/metrics", [(get, service::metrics)]);
    resource!(cfg, table, "/auth/signup", [(post, auth::signup)]);
    resource!(cfg, table, "/auth/login", [(post, auth::login)]);
    resource!(cfg, table, "/auth/refresh", [(post, auth::refresh)]);
    resource!(cfg, table, "/auth/logout", [(post, auth::logout)]);
    resource!(cfg, table, "/hotels/search", [(get, public::search)]);
    resource!(cfg, table, "/hotels/{hotel_id}/info", [(get, public::info)]);
    resource!(cfg, table, "/hotels/{hotel_id}/quote", [(get, stays::quote)]);
    resource!(cfg, table, "/hotels/{hotel_id}/calendar", [(get, stays::calendar)]);
    resource!(cfg, table, "/users/profile", [(get, users::profile), (patch, users::update_profile)]);
    resource!(cfg, table, "/users/myBookings", [(get, users::my_bookings)]);
    resource!(cfg, table, "/users/guests", [(get, users::guests), (post, users::create_guest)]);
    resource!(cfg, table, "/users/guests/{guest_id}", [(put, users::update_guest), (delete, users::delete_guest)]);
    resource!(cfg, table, "/bookings/init", [(post, bookings::init)]);
    resource!(cfg, table, "/bookings/{booking_id}", [(get, bookings::detail)]);
    resource!(cfg, table, "/bookings/{booking_id}/addGuests", [(post, bookings::add_guests)]);
    resource!(cfg, table, "/bookings/{booking_id}/payments", [(post, bookings::payments)]);
    resource!(cfg, table, "/bookings/{booking_id}/cancel", [(post, bookings::cancel)]);
    resource!(cfg, table, "/bookings/{booking_id}/status", [(get, bookings::status)]);
    resource!(cfg, table, "/bookings/{booking_id}/history", [(get, history::booking)]);
    resource!(cfg, table, "/webhooks/stripe", [(post, payments::webhook)]);
    resource!(cfg, table, "/webhook/payment", [(post, payments::webhook_alias)]);
    if simulated {
        resource!(cfg, table, "/payments/simulated/{session_id}", [(get, payments::page)]);
        resource!(cfg, table, "/payments/simulated/{session_id}/complete", [(post, payments::complete)]);
        resource!(cfg, table, "/payments/simulated/{session_id}/cancel", [(post, payments::cancel)]);
    }
    resource!(cfg, table, "/admin/hotels", [(post, admin::create_hotel), (get, admin::list_hotels)]);
    resource!(
        cfg,
        table,
        "/admin/hotels/{hotel_id}",
        [(get, admin::get_hotel), (put, admin::update_hotel), (delete, admin::delete_hotel)]
    );
    resource!(cfg, table, "/admin/hotels/{hotel_id}/activate", [(patch, admin::activate)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/deactivate", [(patch, admin::deactivate)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/bookings", [(get, admin::hotel_bookings)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/reports", [(get, admin::report)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/reports/revenue", [(get, stays::revenue)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/history", [(get, history::hotel)]);
    resource!(cfg, table, "/admin/hotels/{hotel_id}/rooms", [(post, admin::create_room), (get, admin::list_rooms)]);
    resource!(
        cfg,
        table,
        "/admin/hotels/{hotel_id}/rooms/{room_id}",
        [(get, admin::get_room), (put, admin::update_room), (delete, admin::delete_room)]
    );
    resource!(
        cfg,
        table,
        "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans",
        [(get, rate_plans::list), (post, rate_plans::create)]
    );
    resource!(
        cfg,
        table,
        "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}",
        [(get, rate_plans::get), (put, rate_plans::update), (delete, rate_plans::delete)]
    );
    resource!(
        cfg,
        table,
        "/admin/inventory/rooms/{room_id}",
        [(get, admin::inventory), (patch, admin::patch_inventory)]
    );
    cfg.app_data(web::Data::new(table));
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn etags_are_strong_and_cover_the_total() {
        let a = etag(b"[1]", Some(1));
        assert!(a.starts_with('"') && a.ends_with('"') && a.len() == 34, "{a}");
        assert_eq!(a, etag(b"[1]", Some(1)));
        assert_ne!(a, etag(b"[1]", Some(2)));
        assert_ne!(a, etag(b"[2]", Some(1)));
        assert_ne!(etag(b"{}", None), etag(b"{}", Some(0)));
    }

    #[test]
    fn if_none_match_lists_weak_tags_and_star() {
        let tag = etag(b"x", None);
        let req =
            |v: &str| TestRequest::default().insert_header((header::IF_NONE_MATCH, v.to_string())).to_http_request();
        assert!(if_none_match(&req(&tag), &tag));
        assert!(if_none_match(&req(&format!("\"other\", W/{tag}")), &tag));
        assert!(if_none_match(&req("*"), &tag));
        assert!(!if_none_match(&req("\"other\""), &tag));
        assert!(!if_none_match(&TestRequest::default().to_http_request(), &tag));
    }

    #[test]
    fn cached_answers_304_without_a_body() {
        let body = b"[]".to_vec();
        let tag = etag(&body, Some(0));
        let req = TestRequest::default().insert_header((header::IF_NONE_MATCH, tag.clone())).to_http_request();
        let res = cached(&req, body.clone(), Some(0));
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers().get(header::ETAG).and_then(|v| v.to_str().ok()), Some(tag.as_str()));
        assert_eq!(res.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some(PUBLIC_CACHE_CONTROL));
        assert!(res.headers().get(header::CONTENT_TYPE).is_none());
        let res = cached(&TestRequest::default().to_http_request(), body, Some(0));
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers().get("x-total-count").and_then(|v| v.to_str().ok()), Some("0"));
    }
}
