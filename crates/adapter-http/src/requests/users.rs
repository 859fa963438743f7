//! Users: profile and saved guests.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------------------------

/// `PATCH /users/profile`: absent = unchanged, `null` clears; `email`, `password` and `roles` are ignored.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "date_of_birth": "1990-12-10", "gender": "FEMALE"}))]
pub struct ProfileUpdateRequest {
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255)]
    pub name: Opt<String>,
    /// 1900-01-01..=today.
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Opt<NaiveDate>,
    #[schema(value_type = Option<GenderDto>)]
    pub gender: Opt<Gender>,
}

impl ProfileUpdateRequest {
    pub fn parse(obj: &Map<String, Value>, today: NaiveDate) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.opt_str("name", 1, 255)?;
        let date_of_birth = f.opt_date("date_of_birth")?;
        if let Patch::Set(Some(d)) = &date_of_birth {
            let min = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
            if *d < min {
                f.push("date_of_birth", "Date should be on or after 1900-01-01", "out_of_range");
            } else if *d > today {
                f.push("date_of_birth", "Date should not be in the future", "out_of_range");
            }
        }
        let gender = f.opt_enum("gender", Gender::parse, GENDER_NAMES)?;
        f.finish()?;
        Ok(ProfileUpdateRequest { name, date_of_birth, gender })
    }
}

impl From<ProfileUpdateRequest> for ProfilePatch {
    fn from(r: ProfileUpdateRequest) -> Self {
        ProfilePatch { name: r.name, date_of_birth: r.date_of_birth, gender: r.gender }
    }
}

pub(super) const GENDER_NAMES: &str = "'MALE' or 'FEMALE'";

pub(super) fn age(f: &mut Fields<'_>) -> ApiResult<Opt<i32>> {
    Ok(match f.opt_int("age", 0, 150)? {
        Patch::Keep => Patch::Keep,
        Patch::Set(v) => Patch::Set(v.map(|a| a.clamp(0, 150) as i32)),
    })
}

/// `POST /users/guests`.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Grace Hopper", "gender": "FEMALE", "age": 34}))]
pub struct GuestCreateRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[schema(value_type = GenderDto)]
    pub gender: Gender,
    #[schema(minimum = 0, maximum = 150)]
    pub age: Option<i32>,
}

impl GuestCreateRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = f.req_str("name", 1, 255)?;
        let gender = match f.opt_enum("gender", Gender::parse, GENDER_NAMES)? {
            Patch::Set(Some(g)) => g,
            _ => return Err(invalid(&["body", "gender"], "Field required", "missing")),
        };
        let age = value(age(&mut f)?);
        f.finish()?;
        Ok(GuestCreateRequest { name, gender, age })
    }
}

impl From<GuestCreateRequest> for NewGuest {
    fn from(r: GuestCreateRequest) -> Self {
        NewGuest { name: r.name, gender: r.gender, age: r.age }
    }
}

/// `PUT /users/guests/{guest_id}`: a partial update; `null` leaves `name` and `gender` unchanged and clears `age`.
#[derive(ToSchema)]
#[schema(example = json!({"age": 35}))]
pub struct GuestUpdateRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
    #[schema(value_type = Option<GenderDto>)]
    pub gender: Option<Gender>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 150)]
    pub age: Opt<i32>,
}

impl GuestUpdateRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let name = value(f.opt_str("name", 1, 255)?);
        let gender = value(f.opt_enum("gender", Gender::parse, GENDER_NAMES)?);
        let age = age(&mut f)?;
        f.finish()?;
        Ok(GuestUpdateRequest { name, gender, age })
    }
}

impl From<GuestUpdateRequest> for GuestPatch {
    fn from(r: GuestUpdateRequest) -> Self {
        GuestPatch { name: r.name, gender: r.gender, age: r.age }
    }
}
