#![doc = include_str!("../README.md")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod bookings;
mod catalog;
mod error;
mod misc;
mod prepared;
mod rows;
pub mod testing;
mod users;

use diesel::sql_types::Integer;
use diesel::{IntoSql, OptionalExtension};
use diesel_async::AsyncConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use domain::{Error, Result};
use std::time::Duration;

pub use error::{TxError, db_error};

/// The embedded migrations (`/migrations`).
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// A pool of PostgreSQL connections; implements every repository port.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool<AsyncPgConnection>,
}

impl PgStore {
    /// Builds a pool of at most `size` connections (connections open lazily, on the calling runtime).
    pub fn connect(url: &str, size: usize) -> Result<PgStore> {
        Self::build(AsyncDieselConnectionManager::<AsyncPgConnection>::new(url), size)
    }

    /// Like [`PgStore::connect`], but every connection is opened on `runtime`, so its socket and driver task live
    /// there. The server passes its multi-thread runtime: a connection opened on one actix worker's
    /// single-threaded runtime would otherwise stall whenever that worker is busy, even when another worker is
    /// the one using it.
    pub fn connect_on(url: &str, size: usize, runtime: tokio::runtime::Handle) -> Result<PgStore> {
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        config.custom_setup = Box::new(move |url: &str| {
            let url = url.to_string();
            let runtime = runtime.clone();
            Box::pin(async move {
                runtime
                    .spawn(async move { AsyncPgConnection::establish(&url).await })
                    .await
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?
            })
        });
        Self::build(AsyncDieselConnectionManager::new_with_config(url, config), size)
    }

    fn build(mgr: AsyncDieselConnectionManager<AsyncPgConnection>, size: usize) -> Result<PgStore> {
        let pool = Pool::builder(mgr).max_size(size.max(1)).build().map_err(Error::internal)?;
        Ok(PgStore { pool })
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

    /// Applies pending migrations under an advisory lock, so several replicas starting together migrate once.
    /// Needs a multi-thread tokio runtime.
    pub async fn migrate(&self) -> Result<usize> {
        let mut lock = self.conn().await?;
        crate::prepared::sql("SELECT pg_advisory_lock(7283640000)").execute(&mut lock).await.map_err(db_error)?;
        let result = async {
            let conn = self.conn().await?;
            let mut harness = AsyncMigrationHarness::new(conn);
            harness.run_pending_migrations(MIGRATIONS).map(|v| v.len()).map_err(|e| Error::internal(e.to_string()))
        }
        .await;
        let _ = crate::prepared::sql("SELECT pg_advisory_unlock(7283640000)").execute(&mut lock).await;
        result
    }

    /// Readiness: `SELECT 1` within 2 s and no pending migration.
    pub async fn ready(&self) -> bool {
        let check = async {
            let mut conn = self.conn().await.ok()?;
            diesel::select(1.into_sql::<Integer>()).get_result::<i32>(&mut conn).await.ok()?;
            let latest = MIGRATIONS_LATEST;
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

    /// Pool gauges: (in use, idle).
    pub fn pool_status(&self) -> (usize, usize) {
        let s = self.pool.status();
        (s.size.saturating_sub(s.available), s.available)
    }
}

/// Version of the newest migration (its folder name's timestamp, digits only).
const MIGRATIONS_LATEST: &str = "20261125000003";

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
