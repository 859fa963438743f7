//! The shared repository contract suite against PostgreSQL: each test on its own database cloned from the
//! migrated template, dropped when the test's stores are dropped.

use adapter_postgres::PgStore;
use adapter_postgres::testing::FreshDatabase;
use repo_contract::{StoreFactory, Stores};
use std::sync::Arc;

struct Postgres;

#[async_trait::async_trait]
impl StoreFactory for Postgres {
    async fn fresh(&self) -> Stores {
        let db = FreshDatabase::create().await.expect("fresh database");
        let store = PgStore::connect(&db.url, 16).expect("pool");
        Stores::from_store(Arc::new(store)).with_guard(db)
    }
}

repo_contract::contract_tests!(Postgres);
