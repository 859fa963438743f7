//! The one JSON error envelope (API.md §2) and the exhaustive mapping of domain errors.
//!
//! Why one file (~480 lines): the envelope, the contract's tables of codes and validation types (which are the
//! OpenAPI enums), the mapping and the test that every error maps to a listed code must change together.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use domain::Error;
use serde::Serialize;
use std::borrow::Cow;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{RefOr, SchemaFormat};
use utoipa::{PartialSchema, ToSchema};

tokio::task_local! {
    /// The request id of the request being served (set by the request-id middleware).
    pub static REQUEST_ID: String;
}

/// The current request id, or a fresh one outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(|id| id.clone()).unwrap_or_else(|_| uuid::Uuid::new_v4().to_string())
}

/// One entry of a 422 `errors` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ValidationErrorItem,
    example = json!({"loc": ["body", "email"], "msg": "value is not a valid email address", "type": "email"}))]
pub struct FieldError {
    /// Where: `"body"`, `"query"`, `"path"` or `"header"`, then field names and array indexes.
    #[schema(value_type = Vec<LocItem>, min_items = 1)]
    pub loc: Vec<serde_json::Value>,
    /// A human-readable message.
    pub msg: String,
    #[serde(rename = "type")]
    #[schema(value_type = ValidationErrorType)]
    pub kind: &'static str,
}

impl FieldError {
    /// A field error at `loc` (strings and indexes).
    pub fn new(loc: Vec<serde_json::Value>, msg: impl Into<String>, kind: &'static str) -> Self {
        FieldError { loc, msg: msg.into(), kind }
    }
}

/// Every error an HTTP response can carry.
#[derive(Debug)]
pub enum ApiError {
    /// A business error from the domain.
    Domain(Error),
    /// 422 with field errors.
    Validation(Vec<FieldError>),
    NotFound,
    MethodNotAllowed(Vec<&'static str>),
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited {
        retry_after: u64,
    },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Validation { loc, msg, kind } => ApiError::Validation(vec![FieldError::new(
                loc.into_iter().map(serde_json::Value::String).collect(),
                msg,
                kind,
            )]),
            other => ApiError::Domain(other),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

/// The one error body of every 4xx/5xx answer (API.md §2.1); 422 adds `errors`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "detail": "Booking not found: 42", "code": "booking_not_found", "request_id": "0b6f2c2e-6d1a-4f0e-9a51-3c1d2b7f9e10"
}))]
pub struct ErrorResponse<'a> {
    /// A human-readable message (each endpoint gives its exact text).
    #[schema(example = "Booking not found: 42")]
    pub detail: String,
    /// A stable, machine-readable error code.
    #[schema(value_type = ErrorCode)]
    pub code: &'a str,
    /// The request's `X-Request-Id`, also found in the server logs.
    #[schema(example = "0b6f2c2e-6d1a-4f0e-9a51-3c1d2b7f9e10")]
    pub request_id: String,
    /// Only on 422 `validation_error`: the failing fields, in field order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Vec<FieldError>, required = false)]
    pub errors: Option<&'a [FieldError]>,
}

/// Every `code` of the error envelope (API.md §2.3).
pub const ERROR_CODES: &[&str] = &[
    "invalid_date_range",
    "date_in_past",
    "stay_too_long",
    "invalid_price_range",
    "hotel_not_active",
    "too_many_guests",
    "amount_out_of_range",
    "email_already_registered",
    "invalid_signature",
    "invalid_payload",
    "not_authenticated",
    "invalid_token",
    "token_expired",
    "invalid_credentials",
    "invalid_refresh_token",
    "refresh_token_reused",
    "forbidden",
    "not_owner",
    "not_found",
    "hotel_not_found",
    "room_not_found",
    "booking_not_found",
    "guest_not_found",
    "payment_session_not_found",
    "rate_plan_not_found",
    "method_not_allowed",
    "room_unavailable",
    "min_stay_not_met",
    "max_stay_exceeded",
    "closed_to_arrival",
    "closed_to_departure",
    "rate_plan_inactive",
    "stay_restricted",
    "rate_plan_code_taken",
    "default_rate_plan",
    "invalid_booking_state",
    "booking_expired",
    "has_active_bookings",
    "inventory_conflict",
    "limit_exceeded",
    "idempotency_key_in_use",
    "payload_too_large",
    "unsupported_media_type",
    "validation_error",
    "idempotency_key_reused",
    "rate_limited",
    "too_many_login_attempts",
    "internal",
    "payment_gateway_error",
    "service_unavailable",
];

/// Every `type` of a 422 `errors` entry (API.md §2.1).
pub const VALIDATION_ERROR_TYPES: &[&str] = &[
    "missing",
    "json_invalid",
    "object_type",
    "list_type",
    "string_type",
    "int_type",
    "bool_type",
    "decimal_type",
    "date_type",
    "enum",
    "email",
    "url",
    "too_short",
    "too_long",
    "out_of_range",
    "decimal_places",
    "header_invalid",
    "time_zone",
    "currency",
    "time_type",
    "extra_forbidden",
    "string_pattern_mismatch",
];

/// Schema of the envelope's `code`: a string enum of [`ERROR_CODES`].
pub struct ErrorCode;

impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Machine-readable error code (API.md §2.3)."))
            .enum_values(Some(ERROR_CODES.iter().copied()))
            .examples(["booking_not_found"])
            .into()
    }
}

impl ToSchema for ErrorCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ErrorCode")
    }
}

/// Schema of a 422 entry's `type`: a string enum of [`VALIDATION_ERROR_TYPES`].
pub struct ValidationErrorType;

impl PartialSchema for ValidationErrorType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("Kind of validation failure (API.md §2.1)."))
            .enum_values(Some(VALIDATION_ERROR_TYPES.iter().copied()))
            .examples(["missing"])
            .into()
    }
}

impl ToSchema for ValidationErrorType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ValidationErrorType")
    }
}

/// Schema of one `loc` segment: a field name or an array index.
pub struct LocItem;

impl PartialSchema for LocItem {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64))),
            )
            .description(Some("A field name, or the index of an array item."))
            .into()
    }
}

impl ToSchema for LocItem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LocItem")
    }
}

/// Status, code and detail of a domain error. Exhaustive on purpose: a new variant forces a decision here.
pub fn classify(e: &Error) -> (StatusCode, &'static str, String) {
    use StatusCode as S;
    let d = e.to_string();
    match e {
        Error::Validation { .. } => (S::UNPROCESSABLE_ENTITY, "validation_error", "Validation error".into()),
        Error::InvalidDateRange(_) => (S::BAD_REQUEST, "invalid_date_range", d),
        Error::DateInPast => (S::BAD_REQUEST, "date_in_past", d),
        Error::StayTooLong(_) => (S::BAD_REQUEST, "stay_too_long", d),
        Error::InvalidPriceRange => (S::BAD_REQUEST, "invalid_price_range", d),
        Error::HotelNotActive => (S::BAD_REQUEST, "hotel_not_active", d),
        Error::TooManyGuests(_) => (S::BAD_REQUEST, "too_many_guests", d),
        Error::AmountOutOfRange => (S::BAD_REQUEST, "amount_out_of_range", d),
        Error::EmailAlreadyRegistered => (S::BAD_REQUEST, "email_already_registered", d),
        Error::InvalidSignature => (S::BAD_REQUEST, "invalid_signature", d),
        Error::InvalidPayload => (S::BAD_REQUEST, "invalid_payload", d),
        Error::NotAuthenticated => (S::UNAUTHORIZED, "not_authenticated", d),
        Error::InvalidToken => (S::UNAUTHORIZED, "invalid_token", d),
        Error::TokenExpired => (S::UNAUTHORIZED, "token_expired", d),
        Error::InvalidCredentials => (S::UNAUTHORIZED, "invalid_credentials", d),
        Error::InvalidRefreshToken => (S::UNAUTHORIZED, "invalid_refresh_token", d),
        Error::RefreshTokenReused => (S::UNAUTHORIZED, "refresh_token_reused", d),
        Error::Forbidden => (S::FORBIDDEN, "forbidden", d),
        Error::NotOwner => (S::FORBIDDEN, "not_owner", d),
        Error::HotelNotFound(_) => (S::NOT_FOUND, "hotel_not_found", d),
        Error::RoomNotFound(_) => (S::NOT_FOUND, "room_not_found", d),
        Error::BookingNotFound(_) => (S::NOT_FOUND, "booking_not_found", d),
        Error::GuestNotFound(_) => (S::NOT_FOUND, "guest_not_found", d),
        Error::PaymentSessionNotFound => (S::NOT_FOUND, "payment_session_not_found", d),
        Error::RatePlanNotFound(_) => (S::NOT_FOUND, "rate_plan_not_found", d),
        Error::RatePlanInactive => (S::CONFLICT, "rate_plan_inactive", d),
        Error::StayRestricted(_) => (S::CONFLICT, "stay_restricted", d),
        Error::RatePlanCodeTaken => (S::CONFLICT, "rate_plan_code_taken", d),
        Error::DefaultRatePlan => (S::CONFLICT, "default_rate_plan", d),
        Error::RoomUnavailable => (S::CONFLICT, "room_unavailable", d),
        Error::Restricted(r) => (S::CONFLICT, r.code(), d),
        Error::InvalidBookingState(_) => (S::CONFLICT, "invalid_booking_state", d),
        Error::BookingExpired => (S::CONFLICT, "booking_expired", d),
        Error::HasActiveBookings(_) => (S::CONFLICT, "has_active_bookings", d),
        Error::InventoryConflict(_) => (S::CONFLICT, "inventory_conflict", d),
        Error::LimitExceeded(_) => (S::CONFLICT, "limit_exceeded", d),
        Error::IdempotencyKeyInUse => (S::CONFLICT, "idempotency_key_in_use", d),
        Error::IdempotencyKeyReused => (S::UNPROCESSABLE_ENTITY, "idempotency_key_reused", d),
        Error::TooManyLoginAttempts { .. } => (S::TOO_MANY_REQUESTS, "too_many_login_attempts", d),
        Error::PaymentGateway => (S::BAD_GATEWAY, "payment_gateway_error", d),
        Error::Unavailable => (S::SERVICE_UNAVAILABLE, "service_unavailable", "Service unavailable".into()),
        Error::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal", "Internal server error".into()),
    }
}

impl ApiError {
    /// Status, code and detail.
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Domain(e) => classify(e),
            ApiError::Validation(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "validation_error", "Validation error".into())
            }
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "Not Found".into()),
            ApiError::MethodNotAllowed(_) => {
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method Not Allowed".into())
            }
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Request body too large".into())
            }
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type must be application/json".into(),
            ),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests".into()),
        }
    }

    /// The JSON body bytes of this error.
    pub fn body(&self) -> Vec<u8> {
        let (_, code, detail) = self.parts();
        let errors = match self {
            ApiError::Validation(list) => Some(list.as_slice()),
            _ => None,
        };
        let env = ErrorResponse { detail, code, request_id: current_request_id(), errors };
        serde_json::to_vec(&env).unwrap_or_default()
    }
}

/// A JSON error response with the headers the contract requires.
pub fn error_response(e: &ApiError) -> HttpResponse {
    let (status, _, _) = e.parts();
    match e {
        ApiError::Domain(Error::Internal(cause)) => {
            tracing::error!(request_id = %current_request_id(), cause = %cause, "internal error");
        }
        ApiError::Domain(Error::Unavailable) => {
            tracing::warn!(request_id = %current_request_id(), "service unavailable");
        }
        ApiError::Domain(Error::PaymentGateway) => {
            tracing::warn!(request_id = %current_request_id(), "payment provider error");
        }
        _ => {}
    }
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, "application/json"));
    match e {
        ApiError::Domain(Error::NotAuthenticated) => {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        ApiError::Domain(
            Error::InvalidToken
            | Error::TokenExpired
            | Error::InvalidCredentials
            | Error::InvalidRefreshToken
            | Error::RefreshTokenReused,
        ) => {
            res.insert_header((header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#));
        }
        ApiError::Domain(Error::TooManyLoginAttempts { retry_after_secs }) => {
            res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        ApiError::RateLimited { retry_after } => {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        ApiError::MethodNotAllowed(allow) => {
            if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                res.insert_header((header::ALLOW, v));
            }
        }
        _ => {}
    }
    res.body(e.body())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }
    fn error_response(&self) -> HttpResponse {
        error_response(self)
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The `ErrorCode` schema lists every code an answer can carry.
    #[test]
    fn every_code_is_in_the_schema_enum() {
        use domain::model::Restriction;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let domain = [
            Error::validation(&["body"], "x", "missing"),
            Error::InvalidDateRange("x"),
            Error::DateInPast,
            Error::StayTooLong(30),
            Error::InvalidPriceRange,
            Error::HotelNotActive,
            Error::TooManyGuests(2),
            Error::AmountOutOfRange,
            Error::EmailAlreadyRegistered,
            Error::InvalidSignature,
            Error::InvalidPayload,
            Error::NotAuthenticated,
            Error::InvalidToken,
            Error::TokenExpired,
            Error::InvalidCredentials,
            Error::InvalidRefreshToken,
            Error::RefreshTokenReused,
            Error::Forbidden,
            Error::NotOwner,
            Error::HotelNotFound("1".into()),
            Error::RoomNotFound("1".into()),
            Error::BookingNotFound(domain::model::BookingId(1)),
            Error::GuestNotFound(domain::model::GuestId(1)),
            Error::PaymentSessionNotFound,
            Error::RatePlanNotFound("1".into()),
            Error::RatePlanInactive,
            Error::StayRestricted("x".into()),
            Error::RatePlanCodeTaken,
            Error::DefaultRatePlan,
            Error::RoomUnavailable,
            Error::Restricted(Restriction::MinStay { arrival: today, min: 2 }),
            Error::Restricted(Restriction::MaxStay { arrival: today, max: 2 }),
            Error::Restricted(Restriction::ClosedToArrival(today)),
            Error::Restricted(Restriction::ClosedToDeparture(today)),
            Error::InvalidBookingState("x".into()),
            Error::BookingExpired,
            Error::HasActiveBookings("x"),
            Error::InventoryConflict(today),
            Error::LimitExceeded("x"),
            Error::IdempotencyKeyInUse,
            Error::IdempotencyKeyReused,
            Error::TooManyLoginAttempts { retry_after_secs: 1 },
            Error::PaymentGateway,
            Error::Unavailable,
            Error::Internal("x".into()),
        ];
        let http = [
            ApiError::Validation(vec![]),
            ApiError::NotFound,
            ApiError::MethodNotAllowed(vec!["GET"]),
            ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType,
            ApiError::RateLimited { retry_after: 1 },
        ];
        let mut used: Vec<&str> = domain.iter().map(|e| classify(e).1).collect();
        used.extend(http.iter().map(|e| e.parts().1));
        for code in &used {
            assert!(ERROR_CODES.contains(code), "{code} missing from ERROR_CODES");
        }
        for code in ERROR_CODES {
            assert!(used.contains(code), "{code} is never produced");
        }
    }

    #[test]
    fn the_envelope_keeps_its_wire_shape() {
        let e =
            ApiError::Validation(vec![FieldError::new(vec![serde_json::json!("body")], "Field required", "missing")]);
        let v: serde_json::Value = serde_json::from_slice(&e.body()).unwrap_or_default();
        let keys: Vec<&String> = v.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["detail", "code", "request_id", "errors"]);
        assert_eq!(v["errors"][0], serde_json::json!({"loc": ["body"], "msg": "Field required", "type": "missing"}));
        let v: serde_json::Value = serde_json::from_slice(&ApiError::NotFound.body()).unwrap_or_default();
        assert!(v.get("errors").is_none());
        assert!(VALIDATION_ERROR_TYPES.contains(&"missing"));
    }
}
