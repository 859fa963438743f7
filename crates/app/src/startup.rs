//! Wiring: adapters → services → HTTP state; the server and its background jobs.

use crate::calendar_cache::{CalendarCache, Invalidator};
use crate::config::{Config, Gateway, StoreKind};
use crate::jobs;
use crate::read_model::{Modelled, ReadModel};
use actix_web::dev::Service;
use actix_web::http::Method;
use adapter_auth::{Argon2Hasher, JwtConfig, JwtIssuer};
use adapter_http::{AppState, HttpConfig, RateLimiter, Readiness};
use adapter_memory::InMemoryStore;
use adapter_postgres::{HoldBatching, PgStore, SessionSettings};
use adapter_stripe::{SimulatedGateway, StripeGateway, StripeSettings, StripeWebhookVerifier};
use async_trait::async_trait;
use domain::ports::*;
use domain::services::*;
use std::net::TcpListener;
use std::sync::Arc;

/// The primary's readiness, and the read replica's lag (with its threshold) when one is configured.
struct PgReadiness(PgStore, Option<(Arc<crate::replica::ReplicaHealth>, i64)>);

#[async_trait]
impl Readiness for PgReadiness {
    async fn ready(&self) -> bool {
        self.0.ready().await
    }
    fn pool(&self) -> (usize, usize) {
        self.0.pool_status()
    }
    fn read_replica(&self) -> Option<adapter_http::ReplicaStatus> {
        self.1.as_ref().map(|(h, max)| h.status(*max))
    }
}

struct MemoryReadiness;

#[async_trait]
impl Readiness for MemoryReadiness {
    async fn ready(&self) -> bool {
        true
    }
}

/// The store behind the server, for the jobs and commands that are not use cases (migrations, pruning).
#[derive(Clone)]
pub enum StoreHandle {
    Postgres(PgStore),
    /// `STORE=memory`: nothing to migrate or prune.
    Memory(Arc<InMemoryStore>),
}

impl StoreHandle {
    /// Applies pending migrations, then gives hotels stored without a currency `currency` (the deployment's
    /// `CURRENCY`); the number of migrations applied.
    pub async fn migrate(&self, currency: &domain::model::Currency) -> domain::Result<usize> {
        match self {
            StoreHandle::Postgres(s) => {
                let n = s.migrate().await?;
                s.backfill_hotel_currency(currency).await?;
                Ok(n)
            }
            StoreHandle::Memory(_) => Ok(0),
        }
    }
    /// Deletes expired housekeeping rows; the number deleted.
    pub async fn prune(&self, now: chrono::DateTime<chrono::Utc>, login_window_secs: i64) -> domain::Result<usize> {
        match self {
            StoreHandle::Postgres(s) => s.prune(now, login_window_secs).await,
            StoreHandle::Memory(_) => Ok(0),
        }
    }
    /// The PostgreSQL store, when that is the one in use.
    pub fn postgres(&self) -> Option<&PgStore> {
        match self {
            StoreHandle::Postgres(s) => Some(s),
            StoreHandle::Memory(_) => None,
        }
    }
}

/// Everything wired, ready to serve.
pub struct Wired {
    pub state: AppState,
    pub store: StoreHandle,
    pub bookings: Arc<BookingService>,
    pub catalog: Arc<CatalogService>,
    pub auth: Arc<AuthService>,
    /// Drops cached calendars when the change feed tells of changes (the server starts the feed).
    pub calendar_invalidator: Invalidator,
    /// The per-replica read model (PostgreSQL with `READ_MODEL` on); the server starts its feed and task.
    pub read_model: Option<Arc<ReadModel>>,
    /// The outbox (the relay reads it, the jobs prune it).
    pub events: Arc<dyn EventLog>,
    /// Whether this process runs the outbox relay (`NATS_URL` set): pruning then spares unpublished events.
    pub relay_on: bool,
    /// `OUTBOX_RETENTION_DAYS`.
    pub outbox_retention_days: i64,
    /// The read replica and its health, when `DATABASE_READ_URL` is set (the server starts its lag monitor).
    pub replica: Option<(PgStore, Arc<crate::replica::ReplicaHealth>)>,
}

/// Passes the change feed on to every listener.
struct Fanout(Vec<Arc<dyn adapter_postgres::CatalogListener>>);

impl adapter_postgres::CatalogListener for Fanout {
    fn feed(&self, live: bool) {
        self.0.iter().for_each(|l| l.feed(live));
    }
    fn changed(&self, change: adapter_postgres::CatalogChange) {
        self.0.iter().for_each(|l| l.changed(change.clone()));
    }
}

/// Every port a store implements (PostgreSQL and the in-memory store both do).
pub trait Store:
    UserRepository
    + GuestRepository
    + CatalogStore
    + BookingRepository
    + IdempotencyStore
    + SimulatedSessionStore
    + EventLog
    + 'static
{
}
impl<T> Store for T where
    T: UserRepository
        + GuestRepository
        + CatalogStore
        + BookingRepository
        + IdempotencyStore
        + SimulatedSessionStore
        + EventLog
        + 'static
{
}

/// Builds the adapters and services from the configuration (no I/O happens until first use).
pub fn wire(config: &Config, clock: Arc<dyn Clock>) -> Result<Wired, String> {
    if config.store == StoreKind::Memory {
        tracing::warn!("STORE=memory: nothing is persisted; for development and tests only");
        let store = InMemoryStore::shared();
        return assemble(
            config,
            clock,
            store.clone(),
            store.clone(),
            Arc::new(MemoryReadiness),
            StoreHandle::Memory(store),
            None,
        );
    }
    // Connections are opened on the runtime that wires the app (the main multi-thread runtime), not on whichever
    // actix worker first needs one.
    let runtime = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
    let size = config.database_pool_size;
    let session = SessionSettings {
        statement_timeout_ms: config.database_statement_timeout_ms,
        lock_timeout_ms: config.database_lock_timeout_ms,
    };
    let pool = |name: &str, url: &str| {
        let store =
            PgStore::connect_with(url, size, session, Some(runtime.clone())).map_err(|e| format!("{name}: {e}"))?;
        if config.production && !store.ssl_mode().verifies() {
            tracing::warn!(
                sslmode = store.ssl_mode().as_str(),
                "{name} does not verify the database server's certificate; use sslmode=verify-full in production"
            );
        }
        Ok::<_, String>(store)
    };
    let batching = HoldBatching { max_batch: config.hold_batch_max, runners: config.hold_batch_runners };
    let store = pool("DATABASE_URL", config.database_url.expose())?.with_hold_batching(batching);
    // Search on the read replica while it keeps up (crate::replica); without one, on the primary.
    let (read, replica): (Arc<dyn CatalogQueries>, _) = match &config.database_read_url {
        Some(url) => {
            let replica_store = pool("DATABASE_READ_URL", url.expose())?;
            let health = Arc::new(crate::replica::ReplicaHealth::default());
            let gate = crate::replica::ReplicaGate {
                replica: Arc::new(replica_store.clone()),
                primary: Arc::new(store.clone()),
                health: health.clone(),
            };
            (Arc::new(gate), Some((replica_store, health)))
        }
        None => (Arc::new(store.clone()), None),
    };
    let monitored = replica.as_ref().map(|(_, h)| (Arc::clone(h), config.replica_max_lag_ms));
    let readiness = Arc::new(PgReadiness(store.clone(), monitored));
    // The read model reads the primary: the change feed comes from it, and a standby may lag behind its notices.
    let marker: Arc<dyn crate::read_model::SyncMarker> = Arc::new(store.clone());
    let model = config.read_model.then(|| ReadModel::new(Arc::new(store.clone()), Some(marker)));
    let handle = StoreHandle::Postgres(store.clone());
    let mut wired = assemble(config, clock, Arc::new(store), read, readiness, handle, model)?;
    wired.replica = replica;
    Ok(wired)
}

/// The services and HTTP state over one store (`read` serves search, possibly from a replica).
fn assemble<S: Store>(
    config: &Config,
    clock: Arc<dyn Clock>,
    repo: Arc<S>,
    read: Arc<dyn CatalogQueries>,
    readiness: Arc<dyn Readiness>,
    handle: StoreHandle,
    read_model: Option<Arc<ReadModel>>,
) -> Result<Wired, String> {
    let tokens: Arc<dyn TokenIssuer> = Arc::new(JwtIssuer::new(JwtConfig {
        secret: config.jwt_secret.expose().as_bytes().to_vec(),
        issuer: config.jwt_issuer.clone(),
        audience: config.jwt_audience.clone(),
        access_minutes: config.access_token_minutes,
        refresh_days: config.refresh_token_days,
    }));
    let auth = Arc::new(AuthService::new(
        repo.clone(),
        repo.clone(),
        Arc::new(Argon2Hasher::default()),
        tokens.clone(),
        clock.clone(),
        AuthConfig { login_max_failures: config.login_max_failures, login_window_minutes: config.login_window_minutes },
    ));
    let calendars =
        Arc::new(CalendarCache::new(repo.clone(), std::time::Duration::from_millis(config.calendar_cache_ms)));
    let calendar_invalidator = calendars.invalidator();
    // With a read model, browse queries and search are answered from memory while it serves.
    // The booking service's room offers for holds skip read-your-writes (ReadModel::hold_offer).
    let (queries, search, offers): (Arc<dyn CatalogQueries>, Arc<dyn CatalogQueries>, Arc<dyn CatalogQueries>) =
        match &read_model {
            Some(model) => (
                Arc::new(Modelled::new(model.clone(), calendars.clone())),
                Arc::new(Modelled::new(model.clone(), read)),
                Arc::new(Modelled::for_holds(model.clone(), calendars)),
            ),
            None => (calendars.clone(), read, calendars),
        };
    let catalog = Arc::new(
        CatalogService::new(
            repo.clone(),
            repo.clone(),
            queries.clone(),
            search,
            clock.clone(),
            config.pricing.clone(),
            config.max_stay_nights,
        )
        .with_default_currency(config.currency.clone()),
    );
    let gateway: Arc<dyn PaymentGateway> = match config.payment_gateway {
        Gateway::Simulated => Arc::new(SimulatedGateway::new(repo.clone(), &config.public_base_url)),
        Gateway::Stripe => Arc::new(StripeGateway::new(StripeSettings {
            secret_key: config.stripe_secret_key.expose().to_string(),
            api_base: config.stripe_api_base.clone(),
            frontend_url: config.frontend_url.clone(),
            breaker_threshold: 5,
            breaker_cool_down: std::time::Duration::from_secs(30),
            // The caller's `traceparent`, continued on every Stripe call made while serving its request.
            trace_context: || {
                adapter_http::middleware::current_traceparent()
                    .map(|tp| adapter_stripe::TraceContext { trace_id: tp.trace_id, flags: tp.flags })
            },
        })?),
    };
    let bookings = Arc::new(
        BookingService::new(
            repo.clone(),
            repo.clone(),
            gateway,
            clock.clone(),
            config.pricing.clone(),
            BookingConfig {
                hold_minutes: config.hold_minutes,
                checkout_session_minutes: config.checkout_session_minutes,
                max_stay_nights: config.max_stay_nights,
                max_active_holds: config.max_active_holds_per_user,
                currency: config.currency.clone(),
                refund_max_attempts: 10,
            },
        )
        .with_observer(Arc::new(crate::observer::MetricsObserver))
        .with_offers(offers),
    );
    let simulated = (config.payment_gateway == Gateway::Simulated)
        .then(|| Arc::new(SimulatedCheckout::new(repo.clone(), repo.clone(), bookings.clone(), clock.clone())));
    let history = Arc::new(HistoryService::new(repo.clone(), repo.clone(), repo.clone()));
    let state = AppState {
        auth: auth.clone(),
        catalog: catalog.clone(),
        bookings: bookings.clone(),
        history,
        idempotency: repo.clone(),
        simulated: simulated.map(|s| s as Arc<dyn CheckoutUseCases>),
        webhooks: Arc::new(StripeWebhookVerifier::new(config.stripe_webhook_secret.expose())),
        tokens,
        clock,
        readiness,
        config: Arc::new(HttpConfig {
            max_body_bytes: config.max_body_bytes,
            webhook_max_body_bytes: 512 * 1024,
            cors_origins: config.cors_origins.clone(),
            rate_limit_per_minute: config.rate_limit_per_minute,
            trust_proxy: config.trust_proxy,
            frontend_url: config.frontend_url.clone(),
            metrics_token: config.metrics_token.as_ref().map(|s| s.expose().to_string()),
            refresh_token_days: config.refresh_token_days,
        }),
        metrics: crate::telemetry::metrics_handle(),
    };
    Ok(Wired {
        state,
        store: handle,
        bookings,
        catalog,
        auth,
        calendar_invalidator,
        read_model,
        events: repo.clone(),
        relay_on: config.nats_url.is_some(),
        outbox_retention_days: config.outbox_retention_days,
        replica: None,
    })
}

/// A running server.
pub struct Running {
    pub port: u16,
    pub server: actix_web::dev::ServerHandle,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub jobs: tokio::task::JoinHandle<()>,
    /// The outbox relay's task, when `NATS_URL` is set.
    pub relay: Option<tokio::task::JoinHandle<()>>,
    /// The accounts service of this server (tests grant roles through it, on the server's own store).
    pub auth: Arc<AuthService>,
}

/// Migrates (when configured), binds `listener`, starts the HTTP server and the background jobs on the current
/// tokio runtime (which must be multi-threaded).
pub async fn start(config: Config, listener: TcpListener) -> Result<Running, String> {
    let wired = wire(&config, Arc::new(SystemClock))?;
    if config.auto_migrate {
        let n = wired.store.migrate(&config.currency).await.map_err(|e| format!("migrations failed: {e}"))?;
        tracing::info!(applied = n, "migrations applied");
    }
    // The catalog change feed keeps the cached calendars coherent (PostgreSQL only; the listening task lives on
    // this runtime for as long as the process).
    if let Some(pg) = wired.store.postgres() {
        let mut listeners: Vec<Arc<dyn adapter_postgres::CatalogListener>> =
            vec![Arc::new(wired.calendar_invalidator.clone())];
        if let Some(model) = &wired.read_model {
            model.start();
            listeners.push(model.clone());
        }
        pg.listen_catalog(Arc::new(Fanout(listeners)));
    }
    let model = wired.read_model.clone();
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let state = actix_web::web::Data::new(wired.state.clone());
    let limiter = actix_web::web::Data::new(RateLimiter::new(config.rate_limit_per_minute));
    let api = adapter_http::openapi();
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2);
    let server = actix_web::HttpServer::new(move || {
        let model = model.clone();
        adapter_http::build_app(state.clone(), limiter.clone(), api.clone()).wrap_fn(move |req, srv| {
            // A write served here that may change the catalog (hotels, rooms, plans, inventory, bookings and
            // their payments) makes the read model step aside until it has caught up with it; a manager's
            // (/admin) also makes holds' offers wait for it. Accounts and saved guests never touch what the model
            // holds.
            let path = req.path();
            let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
                && !path.starts_with("/auth/")
                && !path.starts_with("/users/");
            let catalog = path.starts_with("/admin/");
            let model = model.clone();
            let call = srv.call(req);
            async move {
                let res = call.await;
                if writes && let Some(m) = &model {
                    if catalog { m.local_catalog_write() } else { m.local_write() }
                }
                res
            }
        })
    })
    .workers(workers)
    .shutdown_timeout(10)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    let auth = wired.auth.clone();
    if let Some((replica, health)) = &wired.replica {
        tokio::spawn(health.clone().monitor(replica.clone(), config.replica_max_lag_ms));
    }
    let mut relay_task = None;
    if let Some(url) = &config.nats_url {
        // The outbox relay (docs/EVENTS.md): connects in the background, retrying while NATS is down.
        let settings =
            adapter_nats::NatsSettings { stream: config.nats_stream.clone(), ..adapter_nats::NatsSettings::new(url) };
        let (events, lease) = (wired.events.clone(), wired.store.postgres().cloned());
        relay_task = Some(tokio::spawn(async move {
            let publisher = loop {
                match adapter_nats::NatsPublisher::connect(settings.clone()).await {
                    Ok(p) => break Arc::new(p),
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox relay: NATS unreachable; retrying in 5 s");
                        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    }
                }
            };
            let relay = domain::services::OutboxRelay::new(events, publisher.clone(), Arc::new(SystemClock), 500);
            crate::relay::run(relay, publisher, lease).await;
        }));
    }
    let jobs = tokio::spawn(jobs::run(wired, config.sweep_interval_seconds, config.login_window_minutes * 60));
    tracing::info!(port, "listening");
    Ok(Running { port, server: handle, task, jobs, relay: relay_task, auth })
}
