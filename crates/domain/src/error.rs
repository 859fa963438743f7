//! Business errors. Each variant is a decision a client can observe; the HTTP adapter maps them
//! to status, `code` and `detail` with an exhaustive match.

use crate::model::{BookingId, GuestId};
use chrono::NaiveDate;

/// Result alias used by ports and services.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a use case can fail, in business words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// 422 `validation_error`: a field failed validation (location, message, pydantic-style type); the
    /// adapter reports it as the one entry of `errors`.
    #[error("validation error at {loc:?}: {msg}")]
    Validation {
        /// Where: `"body"`, `"query"`, `"path"` or `"header"`, then field names (the entry's `loc`).
        loc: Vec<String>,
        /// Human-readable message (the entry's `msg`).
        msg: String,
        /// Kind of failure, one of API.md §2.1 such as `"missing"` or `"out_of_range"` (the entry's `type`).
        kind: &'static str,
    },
    /// 400 `invalid_date_range`: a date range is invalid; the text says which rule failed.
    #[error("{0}")]
    InvalidDateRange(&'static str),
    /// 400 `date_in_past`: the check-in date is before today (UTC).
    #[error("Check-in date cannot be in the past")]
    DateInPast,
    /// 400 `stay_too_long`: the stay has more nights than the configured `MAX_STAY_NIGHTS` it carries.
    #[error("Stay cannot exceed {0} nights")]
    StayTooLong(u32),
    /// 400 `invalid_price_range`: a search's `min_price` exceeds its `max_price`.
    #[error("min_price must not exceed max_price")]
    InvalidPriceRange,
    /// 400 `hotel_not_active`: a hold on a deactivated hotel.
    #[error("Hotel is not accepting bookings")]
    HotelNotActive,
    /// 400 `too_many_guests`: the linked guests would exceed `capacity × rooms_count`, the limit it carries.
    #[error("This booking allows at most {0} guests")]
    TooManyGuests(i64),
    /// 400 `amount_out_of_range`: the quote is outside the payable range 1.00..=999999.99.
    #[error("Booking amount is outside the payable range")]
    AmountOutOfRange,
    /// 400 `email_already_registered`: signup with a normalised email that already has an account.
    #[error("Email already registered")]
    EmailAlreadyRegistered,
    /// 400 `invalid_signature`: a webhook's `Stripe-Signature` is missing, malformed, stale or matches no secret.
    #[error("Invalid signature")]
    InvalidSignature,
    /// 400 `invalid_payload`: a correctly signed webhook body is not an event object.
    #[error("Invalid payload")]
    InvalidPayload,
    /// 401 `not_authenticated`: no bearer token was presented.
    #[error("Not authenticated")]
    NotAuthenticated,
    /// 401 `invalid_token`: the access token is malformed, badly signed or of the wrong type, or its user is
    /// gone.
    #[error("Could not validate credentials")]
    InvalidToken,
    /// 401 `token_expired`: the access token's `exp` has passed (no leeway).
    #[error("Token has expired")]
    TokenExpired,
    /// 401 `invalid_credentials`: unknown email or wrong password, with the same answer for both.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// 401 `invalid_refresh_token`: the refresh token is invalid, expired, unknown, of a revoked family, or its
    /// user is gone.
    #[error("Invalid refresh token")]
    InvalidRefreshToken,
    /// 401 `refresh_token_reused`: an already rotated refresh token was presented; its whole family is now
    /// revoked.
    #[error("Refresh token has already been used")]
    RefreshTokenReused,
    /// 403 `forbidden`: the user does not hold `HOTEL_MANAGER`.
    #[error("Insufficient permissions")]
    Forbidden,
    /// 403 `not_owner`: the hotel (or its rooms, inventory, bookings or report) belongs to another manager.
    #[error("You don't own this hotel")]
    NotOwner,
    /// 404 `hotel_not_found`: a missing hotel (or an inactive one on public routes). Hotel lookups use three
    /// texts depending on the route.
    #[error("{0}")]
    HotelNotFound(String),
    /// 404 `room_not_found`: a missing room, or one of another hotel; the text depends on the route.
    #[error("{0}")]
    RoomNotFound(String),
    /// 404 `booking_not_found`: the booking with this id is missing or another user's.
    #[error("Booking not found: {0}")]
    BookingNotFound(BookingId),
    /// 404 `guest_not_found`: the saved guest with this id is missing, deleted or another user's.
    #[error("Guest not found: {0}")]
    GuestNotFound(GuestId),
    /// 404 `rate_plan_not_found`: a missing rate plan, or one of another room type; the text names it.
    #[error("{0}")]
    RatePlanNotFound(String),
    /// 404 `payment_session_not_found`: no simulated checkout session has this id.
    #[error("Payment session not found")]
    PaymentSessionNotFound,
    /// 409 `room_unavailable`: a night of the stay is missing, closed or lacks `rooms_count` free rooms.
    #[error("Room is not available for the selected dates")]
    RoomUnavailable,
    /// 409 `rate_plan_inactive`: a hold on a deactivated rate plan.
    #[error("Rate plan is not available for booking")]
    RatePlanInactive,
    /// 409 `stay_restricted`: the stay breaks a length-of-stay limit; the text names it.
    #[error("{0}")]
    StayRestricted(String),
    /// 409 `min_stay_not_met`, `max_stay_exceeded`, `closed_to_arrival` or `closed_to_departure`: the stay breaks
    /// a restriction of its arrival or departure night; the text names it.
    #[error("{0}")]
    Restricted(crate::model::Restriction),
    /// 409 `rate_plan_code_taken`: the room type already has a rate plan with this code.
    #[error("A rate plan with this code already exists for the room")]
    RatePlanCodeTaken,
    /// 409 `default_rate_plan`: the default rate plan of a room type cannot be deleted or deactivated.
    #[error("The default rate plan of a room cannot be deleted or deactivated")]
    DefaultRatePlan,
    /// 409 `invalid_booking_state`: the state machine refuses the action in the booking's status; the text
    /// says why.
    #[error("{0}")]
    InvalidBookingState(String),
    /// 409 `booking_expired`: a client write on a booking whose hold has expired.
    #[error("Booking hold has expired")]
    BookingExpired,
    /// 409 `has_active_bookings`: a hotel or room delete while one of its bookings is active or still owes a
    /// refund; the text names which.
    #[error("{0}")]
    HasActiveBookings(&'static str),
    /// 409 `inventory_conflict`: a new `total_count` would fall below booked + reserved on this date.
    #[error("total_count cannot be lower than booked plus reserved rooms on {0}")]
    InventoryConflict(NaiveDate),
    /// 409 `limit_exceeded`: a cap is reached (active holds, room types per hotel, saved guests); the text
    /// names it.
    #[error("{0}")]
    LimitExceeded(&'static str),
    /// 409 `idempotency_key_in_use`: another request with this Idempotency-Key is still in flight.
    #[error("A request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInUse,
    /// 422 `idempotency_key_reused`: the Idempotency-Key was already used with a different request.
    #[error("Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// 429 `too_many_login_attempts`: the email's failed logins filled its lockout window.
    #[error("Too many failed login attempts; try again later")]
    TooManyLoginAttempts {
        /// Whole seconds until the window ends (at least 1), sent as `Retry-After`.
        retry_after_secs: u64,
    },
    /// 502 `payment_gateway_error`: the payment provider failed or timed out; its text is never shown.
    #[error("Payment provider error")]
    PaymentGateway,
    /// 503 `service_unavailable`: the database or another dependency is unavailable, or a conflict persisted
    /// after retries.
    #[error("Service unavailable")]
    Unavailable,
    /// 500 `internal`: anything unexpected; the text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for a validation error on one location.
    pub fn validation(loc: &[&str], msg: impl Into<String>, kind: &'static str) -> Self {
        Error::Validation { loc: loc.iter().map(|s| s.to_string()).collect(), msg: msg.into(), kind }
    }
    /// Shorthand for an internal error.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }
}
