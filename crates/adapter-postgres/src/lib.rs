#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod bookings;
mod catalog;
mod changes;
mod connect;
mod error;
mod json;
mod maintenance;
mod misc;
mod outbox;
mod prepared;
mod rows;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::Integer;
use diesel::{IntoSql, OptionalExtension};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use domain::{Error, Result};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

pub use bookings::HoldBatching;
pub use changes::{CATALOG_CHANNEL, CatalogChange, CatalogListener, HotelChange, NightCounts};
pub use connect::{ConnectTarget, SessionSettings, SslMode};
pub use error::{TxError, db_error};
pub use maintenance::{HOT_TABLES, MaintenancePolicy, TableHealth};
pub use outbox::RelayLease;

/// The embedded migrations (`/migrations`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A pool of PostgreSQL connections; implements every repository port.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
    ssl_mode: SslMode,
    /// Where the pool connects (also the change feed's listening connection).
    target: Arc<ConnectTarget>,
    /// Holds waiting to be written together (off unless [`PgStore::with_hold_batching`]).
    holds: Arc<bookings::HoldQueue>,
    runtime: Option<tokio::runtime::Handle>,
}

impl PgStore {
    /// Builds a pool of at most `size` connections with the default [`SessionSettings`] (connections open lazily,
    /// on the calling runtime). The URL's `sslmode`/`sslrootcert` are honoured (see [`ConnectTarget`]).
    pub fn connect(url: &str, size: usize) -> Result<PgStore> {
        Self::connect_with(url, size, SessionSettings::default(), None)
    }

    /// Like [`PgStore::connect`], but every connection is opened on `runtime`, so its socket and driver task live
    /// there. The server passes its multi-thread runtime: a connection opened on one actix worker's
    /// single-threaded runtime would otherwise stall whenever that worker is busy, even when another worker is
    /// the one using it.
    pub fn connect_on(url: &str, size: usize, runtime: tokio::runtime::Handle) -> Result<PgStore> {
        Self::connect_with(url, size, SessionSettings::default(), Some(runtime))
    }

    /// The general form: `session` is applied to every new connection, which is opened on `runtime` when given
    /// (else on whichever runtime asks the pool for it). A malformed URL or an unreadable `sslrootcert` is an
    /// error here, before any connection is attempted.
    pub fn connect_with(
        url: &str,
        size: usize,
        session: SessionSettings,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Result<PgStore> {
        let target = Arc::new(ConnectTarget::parse(url, session).map_err(Error::internal)?);
        let ssl_mode = target.ssl_mode();
        let pool_target = target.clone();
        let runtime_for_holds = runtime.clone();
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        config.custom_setup = Box::new(move |_url: &str| {
            let target = target.clone();
            let runtime = runtime.clone();
            Box::pin(async move {
                match runtime {
                    Some(rt) => rt
                        .spawn(async move { target.establish().await })
                        .await
                        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?,
                    None => target.establish().await,
                }
            })
        });
        let mgr = AsyncDieselConnectionManager::new_with_config(url, config);
        let pool = Pool::builder(mgr).max_size(size.max(1)).build().map_err(Error::internal)?;
        let holds = Arc::new(bookings::HoldQueue::new(HoldBatching::OFF, runtime_for_holds.clone()));
        Ok(PgStore { pool, ssl_mode, target: pool_target, holds, runtime: runtime_for_holds })
    }

    /// Takes concurrent holds together, up to `batching.max_batch` in one transaction (group commit; see
    /// `bookings/batch.rs` and docs/PERFORMANCE.md §12). A lone hold is still its own transaction.
    pub fn with_hold_batching(mut self, batching: HoldBatching) -> PgStore {
        self.holds = Arc::new(bookings::HoldQueue::new(batching, self.runtime.clone()));
        self
    }

    /// The effective `sslmode` of the connections.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    pub(crate) async fn conn(&self) -> Result<Object<AsyncPgConnection>> {
        match tokio::time::timeout(Duration::from_secs(5), self.pool.get()).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "database connection failed");
                Err(Error::Unavailable)
            }
            Err(_) => {
                tracing::warn!("timed out waiting for a database connection");
                Err(Error::Unavailable)
            }
        }
    }

    /// A connection taken out of the pool for good (closed when dropped), with the statement and lock timeouts off:
    /// waiting for another replica's migrations, or a long migration, must not be cut short by them.
    async fn untimed_conn(&self) -> Result<AsyncPgConnection> {
        let mut conn = Object::take(self.conn().await?);
        conn.batch_execute("SET statement_timeout = 0; SET lock_timeout = 0").await.map_err(db_error)?;
        Ok(conn)
    }

    /// Applies pending migrations under an advisory lock, so several replicas starting together migrate once.
    /// Needs a multi-thread tokio runtime.
    pub async fn migrate(&self) -> Result<usize> {
        let mut lock = self.untimed_conn().await?;
        crate::prepared::sql("SELECT pg_advisory_lock(7283640000)").execute(&mut lock).await.map_err(db_error)?;
        let result = async {
            let conn = self.untimed_conn().await?;
            let mut harness = AsyncMigrationHarness::new(conn);
            harness.run_pending_migrations(MIGRATIONS).map(|v| v.len()).map_err(|e| Error::internal(e.to_string()))
        }
        .await;
        let _ = crate::prepared::sql("SELECT pg_advisory_unlock(7283640000)").execute(&mut lock).await;
        result
    }

    /// Gives hotels created before hotels had a currency the deployment's `CURRENCY`; run after [`migrate`]
    /// (a no-op once done). Returns the number of hotels updated.
    ///
    /// [`migrate`]: PgStore::migrate
    pub async fn backfill_hotel_currency(&self, currency: &domain::model::Currency) -> Result<usize> {
        let mut conn = self.conn().await?;
        crate::prepared::sql("UPDATE hotel SET currency = $1 WHERE currency IS NULL")
            .bind::<diesel::sql_types::Text, _>(currency.as_str())
            .execute(&mut conn)
            .await
            .map_err(db_error)
    }

    /// Readiness: `SELECT 1` within 2 s and no pending migration.
    pub async fn ready(&self) -> bool {
        let check = async {
            let mut conn = self.conn().await.ok()?;
            diesel::select(1.into_sql::<Integer>()).get_result::<i32>(&mut conn).await.ok()?;
            let latest = latest_migration_version();
            let found: Option<String> =
                crate::prepared::sql("SELECT version FROM __diesel_schema_migrations WHERE version = $1")
                    .bind::<diesel::sql_types::Text, _>(latest)
                    .get_result::<rows::VersionRow>(&mut conn)
                    .await
                    .optional()
                    .ok()?
                    .map(|r| r.version);
            found.map(|_| ())
        };
        matches!(tokio::time::timeout(Duration::from_secs(2), check).await, Ok(Some(())))
    }

    /// How far this database (a streaming standby) is behind its primary, in milliseconds: 0 when it has
    /// replayed all it received (an idle primary sends nothing, which is not lag) or is not a standby; else the
    /// age of the last transaction it replayed. `None` when it does not answer within 2 s.
    pub async fn replica_lag_ms(&self) -> Option<i64> {
        #[derive(diesel::QueryableByName)]
        struct Lag {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            lag_ms: i64,
        }
        let check = async {
            let mut conn = self.conn().await.ok()?;
            crate::prepared::sql(
                "SELECT CASE WHEN NOT pg_is_in_recovery()
                                  OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                             ELSE COALESCE((EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint, 0)
                        END AS lag_ms",
            )
            .get_result::<Lag>(&mut conn)
            .await
            .ok()
            .map(|l| l.lag_ms.max(0))
        };
        tokio::time::timeout(Duration::from_secs(2), check).await.ok().flatten()
    }

    /// Pool gauges: (in use, idle).
    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.pool.status();
        (s.size.saturating_sub(s.available), s.available)
    }
}

/// Version of the newest embedded migration (its folder name's timestamp, digits only), which `/ready` waits for.
/// Derived from [`MIGRATIONS`], so adding a migration cannot leave readiness behind; empty if there is none.
pub fn latest_migration_version() -> &'static str {
    static LATEST: LazyLock<String> = LazyLock::new(|| {
        MigrationSource::<Pg>::migrations(&MIGRATIONS)
            .ok()
            .and_then(|all| {
                all.iter().map(|m| m.name().version().to_string()).max_by(|a, b| (a.len(), a).cmp(&(b.len(), b)))
            })
            .unwrap_or_default()
    });
    &LATEST
}

/// Runs `$body` (an expression using the connection `$c`) in a transaction, retrying deadlocks and
/// serialization failures three times before reporting `Error::Unavailable`.
macro_rules! tx {
    ($store:expr, |$c:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            let mut conn = $store.conn().await?;
            let r: std::result::Result<_, $crate::TxError> =
                diesel_async::AsyncConnection::transaction(&mut *conn, async |$c| $body).await;
            match r {
                Err($crate::TxError::Db(e)) if $crate::error::is_retryable(&e) && attempt < 3 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                Err($crate::TxError::Db(e)) if $crate::error::is_retryable(&e) => {
                    break Err(domain::Error::Unavailable);
                }
                other => break other.map_err(domain::Error::from),
            }
        }
    }};
}
pub(crate) use tx;

#[cfg(test)]
mod tests {
    #[test]
    fn ready_waits_for_the_newest_embedded_migration() {
        // The newest folder of /migrations (`YYYY-MM-DD-HHMMSS_name`), digits only: what diesel records.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
        let newest = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.as_bytes().first().is_some_and(u8::is_ascii_digit))
            .max()
            .unwrap();
        let version: String = newest.split('_').next().unwrap().chars().filter(char::is_ascii_digit).collect();
        assert_eq!(super::latest_migration_version(), version);
        assert_eq!(version.len(), 14, "{newest}");
    }
}
