#!/usr/bin/env bash
# Make sure a PostgreSQL server is running and print an admin DATABASE_URL (a superuser, database
# `postgres`) as the last line on stdout. Diagnostics go to stderr. Safe to run again and again.
#
# Order of preference:
#   1. $DATABASE_URL, when set (checked with pg_isready; a failing test query is only a warning, since
#      the database in the URL may not exist yet);
#   2. a server on 127.0.0.1:5432 that lets `postgres`, then `root`, in without a password;
#   3. the system cluster, started with pg_ctlcluster when it exists but is down (root only);
#   4. a project-local cluster in .data/pg on 127.0.0.1:55432 (trust auth, socket in .data/run),
#      created with initdb on first use and started with pg_ctl; as root, it runs as the `postgres`
#      system user, because PostgreSQL refuses to run as root;
#   5. no PostgreSQL binaries at all: as root with apt-get, install the `postgresql` package and retry;
#      otherwise exit 1 and say what to install.
#
# Usage: scripts/pg-ensure.sh            ensure a server, print its admin URL
#        scripts/pg-ensure.sh --stop     stop the project-local cluster (if it is running)
#        scripts/pg-ensure.sh --destroy  stop it and delete its files
#
# Environment:
#   DATABASE_URL            use this server (step 1) and nothing else
#   PG_ENSURE_SKIP_SYSTEM=1 skip steps 2 and 3 (go straight to the project-local cluster)
#   PG_ENSURE_DATA_DIR      where the local cluster lives (default: <repo>/.data)
#   PG_ENSURE_LOCAL_PORT    port of the local cluster (default: 55432)
#   PG_ENSURE_WAIT          seconds to wait for a server to answer (default: 30)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-common.sh
. "$ROOT/scripts/pg-common.sh"

DATA_DIR=${PG_ENSURE_DATA_DIR:-$ROOT/.data}
case $DATA_DIR in /*) ;; *) DATA_DIR=$PWD/$DATA_DIR ;; esac
LOCAL_PGDATA=$DATA_DIR/pg
LOCAL_LOG=$DATA_DIR/pg.log
LOCAL_SOCK=$DATA_DIR/run
LOCAL_PORT=${PG_ENSURE_LOCAL_PORT:-55432}
SYSTEM_PORT=5432
WAIT=${PG_ENSURE_WAIT:-30}
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-3}
# Our own URLs name every connection parameter; keep stray libpq settings from steering the checks.
unset PGSERVICE PGSERVICEFILE PGOPTIONS

PSQL=$(find_pg_bin psql || true)
PG_ISREADY=$(find_pg_bin pg_isready || true)

redact() { printf '%s\n' "$1" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#'; }

# can_query URL: a trivial query succeeds through URL.
can_query() { [ -n "$PSQL" ] && "$PSQL" "$1" -X -A -t -q -w -c 'select 1' >/dev/null 2>&1; }

# server_up HOST PORT: something answering the PostgreSQL protocol accepts connections there.
server_up() {
  if [ -n "$PG_ISREADY" ]; then
    "$PG_ISREADY" -q -h "$1" -p "$2" -t 3
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------
# 1. DATABASE_URL
# ---------------------------------------------------------------------------------------------
use_database_url() {
  local shown i
  shown=$(redact "$DATABASE_URL")
  if [ -z "$PG_ISREADY" ] && [ -z "$PSQL" ]; then
    pg_log "warning: neither pg_isready nor psql is installed; using DATABASE_URL ($shown) unchecked"
    printf '%s\n' "$DATABASE_URL"
    return 0
  fi
  for ((i = 0; ; i++)); do
    if [ -n "$PG_ISREADY" ]; then
      "$PG_ISREADY" -q -d "$DATABASE_URL" -t 3 && break
    else
      can_query "$DATABASE_URL" && break
    fi
    if ((i >= WAIT)); then
      pg_die "DATABASE_URL is set ($shown) but no PostgreSQL server answers there after ${WAIT}s. Start that server, or unset DATABASE_URL to let this script find or start one."
    fi
    ((i == 0)) && pg_log "waiting up to ${WAIT}s for $shown ..."
    sleep 1
  done
  if [ -n "$PSQL" ] && ! can_query "$DATABASE_URL"; then
    pg_log "note: the server at $shown answers, but a query through DATABASE_URL failed (wrong credentials, or its database does not exist yet)"
  fi
  pg_log "using DATABASE_URL ($shown)"
  printf '%s\n' "$DATABASE_URL"
}

# ---------------------------------------------------------------------------------------------
# 2. and 3. The machine's own server on 127.0.0.1:5432
# ---------------------------------------------------------------------------------------------
try_system() {
  local user url
  server_up 127.0.0.1 "$SYSTEM_PORT" || return 1
  if [ -z "$PSQL" ]; then
    pg_log "warning: psql not found; assuming user postgres on 127.0.0.1:$SYSTEM_PORT"
    printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$SYSTEM_PORT"
    return 0
  fi
  for user in postgres root; do
    url="postgres://$user@127.0.0.1:$SYSTEM_PORT/postgres"
    if can_query "$url"; then
      pg_log "using the server on 127.0.0.1:$SYSTEM_PORT as $user"
      printf '%s\n' "$url"
      return 0
    fi
  done
  pg_log "a server answers on 127.0.0.1:$SYSTEM_PORT, but neither postgres nor root may log in without a password; falling back to a project-local cluster"
  return 1
}

start_system_cluster() {
  local ctl conf v started=0 i
  is_root || return 1
  ctl=$(command -v pg_ctlcluster 2>/dev/null) || return 1
  [ -d /etc/postgresql ] || return 1
  for conf in /etc/postgresql/*/main; do
    [ -d "$conf" ] || continue
    v=$(basename "$(dirname "$conf")")
    pg_log "starting the system cluster $v/main with pg_ctlcluster"
    if "$ctl" --skip-systemctl-redirect "$v" main start >&2; then
      started=1
    else
      pg_log "pg_ctlcluster $v main start failed"
    fi
  done
  ((started)) || return 1
  for ((i = 0; i < WAIT; i++)); do
    server_up 127.0.0.1 "$SYSTEM_PORT" && return 0
    sleep 1
  done
  pg_log "the system cluster started but does not answer on 127.0.0.1:$SYSTEM_PORT"
  return 1
}

# ---------------------------------------------------------------------------------------------
# 4. Project-local cluster in .data/pg
# ---------------------------------------------------------------------------------------------
# run_as_owner CMD...: run CMD as the cluster's owner (the postgres system user when we are root).
run_as_owner() {
  if ! is_root; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- "$@"
  else
    su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
  fi
}

ensure_postgres_user() {
  id -u postgres >/dev/null 2>&1 && return 0
  pg_log "creating the postgres system user"
  if command -v useradd >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
      --shell /bin/sh --comment 'PostgreSQL administrator' postgres
  elif command -v adduser >/dev/null 2>&1; then
    adduser -S -D -H -h /var/lib/postgresql -s /bin/sh postgres
  else
    pg_die "running as root, and there is no postgres user to run PostgreSQL as (no useradd/adduser to create one)"
  fi
}

pid_is_zombie() { case $(ps -o stat= -p "$1" 2>/dev/null || true) in Z*) return 0 ;; *) return 1 ;; esac; }

# local_running_port: print the port of the running local cluster; fail when it is not running.
local_running_port() {
  local pidfile=$LOCAL_PGDATA/postmaster.pid pid port
  [ -r "$pidfile" ] || return 1
  pid=$(sed -n 1p "$pidfile")
  port=$(sed -n 4p "$pidfile")
  [ -n "$pid" ] && [ -n "$port" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A killed postmaster may linger as a zombie until it is reaped: that is not running either.
  pid_is_zombie "$pid" && return 1
  printf '%s\n' "$port"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_local_conf() {
  local sock_setting
  # A Unix socket path is limited to 107 bytes; skip the socket rather than fail in a deep checkout.
  if ((${#LOCAL_SOCK} + ${#LOCAL_PORT} + 10 > 107)); then
    pg_log "note: $LOCAL_SOCK is too long for a Unix socket path; the local cluster listens on TCP only"
    sock_setting="''"
  else
    sock_setting=$(sql_quote "$LOCAL_SOCK")
  fi
  cat >"$LOCAL_PGDATA/staybook-local.conf" <<EOF
# Written by scripts/pg-ensure.sh on every start; edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $LOCAL_PORT
unix_socket_directories = $sock_setting
max_connections = 200
# A disposable development and test cluster: speed over crash safety (make clean-data rebuilds it).
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if is_root; then chown postgres: "$LOCAL_PGDATA/staybook-local.conf"; fi
}

init_local() {
  local initdb=$1
  if [ -n "$(ls -A "$LOCAL_PGDATA" 2>/dev/null)" ]; then
    pg_die "$LOCAL_PGDATA exists but holds no PostgreSQL cluster; remove it (make clean-data) and retry"
  fi
  pg_log "creating a project-local cluster in $LOCAL_PGDATA (initdb, trust auth)"
  (cd "$DATA_DIR" && run_as_owner "$initdb" -D "$LOCAL_PGDATA" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C --no-sync >&2 9>&-) || pg_die "initdb failed (output above)"
  printf "\n# Local settings for staybook (scripts/pg-ensure.sh)\ninclude_if_exists = 'staybook-local.conf'\n" \
    >>"$LOCAL_PGDATA/postgresql.conf"
}

ensure_local() {
  local initdb pg_ctl port url i
  initdb=$(find_pg_bin initdb || true)
  pg_ctl=$(find_pg_bin pg_ctl || true)
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    install_or_die
  fi

  mkdir -p "$DATA_DIR"
  # Two concurrent callers (say, make -j) must not both run initdb. The server must not inherit the
  # lock's descriptor (9>&- below), or it would hold the lock for its whole life.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA_DIR/pg-ensure.lock"
    flock -w 180 9 || pg_die "timed out waiting for another pg-ensure run ($DATA_DIR/pg-ensure.lock)"
  fi

  # Already running (possibly still starting up, or shutting down): reuse it while it lives.
  for ((i = 0; ; i++)); do
    port=$(local_running_port) || break
    url="postgres://postgres@127.0.0.1:$port/postgres"
    if can_query "$url" || { [ -z "$PSQL" ] && server_up 127.0.0.1 "$port"; }; then
      pg_log "reusing the running project-local cluster ($LOCAL_PGDATA, port $port)"
      printf '%s\n' "$url"
      return 0
    fi
    if ((i >= WAIT)); then
      pg_die "the project-local cluster ($LOCAL_PGDATA) is running but does not answer on 127.0.0.1:$port; see $LOCAL_LOG"
    fi
    sleep 1
  done

  if server_up 127.0.0.1 "$LOCAL_PORT"; then
    pg_die "port $LOCAL_PORT on 127.0.0.1 is taken by another server (another checkout's cluster?); stop it, or set PG_ENSURE_LOCAL_PORT to a free port"
  fi

  mkdir -p "$LOCAL_PGDATA" "$LOCAL_SOCK"
  touch "$LOCAL_LOG"
  if is_root; then
    ensure_postgres_user
    chown postgres: "$LOCAL_PGDATA" "$LOCAL_SOCK" "$LOCAL_LOG"
    if ! run_as_owner test -w "$LOCAL_PGDATA" -a -w "$LOCAL_SOCK" -a -w "$LOCAL_LOG"; then
      pg_die "the postgres user cannot reach $DATA_DIR (a parent folder is closed to other users). Set PG_ENSURE_DATA_DIR to a folder it can reach, e.g. PG_ENSURE_DATA_DIR=/var/tmp/staybook-pg"
    fi
  fi
  chmod 700 "$LOCAL_PGDATA"

  [ -s "$LOCAL_PGDATA/PG_VERSION" ] || init_local "$initdb"
  write_local_conf

  # PostgreSQL refuses to start while the pid in a stale postmaster.pid is alive, and a zombie counts
  # as alive until its parent reaps it: give a just-killed server a moment to go.
  for ((i = 0; i < WAIT; i++)); do
    if ! [ -r "$LOCAL_PGDATA/postmaster.pid" ] || ! pid_is_zombie "$(sed -n 1p "$LOCAL_PGDATA/postmaster.pid")"; then
      break
    fi
    sleep 1
  done

  pg_log "starting the project-local cluster on 127.0.0.1:$LOCAL_PORT (log: $LOCAL_LOG)"
  if ! (cd "$DATA_DIR" && run_as_owner "$pg_ctl" -D "$LOCAL_PGDATA" -l "$LOCAL_LOG" -w -t 60 start >&2 9>&-); then
    tail -n 20 "$LOCAL_LOG" >&2 || true
    pg_die "pg_ctl could not start the project-local cluster (log: $LOCAL_LOG)"
  fi

  url="postgres://postgres@127.0.0.1:$LOCAL_PORT/postgres"
  for ((i = 0; i < WAIT; i++)); do
    if can_query "$url" || { [ -z "$PSQL" ] && server_up 127.0.0.1 "$LOCAL_PORT"; }; then
      printf '%s\n' "$url"
      return 0
    fi
    sleep 1
  done
  pg_die "the project-local cluster started but does not answer on 127.0.0.1:$LOCAL_PORT; see $LOCAL_LOG"
}

stop_local() {
  local pg_ctl
  if ! local_running_port >/dev/null; then
    pg_log "the project-local cluster ($LOCAL_PGDATA) is not running"
    return 0
  fi
  pg_ctl=$(find_pg_bin pg_ctl) || pg_die "pg_ctl not found; cannot stop the cluster in $LOCAL_PGDATA"
  pg_log "stopping the project-local cluster ($LOCAL_PGDATA)"
  (cd "$DATA_DIR" && run_as_owner "$pg_ctl" -D "$LOCAL_PGDATA" -m fast -w -t 60 stop >&2)
}

# ---------------------------------------------------------------------------------------------
# 5. No PostgreSQL at all
# ---------------------------------------------------------------------------------------------
install_or_die() {
  if [ "${PG_ENSURE_INSTALLED:-0}" != 1 ] && is_root && command -v apt-get >/dev/null 2>&1; then
    pg_log "no PostgreSQL server binaries found; installing the Debian package postgresql"
    # apt's output goes to stderr: stdout carries only the URL.
    if ! { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2; }; then
      pg_die "apt-get install postgresql failed"
    fi
    PG_ENSURE_INSTALLED=1 exec "$0"
  fi
  pg_die "no PostgreSQL found: no usable server on 127.0.0.1:$SYSTEM_PORT, and the server programs (initdb, pg_ctl) are neither on PATH nor in /usr/lib/postgresql/*/bin.
  Install PostgreSQL (14 or newer), then run this again:
    Debian/Ubuntu: sudo apt-get install postgresql
    Fedora/RHEL:   sudo dnf install postgresql-server
    macOS:         brew install postgresql@15
  or point DATABASE_URL at a server you already have, e.g. DATABASE_URL=postgres://postgres@db.example:5432/postgres"
}

main() {
  case ${1:-} in
    "") ;;
    --stop)
      stop_local
      return 0
      ;;
    --destroy)
      stop_local
      rm -rf "$LOCAL_PGDATA" "$LOCAL_SOCK" "$LOCAL_LOG" "$DATA_DIR/pg-ensure.lock"
      pg_log "removed the project-local cluster files under $DATA_DIR"
      return 0
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      return 0
      ;;
    *) pg_die "unknown argument: $1 (try --help)" ;;
  esac

  if [ -n "${DATABASE_URL:-}" ]; then
    use_database_url
    return 0
  fi
  if [ "${PG_ENSURE_SKIP_SYSTEM:-0}" != 1 ]; then
    try_system && return 0
    if ! server_up 127.0.0.1 "$SYSTEM_PORT" && start_system_cluster; then
      try_system && return 0
    fi
  fi
  ensure_local
}

main "$@"
