# staybook: developer and CI entry points. `make help` lists the targets.
# PostgreSQL is found or started by scripts/pg-ensure.sh (see docs/OPERATIONS.md).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

CARGO ?= cargo
# Database `make run` and `make migrate` use on the ensured server (ignored when DATABASE_URL is set).
DB_NAME ?= staybook
# Extra arguments for `cargo test`, e.g. make test TEST_ARGS='-- --test-threads=1'
TEST_ARGS ?=

.PHONY: help run dev demo migrate test ts-client lint k8s-check bench soak pg pg-stop clean-data grant-manager revoke-manager cluster cluster-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

run: ## serve the API on :8000 (release build) against the staybook database, creating it if missing
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	DATABASE_URL="$$url" exec $(CARGO) run -p app --release -- serve

dev: ## serve the API on :8000 from a debug build, restarting on every change when cargo-watch is installed
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	export DATABASE_URL="$$url"; \
	if $(CARGO) watch --version >/dev/null 2>&1; then \
	  exec $(CARGO) watch -x 'run -p app -- serve'; \
	else \
	  echo "make dev: cargo-watch is not installed (cargo install cargo-watch --locked): no restart on changes" >&2; \
	  exec $(CARGO) run -p app -- serve; \
	fi

demo: ## load the demo data set: app seed-demo (manager@demo.staybook, guest@demo.staybook; password staybook-demo)
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	DATABASE_URL="$$url" exec $(CARGO) run -p app -- seed-demo

migrate: ## apply the embedded migrations to the staybook database and exit
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	DATABASE_URL="$$url" exec $(CARGO) run -p app --release -- migrate

test: ## domain purity check, then the whole workspace's tests against PostgreSQL (what CI runs)
	@admin=$$(scripts/pg-ensure.sh | tail -n 1); \
	export DATABASE_URL="$$admin"; \
	scripts/check-domain-purity.sh; \
	$(CARGO) test --workspace --no-run; \
	$(CARGO) test --workspace $(TEST_ARGS); \
	echo "== the end-to-end suite again on STORE=memory"; \
	E2E_STORE=memory $(CARGO) test -p e2e --test e2e $(TEST_ARGS); \
	echo "== the domain reused without a server: book, pay, cancel"; \
	$(CARGO) run -q -p domain --example book_pay_cancel

ts-client: ## generate the TypeScript client from /openapi.json and type-check a booking flow with it (node, npm)
	scripts/ts-client-check.sh

lint: ## rustfmt check, clippy with warnings as errors, the Kubernetes manifests' schemas
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	scripts/k8s-check.sh

k8s-check: ## validate deploy/k8s against the Kubernetes schemas (kubernetes-validate from PyPI)
	scripts/k8s-check.sh

cluster: ## a primary + streaming standby, NATS, two instances and nginx on this machine (scripts/cluster.sh; docs/SCALING.md)
	$(CARGO) build --release -p app
	CLUSTER_APP_BIN=target/release/app scripts/cluster.sh up

cluster-down: ## stop the local cluster and delete its data
	scripts/cluster.sh down

bench: ## load benchmark, then the memory soak (scripts/bench.sh)
	scripts/bench.sh

soak: ## only the memory soak: a few million requests, fails if the server's RSS grows (scripts/bench.sh soak)
	scripts/bench.sh soak

pg: ## make sure PostgreSQL runs and print its admin URL
	@scripts/pg-ensure.sh | tail -n 1

pg-stop: ## stop the project-local PostgreSQL cluster in .data (keeps its data)
	@scripts/pg-ensure.sh --stop

clean-data: ## stop the project-local PostgreSQL cluster and delete .data
	@scripts/pg-ensure.sh --destroy
	rm -rf .data

grant-manager: ## give EMAIL the HOTEL_MANAGER role: make grant-manager EMAIL=a@b.c
	@test -n '$(EMAIL)' || { echo 'usage: make grant-manager EMAIL=user@example.com' >&2; exit 2; }
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	DATABASE_URL="$$url" exec $(CARGO) run -p app --release -- users grant-manager '$(EMAIL)'

revoke-manager: ## take HOTEL_MANAGER away from EMAIL: make revoke-manager EMAIL=a@b.c
	@test -n '$(EMAIL)' || { echo 'usage: make revoke-manager EMAIL=user@example.com' >&2; exit 2; }
	@url=$$(scripts/db-ensure.sh '$(DB_NAME)' | tail -n 1); \
	DATABASE_URL="$$url" exec $(CARGO) run -p app --release -- users revoke-manager '$(EMAIL)'
