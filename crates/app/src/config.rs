//! Typed configuration from environment variables (API.md §6), validated at start.

use chrono::NaiveDate;
use domain::model::Currency;
use domain::pricing::{PricingPolicy, Strategy};
use std::collections::HashMap;
use std::fmt;

/// A secret that never prints.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// Which payment provider to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gateway {
    Stripe,
    Simulated,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Which store backs the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// PostgreSQL at `DATABASE_URL`.
    Postgres,
    /// The in-memory store: nothing persists; refused when `APP_ENV=production`.
    Memory,
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub production: bool,
    /// `STORE`: PostgreSQL (default) or the in-memory store (development and tests only).
    pub store: StoreKind,
    pub database_url: Secret,
    pub database_read_url: Option<Secret>,
    /// `REPLICA_MAX_LAG_MS` (5000): past this replication lag, search leaves the read replica for the primary.
    pub replica_max_lag_ms: i64,
    pub database_pool_size: usize,
    /// `HOLD_BATCH_MAX` (16): most concurrent holds written in one transaction (group commit); 1 = off.
    pub hold_batch_max: usize,
    /// `HOLD_BATCH_RUNNERS` (2): most hold batches written at once, each on one pooled connection.
    pub hold_batch_runners: usize,
    /// `statement_timeout` of every pooled connection, in ms (0 = not set: the server's default applies).
    pub database_statement_timeout_ms: u64,
    /// `lock_timeout` of every pooled connection, in ms (0 = not set).
    pub database_lock_timeout_ms: u64,
    pub auto_migrate: bool,
    pub bind_addr: String,
    pub port: u16,
    pub public_base_url: String,
    pub frontend_url: String,
    pub cors_origins: Vec<String>,
    pub jwt_secret: Secret,
    /// `true` when the secret was generated for this process (development only).
    pub jwt_secret_generated: bool,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    pub payment_gateway: Gateway,
    pub stripe_secret_key: Secret,
    pub stripe_webhook_secret: Secret,
    pub stripe_api_base: String,
    pub currency: Currency,
    pub hold_minutes: i64,
    pub checkout_session_minutes: i64,
    pub max_stay_nights: u32,
    /// `CALENDAR_CACHE_MS` (3000): how long a replica reuses a hotel's calendar rows (0 = never).
    pub calendar_cache_ms: u64,
    /// Serve search, hotel info, quotes and calendars from the per-replica read model (PostgreSQL only; default
    /// on). `READ_MODEL=false` sends every query to the database.
    pub read_model: bool,
    /// `NATS_URL`: the NATS server the outbox relay publishes to (none: the relay is off, events stay in the
    /// outbox as history until `OUTBOX_RETENTION_DAYS`).
    pub nats_url: Option<String>,
    /// `NATS_STREAM` (STAYBOOK): the JetStream stream of the events (subjects `staybook.>`).
    pub nats_stream: String,
    /// `OUTBOX_RETENTION_DAYS` (90): events older than this are pruned (published ones; every one when the relay
    /// is off); the audit history goes back as far.
    pub outbox_retention_days: i64,
    pub max_active_holds_per_user: i64,
    pub pricing: PricingPolicy,
    pub rate_limit_per_minute: u32,
    pub trust_proxy: bool,
    pub login_max_failures: i32,
    pub login_window_minutes: i64,
    pub max_body_bytes: usize,
    pub sweep_interval_seconds: u64,
    pub metrics_token: Option<Secret>,
    pub log_format: LogFormat,
    pub rust_log: String,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: base URL of an OTLP/HTTP collector (spans go to `<it>/v1/traces` as JSON);
    /// `None`: no export, nothing is built or started. Plain `http://` only: this build has no TLS for it.
    pub otlp_endpoint: Option<String>,
    /// `OTEL_SERVICE_NAME` (default `staybook`): the exported `service.name`.
    pub otel_service_name: String,
}

const PLACEHOLDERS: &[&str] = &[
    "your-super-secret-key-change-in-production",
    "changeme",
    "change-me",
    "secret",
    "your-secret-key",
    "supersecret",
];

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

impl Config {
    /// Reads the process environment (and `.env` in development, without overriding set variables).
    pub fn from_env() -> Result<Config, String> {
        let mut vars: HashMap<String, String> = std::env::vars().collect();
        let production = vars.get("APP_ENV").is_some_and(|v| v == "production");
        if !production && let Ok(text) = std::fs::read_to_string(".env") {
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let line = line.strip_prefix("export ").unwrap_or(line);
                if let Some((k, v)) = line.split_once('=') {
                    let v = v.trim().trim_matches('"').trim_matches('\'');
                    vars.entry(k.trim().to_string()).or_insert_with(|| v.to_string());
                }
            }
        }
        Config::from_vars(&vars)
    }

    /// Builds and validates a configuration from a map of variables.
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Config, String> {
        let get = |k: &str| vars.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        fn parse<T: std::str::FromStr>(name: &str, v: Option<String>, default: T) -> Result<T, String> {
            match v {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| format!("{name} is malformed")),
            }
        }
        fn boolean(name: &str, v: Option<String>, default: bool) -> Result<bool, String> {
            match v.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None => Ok(default),
                Some("true" | "1" | "yes" | "on") => Ok(true),
                Some("false" | "0" | "no" | "off") => Ok(false),
                Some(_) => Err(format!("{name} must be true or false")),
            }
        }
        let production = match get("APP_ENV").as_deref() {
            None | Some("development") => false,
            Some("production") => true,
            Some(_) => return Err("APP_ENV must be development or production".into()),
        };
        let store = match get("STORE").as_deref() {
            None | Some("postgres") => StoreKind::Postgres,
            Some("memory") if production => return Err("STORE=memory is not allowed in production".into()),
            Some("memory") => StoreKind::Memory,
            Some(_) => return Err("STORE must be postgres or memory".into()),
        };
        let database_url = match store {
            StoreKind::Postgres => get("DATABASE_URL").ok_or("DATABASE_URL is required")?,
            StoreKind::Memory => get("DATABASE_URL").unwrap_or_default(),
        };
        let port: u16 = parse("PORT", get("PORT"), 8000)?;
        let frontend_url = get("FRONTEND_URL").unwrap_or_else(|| "http://localhost:3000".into());
        let cors_origins = match vars.get("CORS_ORIGINS") {
            Some(v) => {
                v.split(',').map(|s| s.trim().trim_end_matches('/').to_string()).filter(|s| !s.is_empty()).collect()
            }
            None => origin_of(&frontend_url).into_iter().collect(),
        };
        let (jwt_secret, generated) = match get("JWT_SECRET") {
            Some(s) => (s, false),
            None if production => return Err("JWT_SECRET is required in production".into()),
            None => (format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple()), true),
        };
        if production && (jwt_secret.len() < 32 || PLACEHOLDERS.contains(&jwt_secret.to_ascii_lowercase().as_str())) {
            return Err("JWT_SECRET must be at least 32 bytes and not a placeholder in production".into());
        }
        let stripe_secret_key = get("STRIPE_SECRET_KEY").unwrap_or_default();
        let stripe_webhook_secret = get("STRIPE_WEBHOOK_SECRET").unwrap_or_default();
        let payment_gateway = match get("PAYMENT_GATEWAY").as_deref() {
            None if stripe_secret_key.is_empty() => Gateway::Simulated,
            None | Some("stripe") => Gateway::Stripe,
            Some("simulated") => Gateway::Simulated,
            Some(_) => return Err("PAYMENT_GATEWAY must be stripe or simulated".into()),
        };
        if payment_gateway == Gateway::Stripe && (stripe_secret_key.is_empty() || stripe_webhook_secret.is_empty()) {
            return Err("PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET".into());
        }
        if production && payment_gateway == Gateway::Simulated {
            return Err("the simulated payment gateway is not allowed in production".into());
        }
        let currency_raw = get("CURRENCY").unwrap_or_else(|| "usd".into());
        let currency = Currency::parse(&currency_raw).ok_or("CURRENCY must be an ISO 4217 code with 2 minor digits")?;
        let checkout_session_minutes: i64 = parse("CHECKOUT_SESSION_MINUTES", get("CHECKOUT_SESSION_MINUTES"), 31)?;
        if !(31..=1440).contains(&checkout_session_minutes) {
            return Err("CHECKOUT_SESSION_MINUTES must be within 31..=1440".into());
        }
        let mut strategies = Vec::new();
        for s in get("PRICING_STRATEGIES").unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
            strategies.push(Strategy::parse(s).ok_or_else(|| format!("unknown pricing strategy {s}"))?);
        }
        let mut holidays = Vec::new();
        for d in get("HOLIDAYS").unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
            holidays.push(d.parse::<NaiveDate>().map_err(|_| format!("HOLIDAYS has a malformed date {d}"))?);
        }
        let positive = |name: &str, v: i64| if v > 0 { Ok(v) } else { Err(format!("{name} must be positive")) };
        // PostgreSQL keeps these settings as a 32-bit number of milliseconds.
        let millis = |name: &str, default: u64| -> Result<u64, String> {
            let v: u64 = parse(name, get(name), default)?;
            if v > i32::MAX as u64 {
                return Err(format!("{name} must be at most {} (ms)", i32::MAX));
            }
            Ok(v)
        };
        let cfg = Config {
            production,
            store,
            database_url: Secret::new(database_url),
            database_read_url: get("DATABASE_READ_URL").map(Secret::new),
            replica_max_lag_ms: parse("REPLICA_MAX_LAG_MS", get("REPLICA_MAX_LAG_MS"), 5000)?,
            database_pool_size: parse("DATABASE_POOL_SIZE", get("DATABASE_POOL_SIZE"), 10)?,
            hold_batch_max: parse("HOLD_BATCH_MAX", get("HOLD_BATCH_MAX"), 16)?,
            hold_batch_runners: parse("HOLD_BATCH_RUNNERS", get("HOLD_BATCH_RUNNERS"), 2)?,
            database_statement_timeout_ms: millis("DATABASE_STATEMENT_TIMEOUT_MS", 30_000)?,
            database_lock_timeout_ms: millis("DATABASE_LOCK_TIMEOUT_MS", 5_000)?,
            auto_migrate: boolean("AUTO_MIGRATE", get("AUTO_MIGRATE"), true)?,
            bind_addr: get("BIND_ADDR").unwrap_or_else(|| "0.0.0.0".into()),
            port,
            public_base_url: get("PUBLIC_BASE_URL").unwrap_or_else(|| format!("http://localhost:{port}")),
            frontend_url,
            cors_origins,
            jwt_secret: Secret::new(jwt_secret),
            jwt_secret_generated: generated,
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| "hotel-booking".into()),
            jwt_audience: get("JWT_AUDIENCE").unwrap_or_else(|| "hotel-booking-api".into()),
            access_token_minutes: positive(
                "ACCESS_TOKEN_MINUTES",
                parse("ACCESS_TOKEN_MINUTES", get("ACCESS_TOKEN_MINUTES"), 30)?,
            )?,
            refresh_token_days: positive(
                "REFRESH_TOKEN_DAYS",
                parse("REFRESH_TOKEN_DAYS", get("REFRESH_TOKEN_DAYS"), 7)?,
            )?,
            payment_gateway,
            stripe_secret_key: Secret::new(stripe_secret_key),
            stripe_webhook_secret: Secret::new(stripe_webhook_secret),
            stripe_api_base: get("STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com".into()),
            currency,
            hold_minutes: positive("HOLD_MINUTES", parse("HOLD_MINUTES", get("HOLD_MINUTES"), 15)?)?,
            checkout_session_minutes,
            max_stay_nights: parse("MAX_STAY_NIGHTS", get("MAX_STAY_NIGHTS"), 30)?,
            calendar_cache_ms: parse("CALENDAR_CACHE_MS", get("CALENDAR_CACHE_MS"), 3000)?,
            read_model: boolean("READ_MODEL", get("READ_MODEL"), true)?,
            nats_url: get("NATS_URL").filter(|s| !s.trim().is_empty()),
            nats_stream: get("NATS_STREAM").unwrap_or_else(|| "STAYBOOK".into()),
            outbox_retention_days: positive(
                "OUTBOX_RETENTION_DAYS",
                parse("OUTBOX_RETENTION_DAYS", get("OUTBOX_RETENTION_DAYS"), 90)?,
            )?,
            max_active_holds_per_user: parse("MAX_ACTIVE_HOLDS_PER_USER", get("MAX_ACTIVE_HOLDS_PER_USER"), 5)?,
            pricing: PricingPolicy::new(&strategies, holidays),
            rate_limit_per_minute: parse("RATE_LIMIT_PER_MINUTE", get("RATE_LIMIT_PER_MINUTE"), 120)?,
            trust_proxy: boolean("TRUST_PROXY", get("TRUST_PROXY"), false)?,
            login_max_failures: parse("LOGIN_MAX_FAILURES", get("LOGIN_MAX_FAILURES"), 5)?,
            login_window_minutes: positive(
                "LOGIN_WINDOW_MINUTES",
                parse("LOGIN_WINDOW_MINUTES", get("LOGIN_WINDOW_MINUTES"), 15)?,
            )?,
            max_body_bytes: parse("MAX_BODY_BYTES", get("MAX_BODY_BYTES"), 65536)?,
            sweep_interval_seconds: parse("SWEEP_INTERVAL_SECONDS", get("SWEEP_INTERVAL_SECONDS"), 30)?.max(1),
            metrics_token: get("METRICS_TOKEN").map(Secret::new),
            log_format: match get("LOG_FORMAT").as_deref() {
                None => {
                    if production {
                        LogFormat::Json
                    } else {
                        LogFormat::Pretty
                    }
                }
                Some("pretty") => LogFormat::Pretty,
                Some("json") => LogFormat::Json,
                Some(_) => return Err("LOG_FORMAT must be pretty or json".into()),
            },
            rust_log: get("RUST_LOG").unwrap_or_else(|| "info".into()),
            otlp_endpoint: match get("OTEL_EXPORTER_OTLP_ENDPOINT") {
                None => None,
                Some(url) if url.len() > "http://".len() && url.starts_with("http://") => {
                    Some(url.trim_end_matches('/').to_string())
                }
                Some(_) => {
                    return Err("OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// URL (OTLP export has no TLS in this \
                                build: point it at a local collector or agent)"
                        .into());
                }
            },
            otel_service_name: get("OTEL_SERVICE_NAME").unwrap_or_else(|| "staybook".into()),
        };
        if cfg.max_stay_nights == 0 {
            return Err("MAX_STAY_NIGHTS must be positive".into());
        }
        if !(1..=256).contains(&cfg.hold_batch_max) {
            return Err("HOLD_BATCH_MAX must be between 1 and 256".into());
        }
        if cfg.hold_batch_runners < 1 {
            return Err("HOLD_BATCH_RUNNERS must be at least 1".into());
        }
        if cfg.max_active_holds_per_user < 0 {
            return Err("MAX_ACTIVE_HOLDS_PER_USER must not be negative".into());
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn otlp_export_needs_an_http_endpoint() {
        let c = Config::from_vars(&vars(&[("STORE", "memory")])).unwrap();
        assert_eq!(c.otlp_endpoint, None);
        assert_eq!(c.otel_service_name, "staybook");
        let c = Config::from_vars(&vars(&[
            ("STORE", "memory"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318/"),
            ("OTEL_SERVICE_NAME", "edge"),
        ]))
        .unwrap();
        assert_eq!(c.otlp_endpoint.as_deref(), Some("http://127.0.0.1:4318"));
        assert_eq!(c.otel_service_name, "edge");
        for bad in ["https://collector:4318", "collector:4318", "http://"] {
            let err = Config::from_vars(&vars(&[("STORE", "memory"), ("OTEL_EXPORTER_OTLP_ENDPOINT", bad)]))
                .err()
                .unwrap_or_default();
            assert!(err.contains("OTEL_EXPORTER_OTLP_ENDPOINT"), "{bad}: {err}");
        }
    }

    #[test]
    fn defaults() {
        let c = Config::from_vars(&vars(&[("DATABASE_URL", "postgres://x/y")])).unwrap();
        assert_eq!(c.port, 8000);
        assert_eq!(c.payment_gateway, Gateway::Simulated);
        assert_eq!(c.cors_origins, vec!["http://localhost:3000".to_string()]);
        assert!(c.jwt_secret_generated);
        assert_eq!(c.currency.as_str(), "USD");
        assert_eq!(c.public_base_url, "http://localhost:8000");
        assert_eq!((c.database_statement_timeout_ms, c.database_lock_timeout_ms), (30_000, 5_000));
    }

    #[test]
    fn database_timeouts() {
        let with = |extra: &[(&str, &str)]| {
            let mut v = vars(&[("DATABASE_URL", "postgres://x/y")]);
            v.extend(vars(extra));
            Config::from_vars(&v)
        };
        let c = with(&[("DATABASE_STATEMENT_TIMEOUT_MS", "0"), ("DATABASE_LOCK_TIMEOUT_MS", "250")]).unwrap();
        assert_eq!((c.database_statement_timeout_ms, c.database_lock_timeout_ms), (0, 250));
        assert!(with(&[("DATABASE_STATEMENT_TIMEOUT_MS", "-1")]).is_err());
        assert!(with(&[("DATABASE_LOCK_TIMEOUT_MS", "5s")]).is_err());
        assert!(with(&[("DATABASE_STATEMENT_TIMEOUT_MS", "2147483648")]).is_err());
    }

    #[test]
    fn refuses_unsafe_settings() {
        let base = [("DATABASE_URL", "postgres://x/y")];
        let with = |extra: &[(&str, &str)]| {
            let mut v = vars(&base);
            v.extend(vars(extra));
            Config::from_vars(&v)
        };
        assert!(with(&[("APP_ENV", "production")]).is_err());
        let memory = Config::from_vars(&vars(&[("STORE", "memory")])).unwrap();
        assert_eq!(memory.store, StoreKind::Memory, "no DATABASE_URL needed");
        assert!(Config::from_vars(&vars(&[("STORE", "memory"), ("APP_ENV", "production")])).is_err());
        assert!(with(&[("STORE", "mysql")]).is_err());
        assert!(
            with(&[("APP_ENV", "production"), ("JWT_SECRET", "your-super-secret-key-change-in-production")]).is_err()
        );
        assert!(with(&[("PAYMENT_GATEWAY", "stripe"), ("STRIPE_SECRET_KEY", "sk_test")]).is_err());
        assert!(with(&[("STRIPE_SECRET_KEY", "sk_test")]).is_err(), "stripe by default needs the webhook secret too");
        assert!(with(&[("CURRENCY", "JPY")]).is_err());
        assert!(with(&[("CHECKOUT_SESSION_MINUTES", "30")]).is_err());
        assert!(with(&[("PORT", "eighty")]).is_err());
        assert!(with(&[("PRICING_STRATEGIES", "occupancy,bogus")]).is_err());
        let secret = "0123456789abcdef0123456789abcdef";
        assert!(
            with(&[("APP_ENV", "production"), ("JWT_SECRET", secret), ("PAYMENT_GATEWAY", "simulated")]).is_err(),
            "simulated gateway refused in production"
        );
    }

    #[test]
    fn secrets_never_print() {
        let c =
            Config::from_vars(&vars(&[("DATABASE_URL", "postgres://u:pw@h/d"), ("JWT_SECRET", "topsecret")])).unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("topsecret") && !text.contains("pw@h"));
    }
}
