use e2e::{TestApp, email};
use reqwest::Method;
use serde_json::json;

fn b64(s: &str) -> String {
    b64_bytes(s.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_login_profile_refresh_logout() {
    let app = TestApp::spawn().await;
    let e = email("Alice");
    let r = app.post("/auth/signup", None, json!({"email": format!("  {}  ", e.to_uppercase()), "password": "password123", "roles": ["HOTEL_MANAGER"]})).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["email"], e.to_lowercase());
    assert_eq!(r.body["roles"], json!(["GUEST"]));
    assert_eq!(r.body["name"], serde_json::Value::Null);
    let keys: Vec<&str> = r.body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "email", "name", "date_of_birth", "gender", "roles"]);

    let r = app.post("/auth/signup", None, json!({"email": e.clone(), "password": "password123"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (400, "email_already_registered"));
    let r = app.post("/auth/signup", None, json!({"email": "nope", "password": "short", "name": ""})).await;
    assert_eq!(r.status, 422);
    let types: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["email", "too_short", "too_short"]);
    let r = app.post("/auth/signup", None, json!({"email": 5, "password": "password123"})).await;
    assert_eq!(r.body["errors"][0]["type"], "string_type");

    let r = app.post("/auth/login", None, json!({"email": e.clone(), "password": "password123"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["expires_in"], 1800);
    let cookie = r.header("set-cookie").unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/auth") && cookie.contains("Max-Age=604800"));
    let access = r.body["access_token"].as_str().unwrap().to_string();
    let refresh = r.body["refresh_token"].as_str().unwrap().to_string();

    let r = app
        .req(
            Method::PATCH,
            "/users/profile",
            Some(&access),
            Some(json!({"name": " Al ", "gender": "FEMALE", "date_of_birth": "1990-05-01"})),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!((r.body["name"].as_str(), r.body["gender"].as_str()), (Some("Al"), Some("FEMALE")));
    let r =
        app.req(Method::PATCH, "/users/profile", Some(&access), Some(json!({"name": null, "gender": "male"}))).await;
    assert_eq!(r.status, 422);
    let r = app.req(Method::PATCH, "/users/profile", Some(&access), Some(json!({"name": null}))).await;
    assert_eq!(r.body["name"], serde_json::Value::Null);
    assert_eq!(r.body["date_of_birth"], "1990-05-01");

    // Rotation: the new pair works, the old refresh token is reuse and kills the family.
    let r = app.post("/auth/refresh", None, json!({"refresh_token": refresh})).await;
    assert_eq!(r.status, 200, "{r:?}");
    let refresh2 = r.body["refresh_token"].as_str().unwrap().to_string();
    let r = app.post("/auth/refresh", None, json!({"refresh_token": refresh})).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "refresh_token_reused"));
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = app.post("/auth/refresh", None, json!({"refresh_token": refresh2})).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "invalid_refresh_token"));

    // Cookie-based refresh, then logout revokes the family.
    let r = app.post("/auth/login", None, json!({"email": e.clone(), "password": "password123"})).await;
    let rt = r.body["refresh_token"].as_str().unwrap().to_string();
    let res = app
        .client
        .post(format!("{}/auth/refresh", app.base))
        .header("Cookie", format!("refreshToken={rt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rt2 = res.json::<serde_json::Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_string();
    let r = app.post("/auth/logout", None, json!({"refresh_token": rt2})).await;
    assert_eq!(r.status, 204);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = app.post("/auth/refresh", None, json!({"refresh_token": rt2})).await;
    assert_eq!(r.code(), "invalid_refresh_token");
    assert_eq!(app.post("/auth/logout", None, json!({"refresh_token": "garbage"})).await.status, 204);
    // An access token is not a refresh token.
    let r = app.post("/auth/refresh", None, json!({"refresh_token": access})).await;
    assert_eq!(r.code(), "invalid_refresh_token");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_matrix() {
    let app = TestApp::spawn().await;
    let e = email("bob");
    let (_, access, refresh) = app.user(&e).await;
    let r = app.get("/users/profile", None).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "not_authenticated"));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    let r = app.request_to(&app.base, Method::GET, "/users/profile", None, None, &[("Authorization", "Bearer ")]).await;
    assert_eq!(r.code(), "not_authenticated");
    let r = app
        .request_to(
            &app.base,
            Method::GET,
            "/users/profile",
            None,
            None,
            &[("Authorization", &format!("Basic {access}"))],
        )
        .await;
    assert_eq!(r.code(), "invalid_token");
    assert_eq!(r.header("www-authenticate"), Some(r#"Bearer error="invalid_token""#));
    // Scheme word is case-insensitive.
    let r = app
        .request_to(
            &app.base,
            Method::GET,
            "/users/profile",
            None,
            None,
            &[("Authorization", &format!("bEaReR {access}"))],
        )
        .await;
    assert_eq!(r.status, 200);
    // Bad signature.
    let mut parts: Vec<String> = access.split('.').map(String::from).collect();
    let tampered = format!("{}.{}.{}", parts[0], parts[1], "AAAA");
    assert_eq!(app.get("/users/profile", Some(&tampered)).await.code(), "invalid_token");
    // alg: none.
    parts[0] = b64(r#"{"alg":"none","typ":"JWT"}"#);
    let none = format!("{}.{}.", parts[0], parts[1]);
    assert_eq!(app.get("/users/profile", Some(&none)).await.code(), "invalid_token");
    // A refresh token as an access token.
    assert_eq!(app.get("/users/profile", Some(&refresh)).await.code(), "invalid_token");
    app.stop().await;
}

/// An HS256 JWT signed with the test secret.
fn jwt(claims: serde_json::Value) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let head = b64(r#"{"alg":"HS256","typ":"JWT"}"#);
    let body = b64(&claims.to_string());
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"e2e-secret-e2e-secret-e2e-secret-e2e").unwrap();
    mac.update(format!("{head}.{body}").as_bytes());
    format!("{head}.{body}.{}", b64_bytes(&mac.finalize().into_bytes()))
}

fn b64_bytes(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_tokens_expired_wrong_iss_aud_sub_and_unknown_user() {
    let app = TestApp::spawn().await;
    let (id, _, _) = app.user(&email("carol")).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |sub: &str, kind: &str, exp: i64, iss: &str, aud: &str| json!({"sub": sub, "type": kind, "iat": now - 10, "exp": exp, "iss": iss, "aud": aud});
    let me = id.to_string();
    let ok = jwt(claims(&me, "access", now + 600, "hotel-booking", "hotel-booking-api"));
    assert_eq!(app.get("/users/profile", Some(&ok)).await.status, 200, "the crafted token itself is valid");
    let cases = [
        (claims(&me, "access", now - 1, "hotel-booking", "hotel-booking-api"), "token_expired"),
        (claims(&me, "access", now + 600, "other", "hotel-booking-api"), "invalid_token"),
        (claims(&me, "access", now + 600, "hotel-booking", "other"), "invalid_token"),
        (claims(&me, "refresh", now + 600, "hotel-booking", "hotel-booking-api"), "invalid_token"),
        (claims("abc", "access", now + 600, "hotel-booking", "hotel-booking-api"), "invalid_token"),
        (claims("999999", "access", now + 600, "hotel-booking", "hotel-booking-api"), "invalid_token"),
        (json!({"sub": me, "type": "access", "exp": now + 600, "iss": "hotel-booking"}), "invalid_token"),
    ];
    for (c, code) in cases {
        let r = app.get("/users/profile", Some(&jwt(c.clone()))).await;
        assert_eq!((r.status.as_u16(), r.code()), (401, code), "{c}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demoted_manager_loses_rights_on_next_request() {
    let app = TestApp::spawn().await;
    let e = email("mgr");
    let (token, hotel, _) = app.hotel(&e, "Oslo", 2, "80.00").await;
    assert_eq!(app.get(&format!("/admin/hotels/{hotel}"), Some(&token)).await.status, 200);
    if e2e::memory_store() {
        app.revoke_manager(&e).await;
    } else {
        // As the CLI does: another process's wiring, on the same database.
        let config = app::Config::from_vars(&app.vars).unwrap();
        let w = app::wire(&config, std::sync::Arc::new(domain::ports::SystemClock)).unwrap();
        assert!(w.auth.set_manager(&domain::model::Email::parse(&e).unwrap(), false).await.unwrap());
    }
    let r = app.get(&format!("/admin/hotels/{hotel}"), Some(&token)).await;
    assert_eq!((r.status.as_u16(), r.code()), (403, "forbidden"));
    assert_eq!(r.body["detail"], "Insufficient permissions");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_lockout_after_five_failures() {
    let app = TestApp::spawn().await;
    let e = email("dave");
    app.user(&e).await;
    for _ in 0..5 {
        let r = app.post("/auth/login", None, json!({"email": e.clone(), "password": "wrong-password"})).await;
        assert_eq!((r.status.as_u16(), r.code()), (401, "invalid_credentials"));
    }
    let r = app.post("/auth/login", None, json!({"email": e.clone(), "password": "password123"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (429, "too_many_login_attempts"));
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900);
    // Unknown emails are throttled the same way and answer like wrong passwords.
    let r = app.post("/auth/login", None, json!({"email": email("ghost"), "password": "whatever1"})).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, "invalid_credentials"));
    app.stop().await;
}
