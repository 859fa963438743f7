//! The OpenAPI document is valid OpenAPI 3.1, matches the route table exactly, is typed everywhere a generated
//! client needs types, and lists every error status each route can answer (API.md §1.5, §2, §4), with its codes.

use actix_web::test as actix_test;
use actix_web::{App, web};
use adapter_http::error::{ERROR_CODES, VALIDATION_ERROR_TYPES};
use adapter_http::routes::{RouteTable, configure};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn doc() -> Value {
    serde_json::to_value(adapter_http::openapi()).expect("document serialises")
}

/// Every operation as (METHOD, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn component<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("local ref: {reference}"));
    doc["components"]["schemas"].get(name).unwrap_or_else(|| panic!("component {name} exists"))
}

#[test]
fn document_is_valid_openapi_3_1() {
    let doc = doc();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{}", doc["openapi"]);
    let schema: Value =
        serde_json::from_str(include_str!("data/openapi-3.1.schema.json")).expect("vendored OAS 3.1 schema");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the document is not valid OpenAPI 3.1:\n{}", errors.join("\n"));
    // The check has teeth: a response without its required `description` is rejected.
    let mut broken = doc.clone();
    broken["paths"]["/health"]["get"]["responses"]["200"].as_object_mut().expect("200").remove("description");
    assert!(!validator.is_valid(&broken));

    // Every component schema is itself a valid JSON Schema (2020-12, the OAS 3.1 base dialect).
    for (name, s) in doc["components"]["schemas"].as_object().expect("schemas") {
        if let Err(e) = jsonschema::meta::validate(s) {
            panic!("component schema {name} is not valid JSON Schema: {e}");
        }
    }
}

#[actix_web::test]
async fn route_table_and_document_list_the_same_operations() {
    let app = actix_test::init_service(App::new().configure(|c| configure(c, true))).await;
    let res = actix_test::call_service(&app, actix_test::TestRequest::get().uri("/health").to_request()).await;
    let table = res.request().app_data::<web::Data<RouteTable>>().expect("route table is app data").clone();
    let routed: BTreeSet<(String, String)> =
        table.entries().flat_map(|(p, ms)| ms.iter().map(move |m| (m.to_string(), p.to_string()))).collect();
    let documented: BTreeSet<(String, String)> = operations(&doc()).into_iter().map(|(m, p, _)| (m, p)).collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(undocumented.is_empty(), "routes without an OpenAPI operation: {undocumented:?}");
    assert!(unrouted.is_empty(), "documented operations that are not routed: {unrouted:?}");
    assert_eq!(routed.len(), 55);
}

/// Whether a schema is typed for a client: a `$ref` to a typed component, a type (objects with properties or a
/// declared map), or a composition of typed schemas. `{}` (an untyped `serde_json::Value`) is not, anywhere.
fn typed(doc: &Value, s: &Value, depth: usize) -> Result<(), String> {
    if depth > 32 {
        return Ok(());
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return typed(doc, component(doc, r), depth + 1).map_err(|e| format!("{r}: {e}"));
    }
    for k in ["oneOf", "anyOf", "allOf"] {
        if let Some(items) = s.get(k).and_then(Value::as_array) {
            return items.iter().try_for_each(|i| typed(doc, i, depth + 1));
        }
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return Err(format!("untyped schema {s}")),
    };
    if types.contains(&"object") {
        match (s.get("properties").and_then(Value::as_object), s.get("additionalProperties")) {
            (Some(props), _) if !props.is_empty() => {
                for (k, v) in props {
                    typed(doc, v, depth + 1).map_err(|e| format!(".{k}: {e}"))?;
                }
            }
            (_, Some(ap)) if ap != &Value::Bool(false) => {} // a declared map (the provider's event object)
            _ => return Err(format!("object without properties {s}")),
        }
    }
    if types.contains(&"array") {
        typed(doc, s.get("items").unwrap_or(&Value::Null), depth + 1).map_err(|e| format!("[]: {e}"))?;
    }
    Ok(())
}

#[test]
fn bodies_parameters_and_success_answers_are_typed() {
    let doc = doc();
    let mut problems = Vec::new();
    for (m, p, op) in operations(&doc) {
        if let Some(content) = op["requestBody"]["content"].as_object() {
            for (ct, media) in content {
                if let Err(e) = typed(&doc, &media["schema"], 0) {
                    problems.push(format!("{m} {p} request body ({ct}): {e}"));
                }
            }
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            if let Err(e) = typed(&doc, &param["schema"], 0) {
                problems.push(format!("{m} {p} parameter {}: {e}", param["name"]));
            }
        }
        for (status, resp) in op["responses"].as_object().expect("responses") {
            assert!(resp["description"].as_str().is_some_and(|d| !d.is_empty()), "{m} {p} {status}: description");
            for (ct, media) in resp["content"].as_object().into_iter().flatten() {
                if let Err(e) = typed(&doc, &media["schema"], 0) {
                    problems.push(format!("{m} {p} {status} ({ct}): {e}"));
                }
                if status.starts_with(['4', '5']) {
                    assert_eq!(
                        media["schema"]["$ref"], "#/components/schemas/ErrorResponse",
                        "{m} {p} {status}: errors use the envelope"
                    );
                }
            }
            if status.starts_with(['4', '5']) {
                assert!(resp["content"]["application/json"].is_object(), "{m} {p} {status}: JSON error body");
            }
        }
        let ok = op["responses"].as_object().expect("responses").keys().any(|s| s.starts_with(['2', '3']));
        assert!(ok, "{m} {p}: a success answer");
        assert!(op["operationId"].is_string(), "{m} {p}: operationId");
    }
    assert!(problems.is_empty(), "untyped parts:\n{}", problems.join("\n"));

    let ids: Vec<_> = operations(&doc).iter().map(|(_, _, op)| op["operationId"].to_string()).collect();
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "operationIds are unique");
}

#[test]
fn the_untyped_check_rejects_a_value_body() {
    let doc = serde_json::json!({"components": {"schemas": {"A": {"type": "object", "properties": {"x": {}}}}}});
    assert!(typed(&doc, &serde_json::json!({}), 0).is_err());
    assert!(typed(&doc, &serde_json::json!({"$ref": "#/components/schemas/A"}), 0).is_err());
    assert!(typed(&doc, &serde_json::json!({"type": "object"}), 0).is_err());
    assert!(typed(&doc, &serde_json::json!({"type": "array", "items": {"type": "integer"}}), 0).is_ok());
}

#[test]
fn paged_routes_document_limit_offset_and_total() {
    let doc = doc();
    let mut paged = BTreeSet::new();
    for (m, p, op) in operations(&doc) {
        let names: Vec<&str> =
            op["parameters"].as_array().into_iter().flatten().filter_map(|x| x["name"].as_str()).collect();
        if names.contains(&"limit") {
            assert!(names.contains(&"offset"), "{m} {p}: offset");
            assert!(op["responses"]["200"]["headers"]["X-Total-Count"].is_object(), "{m} {p}: X-Total-Count");
            assert_eq!(op["responses"]["200"]["content"]["application/json"]["schema"]["type"], "array");
            paged.insert(format!("{m} {p}"));
        }
    }
    let expected: BTreeSet<String> = [
        "GET /hotels/search",
        "GET /users/myBookings",
        "GET /users/guests",
        "GET /admin/hotels",
        "GET /admin/hotels/{hotel_id}/bookings",
        "GET /admin/hotels/{hotel_id}/rooms",
        "GET /admin/inventory/rooms/{room_id}",
        "GET /bookings/{booking_id}/history",
        "GET /admin/hotels/{hotel_id}/history",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(paged, expected);
}

#[test]
fn formats_enums_money_and_security() {
    let doc = doc();
    let s = &doc["components"]["schemas"];
    let enum_of = |name: &str| -> Vec<String> {
        s[name]["enum"].as_array().unwrap_or_else(|| panic!("{name} enum")).iter().map(|v| v.to_string()).collect()
    };
    assert_eq!(
        enum_of("BookingStatus"),
        domain::model::BookingStatus::ALL.iter().map(|b| format!("\"{}\"", b.as_str())).collect::<Vec<_>>()
    );
    assert_eq!(enum_of("Role"), ["\"GUEST\"", "\"HOTEL_MANAGER\""]);
    assert_eq!(enum_of("Gender"), ["\"MALE\"", "\"FEMALE\""]);
    assert_eq!(enum_of("RefundStatus"), ["\"PENDING\"", "\"SUCCEEDED\"", "\"FAILED\""]);
    assert_eq!(enum_of("SearchSort"), ["\"price_asc\"", "\"price_desc\"", "\"name\""]);
    assert_eq!(enum_of("ErrorCode").len(), ERROR_CODES.len());
    assert_eq!(enum_of("ValidationErrorType").len(), VALIDATION_ERROR_TYPES.len());

    assert_eq!(s["Money"]["type"], "string");
    assert_eq!(s["Money"]["pattern"], r"^-?\d+\.\d{2}$");
    assert!(s["Money"]["examples"].is_array());
    assert_eq!(s["SurgeFactor"]["pattern"], r"^-?\d+\.\d{2}$");
    let booking = &s["BookingResponse"]["properties"];
    assert_eq!(booking["check_in_date"]["format"], "date");
    assert_eq!(booking["created_at"]["format"], "date-time");
    assert_eq!(booking["amount"]["$ref"], "#/components/schemas/Money");
    assert_eq!(booking["booking_status"]["$ref"], "#/components/schemas/BookingStatus");
    // Response keys are never omitted: all required, the optional ones nullable.
    let required: Vec<&str> =
        s["BookingResponse"]["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required.len(), booking.as_object().expect("props").len());
    assert_eq!(booking["expires_at"]["type"], serde_json::json!(["string", "null"]));
    // Key order of the schema is the wire order (API.md §4.2).
    let keys: Vec<&String> = booking.as_object().expect("props").keys().collect();
    assert_eq!(keys[..3], ["id", "hotel_id", "room_id"]);

    let err = &s["ErrorResponse"];
    let required: Vec<&str> = err["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    assert_eq!(required, ["detail", "code", "request_id"]);
    assert_eq!(err["properties"]["errors"]["items"]["$ref"], "#/components/schemas/ValidationErrorItem");
    let item = &s["ValidationErrorItem"]["properties"];
    assert!(item["loc"].is_object() && item["msg"].is_object() && item["type"].is_object());

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["bearerAuth"]["bearerFormat"], "JWT");
    assert_eq!(schemes["refreshCookie"]["in"], "cookie");
    assert_eq!(schemes["refreshCookie"]["name"], "refreshToken");
}

// ---------------------------------------------------------------------------------------------------------------
// Error statuses per route (API.md §1.5, §2.2, §2.3, §3, §4): one test per status, each a table of the routes that
// can answer it and the codes they answer it with. The document must list the status for exactly those
// operations, name each code in the answer's description and use the error envelope.
// ---------------------------------------------------------------------------------------------------------------

type Op = (&'static str, &'static str);
type Codes = &'static [&'static str];

/// Which operations answer a status, and with which codes.
enum Answered {
    /// Exactly these operations.
    Only(&'static [(&'static str, &'static str, Codes)]),
    /// Every operation except these, all with `codes`.
    AllBut(&'static [Op], Codes),
}

const BEARER: Codes = &["not_authenticated", "invalid_token", "token_expired"];
const DATES: Codes = &["invalid_date_range", "date_in_past", "stay_too_long"];

fn check_status(status: &str, answered: Answered) {
    let doc = doc();
    let mut expected: BTreeMap<(String, String), Codes> = BTreeMap::new();
    match answered {
        Answered::Only(list) => {
            for (m, p, codes) in list {
                expected.insert((m.to_string(), p.to_string()), codes);
            }
        }
        Answered::AllBut(except, codes) => {
            for (m, p, _) in operations(&doc) {
                if !except.iter().any(|(em, ep)| *em == m && *ep == p) {
                    expected.insert((m, p), codes);
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (m, p, op) in operations(&doc) {
        let resp = &op["responses"][status];
        match expected.remove(&(m.clone(), p.clone())) {
            Some(codes) => {
                if !resp.is_object() {
                    problems.push(format!("{m} {p}: {status} missing"));
                    continue;
                }
                let desc = resp["description"].as_str().unwrap_or("");
                for code in codes {
                    assert!(ERROR_CODES.contains(code), "{code} is an error code");
                    if !desc.contains(&format!("`{code}`")) {
                        problems.push(format!("{m} {p}: {status} does not name `{code}`: {desc}"));
                    }
                }
                let schema = &resp["content"]["application/json"]["schema"]["$ref"];
                if schema != "#/components/schemas/ErrorResponse" {
                    problems.push(format!("{m} {p}: {status} is not an ErrorResponse"));
                }
                if status == "401" && !resp["headers"]["WWW-Authenticate"].is_object() {
                    problems.push(format!("{m} {p}: 401 without WWW-Authenticate"));
                }
                if status == "429" && !resp["headers"]["Retry-After"].is_object() {
                    problems.push(format!("{m} {p}: 429 without Retry-After"));
                }
            }
            None => {
                if resp.is_object() {
                    problems.push(format!("{m} {p}: documents {status}, which it cannot answer"));
                }
            }
        }
    }
    for (m, p) in expected.keys() {
        problems.push(format!("{m} {p}: expected operation not in the document"));
    }
    assert!(problems.is_empty(), "{status}:\n{}", problems.join("\n"));
}

#[test]
fn status_400_business_rules() {
    check_status(
        "400",
        Answered::Only(&[
            ("POST", "/auth/signup", &["email_already_registered"]),
            ("GET", "/hotels/search", &["invalid_date_range", "date_in_past", "stay_too_long", "invalid_price_range"]),
            ("GET", "/hotels/{hotel_id}/info", DATES),
            (
                "GET",
                "/hotels/{hotel_id}/quote",
                &["invalid_date_range", "date_in_past", "stay_too_long", "too_many_guests"],
            ),
            ("GET", "/hotels/{hotel_id}/calendar", &["invalid_date_range"]),
            ("GET", "/admin/hotels/{hotel_id}/reports/revenue", &["invalid_date_range"]),
            (
                "POST",
                "/bookings/init",
                &[
                    "invalid_date_range",
                    "date_in_past",
                    "stay_too_long",
                    "hotel_not_active",
                    "too_many_guests",
                    "amount_out_of_range",
                ],
            ),
            ("POST", "/bookings/{booking_id}/addGuests", &["too_many_guests"]),
            ("POST", "/webhooks/stripe", &["invalid_signature", "invalid_payload"]),
            ("POST", "/webhook/payment", &["invalid_signature", "invalid_payload"]),
            ("GET", "/admin/hotels/{hotel_id}/reports", &["invalid_date_range"]),
            ("GET", "/admin/inventory/rooms/{room_id}", &["invalid_date_range"]),
            ("PATCH", "/admin/inventory/rooms/{room_id}", &["invalid_date_range"]),
        ]),
    );
}

#[test]
fn status_401_authentication() {
    check_status(
        "401",
        Answered::Only(&[
            ("GET", "/metrics", &["not_authenticated"]),
            ("POST", "/auth/login", &["invalid_credentials"]),
            ("POST", "/auth/refresh", &["invalid_refresh_token", "refresh_token_reused"]),
            ("GET", "/users/profile", BEARER),
            ("PATCH", "/users/profile", BEARER),
            ("GET", "/users/myBookings", BEARER),
            ("GET", "/users/guests", BEARER),
            ("POST", "/users/guests", BEARER),
            ("PUT", "/users/guests/{guest_id}", BEARER),
            ("DELETE", "/users/guests/{guest_id}", BEARER),
            ("POST", "/bookings/init", BEARER),
            ("GET", "/bookings/{booking_id}", BEARER),
            ("POST", "/bookings/{booking_id}/addGuests", BEARER),
            ("POST", "/bookings/{booking_id}/payments", BEARER),
            ("POST", "/bookings/{booking_id}/cancel", BEARER),
            ("GET", "/bookings/{booking_id}/status", BEARER),
            ("GET", "/bookings/{booking_id}/history", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/history", BEARER),
            ("POST", "/admin/hotels", BEARER),
            ("GET", "/admin/hotels", BEARER),
            ("GET", "/admin/hotels/{hotel_id}", BEARER),
            ("PUT", "/admin/hotels/{hotel_id}", BEARER),
            ("DELETE", "/admin/hotels/{hotel_id}", BEARER),
            ("PATCH", "/admin/hotels/{hotel_id}/activate", BEARER),
            ("PATCH", "/admin/hotels/{hotel_id}/deactivate", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/bookings", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/reports", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/reports/revenue", BEARER),
            ("POST", "/admin/hotels/{hotel_id}/rooms", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/rooms", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}", BEARER),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", BEARER),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", BEARER),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", BEARER),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", BEARER),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", BEARER),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", BEARER),
            ("GET", "/admin/inventory/rooms/{room_id}", BEARER),
            ("PATCH", "/admin/inventory/rooms/{room_id}", BEARER),
        ]),
    );
}

#[test]
fn status_403_role_and_ownership() {
    const OWNED: Codes = &["forbidden", "not_owner"];
    check_status(
        "403",
        Answered::Only(&[
            ("POST", "/admin/hotels", &["forbidden"]),
            ("GET", "/admin/hotels", &["forbidden"]),
            ("GET", "/admin/hotels/{hotel_id}", OWNED),
            ("PUT", "/admin/hotels/{hotel_id}", OWNED),
            ("DELETE", "/admin/hotels/{hotel_id}", OWNED),
            ("PATCH", "/admin/hotels/{hotel_id}/activate", OWNED),
            ("PATCH", "/admin/hotels/{hotel_id}/deactivate", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/bookings", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/reports", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/reports/revenue", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/history", OWNED),
            ("POST", "/admin/hotels/{hotel_id}/rooms", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/rooms", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}", OWNED),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", OWNED),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", OWNED),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", OWNED),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", OWNED),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", OWNED),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", OWNED),
            ("GET", "/admin/inventory/rooms/{room_id}", OWNED),
            ("PATCH", "/admin/inventory/rooms/{room_id}", OWNED),
        ]),
    );
}

#[test]
fn status_404_lookups() {
    const HOTEL: Codes = &["hotel_not_found"];
    const HOTEL_ROOM: Codes = &["hotel_not_found", "room_not_found"];
    const PLAN: Codes = &["hotel_not_found", "room_not_found", "rate_plan_not_found"];
    const BOOKING: Codes = &["booking_not_found"];
    const SESSION: Codes = &["payment_session_not_found"];
    check_status(
        "404",
        Answered::Only(&[
            ("GET", "/hotels/{hotel_id}/info", HOTEL),
            ("GET", "/hotels/{hotel_id}/quote", PLAN),
            ("GET", "/hotels/{hotel_id}/calendar", HOTEL),
            ("PUT", "/users/guests/{guest_id}", &["guest_not_found"]),
            ("DELETE", "/users/guests/{guest_id}", &["guest_not_found"]),
            ("POST", "/bookings/init", PLAN),
            ("GET", "/bookings/{booking_id}", BOOKING),
            ("POST", "/bookings/{booking_id}/addGuests", &["booking_not_found", "guest_not_found"]),
            ("POST", "/bookings/{booking_id}/payments", BOOKING),
            ("POST", "/bookings/{booking_id}/cancel", BOOKING),
            ("GET", "/bookings/{booking_id}/status", BOOKING),
            ("GET", "/bookings/{booking_id}/history", BOOKING),
            ("GET", "/payments/simulated/{session_id}", SESSION),
            ("POST", "/payments/simulated/{session_id}/complete", SESSION),
            ("POST", "/payments/simulated/{session_id}/cancel", SESSION),
            ("GET", "/admin/hotels/{hotel_id}", HOTEL),
            ("PUT", "/admin/hotels/{hotel_id}", HOTEL),
            ("DELETE", "/admin/hotels/{hotel_id}", HOTEL),
            ("PATCH", "/admin/hotels/{hotel_id}/activate", HOTEL),
            ("PATCH", "/admin/hotels/{hotel_id}/deactivate", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/bookings", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/reports", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/reports/revenue", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/history", HOTEL),
            ("POST", "/admin/hotels/{hotel_id}/rooms", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/rooms", HOTEL),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}", HOTEL_ROOM),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", HOTEL_ROOM),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}", HOTEL_ROOM),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", HOTEL_ROOM),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", HOTEL_ROOM),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", PLAN),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", PLAN),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", PLAN),
            ("GET", "/admin/inventory/rooms/{room_id}", &["room_not_found"]),
            ("PATCH", "/admin/inventory/rooms/{room_id}", &["room_not_found"]),
        ]),
    );
}

#[test]
fn status_409_conflicts() {
    const BOOKING_STATE: Codes = &["booking_expired", "invalid_booking_state"];
    check_status(
        "409",
        Answered::Only(&[
            ("POST", "/users/guests", &["limit_exceeded"]),
            (
                "POST",
                "/bookings/init",
                &[
                    "limit_exceeded",
                    "room_unavailable",
                    "rate_plan_inactive",
                    "stay_restricted",
                    "min_stay_not_met",
                    "max_stay_exceeded",
                    "closed_to_arrival",
                    "closed_to_departure",
                    "idempotency_key_in_use",
                ],
            ),
            ("POST", "/bookings/{booking_id}/addGuests", BOOKING_STATE),
            (
                "POST",
                "/bookings/{booking_id}/payments",
                &["booking_expired", "invalid_booking_state", "idempotency_key_in_use"],
            ),
            ("POST", "/bookings/{booking_id}/cancel", BOOKING_STATE),
            ("POST", "/payments/simulated/{session_id}/complete", &["invalid_booking_state"]),
            ("POST", "/payments/simulated/{session_id}/cancel", &["invalid_booking_state"]),
            ("DELETE", "/admin/hotels/{hotel_id}", &["has_active_bookings"]),
            ("POST", "/admin/hotels/{hotel_id}/rooms", &["limit_exceeded"]),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", &["inventory_conflict"]),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}", &["has_active_bookings"]),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", &["rate_plan_code_taken"]),
            (
                "PUT",
                "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}",
                &["rate_plan_code_taken", "default_rate_plan"],
            ),
            (
                "DELETE",
                "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}",
                &["has_active_bookings", "default_rate_plan"],
            ),
            ("PATCH", "/admin/inventory/rooms/{room_id}", &["inventory_conflict"]),
        ]),
    );
}

#[test]
fn status_413_body_too_large() {
    // Checked on `Content-Length` for every routed request, before anything else but routing (API.md §1.5).
    check_status("413", Answered::AllBut(&[], &["payload_too_large"]));
}

#[test]
fn status_415_media_type() {
    const C: Codes = &["unsupported_media_type"];
    check_status(
        "415",
        Answered::Only(&[
            ("POST", "/auth/signup", C),
            ("POST", "/auth/login", C),
            ("POST", "/auth/refresh", C),
            ("POST", "/auth/logout", C),
            ("PATCH", "/users/profile", C),
            ("POST", "/users/guests", C),
            ("PUT", "/users/guests/{guest_id}", C),
            ("POST", "/bookings/init", C),
            ("POST", "/bookings/{booking_id}/addGuests", C),
            ("POST", "/admin/hotels", C),
            ("PUT", "/admin/hotels/{hotel_id}", C),
            ("POST", "/admin/hotels/{hotel_id}/rooms", C),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", C),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", C),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", C),
            ("PATCH", "/admin/inventory/rooms/{room_id}", C),
        ]),
    );
}

#[test]
fn status_422_validation() {
    const V: Codes = &["validation_error"];
    const IDEMPOTENT: Codes = &["validation_error", "idempotency_key_reused"];
    check_status(
        "422",
        Answered::Only(&[
            ("POST", "/auth/signup", V),
            ("POST", "/auth/login", V),
            ("POST", "/auth/refresh", V),
            ("GET", "/hotels/search", V),
            ("GET", "/hotels/{hotel_id}/info", V),
            ("GET", "/hotels/{hotel_id}/quote", V),
            ("GET", "/hotels/{hotel_id}/calendar", V),
            ("PATCH", "/users/profile", V),
            ("GET", "/users/myBookings", V),
            ("GET", "/users/guests", V),
            ("POST", "/users/guests", V),
            ("PUT", "/users/guests/{guest_id}", V),
            ("DELETE", "/users/guests/{guest_id}", V),
            ("POST", "/bookings/init", IDEMPOTENT),
            ("GET", "/bookings/{booking_id}", V),
            ("POST", "/bookings/{booking_id}/addGuests", V),
            ("POST", "/bookings/{booking_id}/payments", IDEMPOTENT),
            ("POST", "/bookings/{booking_id}/cancel", V),
            ("GET", "/bookings/{booking_id}/status", V),
            ("GET", "/bookings/{booking_id}/history", V),
            ("GET", "/admin/hotels/{hotel_id}/history", V),
            ("POST", "/admin/hotels", V),
            ("GET", "/admin/hotels", V),
            ("GET", "/admin/hotels/{hotel_id}", V),
            ("PUT", "/admin/hotels/{hotel_id}", V),
            ("DELETE", "/admin/hotels/{hotel_id}", V),
            ("PATCH", "/admin/hotels/{hotel_id}/activate", V),
            ("PATCH", "/admin/hotels/{hotel_id}/deactivate", V),
            ("GET", "/admin/hotels/{hotel_id}/bookings", V),
            ("GET", "/admin/hotels/{hotel_id}/reports/revenue", V),
            ("GET", "/admin/hotels/{hotel_id}/reports", V),
            ("POST", "/admin/hotels/{hotel_id}/rooms", V),
            ("GET", "/admin/hotels/{hotel_id}/rooms", V),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}", V),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}", V),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}", V),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", V),
            ("POST", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans", V),
            ("GET", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", V),
            ("PUT", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", V),
            ("DELETE", "/admin/hotels/{hotel_id}/rooms/{room_id}/rate-plans/{rate_plan_id}", V),
            ("GET", "/admin/inventory/rooms/{room_id}", V),
            ("PATCH", "/admin/inventory/rooms/{room_id}", V),
        ]),
    );
}

#[test]
fn status_429_rate_limit() {
    // Every route but the exempt ones (API.md §3.5); login adds its lockout. The login entry is checked below.
    check_status(
        "429",
        Answered::AllBut(
            &[
                ("GET", "/"),
                ("GET", "/health"),
                ("GET", "/ready"),
                ("GET", "/ready/read"),
                ("GET", "/metrics"),
                ("POST", "/webhooks/stripe"),
                ("POST", "/webhook/payment"),
            ],
            &["rate_limited"],
        ),
    );
    let doc = doc();
    let d = doc["paths"]["/auth/login"]["post"]["responses"]["429"]["description"].as_str().unwrap_or("");
    assert!(d.contains("`too_many_login_attempts`"), "{d}");
}

#[test]
fn status_500_internal() {
    check_status("500", Answered::AllBut(&[], &["internal"]));
}

#[test]
fn status_502_payment_provider() {
    check_status("502", Answered::Only(&[("POST", "/bookings/{booking_id}/payments", &["payment_gateway_error"])]));
}

#[test]
fn status_503_database() {
    check_status(
        "503",
        Answered::AllBut(&[("GET", "/"), ("GET", "/health"), ("GET", "/metrics")], &["service_unavailable"]),
    );
}

#[test]
fn cached_reads_document_304_and_validators() {
    let doc = doc();
    for p in ["/hotels/search", "/hotels/{hotel_id}/info"] {
        let op = &doc["paths"][p]["get"];
        assert!(op["responses"]["304"].is_object(), "{p}: 304");
        assert!(op["responses"]["200"]["headers"]["ETag"].is_object(), "{p}: ETag");
        assert!(op["responses"]["200"]["headers"]["Cache-Control"].is_object(), "{p}: Cache-Control");
        let params: Vec<&str> =
            op["parameters"].as_array().into_iter().flatten().filter_map(|x| x["name"].as_str()).collect();
        assert!(params.contains(&"If-None-Match"), "{p}: If-None-Match");
    }
}
