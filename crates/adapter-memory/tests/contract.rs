//! The shared repository contract suite against `InMemoryStore`.

use adapter_memory::InMemoryStore;
use repo_contract::{StoreFactory, Stores};

struct Memory;

#[async_trait::async_trait]
impl StoreFactory for Memory {
    async fn fresh(&self) -> Stores {
        Stores::from_store(InMemoryStore::shared())
    }
}

repo_contract::contract_tests!(Memory);

/// `run_all` drives the same list in one test; it must stay in step with the macro.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run_all_covers_every_test() {
    assert_eq!(repo_contract::TEST_NAMES.len(), 70);
    repo_contract::run_all(&Memory).await;
}
