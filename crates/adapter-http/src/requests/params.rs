//! Headers and paths.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------------------------

/// `Idempotency-Key` (API.md §4.3.7).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyHeader {
    /// Replays the stored answer of an earlier request with the same key and body (24 h).
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255,
        pattern = r"^[!-~]+$")]
    pub key: Option<String>,
}

impl IdempotencyHeader {
    pub fn parse(req: &HttpRequest) -> ApiResult<Self> {
        Ok(IdempotencyHeader { key: crate::idempotency::key(req)? })
    }
}

/// `If-None-Match` of the cached public reads.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ConditionalHeaders {
    /// An `ETag` from an earlier answer: 304 without a body while it still matches.
    #[param(rename = "If-None-Match", value_type = String, required = false,
        example = "\"5d41402abc4b2a76b9719d911017c592\"")]
    pub if_none_match: Option<String>,
}

impl ConditionalHeaders {
    /// Every `If-None-Match` header, joined as one list.
    pub fn parse(req: &HttpRequest) -> Self {
        let values: Vec<&str> =
            req.headers().get_all(actix_web::http::header::IF_NONE_MATCH).filter_map(|v| v.to_str().ok()).collect();
        ConditionalHeaders { if_none_match: (!values.is_empty()).then(|| values.join(", ")) }
    }
    /// Whether `If-None-Match` holds `tag` (RFC 9110 §13.1.2: `*`, or any listed tag by weak comparison).
    pub fn matches(&self, tag: &str) -> bool {
        self.if_none_match.as_deref().is_some_and(|list| {
            list.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag
            })
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------------

macro_rules! id_path {
    ($(#[$doc:meta])* $name:ident { $($field:ident),+ }) => {
        $(#[$doc])*
        #[derive(IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            $(
                /// A decimal id, 1..=2^63−1 (else 422 at `["path", name]`).
                #[param(minimum = 1, example = 1)]
                pub $field: i64,
            )+
        }

        impl $name {
            /// The ids in path order; the first invalid one fails.
            pub fn parse(req: &HttpRequest) -> ApiResult<Self> {
                Ok($name { $($field: id(req, stringify!($field))?),+ })
            }
        }
    };
}

id_path!(
    /// `{hotel_id}`.
    HotelPath { hotel_id }
);
id_path!(
    /// `{hotel_id}/rooms/{room_id}`.
    HotelRoomPath { hotel_id, room_id }
);
id_path!(
    /// `{room_id}` of the inventory routes.
    RoomPath { room_id }
);
id_path!(
    /// `{guest_id}`.
    GuestPath { guest_id }
);
id_path!(
    /// `{booking_id}`.
    BookingPath { booking_id }
);

/// `{session_id}` of the simulated gateway: the unguessable id is the credential.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionPath {
    #[param(example = "sim_cs_0123456789abcdef0123456789abcdef")]
    pub session_id: String,
}

impl SessionPath {
    pub fn parse(req: &HttpRequest) -> Self {
        SessionPath { session_id: req.match_info().get("session_id").unwrap_or("").to_string() }
    }
}
