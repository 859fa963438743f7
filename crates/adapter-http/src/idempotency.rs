//! `Idempotency-Key` handling (API.md §4.3.7).

use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;
use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use domain::Error;
use domain::model::UserId;
use domain::ports::IdempotencyStart;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::future::Future;

/// The validated key, if any.
pub fn key(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(v) = req.headers().get("idempotency-key") else { return Ok(None) };
    let bytes = v.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(ApiError::Validation(vec![FieldError::new(
            vec![json!("header"), json!("Idempotency-Key")],
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
            "header_invalid",
        )]));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let inner: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", Value::String((*k).clone()), canonical(&m[k.as_str()]))).collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The request path with every path parameter replaced by its parsed value (`/bookings/007/payments` →
/// `/bookings/7/payments`), so equivalent spellings share one key record and its length stays bounded.
pub fn canonical_path(req: &HttpRequest) -> String {
    let Some(pattern) = req.match_pattern() else { return req.path().to_string() };
    let mut out = String::with_capacity(pattern.len() + 16);
    for (i, seg) in pattern.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let raw = req.match_info().get(name).unwrap_or("");
                match crate::input::path_id(raw, name) {
                    Ok(id) => out.push_str(&id.to_string()),
                    Err(_) => out.push_str(&raw.chars().take(64).collect::<String>()),
                }
            }
            None => out.push_str(seg),
        }
    }
    out
}

/// SHA-256 of method, path and the canonical JSON body (absent body = empty).
pub fn fingerprint(method: &str, path: &str, body: Option<&Value>) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    if let Some(b) = body {
        h.update(canonical(b).as_bytes());
    }
    h.finalize().to_vec()
}

/// A response to store and replay: status and exact body bytes.
pub type Stored = (StatusCode, Vec<u8>);

fn build(status: StatusCode, body: Vec<u8>, replayed: bool) -> HttpResponse {
    let mut r = HttpResponse::build(status);
    if !body.is_empty() {
        r.content_type("application/json");
    }
    if replayed {
        r.insert_header(("Idempotent-Replayed", "true"));
    }
    r.body(body)
}

/// Runs `run` at most once per (user, key); replays stored responses. Without a key it just runs.
pub async fn guard<Fut>(
    state: &AppState,
    req: &HttpRequest,
    user_id: UserId,
    key: Option<String>,
    body: Option<&Value>,
    run: impl FnOnce() -> Fut,
) -> ApiResult<HttpResponse>
where
    Fut: Future<Output = ApiResult<Stored>>,
{
    let Some(key) = key else {
        let (status, body) = run().await?;
        return Ok(build(status, body, false));
    };
    let method = req.method().as_str().to_string();
    let path = canonical_path(req);
    let fp = fingerprint(&method, &path, body);
    match state.idempotency.start(user_id, &key, &method, &path, fp, state.clock.now()).await? {
        IdempotencyStart::Replay { status, body } => {
            Ok(build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body, true))
        }
        IdempotencyStart::InUse => Err(Error::IdempotencyKeyInUse.into()),
        IdempotencyStart::Mismatch => Err(Error::IdempotencyKeyReused.into()),
        IdempotencyStart::Proceed { lease } => {
            let (status, bytes, err) = match run().await {
                Ok((s, b)) => (s, b, None),
                Err(e) => (e.parts().0, e.body(), Some(e)),
            };
            if status.is_server_error() {
                state.idempotency.release(user_id, &key, lease).await?;
            } else if !state.idempotency.complete(user_id, &key, lease, status.as_u16(), bytes.clone()).await? {
                // This request outlived its lease and another one took the key over: that one's response is
                // what will be replayed; this one still answers its own client.
                tracing::warn!(key = %key, "idempotency lease lost before completion; response not stored");
            }
            match err {
                Some(e) => Err(e),
                None => Ok(build(status, bytes, false)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,2]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{ "a" : {"x":[1,2],"y":2}, "b":1 }"#).unwrap();
        assert_eq!(fingerprint("POST", "/bookings/init", Some(&a)), fingerprint("POST", "/bookings/init", Some(&b)));
        assert_ne!(
            fingerprint("POST", "/bookings/1/payments", None),
            fingerprint("POST", "/bookings/2/payments", None)
        );
    }
}
