//! `/auth/*`: signup, login, refresh rotation, logout.

use super::json;
use crate::dto::{LoginResponse, TokenType, UserResponse};
use crate::error::{ApiError, ApiResult, ErrorResponse, error_response};
use crate::extract::JsonBytes;
use crate::input::parse_object;
use crate::openapi::{Internal, PayloadTooLarge, RateLimited, Unavailable, UnsupportedMediaType, ValidationFailed};
use crate::requests::{LoginRequest, RefreshRequest, SignupRequest};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::services::LoginResult;

fn cookie(token: &str, max_age: i64) -> String {
    format!("refreshToken={token}; HttpOnly; Secure; SameSite=Lax; Path=/auth; Max-Age={max_age}")
}

fn token_response(state: &AppState, r: &LoginResult) -> HttpResponse {
    let body = LoginResponse {
        access_token: r.tokens.access_token.clone(),
        token_type: TokenType::Bearer,
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

#[utoipa::path(post, path = "/auth/signup", tag = "auth", operation_id = "signup",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "The new account (`roles` is always `[\"GUEST\"]`)", body = UserResponse),
        (status = 400, description = "`email_already_registered`", body = ErrorResponse),
        PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
pub async fn signup(state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let req = SignupRequest::parse(&parse_object(body)?)?;
    let user = state.auth.signup(req.email, req.password, req.name).await?;
    Ok(json(StatusCode::CREATED, &UserResponse::from(&user)))
}

#[utoipa::path(post, path = "/auth/login", tag = "auth", operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Tokens; the refresh token is also set as the `refreshToken` cookie",
            body = LoginResponse,
            headers(("Set-Cookie" = String,
                description = "`refreshToken=…; HttpOnly; Secure; SameSite=Lax; Path=/auth; Max-Age=604800`"))),
        (status = 401, description = "`invalid_credentials`: unknown email or wrong password (same body)",
            body = ErrorResponse, headers(("WWW-Authenticate" = String))),
        (status = 429, description = "`too_many_login_attempts` (login lockout) or `rate_limited`",
            body = ErrorResponse,
            headers(("Retry-After" = i64, description = "Seconds to wait"))),
        PayloadTooLarge, UnsupportedMediaType, ValidationFailed, Internal, Unavailable,
    ))]
pub async fn login(state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let req = LoginRequest::parse(&parse_object(body)?)?;
    let r = state.auth.login(req.email, req.password).await?;
    Ok(token_response(&state, &r))
}

/// The refresh token from the body (wins) or the `refreshToken` cookie.
fn presented_token(req: &HttpRequest, body: &[u8]) -> ApiResult<Option<String>> {
    match RefreshRequest::parse(body)?.refresh_token {
        Some(t) => Ok(Some(t)),
        None => Ok(cookie_value(req, "refreshToken")),
    }
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

#[utoipa::path(post, path = "/auth/refresh", tag = "auth", operation_id = "refresh",
    request_body(content = Option<RefreshRequest>,
        description = "Optional: a `refresh_token` here wins over the `refreshToken` cookie"),
    security((), ("refreshCookie" = [])),
    responses(
        (status = 200, description = "A new access + refresh pair of the same family; the cookie is replaced",
            body = LoginResponse, headers(("Set-Cookie" = String))),
        (status = 401, description = "`invalid_refresh_token` (missing, malformed, expired, revoked, unknown) or \
            `refresh_token_reused` (the whole family is revoked); the cookie is cleared", body = ErrorResponse,
            headers(("WWW-Authenticate" = String), ("Set-Cookie" = String))),
        PayloadTooLarge, UnsupportedMediaType, ValidationFailed, RateLimited, Internal, Unavailable,
    ))]
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

#[utoipa::path(post, path = "/auth/logout", tag = "auth", operation_id = "logout",
    request_body(content = Option<RefreshRequest>,
        description = "Optional: a `refresh_token` here wins over the `refreshToken` cookie"),
    security((), ("refreshCookie" = [])),
    responses(
        (status = 204, description = "The token's family is revoked (when it was valid; a missing or invalid token \
            gets 204 too); the cookie is cleared", headers(("Set-Cookie" = String))),
        PayloadTooLarge, UnsupportedMediaType, RateLimited, Internal, Unavailable,
    ))]
pub async fn logout(req: HttpRequest, state: web::Data<AppState>, body: JsonBytes) -> ApiResult<HttpResponse> {
    let body = body.get()?;
    let token = presented_token(&req, body).unwrap_or(None);
    state.auth.logout(token).await?;
    Ok(clear_cookie(HttpResponse::NoContent().finish()))
}
