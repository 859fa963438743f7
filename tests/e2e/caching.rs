//! HTTP caching of the public reads: strong `ETag`, `If-None-Match` → 304 without a body,
//! `Cache-Control: public, max-age=10`; private routes keep `no-store` and get no validator.

use e2e::{TestApp, day, email};
use reqwest::Method;
use serde_json::json;

const PUBLIC: &str = "public, max-age=10";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_etag_round_trip() {
    let app = TestApp::spawn().await;
    let (token, hotel, _) = app.hotel(&email("cache-mgr"), "Oslo", 5, "100.00").await;
    let url = format!("/hotels/search?city=Oslo&check_in_date={}&check_out_date={}", day(10), day(12));

    let first = app.get(&url, None).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body.as_array().map(Vec::len), Some(1));
    assert_eq!(first.header("cache-control"), Some(PUBLIC));
    assert_eq!(first.header("x-total-count"), Some("1"));
    assert_eq!(first.header("vary"), Some("Origin"));
    let tag = first.header("etag").expect("ETag").to_string();
    assert!(tag.starts_with('"') && tag.ends_with('"') && !tag.starts_with("W/"), "strong: {tag}");

    // The same answer again: same tag.
    assert_eq!(app.get(&url, None).await.header("etag"), Some(tag.as_str()));

    // Revalidation: 304, no body, the validator and caching headers repeated.
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &tag)]).await;
    assert_eq!(r.status, 304);
    assert_eq!(r.body, json!(""), "a 304 has no body");
    assert_eq!(r.header("etag"), Some(tag.as_str()));
    assert_eq!(r.header("cache-control"), Some(PUBLIC));
    assert_eq!(r.header("x-total-count"), Some("1"));
    assert_eq!(r.header("vary"), Some("Origin"));
    assert!(r.header("x-request-id").is_some());

    // Weak comparison, lists and `*` (RFC 9110 §13.1.2).
    let listed = format!("\"nope\", W/{tag}");
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &listed)]).await;
    assert_eq!(r.status, 304);
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", "*")]).await;
    assert_eq!(r.status, 304);
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", "\"stale\"")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some(tag.as_str()));

    // A change to what the answer shows changes the tag: the old one gets the full answer.
    let r = app.req(Method::PUT, &format!("/admin/hotels/{hotel}"), Some(&token), Some(json!({"name": "Fjord"}))).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &tag)]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body[0]["name"], "Fjord");
    assert_ne!(r.header("etag"), Some(tag.as_str()));

    // A different page of the same list is a different answer (the total is part of the tag).
    let r = app.get(&format!("{url}&offset=5"), None).await;
    assert_eq!(r.body, json!([]));
    let other = app
        .get(&format!("/hotels/search?city=Nowhere&check_in_date={}&check_out_date={}", day(10), day(12)), None)
        .await;
    assert_eq!(other.body, json!([]));
    assert_ne!(r.header("etag"), other.header("etag"), "same body, different X-Total-Count");

    // Errors are not cacheable.
    let r =
        app.get(&format!("/hotels/search?city=Oslo&check_in_date={}&check_out_date={}", day(12), day(10)), None).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("etag"), None);
    assert_eq!(r.header("cache-control"), None);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotel_info_etag_round_trip_and_private_routes_stay_no_store() {
    let app = TestApp::spawn().await;
    let (token, hotel, room) = app.hotel(&email("cache-info"), "Bergen", 2, "80.00").await;
    let url = format!("/hotels/{hotel}/info");

    let first = app.get(&url, None).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.header("cache-control"), Some(PUBLIC));
    assert_eq!(first.header("x-total-count"), None);
    let tag = first.header("etag").expect("ETag").to_string();

    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &tag)]).await;
    assert_eq!(r.status, 304);
    assert_eq!(r.body, json!(""));
    assert_eq!(r.header("etag"), Some(tag.as_str()));
    assert_eq!(r.header("content-type"), None);

    // From an allowed origin: the CORS headers, and still one `Vary: Origin`.
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("Origin", "http://localhost:3000")]).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("http://localhost:3000"));
    let vary: Vec<_> = r.headers.get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
    assert_eq!(vary, ["Origin"]);
    assert_eq!(r.header("etag"), Some(tag.as_str()));

    // With dates, the quote is part of the answer: a different stay is a different tag.
    let dated = format!("{url}?check_in_date={}&check_out_date={}", day(20), day(21));
    let d = app.get(&dated, None).await;
    assert_eq!(d.body["rooms"][0]["available"], true);
    let dated_tag = d.header("etag").expect("ETag").to_string();
    assert_ne!(dated_tag, tag);
    let r = app.request_to(&app.base, Method::GET, &dated, None, None, &[("If-None-Match", &dated_tag)]).await;
    assert_eq!(r.status, 304);

    // A price change of the room shows in the answer, and so in the tag.
    let r = app
        .req(
            Method::PUT,
            &format!("/admin/hotels/{hotel}/rooms/{room}"),
            Some(&token),
            Some(json!({"base_price": "95.00"})),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = app.request_to(&app.base, Method::GET, &url, None, None, &[("If-None-Match", &tag)]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["rooms"][0]["base_price"], "95.00");
    assert_ne!(r.header("etag"), Some(tag.as_str()));

    // A missing hotel: an error, not cached.
    let r = app.get("/hotels/424242/info", None).await;
    assert_eq!(r.status, 404);
    assert_eq!((r.header("etag"), r.header("cache-control")), (None, None));

    // Private reads keep no-store and no validator, even when asked conditionally.
    let (_, user, _) = app.user(&email("cache-user")).await;
    for path in ["/users/profile", "/users/myBookings", "/admin/hotels"] {
        let r = app.request_to(&app.base, Method::GET, path, Some(&user), None, &[("If-None-Match", "*")]).await;
        assert_ne!(r.status, 304, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(r.header("etag"), None, "{path}");
    }
    app.stop().await;
}
