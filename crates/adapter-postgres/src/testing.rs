//! Test support: fresh databases cloned from a migrated template (`CREATE DATABASE … TEMPLATE …`).
//! Used by the contract suite and the end-to-end tests; never by the server.

use crate::PgStore;
use diesel::QueryableByName;
use diesel::sql_types::Bool;
use diesel_async::RunQueryDsl;
use domain::{Error, Result};
use tokio::sync::OnceCell;

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The admin URL: `DATABASE_URL`, else the local server.
pub fn admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let cut = base.rfind('/').filter(|i| base[..*i].ends_with(|c| c != '/')).unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..cut])
}

impl PgStore {
    /// Runs SQL statements outside a transaction (administration only).
    pub async fn batch_execute(&self, sql: &str) -> Result<()> {
        let mut conn = self.conn().await?;
        diesel_async::SimpleAsyncConnection::batch_execute(&mut *conn, sql)
            .await
            .map_err(|e| Error::internal(format!("{e}")))
    }

    /// The text column `value` of the first row of `sql`, with database errors mapped as the repositories map them
    /// ([`crate::db_error`]).
    pub async fn query_value(&self, sql: &str) -> Result<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            value: String,
        }
        let mut conn = self.conn().await?;
        diesel::sql_query(sql).get_result::<Row>(&mut conn).await.map(|r| r.value).map_err(crate::db_error)
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// The template's name: one per migration set, created and migrated once (guarded by an advisory lock so that
/// several test binaries can race for it).
async fn template() -> Result<String> {
    TEMPLATE
        .get_or_try_init(|| async {
            let name = format!("staybook_template_{}", crate::latest_migration_version());
            let admin = PgStore::connect(&admin_url(), 1)?;
            let mut conn = admin.conn().await?;
            diesel::sql_query("SELECT pg_advisory_lock(728364)").execute(&mut conn).await.map_err(crate::db_error)?;
            let exists = diesel::sql_query(format!(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}') AS exists"
            ))
            .get_result::<Exists>(&mut conn)
            .await
            .map_err(crate::db_error)?
            .exists;
            drop_stale(&mut conn).await;
            let result = async {
                if !exists {
                    let building = format!("{name}_build");
                    for sql in [format!("DROP DATABASE IF EXISTS {building}"), format!("CREATE DATABASE {building}")] {
                        diesel_async::SimpleAsyncConnection::batch_execute(&mut *conn, &sql)
                            .await
                            .map_err(|e| Error::internal(format!("{e}")))?;
                    }
                    let store = PgStore::connect(&with_database(&admin_url(), &building), 2)?;
                    store.migrate().await?;
                    drop(store);
                    diesel_async::SimpleAsyncConnection::batch_execute(
                        &mut *conn,
                        &format!("ALTER DATABASE {building} RENAME TO {name}"),
                    )
                    .await
                    .map_err(|e| Error::internal(format!("{e}")))?;
                }
                Ok::<_, Error>(())
            }
            .await;
            let _ = diesel::sql_query("SELECT pg_advisory_unlock(728364)").execute(&mut conn).await;
            result.map(|_| name)
        })
        .await
        .cloned()
}

/// A fresh, migrated database; dropped by [`FreshDatabase::drop_now`] or when it goes out of scope.
pub struct FreshDatabase {
    pub name: String,
    pub url: String,
}

impl FreshDatabase {
    /// Clones the template into a new database.
    pub async fn create() -> Result<FreshDatabase> {
        let template = template().await?;
        let name = format!("t_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
        let admin = PgStore::connect(&admin_url(), 1)?;
        // Cloning needs the template to have no other connections; retry briefly if another clone is running.
        let mut last = None;
        for _ in 0..50 {
            match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")).await {
                Ok(()) => {
                    return Ok(FreshDatabase { url: with_database(&admin_url(), &name), name });
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
        Err(last.unwrap_or_else(|| Error::internal("cannot create database")))
    }

    /// Drops the database (closing any remaining connections).
    pub async fn drop_now(&self) {
        drop_database(&self.name).await;
    }
}

async fn drop_database(name: &str) {
    if let Ok(admin) = PgStore::connect(&admin_url(), 1) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        // Async work cannot run in `drop`: use a short-lived runtime on a helper thread.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(drop_database(&name));
            }
        })
        .join();
    }
}

/// Drops test databases left behind by crashed runs (named `t_<unix seconds>_…`, older than an hour).
async fn drop_stale(conn: &mut diesel_async::AsyncPgConnection) {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let Ok(names) = diesel::sql_query("SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 't\\_%'")
        .load::<Name>(conn)
        .await
    else {
        return;
    };
    let cutoff = chrono::Utc::now().timestamp() - 3600;
    for n in names {
        let created = n.datname.split('_').nth(1).and_then(|t| t.parse::<i64>().ok());
        if created.is_some_and(|t| t < cutoff) {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", n.datname);
            let _ = diesel_async::SimpleAsyncConnection::batch_execute(conn, &sql).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(with_database("postgres://u@h/postgres?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
    }
}
