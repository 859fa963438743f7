//! Management: hotels, room types and inventory patches.

use super::*;
use chrono::NaiveTime;
use domain::model::{CancellationPolicy, Currency, TaxRule, TimeZone};

// ---------------------------------------------------------------------------------------------------------------
// Management
// ---------------------------------------------------------------------------------------------------------------

/// `photos` and `amenities` as read.
pub(super) type Lists = (Opt<Vec<String>>, Opt<Vec<String>>);

/// `photos` (≤ 20 absolute http(s) URLs of ≤ 2048 chars) and `amenities` (≤ 50 items of 1..=64 chars).
pub(super) fn lists(f: &mut Fields<'_>) -> ApiResult<Lists> {
    let photos = f.opt_str_list("photos")?;
    if let Patch::Set(Some(p)) = &photos {
        if p.len() > 20 {
            f.push("photos", "List should have at most 20 items after validation", "too_long");
        }
        for (i, u) in p.iter().enumerate() {
            let ok = (u.starts_with("http://") || u.starts_with("https://"))
                && u.split_once("://").is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'))
                && !u.chars().any(char::is_whitespace);
            if !ok {
                f.push_at("photos", i, "Input should be a valid URL", "url");
            } else if u.chars().count() > 2048 {
                f.push_at("photos", i, "URL should have at most 2048 characters", "too_long");
            }
        }
    }
    let amenities = f.opt_str_list("amenities")?;
    if let Patch::Set(Some(a)) = &amenities {
        if a.len() > 50 {
            f.push("amenities", "List should have at most 50 items after validation", "too_long");
        }
        for (i, s) in a.iter().enumerate() {
            let n = s.chars().count();
            if n < 1 {
                f.push_at("amenities", i, "String should have at least 1 character", "too_short");
            } else if n > 64 {
                f.push_at("amenities", i, "String should have at most 64 characters", "too_long");
            }
        }
    }
    Ok((photos, amenities))
}

/// A hotel's contact data; every sub-field applies on its own (absent = unchanged, `null` clears).
#[derive(ToSchema)]
#[schema(example = json!({"phone": "+351 21 000 0000", "email": "desk@aurora.example",
    "address": "Rua Augusta 1, Lisbon"}))]
pub struct ContactInfo {
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub phone: Opt<String>,
    /// Stored lower-cased.
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Opt<String>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub address: Opt<String>,
}

impl ContactInfo {
    /// `contact_info` of `f`: absent, `null`, or an object whose errors join `f`'s.
    fn parse(f: &mut Fields<'_>) -> ApiResult<Opt<ContactInfo>> {
        let prefix = f.child_prefix("contact_info");
        Ok(match f.opt_object("contact_info")? {
            Patch::Keep => Patch::Keep,
            Patch::Set(None) => Patch::Set(None),
            Patch::Set(Some(m)) => {
                let mut c = Fields::nested(m, prefix);
                let phone = c.opt_str("phone", 1, 50)?;
                let email = c.opt_str("email", 0, 254)?;
                if let Patch::Set(Some(e)) = &email
                    && Email::parse(e).is_none()
                {
                    c.push("email", "value is not a valid email address", "email");
                }
                let address = c.opt_str("address", 1, 500)?;
                f.absorb(c);
                let email = match email {
                    Patch::Set(Some(e)) => Patch::Set(Some(e.to_lowercase())),
                    other => other,
                };
                Patch::Set(Some(ContactInfo { phone, email, address }))
            }
        })
    }
}

/// `POST /admin/hotels`: the hotel starts inactive and owned by the caller.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Hotel Aurora", "city": "Lisbon", "photos": ["https://img.example.com/aurora.jpg"],
    "amenities": ["wifi", "pool"], "contact_info": {"phone": "+351 21 000 0000", "email": "desk@aurora.example"}}))]
pub struct CreateHotelRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(min_length = 1, max_length = 255)]
    pub city: Option<String>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Option<Vec<String>>,
    pub contact_info: Option<ContactInfo>,
    /// IANA time zone (default `UTC`); unknown names are 422 `time_zone`.
    #[schema(value_type = Option<String>, example = "Europe/Lisbon", max_length = 64)]
    pub time_zone: Option<TimeZone>,
    /// ISO 4217 with 2 minor digits (default: the deployment's `CURRENCY`); others are 422 `currency`.
    #[schema(value_type = Option<String>, example = "EUR", pattern = "^[A-Za-z]{3}$")]
    pub currency: Option<Currency>,
    /// Local check-in time `HH:MM` (default 15:00).
    #[schema(value_type = Option<String>, example = "15:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_in_time: Option<NaiveTime>,
    /// Local check-out time `HH:MM` (default 11:00).
    #[schema(value_type = Option<String>, example = "11:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_out_time: Option<NaiveTime>,
    /// The policy new bookings freeze (default: free cancellation until the local check-in time).
    #[schema(value_type = Option<crate::dto::CancellationPolicyDto>)]
    pub cancellation_policy: Option<CancellationPolicy>,
    /// Taxes and fees, at most 20, in the order guests see them (default none).
    #[schema(value_type = Option<Vec<crate::dto::TaxRuleDto>>, max_items = 20)]
    pub taxes: Option<Vec<TaxRule>>,
}

impl CreateHotelRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.req_str("name", 1, 255)?;
        let city = value(f.opt_str("city", 1, 255)?);
        let (photos, amenities) = lists(&mut f)?;
        let contact_info = value(ContactInfo::parse(&mut f)?);
        let s = settings(&mut f)?;
        f.finish()?;
        Ok(CreateHotelRequest {
            name,
            city,
            photos: value(photos),
            amenities: value(amenities),
            contact_info,
            time_zone: s.time_zone,
            currency: s.currency,
            check_in_time: s.check_in_time,
            check_out_time: s.check_out_time,
            cancellation_policy: s.cancellation_policy,
            taxes: s.taxes,
        })
    }
}

impl From<CreateHotelRequest> for NewHotel {
    fn from(r: CreateHotelRequest) -> Self {
        let (phone, email, address) = match r.contact_info {
            Some(c) => (value(c.phone), value(c.email), value(c.address)),
            None => (None, None, None),
        };
        NewHotel {
            name: r.name,
            city: r.city,
            photos: r.photos,
            amenities: r.amenities,
            contact_phone: phone,
            contact_email: email,
            contact_address: address,
            time_zone: r.time_zone,
            currency: r.currency,
            check_in_time: r.check_in_time,
            check_out_time: r.check_out_time,
            cancellation_policy: r.cancellation_policy,
            taxes: r.taxes,
        }
    }
}

/// `PUT /admin/hotels/{hotel_id}`: a partial update of the create fields; `null` keeps `name` and clears
/// `city`, `photos` and `amenities`; `contact_info: null` clears all three contact fields.
#[derive(ToSchema)]
#[schema(example = json!({"city": "Porto", "contact_info": {"phone": null}}))]
pub struct UpdateHotelRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255)]
    pub city: Opt<String>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Opt<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Opt<Vec<String>>,
    #[schema(value_type = Option<ContactInfo>)]
    pub contact_info: Opt<ContactInfo>,
    /// IANA time zone (absent or `null`: unchanged); unknown names are 422 `time_zone`.
    #[schema(value_type = Option<String>, example = "Europe/Lisbon", max_length = 64)]
    pub time_zone: Option<TimeZone>,
    /// ISO 4217 with 2 minor digits (existing bookings keep theirs); others are 422 `currency`.
    #[schema(value_type = Option<String>, example = "EUR", pattern = "^[A-Za-z]{3}$")]
    pub currency: Option<Currency>,
    /// Local check-in time `HH:MM`.
    #[schema(value_type = Option<String>, example = "15:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_in_time: Option<NaiveTime>,
    /// Local check-out time `HH:MM`.
    #[schema(value_type = Option<String>, example = "11:00", pattern = r"^\d{2}:\d{2}$")]
    pub check_out_time: Option<NaiveTime>,
    /// The policy new bookings freeze (existing bookings keep the one they froze).
    #[schema(value_type = Option<crate::dto::CancellationPolicyDto>)]
    pub cancellation_policy: Option<CancellationPolicy>,
    /// Replaces the taxes and fees (at most 20; `[]` removes them all; absent or `null`: unchanged). Existing
    /// bookings keep the breakdown they froze.
    #[schema(value_type = Option<Vec<crate::dto::TaxRuleDto>>, max_items = 20)]
    pub taxes: Option<Vec<TaxRule>>,
}

impl UpdateHotelRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = value(f.opt_str("name", 1, 255)?);
        let city = f.opt_str("city", 1, 255)?;
        let (photos, amenities) = lists(&mut f)?;
        let contact_info = ContactInfo::parse(&mut f)?;
        let s = settings(&mut f)?;
        f.finish()?;
        Ok(UpdateHotelRequest {
            name,
            city,
            photos,
            amenities,
            contact_info,
            time_zone: s.time_zone,
            currency: s.currency,
            check_in_time: s.check_in_time,
            check_out_time: s.check_out_time,
            cancellation_policy: s.cancellation_policy,
            taxes: s.taxes,
        })
    }
}

impl From<UpdateHotelRequest> for HotelPatch {
    fn from(r: UpdateHotelRequest) -> Self {
        let (phone, email, address) = match r.contact_info {
            Patch::Keep => (Patch::Keep, Patch::Keep, Patch::Keep),
            Patch::Set(None) => (Patch::Set(None), Patch::Set(None), Patch::Set(None)),
            Patch::Set(Some(c)) => (c.phone, c.email, c.address),
        };
        HotelPatch {
            name: r.name,
            city: r.city,
            photos: r.photos,
            amenities: r.amenities,
            contact_phone: phone,
            contact_email: email,
            contact_address: address,
            time_zone: r.time_zone,
            currency: r.currency,
            check_in_time: r.check_in_time,
            check_out_time: r.check_out_time,
            cancellation_policy: r.cancellation_policy,
            taxes: r.taxes,
        }
    }
}

/// `POST /admin/hotels/{hotel_id}/rooms`: a room type; its 365 inventory nights are created with it.
#[derive(ToSchema)]
#[schema(example = json!({"type": "Double", "base_price": "120.00", "total_count": 10, "capacity": 2,
    "amenities": ["wifi"]}))]
pub struct CreateRoomRequest {
    #[schema(rename = "type", min_length = 1, max_length = 255)]
    pub kind: String,
    #[schema(value_type = MoneyInput)]
    pub base_price: Money,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Option<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Option<Vec<String>>,
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: i32,
    /// Guests per room.
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: i32,
}

impl CreateRoomRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let kind = f.req_str("type", 1, 255)?;
        let base_price = f.req_money("base_price")?;
        let (photos, amenities) = lists(&mut f)?;
        let total_count = f.req_int("total_count", 0, 10000)?;
        let capacity = f.req_int("capacity", 1, 20)?;
        f.finish()?;
        Ok(CreateRoomRequest {
            kind,
            base_price,
            photos: value(photos),
            amenities: value(amenities),
            total_count: total_count as i32,
            capacity: capacity as i32,
        })
    }
}

impl From<CreateRoomRequest> for NewRoom {
    fn from(r: CreateRoomRequest) -> Self {
        NewRoom {
            kind: r.kind,
            base_price: r.base_price,
            photos: r.photos,
            amenities: r.amenities,
            total_count: r.total_count,
            capacity: r.capacity,
        }
    }
}

/// `PUT /admin/hotels/{hotel_id}/rooms/{room_id}`: a partial update; `null` keeps `type`, `base_price`,
/// `total_count` and `capacity`, and clears `photos` and `amenities`.
#[derive(ToSchema)]
#[schema(example = json!({"base_price": "130.00", "total_count": 12}))]
pub struct UpdateRoomRequest {
    #[schema(rename = "type", min_length = 1, max_length = 255)]
    pub kind: Option<String>,
    #[schema(value_type = Option<MoneyInput>)]
    pub base_price: Option<Money>,
    #[schema(value_type = Option<Vec<PhotoUrl>>, max_items = 20)]
    pub photos: Opt<Vec<String>>,
    #[schema(value_type = Option<Vec<Amenity>>, max_items = 50)]
    pub amenities: Opt<Vec<String>>,
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: Option<i32>,
    #[schema(minimum = 1, maximum = 20)]
    pub capacity: Option<i32>,
}

impl UpdateRoomRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let kind = value(f.opt_str("type", 1, 255)?);
        let base_price = value(f.opt_money("base_price")?);
        let (photos, amenities) = lists(&mut f)?;
        let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
        let capacity = value(f.opt_int("capacity", 1, 20)?).map(|v| v as i32);
        f.finish()?;
        Ok(UpdateRoomRequest { kind, base_price, photos, amenities, total_count, capacity })
    }
}

impl From<UpdateRoomRequest> for RoomPatch {
    fn from(r: UpdateRoomRequest) -> Self {
        RoomPatch {
            kind: r.kind,
            base_price: r.base_price,
            photos: r.photos,
            amenities: r.amenities,
            total_count: r.total_count,
            capacity: r.capacity,
        }
    }
}

/// `PATCH /admin/inventory/rooms/{room_id}`: every field optional (`null` = absent); `{}` changes nothing and
/// returns the rows.
#[derive(ToSchema)]
#[schema(example = json!({"surge_factor": "1.25", "closed": false}))]
pub struct InventoryPatchRequest {
    #[schema(value_type = Option<SurgeInput>)]
    pub surge_factor: Option<Decimal>,
    #[schema(value_type = Option<MoneyInput>)]
    pub price: Option<Money>,
    /// Closing a night blocks new holds only.
    pub closed: Option<bool>,
    /// At least `book_count + reserved_count` on every night in range.
    #[schema(minimum = 0, maximum = 10000)]
    pub total_count: Option<i32>,
    /// Stays arriving on these nights need at least this many nights; `null` removes the minimum.
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 365)]
    pub min_stay: Patch<Option<i32>>,
    /// Stays arriving on these nights allow at most this many nights; `null` removes the maximum.
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 365)]
    pub max_stay: Patch<Option<i32>>,
    /// Close (or reopen) these nights to arrivals.
    pub closed_to_arrival: Option<bool>,
    /// Close (or reopen) these dates to departures.
    pub closed_to_departure: Option<bool>,
}

impl InventoryPatchRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let surge = value(f.opt_decimal("surge_factor", Decimal::new(10, 2), false, Decimal::new(1000, 2))?);
        let price = value(f.opt_money("price")?);
        let closed = value(f.opt_bool("closed")?);
        let total_count = value(f.opt_int("total_count", 0, 10000)?).map(|v| v as i32);
        let stay = |p: Opt<i64>| match p {
            Patch::Keep => Patch::Keep,
            Patch::Set(v) => Patch::Set(v.map(|n| n as i32)),
        };
        let min_stay = stay(f.opt_int("min_stay", 1, 365)?);
        let max_stay = stay(f.opt_int("max_stay", 1, 365)?);
        if let (Patch::Set(Some(min)), Patch::Set(Some(max))) = (&min_stay, &max_stay)
            && min > max
        {
            f.push("max_stay", "max_stay must not be below min_stay", "out_of_range");
        }
        let closed_to_arrival = value(f.opt_bool("closed_to_arrival")?);
        let closed_to_departure = value(f.opt_bool("closed_to_departure")?);
        f.finish()?;
        Ok(InventoryPatchRequest {
            surge_factor: surge.map(|s| s.round_dp(2)),
            price,
            closed,
            total_count,
            min_stay,
            max_stay,
            closed_to_arrival,
            closed_to_departure,
        })
    }
}

impl From<InventoryPatchRequest> for InventoryPatch {
    fn from(r: InventoryPatchRequest) -> Self {
        InventoryPatch {
            surge_factor: r.surge_factor,
            price: r.price,
            closed: r.closed,
            total_count: r.total_count,
            min_stay: r.min_stay,
            max_stay: r.max_stay,
            closed_to_arrival: r.closed_to_arrival,
            closed_to_departure: r.closed_to_departure,
        }
    }
}
