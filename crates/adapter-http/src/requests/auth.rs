//! Auth: signup, login, refresh and logout bodies.

use super::*;

// ---------------------------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------------------------

pub(super) fn email_field(f: &mut Fields<'_>, name: &str) -> ApiResult<Option<Email>> {
    let raw = f.req_str(name, 0, usize::MAX)?;
    let e = Email::parse(&raw);
    if e.is_none() {
        f.push(name, "value is not a valid email address", "email");
    }
    Ok(e)
}

pub(super) fn bad_email(name: &str) -> ApiError {
    invalid(&["body", name], "value is not a valid email address", "email")
}

/// `POST /auth/signup`. Unknown fields (`roles` included) are ignored.
#[derive(ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery", "name": "Ada Lovelace"}))]
pub struct SignupRequest {
    /// Trimmed and lower-cased before storage and comparison (local part ≤ 64, total ≤ 254).
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Email,
    /// 8..=128 characters, not trimmed.
    #[schema(format = Password, min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
}

impl SignupRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let email = email_field(&mut f, "email")?;
        let password = f.req_raw_str("password")?;
        let n = password.chars().count();
        if n < PASSWORD_MIN {
            f.push("password", format!("String should have at least {PASSWORD_MIN} characters"), "too_short");
        } else if n > PASSWORD_MAX {
            f.push("password", format!("String should have at most {PASSWORD_MAX} characters"), "too_long");
        }
        let name = value(f.opt_str("name", 1, 255)?);
        f.finish()?;
        let email = email.ok_or_else(|| bad_email("email"))?;
        Ok(SignupRequest { email, password, name })
    }
}

/// `POST /auth/login`.
#[derive(ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery"}))]
pub struct LoginRequest {
    #[schema(value_type = String, format = Email, max_length = 254)]
    pub email: Email,
    /// Not trimmed; more than 128 characters is a wrong password (401, no hashing).
    #[schema(format = Password)]
    pub password: String,
}

impl LoginRequest {
    pub fn parse(obj: &Map<String, Value>) -> ApiResult<Self> {
        let mut f = Fields::new(obj);
        let email = email_field(&mut f, "email")?;
        let password = f.req_raw_str("password")?;
        f.finish()?;
        let email = email.ok_or_else(|| bad_email("email"))?;
        Ok(LoginRequest { email, password })
    }
}

/// The optional body of `POST /auth/refresh` and `POST /auth/logout`; a token here wins over the
/// `refreshToken` cookie.
#[derive(ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

impl RefreshRequest {
    /// An empty body is no token at all.
    pub fn parse(body: &[u8]) -> ApiResult<Self> {
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(RefreshRequest { refresh_token: None });
        }
        let obj = parse_object(body)?;
        let mut f = Fields::new(&obj);
        Ok(RefreshRequest { refresh_token: value(f.opt_str("refresh_token", 0, usize::MAX)?) })
    }
}
