//! `/auth/*`: signup, login, refresh rotation, logout.

use super::json;
use crate::dto::{LoginResponse, UserResponse};
use crate::error::{ApiError, ApiResult, error_response};
use crate::extract::JsonBytes;
use crate::input::{Fields, parse_object};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::{Email, PASSWORD_MAX, PASSWORD_MIN, Patch};
use domain::services::LoginResult;

fn email_field(f: &mut Fields<'_>, name: &str) -> ApiResult<Option<Email>> {
    let raw = f.req_str(name, 0, usize::MAX)?;
    let e = Email::parse(&raw);
    if e.is_none() {
        f.push(name, "value is not a valid email address", "email");
    }
    Ok(e)
}

fn cookie(token: &str, max_age: i64) -> String {
    format!("refreshToken={token}; HttpOnly; Secure; SameSite=Lax; Path=/auth; Max-Age={max_age}")
}

fn token_response(state: &AppState, r: &LoginResult) -> HttpResponse {
    let body = LoginResponse {
        access_token: r.tokens.access_token.clone(),
        token_type: "bearer",
        refresh_token: r.tokens.refresh_token.clone(),
        expires_in: r.tokens.access_expires_in,
    };
    let mut res = json(StatusCode::OK, &body);
    if let Ok(v) =
        header::HeaderValue::from_str(&cookie(&r.tokens.refresh_token, state.config.refresh_token_days * 86400))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[utoipa::path(post, path = "/auth/signup", tag = "auth",
    request_body(content = inline(serde_json::Value), description = "`email`, `password` (8..=128), optional `name`"),
    responses((status = 201, body = UserResponse), (status = 400, description = "email_already_registered")))]
pub async fn signup(state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let email = email_field(&mut f, "email")?;
    let password = f.req_raw_str("password")?;
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        f.push("password", format!("String should have at least {PASSWORD_MIN} characters"), "too_short");
    } else if n > PASSWORD_MAX {
        f.push("password", format!("String should have at most {PASSWORD_MAX} characters"), "too_long");
    }
    let name = match f.opt_str("name", 1, 255)? {
        Patch::Set(v) => v,
        Patch::Keep => None,
    };
    f.finish()?;
    let Some(email) = email else {
        return Err(crate::input::invalid(&["body", "email"], "value is not a valid email address", "email"));
    };
    let user = state.auth.signup(email, password, name).await?;
    Ok(json(StatusCode::CREATED, &UserResponse::from(&user)))
}

#[utoipa::path(post, path = "/auth/login", tag = "auth",
    request_body(content = inline(serde_json::Value), description = "`email`, `password`"),
    responses((status = 200, body = LoginResponse), (status = 401, description = "invalid_credentials"),
              (status = 429, description = "too_many_login_attempts")))]
pub async fn login(state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let obj = parse_object(body)?;
    let mut f = Fields::new(&obj);
    let email = email_field(&mut f, "email")?;
    let password = f.req_raw_str("password")?;
    f.finish()?;
    let Some(email) = email else {
        return Err(crate::input::invalid(&["body", "email"], "value is not a valid email address", "email"));
    };
    let r = state.auth.login(email, password).await?;
    Ok(token_response(&state, &r))
}

/// The refresh token from the body (wins) or the `refreshToken` cookie.
fn presented_token(req: &HttpRequest, body: &[u8]) -> ApiResult<Option<String>> {
    if !body.iter().all(|b| b.is_ascii_whitespace()) {
        let obj = parse_object(body)?;
        let mut f = Fields::new(&obj);
        if let Patch::Set(Some(t)) = f.opt_str("refresh_token", 0, usize::MAX)? {
            return Ok(Some(t));
        }
    }
    Ok(cookie_value(req, "refreshToken"))
}

/// A cookie's value from the `Cookie` headers.
fn cookie_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

fn clear_cookie(mut res: HttpResponse) -> HttpResponse {
    if let Ok(v) = header::HeaderValue::from_str(&cookie("", 0)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    request_body(content = inline(serde_json::Value), description = "optional `refresh_token`; else the cookie"),
    responses((status = 200, body = LoginResponse), (status = 401, description = "invalid_refresh_token / refresh_token_reused")))]
pub async fn refresh(req: HttpRequest, state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let token = presented_token(&req, body)?;
    let result = match token {
        None => Err(domain::Error::InvalidRefreshToken),
        Some(t) => state.auth.refresh(&t).await,
    };
    match result {
        Ok(r) => Ok(token_response(&state, &r)),
        Err(e @ (domain::Error::InvalidRefreshToken | domain::Error::RefreshTokenReused)) => {
            Ok(clear_cookie(error_response(&ApiError::Domain(e))))
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    request_body(content = inline(serde_json::Value), description = "optional `refresh_token`; else the cookie"),
    responses((status = 204, description = "Family revoked (if the token was valid); cookie cleared")))]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let token = presented_token(&req, body).unwrap_or(None);
    state.auth.logout(token.as_deref()).await?;
    Ok(clear_cookie(HttpResponse::NoContent().finish()))
}
