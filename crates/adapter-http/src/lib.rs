#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod dto;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod input;
pub mod middleware;
pub mod openapi;
mod ratelimit;
pub mod requests;
pub mod routes;
pub mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, web};
pub use middleware::RateLimiter;
pub use state::{AppState, HttpConfig, Readiness, ReplicaStatus};
use utoipa_swagger_ui::SwaggerUi;

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <openapi::ApiDoc as utoipa::OpenApi>::openapi()
}

/// The whole application: routes, docs and middleware. `limiter` is shared by every worker.
pub fn build_app(
    state: web::Data<AppState>,
    limiter: web::Data<RateLimiter>,
    api: utoipa::openapi::OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let simulated = state.simulated.is_some();
    App::new()
        .app_data(state)
        .app_data(limiter)
        .configure(|cfg| routes::configure(cfg, simulated))
        .route(
            "/docs",
            web::get()
                .to(|| async { HttpResponse::Ok().content_type("text/html; charset=utf-8").body(openapi::DOCS_HTML) }),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(routes::not_found))
        .wrap(actix_web::middleware::from_fn(middleware::edge))
}
