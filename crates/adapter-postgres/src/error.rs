//! Translation of diesel/PostgreSQL errors into domain errors, in one place.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::Error;

/// An error inside a transaction: a database error (maybe retryable) or a business decision that rolls back.
#[derive(Debug)]
pub enum TxError {
    Db(DieselError),
    Domain(Error),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}

impl From<Error> for TxError {
    fn from(e: Error) -> Self {
        TxError::Domain(e)
    }
}

impl From<TxError> for Error {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Domain(e) => e,
            TxError::Db(e) => db_error(e),
        }
    }
}

/// Deadlocks and serialization failures are worth retrying.
pub fn is_retryable(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        DieselError::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

/// Maps a database error that no caller handled: lost connections → 503, a CHECK violation on the
/// inventory counts → 409 `room_unavailable`, anything else → 500 (logged by the HTTP adapter).
pub fn db_error(e: DieselError) -> Error {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Error::Unavailable,
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _) => Error::RoomUnavailable,
        DieselError::DatabaseError(_, info) if info.message().contains("connection") => Error::Unavailable,
        _ => Error::internal(format!("database: {e}")),
    }
}
