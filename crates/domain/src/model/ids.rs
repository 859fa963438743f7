//! Typed ids: a booking id cannot be passed where a hotel id is expected.
//!
//! Each id wraps the database identity (`i64`, ≥ 1 once stored). Adapters convert at their edge with
//! `From<i64>` / [`get`](BookingId::get); the domain and its ports only take the typed ids.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database identity.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_type!(
    /// A user account's id.
    UserId
);
id_type!(
    /// A hotel's id.
    HotelId
);
id_type!(
    /// A room type's id.
    RoomId
);
id_type!(
    /// A booking's id.
    BookingId
);
id_type!(
    /// A saved guest's id.
    GuestId
);
id_type!(
    /// A rate plan's id.
    RatePlanId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_convert_and_print_as_their_number() {
        let id = BookingId::from(42);
        assert_eq!(id.get(), 42);
        assert_eq!(i64::from(id), 42);
        assert_eq!(id.to_string(), "42");
        assert_eq!(id, BookingId(42));
        assert!(HotelId(1) < HotelId(2));
    }
}
