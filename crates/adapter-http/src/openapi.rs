//! The OpenAPI document, generated from the handlers' annotations and the DTO types.

use crate::dto::*;
use crate::routes::*;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "staybook", description = "Hotel booking API: search, holds, guests, checkout, management."),
    paths(
        service::root, service::health, service::ready, service::metrics,
        auth::signup, auth::login, auth::refresh, auth::logout,
        public::search, public::info,
        users::profile, users::update_profile, users::my_bookings, users::guests, users::create_guest,
        users::update_guest, users::delete_guest,
        bookings::init, bookings::detail, bookings::add_guests, bookings::payments, bookings::cancel, bookings::status,
        payments::webhook, payments::page, payments::complete, payments::cancel,
        admin::create_hotel, admin::list_hotels, admin::get_hotel, admin::update_hotel, admin::delete_hotel,
        admin::activate, admin::deactivate, admin::hotel_bookings, admin::report,
        admin::create_room, admin::list_rooms, admin::get_room, admin::update_room, admin::delete_room,
        admin::inventory, admin::patch_inventory,
    ),
    components(schemas(
        UserResponse, LoginResponse, HotelResponse, HotelInfoResponse, RoomSummaryResponse, HotelSearchResult,
        RoomResponse, InventoryResponse, GuestResponse, BookingResponse, BookingDetailResponse, HotelReportResponse,
        SessionUrlResponse, StatusResponse,
    )),
    modifiers(&SecurityAddon)
)]
pub struct ApiDoc;

/// `/docs` without the trailing slash: the same Swagger UI, with absolute asset paths.
pub const DOCS_HTML: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>staybook API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"});</script>
</body></html>"##;
