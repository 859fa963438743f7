//! The shared repository contract suite against PostgreSQL: each test on its own database cloned from the
//! migrated template, dropped when the test's stores are dropped. Holds are batched (group commit) as the server
//! batches them: a lone hold is its own transaction, concurrent ones are taken together.

use adapter_postgres::testing::FreshDatabase;
use adapter_postgres::{HoldBatching, PgStore};
use repo_contract::{StoreFactory, Stores};
use std::sync::Arc;

struct Postgres;

#[async_trait::async_trait]
impl StoreFactory for Postgres {
    async fn fresh(&self) -> Stores {
        let db = FreshDatabase::create().await.expect("fresh database");
        let store =
            PgStore::connect(&db.url, 16).expect("pool").with_hold_batching(HoldBatching { max_batch: 8, runners: 2 });
        Stores::from_store(Arc::new(store)).with_guard(db)
    }
}

repo_contract::contract_tests!(Postgres);
