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

/// A statement cut short by `statement_timeout` (SQLSTATE 57014) or `lock_timeout` (55P03). diesel-async reports
/// both as `Unknown` and keeps no SQLSTATE, so the (English) server message is what identifies them.
pub fn is_timeout(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("statement timeout") || m.contains("lock timeout") || m.starts_with("could not obtain lock")
        }
        _ => false,
    }
}

/// Maps a database error that no caller handled: lost connections and statement or lock timeouts → 503, a CHECK
/// violation on the inventory counts → 409 `room_unavailable`, anything else → 500 (logged by the HTTP adapter).
pub fn db_error(e: DieselError) -> Error {
    match &e {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Error::Unavailable,
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _) => Error::RoomUnavailable,
        DieselError::DatabaseError(_, info) if info.message().contains("connection") => Error::Unavailable,
        _ if is_timeout(&e) => {
            tracing::warn!(error = %e, "database statement timed out");
            Error::Unavailable
        }
        _ => Error::internal(format!("database: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn timeouts_are_unavailable_not_internal() {
        for m in [
            "canceling statement due to statement timeout",
            "canceling statement due to lock timeout",
            "could not obtain lock on row in relation \"inventory\"",
        ] {
            assert!(matches!(db_error(db(DatabaseErrorKind::Unknown, m)), Error::Unavailable), "{m}");
        }
        assert!(matches!(db_error(db(DatabaseErrorKind::Unknown, "syntax error at or near")), Error::Internal(_)));
        assert!(matches!(db_error(db(DatabaseErrorKind::CheckViolation, "x")), Error::RoomUnavailable));
    }
}
