//! Business errors. Each variant is a decision a client can observe; the HTTP adapter maps them
//! to status, `code` and `detail` with an exhaustive match.

use chrono::NaiveDate;

/// Result alias used by ports and services.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a use case can fail, in business words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A field failed validation (location, message, pydantic-style type).
    #[error("validation error at {loc:?}: {msg}")]
    Validation { loc: Vec<String>, msg: String, kind: &'static str },
    /// A date range is invalid; the text says which rule failed.
    #[error("{0}")]
    InvalidDateRange(&'static str),
    #[error("Check-in date cannot be in the past")]
    DateInPast,
    #[error("Stay cannot exceed {0} nights")]
    StayTooLong(u32),
    #[error("min_price must not exceed max_price")]
    InvalidPriceRange,
    #[error("Hotel is not accepting bookings")]
    HotelNotActive,
    #[error("This booking allows at most {0} guests")]
    TooManyGuests(i64),
    #[error("Booking amount is outside the payable range")]
    AmountOutOfRange,
    #[error("Email already registered")]
    EmailAlreadyRegistered,
    #[error("Invalid signature")]
    InvalidSignature,
    #[error("Invalid payload")]
    InvalidPayload,
    #[error("Not authenticated")]
    NotAuthenticated,
    #[error("Could not validate credentials")]
    InvalidToken,
    #[error("Token has expired")]
    TokenExpired,
    #[error("Invalid email or password")]
    InvalidCredentials,
    #[error("Invalid refresh token")]
    InvalidRefreshToken,
    #[error("Refresh token has already been used")]
    RefreshTokenReused,
    #[error("Insufficient permissions")]
    Forbidden,
    #[error("You don't own this hotel")]
    NotOwner,
    /// Hotel lookups use three texts depending on the route.
    #[error("{0}")]
    HotelNotFound(String),
    #[error("{0}")]
    RoomNotFound(String),
    #[error("Booking not found: {0}")]
    BookingNotFound(i64),
    #[error("Guest not found: {0}")]
    GuestNotFound(i64),
    #[error("Payment session not found")]
    PaymentSessionNotFound,
    #[error("Room is not available for the selected dates")]
    RoomUnavailable,
    #[error("{0}")]
    InvalidBookingState(String),
    #[error("Booking hold has expired")]
    BookingExpired,
    #[error("{0}")]
    HasActiveBookings(&'static str),
    #[error("total_count cannot be lower than booked plus reserved rooms on {0}")]
    InventoryConflict(NaiveDate),
    #[error("{0}")]
    LimitExceeded(&'static str),
    #[error("A request with this Idempotency-Key is still being processed")]
    IdempotencyKeyInUse,
    #[error("Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("Too many failed login attempts; try again later")]
    TooManyLoginAttempts { retry_after_secs: u64 },
    #[error("Payment provider error")]
    PaymentGateway,
    /// The database or another dependency is unavailable, or a conflict persisted after retries.
    #[error("Service unavailable")]
    Unavailable,
    /// Anything unexpected; the text is logged, never shown.
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
