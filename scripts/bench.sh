#!/usr/bin/env bash
# Load and latency benchmark of the HTTP API (make bench). Method and results: docs/PERFORMANCE.md.
#
# 1. builds the release binary (cargo build --release -p app);
# 2. recreates the database staybook_bench on the server scripts/pg-ensure.sh finds, and starts the release server
#    on a free port (rate limit and hold cap off, JSON logs at warn, pool of 16), waiting for /ready;
# 3. signs up a manager (promoted with `app users grant-manager`) and a few hundred guests through the API, then
#    loads the capacity dataset, 500 hotels in 20 cities x 5 room types x 365 nights, in one of two ways
#    (BENCH_DATASET):
#    api (default): through the running server's API, shaped like production (scripts/bench/load_api.py): hotels
#      and their room types created by concurrent requests (16 connections), prices, surges, min_stay and
#      closures set with a handful of inventory PATCH ranges per room, hotels activated; then the inventory window
#      advanced day by day as the daily job does (psql deletes the nights after today+274, then
#      `app topup --as-of D` runs for each of the last BENCH_TOPUP_DAYS (90) days, each with the application's
#      own table maintenance, and the manager prices the nights they opened); then guests sell out the Suites'
#      sold-out ranges with paid group bookings and make a few thousand random bookings, paying, cancelling and
#      abandoning shares of them. Never ANALYZE/VACUUM by hand: statistics are the application's job. About 2
#      minutes on the reference machine (docs/PERFORMANCE.md §3.2);
#    sql: one SQL script (scripts/bench/dataset.sql) straight into the schema, VACUUM (ANALYZE) after it: each
#      room's nights contiguous on disk, no dead tuples, no bookings (seconds);
#    and creates the race room through the API;
# 4. waits for the server's read model to serve (PERFORMANCE.md §9), runs wrk (2 threads, 32 connections, 5 s
#    warm-up, then 20 s measured) against search, hotel info (without and with dates), quote, calendar and
#    uncontended booking init; then the oversell race (10 rounds of 50 concurrent inits on a room with 3 free
#    units); then the read model's staleness: a second server on the same database, 50 holds and 50 cancellations
#    of a last room on the first, each timed until the second's search reflects it (the first must at once);
# 5. runs the search SQL alone with pgbench (32 clients, 20 s; as sent, then -M prepared) and EXPLAIN (ANALYZE,
#    BUFFERS) of one search;
# 6. soak (memory under load): restarts the server with TRUST_PROXY=true and the default rate limit, then runs
#    wrk -c32 against a mix of GET / and GET /hotels/{id}/info (plus 1 % unknown paths, every request from a
#    random X-Forwarded-For address) for a warm-up and SOAK_ROUNDS rounds, a few million requests in all, with
#    nobody scraping /metrics; it reports the server's resident memory (VmRSS) at the start, after the warm-up,
#    after every round and at the end, and fails loudly when it grew by more than SOAK_MAX_GROWTH_MB after the
#    warm-up;
# 7. prints a summary with PASS/FAIL against the targets, stops the server, keeps the database (--drop drops it),
#    and rewrites the generated sections of docs/PERFORMANCE.md (--no-docs leaves it alone).
#
# Exit status: 0 when the run completed; 1 when the race oversold or undersold, the server answered 5xx, a
# scenario had no successful request, the soak's memory grew beyond its limit, or a step broke. Missing a speed
# target is reported, not fatal.
#
# Usage: scripts/bench.sh [soak] [--drop] [--no-build] [--no-docs]
#   soak: only the soak (step 6), on a small dataset (SOAK_HOTELS hotels) in the database staybook_soak; never
#         touches the docs (make soak)
# Environment (defaults in brackets):
#   BENCH_DB [staybook_bench, staybook_soak for soak]  BENCH_DURATION [20]  BENCH_WARMUP [5]
#   BENCH_CONNECTIONS [32]  BENCH_THREADS [2]  BENCH_GUESTS [300]  BENCH_DROP [0]  BENCH_BUILD [1]  BENCH_DOCS [1]
#   BENCH_OUT [target/bench/<UTC time>]
#   BENCH_DATASET [api; sql for soak]: how step 3 loads the dataset (api = scripts/bench/load_api.py through the
#     server, sql = scripts/bench/dataset.sql); the summary says which, with the load time of each phase
#   BENCH_LOAD_BOOKINGS [3000]: random bookings of the api loader (besides the Suites' group bookings)
#   BENCH_TOPUP_DAYS [90]: days the api loader advances the inventory window by (one `app topup` run each, ~0.4 s
#     a run on the reference machine)
#   BENCH_POOL [6]: DATABASE_POOL_SIZE of the server under test
#   BENCH_ALLOW_5XX [0]: 1 = 5xx responses under load are reported but do not fail the run
#   BENCH_BIN [target/release/app]: the server binary to run (another build, e.g. an older one to compare; implies
#     --no-build)
#   BENCH_SOAK [1]: 0 = skip the soak in the full run
#   SOAK_WARMUP [30]  SOAK_ROUNDS [6]  SOAK_ROUND [25]: seconds of warm-up, number and seconds of measured rounds
#   SOAK_MAX_GROWTH_MB [30]: allowed RSS growth from the end of the warm-up to the end of the soak
#   SOAK_HOTELS [50]: hotels of the soak-only dataset
#   DATABASE_URL: an admin URL of the PostgreSQL server to use (else scripts/pg-ensure.sh decides)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-common.sh
. "$ROOT/scripts/pg-common.sh"
BENCH_DIR=$ROOT/scripts/bench

MODE=full
for arg in "$@"; do [ "$arg" = soak ] && MODE=soak; done
if [ "$MODE" = soak ]; then DB=${BENCH_DB:-staybook_soak}; else DB=${BENCH_DB:-staybook_bench}; fi
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
GUESTS=${BENCH_GUESTS:-300}
DROP=${BENCH_DROP:-0}
BUILD=${BENCH_BUILD:-1}
DOCS=${BENCH_DOCS:-1}
# The soak measures memory, not the data's shape: it keeps the quick SQL dataset unless told otherwise.
if [ "$MODE" = soak ]; then DATASET=${BENCH_DATASET:-sql}; else DATASET=${BENCH_DATASET:-api}; fi
LOAD_BOOKINGS=${BENCH_LOAD_BOOKINGS:-3000}
TOPUP_DAYS=${BENCH_TOPUP_DAYS:-90}
HOTELS=500
CITIES=20
if [ "$MODE" = soak ]; then
  HOTELS=${SOAK_HOTELS:-50}
  CITIES=10
fi
BENCH_SOAK=${BENCH_SOAK:-1}
SOAK_WARMUP=${SOAK_WARMUP:-30}
SOAK_ROUNDS=${SOAK_ROUNDS:-6}
SOAK_ROUND=${SOAK_ROUND:-25}
SOAK_MAX_GROWTH_MB=${SOAK_MAX_GROWTH_MB:-30}
# Pool per instance: with 2 cores shared by PostgreSQL, the server and wrk, 6 connections keep PostgreSQL busy
# without queueing work inside it (16 gave the same throughput with a 2-3x longer tail). BENCH_POOL overrides.
POOL=${BENCH_POOL:-6}
JWT_SECRET_BENCH=bench-only-jwt-secret-0123456789abcdef-not-for-production

for arg in "$@"; do
  case $arg in
    soak) ;;
    --drop) DROP=1 ;;
    --no-build) BUILD=0 ;;
    --no-docs) DOCS=0 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench: unknown argument $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

case $DATASET in
  api | sql) ;;
  *)
    echo "bench: BENCH_DATASET must be api or sql, not $DATASET" >&2
    exit 2
    ;;
esac

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[bench] ERROR: %s\n' "$*" >&2
  exit 1
}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${BENCH_OUT:-$ROOT/target/bench/$STAMP}
mkdir -p "$OUT"
ln -sfn "$OUT" "$ROOT/target/bench/latest" 2>/dev/null || true
SERVER_PID=
ADMIN_URL=
BROKEN=()

SAMPLER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping the server (pid $SERVER_PID)"
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

cleanup() {
  local rc=$?
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  stop_server
  if [ "$DROP" = 1 ] && [ -n "$ADMIN_URL" ]; then
    log "dropping database $DB"
    "$PSQL" "$ADMIN_URL" -X -q -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >&2 || true
  fi
  log "results and logs: $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
PSQL=$(find_pg_bin psql) || die "psql not found; install the PostgreSQL client (Debian: apt-get install postgresql-client)"
PGBENCH=$(find_pg_bin pgbench) || die "pgbench not found; install the PostgreSQL client (Debian: apt-get install postgresql-client)"
command -v python3 >/dev/null || die "python3 not found; it drives the API setup and the race (standard library only)"
command -v curl >/dev/null || die "curl not found"
if ! command -v wrk >/dev/null; then
  if is_root && command -v apt-get >/dev/null; then
    log "wrk not found; installing the Debian package wrk"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2; then
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >&2; } || die "apt-get install wrk failed"
    fi
  fi
  command -v wrk >/dev/null || die "wrk (HTTP load generator) not found. Install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk) and run make bench again"
fi

# ---------------------------------------------------------------------------------------------
# 1. Release build
# ---------------------------------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release/app
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$(cd "$(dirname "$BENCH_BIN")" && pwd)/$(basename "$BENCH_BIN")
  BUILD=0
fi
if [ "$BUILD" = 1 ]; then
  log "building the release binary (cargo build --release -p app)"
  t0=$SECONDS
  (cd "$ROOT" && ${CARGO:-cargo} build --release -p app) || die "cargo build --release -p app failed"
  log "build done in $((SECONDS - t0))s"
fi
[ -x "$BIN" ] || die "$BIN not found (run without --no-build)"

# ---------------------------------------------------------------------------------------------
# 2. Database and server
# ---------------------------------------------------------------------------------------------
ADMIN_URL=$("$ROOT/scripts/pg-ensure.sh" | tail -n 1) || die "no PostgreSQL server (scripts/pg-ensure.sh failed)"
ADMIN_URL=$(url_with_db "$ADMIN_URL" postgres)
URL=$(url_with_db "$ADMIN_URL" "$DB")
log "recreating database $DB"
"$PSQL" "$ADMIN_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" -c "CREATE DATABASE \"$DB\"" >&2 ||
  die "could not recreate database $DB"
psql_db() { "$PSQL" "$URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# The settings of the load scenarios (rate limit off: one client address would be limited) ...
SERVER_ENV_BENCH=(RATE_LIMIT_PER_MINUTE=0)
# ... and of the soak: the default rate limit, the client address taken from X-Forwarded-For.
SERVER_ENV_SOAK=(TRUST_PROXY=true)

# start_server LOG [ENV=VALUE...]: starts the release server on $BASE and waits for /ready.
start_server() {
  local log_file=$1 i
  shift
  log "starting $BIN serve on $BASE (log: $log_file)"
  # A clean environment, run from $OUT so that no .env of the checkout applies.
  (cd "$OUT" && exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    DATABASE_URL="$URL" DATABASE_POOL_SIZE=$POOL BIND_ADDR=127.0.0.1 PORT="$PORT" PUBLIC_BASE_URL="$BASE" \
    MAX_ACTIVE_HOLDS_PER_USER=0 LOG_FORMAT=json RUST_LOG=warn \
    JWT_SECRET="$JWT_SECRET_BENCH" ACCESS_TOKEN_MINUTES=240 PAYMENT_GATEWAY=simulated \
    "$@" "$BIN" serve) >"$log_file" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; ; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      SERVER_PID=
      die "the server exited during start-up (log above)"
    fi
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/ready" || true)" = 200 ] && break
    ((i < 600)) || die "the server is not ready after 120 s (log: $log_file)"
    sleep 0.2
  done
  log "server ready (pid $SERVER_PID)"
}

if [ "$MODE" = soak ]; then
  start_server "$OUT/server.log" "${SERVER_ENV_SOAK[@]}"
else
  start_server "$OUT/server.log" "${SERVER_ENV_BENCH[@]}"
fi

# ---------------------------------------------------------------------------------------------
# 3. Dataset
# ---------------------------------------------------------------------------------------------
API=("python3" "$BENCH_DIR/api.py")
MANAGER=manager@bench.example.com
"${API[@]}" signup "$BASE" "$MANAGER" bench-password-123
(cd "$OUT" && env -i PATH="$PATH" HOME="${HOME:-/tmp}" DATABASE_URL="$URL" JWT_SECRET="$JWT_SECRET_BENCH" RUST_LOG=warn \
  "$BIN" users grant-manager "$MANAGER") >&2 || die "app users grant-manager failed"
MANAGER_TOKEN=$("${API[@]}" login "$BASE" "$MANAGER" bench-password-123)
MANAGER_ID=$(psql_db -A -t -c "SELECT id FROM app_user WHERE email = '$MANAGER'")

# The api loader books as guests: they exist before it runs (the full run needs them anyway).
if [ "$MODE" != soak ] || [ "$DATASET" = api ]; then
  log "signing up and logging in $GUESTS guest users through the API"
  "${API[@]}" guests "$BASE" "$GUESTS" "$OUT/tokens.txt" || die "creating the guest users failed"
fi

declare -A L # L[field] from the LOAD_RESULT line of the api loader
t0=$SECONDS
if [ "$DATASET" = api ]; then
  log "loading $HOTELS hotels in $CITIES cities x 5 room types x 365 nights through the API" \
    "(scripts/bench/load_api.py; log: $OUT/dataset.log)"
  # Progress (stderr) to the terminal and dataset.log; the LOAD_RESULT line (stdout) to load-result.txt.
  { python3 "$BENCH_DIR/load_api.py" "$BASE" "$MANAGER_TOKEN" "$OUT/tokens.txt" --hotels "$HOTELS" \
    --cities "$CITIES" --bookings "$LOAD_BOOKINGS" --topup-days "$TOPUP_DAYS" --bin "$BIN" --database-url "$URL" \
    --jwt-secret "$JWT_SECRET_BENCH" --workdir "$OUT" --psql "$PSQL" 2>&1 >"$OUT/load-result.txt" |
    tee "$OUT/dataset.log" >&2; } || die "loading the dataset through the API failed (log: $OUT/dataset.log)"
  line=$(grep '^LOAD_RESULT ' "$OUT/load-result.txt" | tail -n 1) || die "no LOAD_RESULT line in $OUT/load-result.txt"
  for kv in ${line#LOAD_RESULT }; do L[${kv%%=*}]=${kv#*=}; done
else
  log "loading $HOTELS hotels in $CITIES cities x 5 room types x 365 nights with SQL (scripts/bench/dataset.sql)"
  psql_db -v owner="$MANAGER_ID" -v hotels=$HOTELS -v cities=$CITIES -v seed=0.42 -f "$BENCH_DIR/dataset.sql" >"$OUT/dataset.log" 2>&1 ||
    { cat "$OUT/dataset.log" >&2; die "loading the dataset failed"; }
fi
LOAD_SECONDS=$((SECONDS - t0))
# (pg_stat counters are flushed within a second or so of each transaction: close enough after a load.)
read -r N_HOTELS N_ROOMS N_INV INV_DEAD < <(psql_db -A -t -F ' ' -c \
  "SELECT (SELECT count(*) FROM hotel), (SELECT count(*) FROM room), (SELECT count(*) FROM inventory),
          (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'inventory' AND schemaname = current_schema())")
INV_DEAD_PCT=$(awk -v d="$INV_DEAD" -v n="$N_INV" 'BEGIN { printf "%.1f", (n + d) ? 100 * d / (n + d) : 0 }')
if [ "$DATASET" = api ]; then
  DATASET_TEXT="BENCH_DATASET=api (through the API, scripts/bench/load_api.py) in ${LOAD_SECONDS} s: \
catalog ${L[t_catalog]} s, inventory window ${L[t_window]} s (of which ${L[topups]} top-ups ${L[t_topups]} s), \
bookings ${L[t_bookings]} s"
  DATASET_BOOKINGS="${L[bookings]} bookings made (${L[group]} Suite group bookings), ${L[paid]} paid, \
$((${L[cancelled_paid]} + ${L[cancelled_holds]})) cancelled (${L[cancelled_paid]} paid, ${L[cancelled_holds]} holds), \
${L[holds_left]} holds left to expire, ${L[rejected]} inits refused; by status ${L[by_status]//,/, }"
else
  DATASET_TEXT="BENCH_DATASET=sql (scripts/bench/dataset.sql, then VACUUM ANALYZE) in ${LOAD_SECONDS} s"
  DATASET_BOOKINGS="no bookings"
fi
log "dataset loaded, $DATASET_TEXT: $N_HOTELS hotels, $N_ROOMS room types, $N_INV inventory rows" \
  "($INV_DEAD dead, $INV_DEAD_PCT %); $DATASET_BOOKINGS"
psql_db -A -t -c "SELECT id FROM hotel WHERE name LIKE 'Bench Hotel %' ORDER BY id" >"$OUT/hotels.txt"
# Init targets the four room types that are never closed or sold out in the dataset (the api loader's bookings
# never take more than a quarter of their units on a night).
psql_db -A -t -F ' ' -c "SELECT r.hotel_id, r.id FROM room r JOIN hotel h ON h.id = r.hotel_id
  WHERE h.name LIKE 'Bench Hotel %' AND r.type <> 'Suite' ORDER BY r.id" >"$OUT/rooms.txt"

# ---------------------------------------------------------------------------------------------
# 6. Soak: resident memory under a few million requests (also `scripts/bench.sh soak`)
# ---------------------------------------------------------------------------------------------
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
SOAK_STATUS=skipped
SOAK_GROWTH_MB=
SOAK_REQUESTS=0

# run_soak: restarts the server with the soak settings, loads it, samples VmRSS; writes $OUT/soak.md.
run_soak() {
  local round t0 rss rss_start rss_warm rss_end rss_scraped growth_kb line kv elapsed name secs series
  local -A W
  local rows=()
  export BENCH_LUA_DIR=$BENCH_DIR
  if [ "$MODE" != soak ]; then
    stop_server
    start_server "$OUT/server-soak.log" "${SERVER_ENV_SOAK[@]}"
  fi
  local soak_log=$OUT/server.log
  [ "$MODE" = soak ] || soak_log=$OUT/server-soak.log
  # A sample every 2 s while the soak runs: seconds since start, VmRSS in KiB.
  (
    start=$SECONDS
    while kill -0 "$SERVER_PID" 2>/dev/null; do
      printf '%s\t%s\n' "$((SECONDS - start))" "$(rss_kb)"
      sleep 2
    done
  ) >"$OUT/soak-rss.tsv" 2>/dev/null &
  SAMPLER_PID=$!
  t0=$SECONDS
  rss_start=$(rss_kb)
  rows+=("| start (idle, after set-up) | 0 | 0 | $(mib "$rss_start") |")
  log "soak: VmRSS at start $(mib "$rss_start") MiB; warm-up ${SOAK_WARMUP}s, then $SOAK_ROUNDS rounds of ${SOAK_ROUND}s (wrk -t$THREADS -c$CONNS)"
  for ((round = 0; round <= SOAK_ROUNDS; round++)); do
    if ((round == 0)); then name=warmup secs=$SOAK_WARMUP; else name=round$round secs=$SOAK_ROUND; fi
    wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s -s "$BENCH_DIR/soak.lua" "$BASE" -- "$OUT/hotels.txt" \
      >"$OUT/wrk-soak-$name.txt" 2>&1 || { cat "$OUT/wrk-soak-$name.txt" >&2; die "wrk failed (soak $name)"; }
    line=$(grep '^BENCH_RESULT ' "$OUT/wrk-soak-$name.txt" | tail -n 1) || die "no result line in $OUT/wrk-soak-$name.txt"
    W=()
    for kv in ${line#BENCH_RESULT }; do W[${kv%%=*}]=${kv#*=}; done
    SOAK_REQUESTS=$((SOAK_REQUESTS + W[requests]))
    rss=$(rss_kb)
    elapsed=$((SECONDS - t0))
    if ((round == 0)); then
      rss_warm=$rss
      rows+=("| after the warm-up | $elapsed | $SOAK_REQUESTS | $(mib "$rss") |")
    else
      rows+=("| after round $round | $elapsed | $SOAK_REQUESTS | $(mib "$rss") |")
    fi
    log "soak $name: $(printf '%.0f' "${W[rps]}") req/s, statuses ${W[statuses]}; $SOAK_REQUESTS requests so far; VmRSS $(mib "$rss") MiB"
    if [ "${W[s5xx]}" != 0 ]; then BROKEN+=("soak $name: ${W[s5xx]} responses 5xx (see $soak_log)"); fi
    if [ "${W[s2xx]}" = 0 ]; then BROKEN+=("soak $name: no successful response"); fi
  done
  rss_end=$(rss_kb)
  growth_kb=$((rss_end - rss_warm))
  # One scrape at the very end: how many series the exporter holds (bounded labels), and what a scrape frees.
  curl -s "$BASE/metrics" >"$OUT/soak-metrics.txt" || true
  series=$(grep -c '^[a-z]' "$OUT/soak-metrics.txt" || true)
  sleep 1
  rss_scraped=$(rss_kb)
  rows+=("| after one /metrics scrape | $((SECONDS - t0)) | $SOAK_REQUESTS | $(mib "$rss_scraped") |")
  kill "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
  SOAK_GROWTH_MB=$(mib "$growth_kb")
  if ((growth_kb > SOAK_MAX_GROWTH_MB * 1024)); then
    SOAK_STATUS=FAIL
    BROKEN+=("soak: VmRSS grew by $SOAK_GROWTH_MB MiB after the warm-up ($(mib "$rss_warm") -> $(mib "$rss_end") MiB over $SOAK_REQUESTS requests; limit $SOAK_MAX_GROWTH_MB MiB)")
  else
    SOAK_STATUS=PASS
  fi
  {
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') · binary $BIN (built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')) · checkout $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)."
    echo "Soak: wrk -t$THREADS -c$CONNS, ${SOAK_WARMUP} s warm-up + $SOAK_ROUNDS × ${SOAK_ROUND} s; 75 % \`GET /\`, 24 % \`GET /hotels/{id}/info\`"
    echo "($(wc -l <"$OUT/hotels.txt") hotels), 1 % unknown paths; random X-Forwarded-For per request; /metrics not scraped until the end."
    echo
    echo "| Point | s | requests | VmRSS MiB |"
    echo "|---|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "* Growth after the warm-up: **$SOAK_GROWTH_MB MiB** over $SOAK_REQUESTS requests (limit $SOAK_MAX_GROWTH_MB MiB): **$SOAK_STATUS**."
    echo "* Peak VmRSS (VmHWM): $(mib "$(hwm_kb)") MiB; series in the final /metrics scrape: $series."
  } >"$OUT/soak.md"
  if [ "$SOAK_STATUS" = FAIL ]; then
    printf '\n[bench] !!!!!!!! SOAK FAILED: resident memory grew by %s MiB after the warm-up (limit %s MiB) !!!!!!!!\n\n' \
      "$SOAK_GROWTH_MB" "$SOAK_MAX_GROWTH_MB" >&2
  fi
  log "soak: VmRSS $(mib "$rss_start") MiB at start, $(mib "$rss_warm") after the warm-up, $(mib "$rss_end") at the end ($SOAK_GROWTH_MB MiB growth, $SOAK_STATUS)"
}

if [ "$MODE" = soak ]; then
  run_soak
  echo
  echo "================================ staybook soak ================================"
  cat "$OUT/soak.md"
  echo "Full outputs: $OUT (soak-rss.tsv: VmRSS every 2 s)"
  if ((${#BROKEN[@]} > 0)); then
    printf '[bench] FAILED: %s\n' "${BROKEN[@]}" >&2
    exit 1
  fi
  log "done"
  exit 0
fi

read -r RACE_HOTEL RACE_ROOM < <("${API[@]}" race-room "$BASE" "$MANAGER_TOKEN") || die "creating the race room failed"
log "race room $RACE_ROOM in hotel $RACE_HOTEL (created through the API)"

# ---------------------------------------------------------------------------------------------
# 4. HTTP scenarios with wrk
# ---------------------------------------------------------------------------------------------
export BENCH_LUA_DIR=$BENCH_DIR
declare -A R # R[scenario.field] from the BENCH_RESULT line of the measured run
SCENARIOS=()

# run_wrk NAME LUA [ENV=VALUE...] -- [ARGS...]
run_wrk() {
  local name=$1 lua=$2 line kv cpu log_mark
  shift 2
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  log "$name: warm-up ${WARMUP}s"
  env "${envs[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 5s -s "$BENCH_DIR/$lua" "$BASE" -- "$@" \
    >"$OUT/wrk-$name-warmup.txt" 2>&1 || { cat "$OUT/wrk-$name-warmup.txt" >&2; die "wrk failed ($name warm-up)"; }
  log "$name: measuring ${DURATION}s (-t$THREADS -c$CONNS)"
  log_mark=$(wc -l <"$OUT/server.log")
  python3 "$BENCH_DIR/cpu.py" snap "$OUT/cpu-$name.before.json"
  env "${envs[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency -s "$BENCH_DIR/$lua" "$BASE" -- "$@" \
    >"$OUT/wrk-$name.txt" 2>&1 || { cat "$OUT/wrk-$name.txt" >&2; die "wrk failed ($name)"; }
  python3 "$BENCH_DIR/cpu.py" snap "$OUT/cpu-$name.after.json"
  cpu=$(python3 "$BENCH_DIR/cpu.py" diff "$OUT/cpu-$name.before.json" "$OUT/cpu-$name.after.json" "$SERVER_PID" $$)
  for kv in $cpu; do R[$name.cpu_${kv%%=*}]=${kv#*=}; done
  line=$(grep '^BENCH_RESULT ' "$OUT/wrk-$name.txt" | tail -n 1) || die "no result line in $OUT/wrk-$name.txt"
  for kv in ${line#BENCH_RESULT }; do R[$name.${kv%%=*}]=${kv#*=}; done
  R[$name.log_warn]=$(tail -n +"$((log_mark + 1))" "$OUT/server.log" | grep -c '"level":"\(WARN\|ERROR\)"' || true)
  R[$name.pool_timeouts]=$(tail -n +"$((log_mark + 1))" "$OUT/server.log" | grep -c 'timed out waiting for a database connection' || true)
  SCENARIOS+=("$name")
  log "$name: $(printf '%s req/s, p50 %s ms, p99 %s ms, max %s ms, statuses %s' "${R[$name.rps]}" "${R[$name.p50_ms]}" \
    "${R[$name.p99_ms]}" "${R[$name.max_ms]}" "${R[$name.statuses]}")"
  log "$name: CPU $cpu (% of one core); server log: ${R[$name.log_warn]} WARN/ERROR lines, ${R[$name.pool_timeouts]} pool timeouts"
  if [ "${R[$name.s5xx]}" != 0 ]; then BROKEN+=("$name: ${R[$name.s5xx]} responses 5xx (see $OUT/server.log)"); fi
  if [ "${R[$name.s2xx]}" = 0 ]; then BROKEN+=("$name: no successful response"); fi
  sleep 2
}

# The read model loads at start and follows the load's changes (a bulk SQL load takes it a few seconds to re-read);
# measure once it serves, caught up with this replica's writes (the gauge is absent when READ_MODEL=false).
t0=$SECONDS
for ((i = 0; i < 600; i++)); do
  curl -s "$BASE/metrics" | grep -q '^read_model_serving 1' && break
  sleep 0.2
done
log "read model serving after $((SECONDS - t0)) s of waiting"
MODEL_WAIT=$((SECONDS - t0))
run_wrk search search.lua --
run_wrk info info.lua BENCH_INFO_DATES=0 -- "$OUT/hotels.txt"
run_wrk info_dates info.lua BENCH_INFO_DATES=1 -- "$OUT/hotels.txt"
run_wrk quote quote.lua -- "$OUT/rooms.txt"
run_wrk calendar calendar.lua -- "$OUT/hotels.txt"
run_wrk init init.lua -- "$OUT/rooms.txt" "$OUT/tokens.txt"

log "race: 10 rounds x 50 concurrent POST /bookings/init on room $RACE_ROOM (3 units free)"
RACE_RC=0
"${API[@]}" race "$BASE" "$MANAGER_TOKEN" "$OUT/tokens.txt" "$RACE_HOTEL" "$RACE_ROOM" \
  --rounds 10 --clients 50 --units 3 --first-day 320 >"$OUT/race.txt" 2>&1 || RACE_RC=$?
cat "$OUT/race.txt" >&2
grep -q '^RACE_RESULT PASS' "$OUT/race.txt" || RACE_RC=1
curl -s "$BASE/metrics" >"$OUT/metrics.txt" || true
# The server's resident memory: now, and its peak since it started (dataset load, every scenario, the race).
SERVER_RSS_KB=$(rss_kb)
SERVER_HWM_KB=$(hwm_kb)

# The read model's staleness bound: a second replica on the same database; a guest holds (then cancels) the last
# room on the first, whose next search must already reflect it, while the second is polled until it does.
PORT2=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE2=http://127.0.0.1:$PORT2
log "staleness: a second replica on $BASE2; 50 holds and 50 cancellations of a last room on $BASE"
(cd "$OUT" && exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  DATABASE_URL="$URL" DATABASE_POOL_SIZE=$POOL BIND_ADDR=127.0.0.1 PORT="$PORT2" PUBLIC_BASE_URL="$BASE2" \
  MAX_ACTIVE_HOLDS_PER_USER=0 LOG_FORMAT=json RUST_LOG=warn RATE_LIMIT_PER_MINUTE=0 \
  JWT_SECRET="$JWT_SECRET_BENCH" ACCESS_TOKEN_MINUTES=240 PAYMENT_GATEWAY=simulated \
  "$BIN" serve) >"$OUT/server2.log" 2>&1 &
SERVER2_PID=$!
STALENESS_RC=0
for ((i = 0; i < 600; i++)); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE2/ready" || true)" = 200 ] && break
  sleep 0.2
done
"${API[@]}" staleness "$BASE" "$BASE2" "$MANAGER_TOKEN" "$OUT/tokens.txt" --rounds 50 >"$OUT/staleness.txt" 2>&1 ||
  STALENESS_RC=$?
kill "$SERVER2_PID" 2>/dev/null || true
wait "$SERVER2_PID" 2>/dev/null || true
cat "$OUT/staleness.txt" >&2
STALENESS_LINE=$(grep '^STALENESS_RESULT ' "$OUT/staleness.txt" | tail -n 1 || true)

# ---------------------------------------------------------------------------------------------
# 5. The search SQL alone: pgbench, and one EXPLAIN (ANALYZE, BUFFERS)
# ---------------------------------------------------------------------------------------------
# run_pgbench NAME [pgbench options...]: sets PG[NAME.tps], PG[NAME.lat], PG[NAME.cpu_*]
declare -A PG
run_pgbench() {
  local name=$1 cpu kv
  shift
  log "pgbench ($name): the search SQL alone (-c $CONNS -j $THREADS -T $DURATION $*)"
  python3 "$BENCH_DIR/cpu.py" snap "$OUT/cpu-pgbench-$name.before.json"
  "$PGBENCH" -n -c "$CONNS" -j "$THREADS" -T "$DURATION" "$@" -f "$BENCH_DIR/search.sql" "$URL" >"$OUT/pgbench-$name.txt" 2>&1 ||
    { cat "$OUT/pgbench-$name.txt" >&2; die "pgbench failed"; }
  python3 "$BENCH_DIR/cpu.py" snap "$OUT/cpu-pgbench-$name.after.json"
  cpu=$(python3 "$BENCH_DIR/cpu.py" diff "$OUT/cpu-pgbench-$name.before.json" "$OUT/cpu-pgbench-$name.after.json" "$SERVER_PID" $$)
  for kv in $cpu; do PG[$name.cpu_${kv%%=*}]=${kv#*=}; done
  PG[$name.tps]=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$OUT/pgbench-$name.txt" | head -n 1)
  PG[$name.lat]=$(sed -nE 's/^latency average = ([0-9.]+) ms.*/\1/p' "$OUT/pgbench-$name.txt" | head -n 1)
  [ -n "${PG[$name.tps]}" ] || { cat "$OUT/pgbench-$name.txt" >&2; die "no tps in the pgbench output"; }
  log "pgbench ($name): ${PG[$name.tps]} tps, average latency ${PG[$name.lat]} ms; CPU $cpu (% of one core)"
}
# Simple protocol: parsed and planned on every execution (what the server did while it sent raw SQL through
# diesel::sql_query, up to commit f81af6d) ...
run_pgbench simple
# ... and prepared once per connection (what it does since it caches its statements, commit 66693ed).
run_pgbench prepared -M prepared
PG_TPS=${PG[simple.tps]}
PG_LAT=${PG[simple.lat]}

EXPLAIN_CITY=7
EXPLAIN_DAY=30
{
  echo "EXPLAIN (ANALYZE, BUFFERS)"
  sed -e '/^\\set/d' -e '/^--/d' "$BENCH_DIR/search.sql"
} >"$OUT/explain.sql"
psql_db -A -t -v city=$EXPLAIN_CITY -v d=$EXPLAIN_DAY -f "$OUT/explain.sql" >"$OUT/explain.txt" 2>&1 ||
  { cat "$OUT/explain.txt" >&2; die "EXPLAIN failed"; }
# (grep finds nothing when the plan has no such node: not an error)
EXPLAIN_INDEXES=$({ grep -oE 'Index (Only )?Scan( Backward)? using [A-Za-z0-9_]+|Bitmap Index Scan on [A-Za-z0-9_]+' \
  "$OUT/explain.txt" || true; } | sed -E 's/.* (using|on) //' | sort -u | paste -sd, - | sed 's/,/, /g')
EXPLAIN_SEQ=$({ grep -oE 'Seq Scan on [a-z_]+' "$OUT/explain.txt" || true; } | sed 's/Seq Scan on //' | sort -u |
  paste -sd, - | sed 's/,/, /g')
EXPLAIN_TIME=$(sed -nE 's/.*Execution Time: ([0-9.]+) ms.*/\1/p' "$OUT/explain.txt")

# ---------------------------------------------------------------------------------------------
# 7. Server health during the run, the soak, summary, docs
# ---------------------------------------------------------------------------------------------
LOG_ERRORS=$(grep -c '"level":"ERROR"' "$OUT/server.log" || true)
LOG_WARNS=$(grep -c '"level":"WARN"' "$OUT/server.log" || true)
if ((LOG_ERRORS > 0)); then
  log "the server logged $LOG_ERRORS ERROR lines; the first ones:"
  grep '"level":"ERROR"' "$OUT/server.log" | head -n 5 >&2
fi
kill -0 "$SERVER_PID" 2>/dev/null || BROKEN+=("the server process died during the run")
if [ "$BENCH_SOAK" = 1 ]; then
  run_soak
  kill -0 "$SERVER_PID" 2>/dev/null || BROKEN+=("the server process died during the soak")
fi

# Targets: scenario min-rps max-p99-ms (empty = none).
declare -A T_RPS=([search]=4000 [info]=10000 [init]=2000 [quote]=4000 [calendar]=3000)
declare -A T_P99=([search]=15 [init]=30 [quote]=25 [calendar]=25)
declare -A LABEL=([search]="search (GET /hotels/search)" [info]="hotel info (GET /hotels/{id}/info)"
  [info_dates]="hotel info with dates" [init]="booking init (POST /bookings/init)"
  [quote]="quote (GET /hotels/{id}/quote, 3 nights)" [calendar]="calendar (GET /hotels/{id}/calendar, 90 nights)")
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

RATIO=$(awk -v a="${R[search.rps]}" -v b="$PG_TPS" 'BEGIN { printf "%.2f", a / b }')
RATIO_PREP=$(awk -v a="${R[search.rps]}" -v b="${PG[prepared.tps]}" 'BEGIN { printf "%.2f", a / b }')
INIT_TOTAL=${R[init.requests]}
INIT_NON201=$((INIT_TOTAL - ${R[init.s2xx]}))
INIT_SHARE=$(awk -v a="$INIT_NON201" -v b="$INIT_TOTAL" 'BEGIN { printf "%.2f", b ? 100 * a / b : 0 }')
RACE_VERDICT=$([ "$RACE_RC" = 0 ] && echo PASS || echo FAIL)
CPU_MODEL=$(sed -nE 's/^model name[[:space:]]*: (.*)/\1/p' /proc/cpuinfo 2>/dev/null | head -n 1 || true)
MACHINE="$(nproc) cores${CPU_MODEL:+ ($CPU_MODEL)}, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)"
PGVER=$("$PSQL" "$URL" -X -A -t -c 'SHOW server_version' | cut -d' ' -f1)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$ROOT" diff --quiet HEAD -- crates migrations Cargo.lock 2>/dev/null; then COMMIT="$COMMIT + uncommitted changes"; fi
if [ "$BUILD" != 1 ]; then COMMIT="$COMMIT (checked out; --no-build ran the existing binary, built $(date -u -r "$BIN" '+%H:%M UTC'))"; fi

SUMMARY=$OUT/summary.md
{
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') · commit $COMMIT · machine: $MACHINE · PostgreSQL $PGVER on the same machine."
  echo "Load: wrk -t$THREADS -c$CONNS on the same machine, ${WARMUP} s warm-up then ${DURATION} s measured per scenario."
  echo "Dataset: $DATASET_TEXT."
  echo "$N_HOTELS hotels, $N_ROOMS room types, $N_INV inventory rows ($INV_DEAD dead tuples in inventory after the" \
    "load, $INV_DEAD_PCT %), $GUESTS guests; $DATASET_BOOKINGS."
  echo
  echo "| Scenario | req/s | p50 ms | p99 ms | max ms | responses | Target | Result |"
  echo "|---|---:|---:|---:|---:|---|---|---|"
  for s in "${SCENARIOS[@]}"; do
    target="—" result="—"
    if [ -n "${T_RPS[$s]:-}" ]; then
      target="≥ ${T_RPS[$s]} req/s" result=PASS
      ge "${R[$s.rps]}" "${T_RPS[$s]}" || result=FAIL
      if [ -n "${T_P99[$s]:-}" ]; then
        target="$target, p99 < ${T_P99[$s]} ms"
        lt "${R[$s.p99_ms]}" "${T_P99[$s]}" || result=FAIL
      fi
    fi
    sock=$((${R[$s.sock_connect]} + ${R[$s.sock_read]} + ${R[$s.sock_write]} + ${R[$s.sock_timeout]}))
    resp=${R[$s.statuses]//,/, }
    ((sock == 0)) || resp="$resp, socket errors $sock"
    printf '| %s | %.0f | %.1f | %.1f | %.0f | %s | %s | %s |\n' "${LABEL[$s]}" "${R[$s.rps]}" "${R[$s.p50_ms]}" \
      "${R[$s.p99_ms]}" "${R[$s.max_ms]}" "$resp" "$target" "$result"
  done
  printf '| search SQL alone (pgbench) | %.0f tps | | | | avg latency %.1f ms | — | — |\n' "$PG_TPS" "$PG_LAT"
  printf '| search SQL alone (pgbench -M prepared) | %.0f tps | | | | avg latency %.1f ms | — | — |\n' \
    "${PG[prepared.tps]}" "${PG[prepared.lat]}"
  echo
  echo "* Booking init: $INIT_NON201 of $INIT_TOTAL responses were not 201 ($INIT_SHARE %); statuses ${R[init.statuses]}."
  printf '* HTTP search ÷ pgbench search SQL: %.0f req/s ÷ %.0f tps = %s (÷ pgbench -M prepared, %.0f tps: %s).\n' \
    "${R[search.rps]}" "$PG_TPS" "$RATIO" "${PG[prepared.tps]}" "$RATIO_PREP"
  echo "* Race, 10 rounds × 50 concurrent inits on a room with 3 free units: **$RACE_VERDICT**."
  echo "* Server resident memory after the scenarios: $(mib "$SERVER_RSS_KB") MiB; peak since start (API load," \
    "every scenario, the race): **$(mib "$SERVER_HWM_KB") MiB** (target < 150 MB)."
  echo "* Read model: serving ${MODEL_WAIT:-?} s after the dataset load ended (caught up with the load's changes and this replica's writes)."
  echo "* Read model staleness (a hold or cancellation of a last room on one replica, until a second replica's search" \
    "reflects it; the first replica must reflect it at once): ${STALENESS_LINE#STALENESS_RESULT }."
  echo "* Answers by source (first replica, /metrics after the scenarios): $(grep '^read_model_answers_total' \
    "$OUT/metrics.txt" | sed 's/read_model_answers_total//' | tr '\n' ' ' || true)"
  echo "* Server log over the whole run: $LOG_ERRORS ERROR and $LOG_WARNS WARN lines."
  echo
  echo "| Race round | stay | 201s | reserved_count per night | responses | slowest ms | |"
  echo "|---:|---|---:|---|---|---:|---|"
  { grep '^RACE_ROUND' "$OUT/race.txt" || true; } | while read -r _ round stay created reserved statuses slowest verdict; do
    statuses=${statuses//,/, }
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${round#*=}" "${stay#*=}" "${created#*=}" "${reserved#*=}" \
      "${statuses#*=}" "${slowest#*=}" "$verdict"
  done
  echo
  echo "CPU used during each measured run, in % of one core ($(nproc) cores = $(($(nproc) * 100)) %). *Client* is wrk or"
  echo "pgbench; *other* is everything else on the machine (a concurrent build or test run makes the figures low)."
  echo
  echo "| Scenario | total | server | postgres | client | other | server WARN/ERROR log lines | pool timeouts |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  for s in "${SCENARIOS[@]}"; do
    other=${R[$s.cpu_other]}
    [ "${R[$s.cpu_top_other]}" = - ] || other="$other (${R[$s.cpu_top_other]//,/, })"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$s]}" "${R[$s.cpu_total]}" "${R[$s.cpu_server]}" \
      "${R[$s.cpu_postgres]}" "${R[$s.cpu_client]}" "$other" "${R[$s.log_warn]}" "${R[$s.pool_timeouts]}"
  done
  for p in simple prepared; do
    other=${PG[$p.cpu_other]}
    [ "${PG[$p.cpu_top_other]}" = - ] || other="$other (${PG[$p.cpu_top_other]//,/, })"
    printf '| pgbench%s | %s | — | %s | %s | %s | — | — |\n' "$([ $p = prepared ] && echo ' -M prepared')" \
      "${PG[$p.cpu_total]}" "${PG[$p.cpu_postgres]}" "${PG[$p.cpu_client]}" "$other"
  done
  if [ -f "$OUT/soak.md" ]; then
    echo
    cat "$OUT/soak.md"
  fi
} >"$SUMMARY"

echo
echo "================================ staybook bench summary ================================"
cat "$SUMMARY"
echo
echo "Search query plan (city$(printf '%02d' $EXPLAIN_CITY), check-in today+$EXPLAIN_DAY, 3 nights): execution ${EXPLAIN_TIME} ms; indexes: ${EXPLAIN_INDEXES:-none}${EXPLAIN_SEQ:+; sequential scans: $EXPLAIN_SEQ}"
echo "Full outputs: $OUT"

if [ "$DOCS" = 1 ]; then
  python3 "$BENCH_DIR/update_docs.py" "$ROOT/docs/PERFORMANCE.md" "$SUMMARY" "$OUT/explain.txt" \
    "$EXPLAIN_CITY" "$EXPLAIN_DAY" "${EXPLAIN_INDEXES:-none}" "${EXPLAIN_SEQ:-none}" ||
    log "warning: could not update docs/PERFORMANCE.md"
fi

if [ "$RACE_RC" != 0 ]; then BROKEN+=("race: not exactly 3 holds in every round (see $OUT/race.txt)"); fi
if [ "$STALENESS_RC" != 0 ]; then BROKEN+=("staleness: a replica did not read its own write, or a step broke (see $OUT/staleness.txt)"); fi
if [ "${BENCH_ALLOW_5XX:-0}" = 1 ] && ((${#BROKEN[@]} > 0)); then
  mapfile -t BROKEN < <(printf '%s\n' "${BROKEN[@]}" | grep -v 'responses 5xx' || true)
fi
for s in "${SCENARIOS[@]}"; do
  other=${R[$s.cpu_other]}
  if ((other > 20)); then
    log "warning: other processes used ${other}% CPU during $s: the machine was not quiet, figures are low"
  fi
done
if ((${#BROKEN[@]} > 0)); then
  printf '[bench] FAILED: %s\n' "${BROKEN[@]}" >&2
  exit 1
fi
log "done"
