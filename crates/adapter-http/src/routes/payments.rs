//! The provider webhook and the simulated gateway's hosted page.

use super::json;
use crate::dto::WebhookAck;
use crate::error::{ApiError, ApiResult, ErrorResponse};
use crate::extract::read_body;
use crate::openapi::{Internal, PayloadTooLarge, RateLimited, Unavailable};
use crate::requests::{SessionPath, StripeEvent};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::model::BookingId;
use domain::ports::EventOutcome;
use domain::services::CheckoutUseCases;
use std::sync::Arc;

#[utoipa::path(post, path = "/webhooks/stripe", tag = "payments", operation_id = "stripeWebhook",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`")),
    request_body(content = StripeEvent, description = "The raw provider event (≤ 512 KiB, any `Content-Type`); \
        verified against `Stripe-Signature` before it is parsed"),
    responses(
        (status = 200, description = "Processed, or a duplicate, ignored or unmatched event", body = WebhookAck),
        (status = 400, description = "`invalid_signature` or `invalid_payload`", body = ErrorResponse),
        (status = 413, description = "`payload_too_large`: the event is over 512 KiB", body = ErrorResponse),
        Internal, Unavailable,
    ))]
pub async fn webhook(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> ApiResult<HttpResponse> {
    let mut inner = payload.into_inner();
    let body = read_body(&mut inner, state.config.webhook_max_body_bytes).await?;
    let sig = req.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).map(String::from);
    let event = state.webhooks.verify(&body, sig, state.clock.now())?;
    let event_type = event.event_type.clone();
    let outcome = state.bookings.handle_payment_event(event).await?;
    metrics::counter!("webhook_events_total", "type" => event_type, "outcome" => metric_label(&outcome)).increment(1);
    Ok(json(StatusCode::OK, &WebhookAck { status: "success" }))
}

#[utoipa::path(post, path = "/webhook/payment", tag = "payments", operation_id = "paymentWebhookAlias",
    description = "The earlier backend's path of `POST /webhooks/stripe`; identical behaviour.",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`")),
    request_body(content = StripeEvent, description = "The raw provider event (≤ 512 KiB, any `Content-Type`)"),
    responses(
        (status = 200, description = "Processed, or a duplicate, ignored or unmatched event", body = WebhookAck),
        (status = 400, description = "`invalid_signature` or `invalid_payload`", body = ErrorResponse),
        (status = 413, description = "`payload_too_large`: the event is over 512 KiB", body = ErrorResponse),
        Internal, Unavailable,
    ))]
pub async fn webhook_alias(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    webhook(req, state, payload).await
}

fn simulated(state: &AppState) -> ApiResult<Arc<dyn CheckoutUseCases>> {
    state.simulated.clone().ok_or(ApiError::NotFound)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn session_id(req: &HttpRequest) -> String {
    SessionPath::parse(req).session_id
}

#[utoipa::path(get, path = "/payments/simulated/{session_id}", tag = "payments", operation_id = "simulatedCheckoutPage",
    description = "Only with `PAYMENT_GATEWAY=simulated`.",
    params(SessionPath),
    responses(
        (status = 200, description = "Checkout page with Pay and Cancel forms", content_type = "text/html",
            body = String),
        (status = 404, description = "`payment_session_not_found`", body = ErrorResponse),
        PayloadTooLarge, RateLimited, Internal, Unavailable,
    ))]
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let sim = simulated(&state)?;
    let id = session_id(&req);
    let (s, b) = sim.page(&id).await?;
    let id = escape(&s.id);
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>staybook checkout</title></head>
<body>
<h1>Simulated checkout</h1>
<dl>
<dt>Booking</dt><dd id="booking-id">{booking}</dd>
<dt>Hotel</dt><dd id="hotel">{hotel}</dd>
<dt>Room</dt><dd id="room">{room}</dd>
<dt>Dates</dt><dd id="dates">{ci} to {co}</dd>
<dt>Amount</dt><dd id="amount">{amount} {currency}</dd>
<dt>Status</dt><dd id="status">{status}</dd>
</dl>
<form method="post" action="/payments/simulated/{id}/complete"><button type="submit">Pay</button></form>
<form method="post" action="/payments/simulated/{id}/cancel"><button type="submit">Cancel</button></form>
</body></html>"#,
        booking = b.id,
        hotel = escape(&b.hotel_name),
        room = escape(&b.room_type),
        ci = b.check_in_date,
        co = b.check_out_date,
        amount = s.amount,
        currency = escape(&s.currency),
        status = escape(&s.status),
    );
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}

fn see_other(state: &AppState, booking_id: BookingId, what: &str) -> HttpResponse {
    let url = format!("{}/booking/{booking_id}/{what}", state.config.frontend_url.trim_end_matches('/'));
    HttpResponse::SeeOther().insert_header((header::LOCATION, url)).finish()
}

#[utoipa::path(post, path = "/payments/simulated/{session_id}/complete", tag = "payments",
    operation_id = "simulatedCheckoutComplete",
    description = "Pays the session, like a paid `checkout.session.completed`. Only with `PAYMENT_GATEWAY=simulated`; \
        any body is ignored.",
    params(SessionPath),
    responses(
        (status = 303, description = "To `{FRONTEND_URL}/booking/{id}/success` (also when already complete)",
            headers(("Location" = String))),
        (status = 404, description = "`payment_session_not_found`", body = ErrorResponse),
        (status = 409, description = "`invalid_booking_state`: the session is no longer open", body = ErrorResponse),
        PayloadTooLarge, RateLimited, Internal, Unavailable,
    ))]
pub async fn complete(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let sim = simulated(&state)?;
    let out = sim.complete(&session_id(&req)).await?;
    Ok(see_other(&state, out.booking_id, "success"))
}

#[utoipa::path(post, path = "/payments/simulated/{session_id}/cancel", tag = "payments",
    operation_id = "simulatedCheckoutCancel",
    description = "Fails the payment, like `checkout.session.async_payment_failed`. Only with \
        `PAYMENT_GATEWAY=simulated`; any body is ignored.",
    params(SessionPath),
    responses(
        (status = 303, description = "To `{FRONTEND_URL}/booking/{id}/cancel` (also when already cancelled or expired)",
            headers(("Location" = String))),
        (status = 404, description = "`payment_session_not_found`", body = ErrorResponse),
        (status = 409, description = "`invalid_booking_state`: the session was already paid", body = ErrorResponse),
        PayloadTooLarge, RateLimited, Internal, Unavailable,
    ))]
pub async fn cancel(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let sim = simulated(&state)?;
    let out = sim.cancel(&session_id(&req)).await?;
    Ok(see_other(&state, out.booking_id, "cancel"))
}

/// The `outcome` label of the webhook metric.
fn metric_label(o: &EventOutcome) -> &'static str {
    match o {
        EventOutcome::Duplicate => "duplicate",
        EventOutcome::Confirmed(_) => "confirmed",
        EventOutcome::LateRehold(_) => "late_rehold",
        EventOutcome::RefundQueued(_) | EventOutcome::DuplicatePayment { .. } => "refund_queued",
        EventOutcome::Cancelled(_) => "cancelled",
        EventOutcome::Expired(_) => "expired",
        EventOutcome::NoEffect | EventOutcome::Ignored => "ignored",
        EventOutcome::Unmatched => "unmatched",
    }
}
