//! Statistics and vacuum of the hot tables, run by the application because it is the one that creates bulk data
//! (a room's year of nights, the daily window top-up) and because PostgreSQL's autovacuum may be off (it is on
//! this project's machines). Safe with several replicas: each table's maintenance runs under a transaction-level
//! advisory lock try, so only one instance works on a table at a time and the others skip it.

use crate::{PgStore, db_error};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Nullable, Text};
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use domain::Result;

/// The tables the search, booking and listing plans depend on.
pub const HOT_TABLES: [&str; 5] = ["inventory", "booking", "room", "hotel", "rate_plan"];

/// What `pg_stat_user_tables` says of one table, and what [`PgStore::maintain`] did to it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableHealth {
    /// The table.
    pub table: String,
    /// Live rows (estimate).
    pub live: i64,
    /// Dead rows not yet vacuumed.
    pub dead: i64,
    /// Rows changed since the last analyse.
    pub modified_since_analyze: i64,
    /// Seconds since the last analyse (manual or automatic); `None` if never analysed.
    pub analyze_age_secs: Option<f64>,
    /// Whether this pass analysed it.
    pub analyzed: bool,
    /// Whether this pass vacuumed it.
    pub vacuumed: bool,
}

impl TableHealth {
    /// Dead rows over all rows (0 for an empty table).
    pub fn dead_ratio(&self) -> f64 {
        let all = self.live + self.dead;
        if all == 0 { 0.0 } else { self.dead as f64 / all as f64 }
    }
}

/// When a table is analysed or vacuumed: PostgreSQL's autovacuum defaults (a base count plus a fraction of the
/// table), which the application applies itself.
#[derive(Debug, Clone, Copy)]
pub struct MaintenancePolicy {
    /// Analyse when more than `analyze_base + analyze_fraction × live` rows changed since the last analyse.
    pub analyze_base: i64,
    /// See `analyze_base`.
    pub analyze_fraction: f64,
    /// Vacuum when more than `vacuum_base + vacuum_fraction × live` rows are dead.
    pub vacuum_base: i64,
    /// See `vacuum_base`.
    pub vacuum_fraction: f64,
}

impl Default for MaintenancePolicy {
    fn default() -> Self {
        MaintenancePolicy { analyze_base: 50, analyze_fraction: 0.1, vacuum_base: 50, vacuum_fraction: 0.2 }
    }
}

#[derive(QueryableByName)]
struct StatRow {
    #[diesel(sql_type = BigInt)]
    live: i64,
    #[diesel(sql_type = BigInt)]
    dead: i64,
    #[diesel(sql_type = BigInt)]
    modified: i64,
    #[diesel(sql_type = Nullable<Double>)]
    age: Option<f64>,
}

impl PgStore {
    /// The health of one table right now.
    pub async fn table_health(&self, table: &str) -> Result<TableHealth> {
        let mut conn = self.conn().await?;
        let row = crate::prepared::sql(
            "SELECT n_live_tup AS live, n_dead_tup AS dead, n_mod_since_analyze AS modified,
                    EXTRACT(EPOCH FROM now() - GREATEST(last_analyze, last_autoanalyze))::float8 AS age
             FROM pg_stat_user_tables WHERE relname = $1 AND schemaname = current_schema()",
        )
        .bind::<Text, _>(table)
        .get_result::<StatRow>(&mut conn)
        .await
        .map_err(db_error)?;
        Ok(TableHealth {
            table: table.to_string(),
            live: row.live,
            dead: row.dead,
            modified_since_analyze: row.modified,
            analyze_age_secs: row.age,
            analyzed: false,
            vacuumed: false,
        })
    }

    /// Analyses (and vacuums) each hot table whose changes or dead rows passed `policy`; returns every table's
    /// health after the pass. `force_analyze` analyses regardless (after a bulk insert such as the window top-up).
    pub async fn maintain(&self, policy: MaintenancePolicy, force_analyze: bool) -> Result<Vec<TableHealth>> {
        let mut out = Vec::with_capacity(HOT_TABLES.len());
        for (i, table) in HOT_TABLES.iter().enumerate() {
            let mut h = self.table_health(table).await?;
            let analyze = force_analyze
                || h.modified_since_analyze as f64
                    > policy.analyze_base as f64 + policy.analyze_fraction * h.live as f64
                || h.analyze_age_secs.is_none();
            let vacuum = h.dead as f64 > policy.vacuum_base as f64 + policy.vacuum_fraction * h.live as f64;
            if analyze || vacuum {
                let mut conn = self.conn().await?;
                // One instance per table at a time (session-level try: VACUUM cannot run in a transaction).
                let key = 7_420_000 + i as i64;
                #[derive(QueryableByName)]
                struct Locked {
                    #[diesel(sql_type = diesel::sql_types::Bool)]
                    locked: bool,
                }
                let got = crate::prepared::sql("SELECT pg_try_advisory_lock($1) AS locked")
                    .bind::<BigInt, _>(key)
                    .get_result::<Locked>(&mut conn)
                    .await
                    .map_err(db_error)?
                    .locked;
                if got {
                    // The table names are the constants above, never input.
                    let stmt = match (vacuum, analyze) {
                        (true, _) => format!("VACUUM (ANALYZE) {table}"),
                        (false, _) => format!("ANALYZE {table}"),
                    };
                    // No statement timeout for maintenance: this connection leaves the pool afterwards (it is
                    // closed, releasing the advisory lock with it), so no request ever runs without its timeouts.
                    // Two statements: a multi-statement query is one implicit transaction, where VACUUM cannot run.
                    let r = match conn.batch_execute("SET statement_timeout = 0").await {
                        Ok(()) => conn.batch_execute(&stmt).await,
                        Err(e) => Err(e),
                    };
                    let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({key})")).await;
                    drop(Object::take(conn));
                    r.map_err(db_error)?;
                    h = self.table_health(table).await?;
                    h.analyzed = true;
                    h.vacuumed = vacuum;
                }
            }
            out.push(h);
        }
        Ok(out)
    }
}
