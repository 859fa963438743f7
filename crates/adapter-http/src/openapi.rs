//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the typed DTOs
//! (responses: `dto`, inputs: `requests`, errors: `error`).
//!
//! Every operation lists every status it can answer (API.md §1.5, §2, and its own section). Route-specific errors
//! are tuples next to the handler, naming their `code`s; the answers many routes share are the
//! [`IntoResponses`] markers below (`Unauthorized`, `Forbidden`, `PayloadTooLarge`, …), listed per operation.
//! Every 4xx/5xx body is the `ErrorResponse` envelope. `crates/adapter-http/tests/openapi.rs` checks the document
//! against the OpenAPI 3.1 schema, the route table and a per-status table of which routes answer what.

use crate::dto::*;
use crate::error::{ErrorCode, ErrorResponse, FieldError, LocItem, ValidationErrorType};
use crate::requests::*;
use crate::routes::*;
use std::collections::BTreeMap;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The `access_token` of `POST /auth/login` or `POST /auth/refresh`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "refreshCookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "refreshToken",
                "The HttpOnly refresh-token cookie set by login and refresh (`Path=/auth`).",
            ))),
        );
    }
}

/// An error answer with the `ErrorResponse` body.
fn error_answer(description: &str, example: (&str, &str), headers: &[(&str, &str)]) -> RefOr<Response> {
    let (code, detail) = example;
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(ErrorResponse::name())))
        .example(Some(serde_json::json!({
            "detail": detail, "code": code, "request_id": "0b6f2c2e-6d1a-4f0e-9a51-3c1d2b7f9e10"
        })))
        .build();
    let mut r = ResponseBuilder::new().description(description).content("application/json", content);
    for (name, desc) in headers {
        let schema = if *name == "Retry-After" { Type::Integer } else { Type::String };
        r = r.header(
            *name,
            HeaderBuilder::new().schema(Some(Object::with_type(schema))).description(Some(*desc)).build(),
        );
    }
    r.build().into()
}

macro_rules! common_error {
    ($(#[$doc:meta])* $name:ident, $status:literal, $desc:literal, ($code:literal, $detail:literal)
     $(, ($h:literal, $hdesc:literal))*) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([($status.to_string(), error_answer($desc, ($code, $detail), &[$(($h, $hdesc)),*]))])
            }
        }
    };
}

common_error!(
    /// 401 of routes that need a bearer token.
    Unauthorized, "401",
    "`not_authenticated` (no token), `invalid_token` (bad, wrong type or unknown user) or `token_expired`",
    ("not_authenticated", "Not authenticated"),
    ("WWW-Authenticate", "`Bearer`, plus `error=\"invalid_token\"` when a presented token was rejected")
);
common_error!(
    /// 403 of the `/admin` routes for a caller without `HOTEL_MANAGER`, checked before any lookup.
    Forbidden, "403", "`forbidden`: the caller is not a `HOTEL_MANAGER`", ("forbidden", "Insufficient permissions")
);
common_error!(
    /// 413 before the body is read, whenever `Content-Length` exceeds the limit.
    PayloadTooLarge, "413", "`payload_too_large`: the body is over `MAX_BODY_BYTES` (64 KiB)",
    ("payload_too_large", "Request body too large")
);
common_error!(
    /// 415 of JSON-body routes.
    UnsupportedMediaType, "415", "`unsupported_media_type`: a `Content-Type` that is not JSON",
    ("unsupported_media_type", "Content-Type must be application/json")
);
common_error!(
    /// 422 of routes with a body, query or path id to validate.
    ValidationFailed, "422", "`validation_error`, with `errors[]` (API.md §2.1)",
    ("validation_error", "Validation error")
);
common_error!(
    /// 429 of rate-limited routes.
    RateLimited, "429", "`rate_limited`: over `RATE_LIMIT_PER_MINUTE` (per user, else per client IP)",
    ("rate_limited", "Too many requests"), ("Retry-After", "Seconds to wait")
);
common_error!(
    /// 500 of every route.
    Internal, "500", "`internal`: an unhandled error (logged under the request id)",
    ("internal", "Internal server error")
);
common_error!(
    /// 503 of routes that use the database.
    Unavailable, "503", "`service_unavailable`: the database is unavailable, or a transaction conflict kept failing",
    ("service_unavailable", "Service unavailable")
);

/// Response keys are never omitted (API.md §1.2): every property of every object schema a 2xx answer reaches is
/// required (nullable ones stay nullable), so a generated client types them `T | null`, not `T | undefined`.
struct ResponseKeysRequired;

fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(r)) = m.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            m.values().for_each(|x| refs(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

fn require_all(schema: &mut Schema) {
    match schema {
        Schema::Object(o) => o.required = o.properties.keys().cloned().collect(),
        Schema::AllOf(a) => a.items.iter_mut().for_each(|i| {
            if let RefOr::T(s) = i {
                require_all(s)
            }
        }),
        _ => {}
    }
}

impl Modify for ResponseKeysRequired {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut todo = Vec::new();
        for item in openapi.paths.paths.values() {
            let item = serde_json::to_value(item).unwrap_or_default();
            for op in item.as_object().into_iter().flat_map(|m| m.values()) {
                for (status, resp) in op["responses"].as_object().into_iter().flatten() {
                    if status.starts_with('2') {
                        refs(resp, &mut todo);
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else { return };
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(RefOr::T(schema)) = components.schemas.get_mut(&name) {
                refs(&serde_json::to_value(&*schema).unwrap_or_default(), &mut todo);
                require_all(schema);
            }
        }
    }
}

/// The API description served at `/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "staybook",
        description = "Hotel booking API: search, holds, guests, checkout, management.\n\n\
            Every response carries `X-Request-Id` (an incoming valid one is echoed). Every 4xx/5xx body is an \
            `ErrorResponse` (`detail`, `code`, `request_id`, plus `errors[]` on 422). Lists are bare arrays paged \
            with `limit`/`offset`, the number of matches in `X-Total-Count`. Money is a decimal string with two \
            decimals; dates are `YYYY-MM-DD`; timestamps RFC 3339 UTC with 6 fraction digits and `Z`.",
    ),
    paths(
        service::root, service::health, service::ready, service::ready_read, service::metrics,
        auth::signup, auth::login, auth::refresh, auth::logout,
        public::search, public::info, stays::quote, stays::calendar,
        users::profile, users::update_profile, users::my_bookings, users::guests, users::create_guest,
        users::update_guest, users::delete_guest,
        bookings::init, bookings::detail, bookings::add_guests, bookings::payments, bookings::cancel, bookings::status,
        history::booking, history::hotel,
        payments::webhook, payments::webhook_alias, payments::page, payments::complete, payments::cancel,
        admin::create_hotel, admin::list_hotels, admin::get_hotel, admin::update_hotel, admin::delete_hotel,
        admin::activate, admin::deactivate, admin::hotel_bookings, admin::report, stays::revenue,
        admin::create_room, admin::list_rooms, admin::get_room, admin::update_room, admin::delete_room,
        rate_plans::list, rate_plans::create, rate_plans::get, rate_plans::update, rate_plans::delete,
        admin::inventory, admin::patch_inventory,
    ),
    components(schemas(
        ErrorResponse, FieldError, ErrorCode, ValidationErrorType, LocItem,
        BookingStatusDto, RoleDto, GenderDto, RefundStatusDto, SearchSortDto, MoneyStr, SurgeStr,
        MoneyInput, SurgeInput, PhotoUrl, Amenity,
    )),
    tags(
        (name = "service", description = "Liveness, readiness, metrics"),
        (name = "auth", description = "Accounts and tokens"),
        (name = "hotels", description = "Public browse (cacheable: ETag + If-None-Match)"),
        (name = "users", description = "Profile, own bookings, saved guests"),
        (name = "bookings", description = "The booking flow: init → addGuests → payments → status"),
        (name = "payments", description = "Provider webhook and the simulated gateway"),
        (name = "admin", description = "Hotel management (HOTEL_MANAGER, own hotels only)"),
    ),
    modifiers(&SecurityAddon, &ResponseKeysRequired)
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
