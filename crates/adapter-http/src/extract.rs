//! Extractors: the authenticated user, the manager role, path ids and strict JSON bodies.

use crate::error::ApiError;
use crate::input;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::Error;
use domain::model::User;
use futures_util::StreamExt;
use std::future::Future;
use std::pin::Pin;

/// The bearer token of a request: `None` when absent or empty, `Err` for another scheme.
pub fn bearer(req: &HttpRequest) -> Result<Option<String>, Error> {
    let Some(h) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let s = h.to_str().map_err(|_| Error::InvalidToken)?.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let (scheme, cred) = s.split_once(' ').unwrap_or((s, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Error::InvalidToken);
    }
    let cred = cred.trim();
    if cred.is_empty() { Ok(None) } else { Ok(Some(cred.to_string())) }
}

/// The authenticated caller (roles read from the database on this request).
pub struct AuthUser(pub User);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req.app_data::<web::Data<AppState>>().ok_or(Error::internal("no state"))?;
            let token = bearer(&req)?.ok_or(Error::NotAuthenticated)?;
            let user = state.auth.authenticate(&token).await?;
            // The request's root span (middleware::edge): every later line of this request names the user.
            tracing::Span::current().record("user_id", user.id.get());
            Ok(AuthUser(user))
        })
    }
}

/// An authenticated `HOTEL_MANAGER` (403 `forbidden` otherwise, before any lookup).
pub struct Manager(pub User);

impl FromRequest for Manager {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let AuthUser(user) = fut.await?;
            if !user.is_manager() {
                return Err(Error::Forbidden.into());
            }
            Ok(Manager(user))
        })
    }
}

/// A raw body of at most the configured size. A non-JSON media type is kept as a pending 415 that the handler
/// raises with [`JsonBytes::get`] after authentication and the role check, so the error order of API.md §1.5
/// holds (401 → 403 → 415 → 422) even though actix runs extractors concurrently.
pub struct JsonBytes(Result<web::Bytes, ApiError>);

impl JsonBytes {
    /// The body, or 415 when its `Content-Type` is not JSON. Call it first in the handler, before any
    /// path or body validation.
    pub fn get(&self) -> Result<&web::Bytes, ApiError> {
        match &self.0 {
            Ok(b) => Ok(b),
            Err(_) => Err(ApiError::UnsupportedMediaType),
        }
    }
}

/// Whether a `Content-Type` is JSON (`application/json` or `application/*+json`, parameters allowed).
pub fn is_json_type(ct: &str) -> bool {
    let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads the whole body, failing with 413 past `limit` bytes.
pub async fn read_body(payload: &mut Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::PayloadTooLarge)?;
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

impl FromRequest for JsonBytes {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let limit = req.app_data::<web::Data<AppState>>().map(|s| s.config.max_body_bytes).unwrap_or(65536);
            let body = read_body(&mut payload, limit).await?;
            let json = match req.headers().get(header::CONTENT_TYPE) {
                None => true,
                Some(ct) => ct.to_str().map(is_json_type).unwrap_or(false),
            };
            Ok(JsonBytes(if json { Ok(body) } else { Err(ApiError::UnsupportedMediaType) }))
        })
    }
}

/// Parses a path segment as an id (`["path", name]` on failure).
pub fn id(req: &HttpRequest, name: &str) -> Result<i64, ApiError> {
    input::path_id(req.match_info().get(name).unwrap_or(""), name)
}
