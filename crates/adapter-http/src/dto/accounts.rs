//! Accounts: users, tokens and saved guests.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 17)]
    pub id: i64,
    #[schema(format = Email, example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub name: Option<String>,
    #[serde(serialize_with = "ser_date_opt")]
    #[schema(example = "1990-12-10")]
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<GenderDto>,
    #[schema(example = json!(["GUEST"]))]
    pub roles: Vec<RoleDto>,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        UserResponse {
            id: u.id.into(),
            email: u.email.as_str().to_string(),
            name: u.name.clone(),
            date_of_birth: u.date_of_birth,
            gender: u.gender.map(GenderDto::from),
            roles: u.roles.iter().map(|r| RoleDto::from(*r)).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// A JWT for `Authorization: Bearer …`.
    pub access_token: String,
    pub token_type: TokenType,
    /// The refresh token (also set as the `refreshToken` cookie).
    pub refresh_token: String,
    /// Access token lifetime in seconds.
    #[schema(example = 1800)]
    pub expires_in: i64,
}

#[derive(Serialize, ToSchema)]
pub struct GuestResponse {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = 17)]
    pub user_id: i64,
    #[schema(example = "Grace Hopper")]
    pub name: String,
    pub gender: GenderDto,
    #[schema(example = 34)]
    pub age: Option<i32>,
}

impl From<&Guest> for GuestResponse {
    fn from(g: &Guest) -> Self {
        GuestResponse {
            id: g.id.into(),
            user_id: g.user_id.into(),
            name: g.name.clone(),
            gender: g.gender.into(),
            age: g.age,
        }
    }
}
