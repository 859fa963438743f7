#!/usr/bin/env bash
# A scale-out cluster on this one machine (make cluster; docs/SCALING.md): a PostgreSQL primary and a streaming
# standby (pg_basebackup -R, a second cluster on another port), a private NATS server with JetStream, two
# `app serve` processes (writes on the primary, search on DATABASE_READ_URL = the standby, READ_MODEL=false so
# search really reads the standby) and nginx in front (only routing to instances that answer; a failed or 502/503
# answer is retried on the other).
#
# Usage: scripts/cluster.sh up | down | status | stop-app N | start-app N | stop-nats | start-nats | env
#   up prints, and writes to $CLUSTER_DIR/env, the addresses (BASE, PRIMARY_URL, REPLICA_URL, NATS_URL, APP1, APP2).
# Environment: CLUSTER_DIR [target/cluster]  CLUSTER_PORT [18400: nginx; +1 primary, +2 standby, +3 NATS,
#   +11/+12 the apps]  CLUSTER_APP_BIN [target/release/app, else target/debug/app]  CLUSTER_READ_MODEL [false]
# Needs PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup), nats-server and nginx; says which is missing.
# As root, PostgreSQL runs as the `postgres` user (it refuses root).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-common.sh
. "$ROOT/scripts/pg-common.sh"
DIR=${CLUSTER_DIR:-$ROOT/target/cluster}
P0=${CLUSTER_PORT:-18400}
P_PRIMARY=$((P0 + 1)) P_REPLICA=$((P0 + 2)) P_NATS=$((P0 + 3))
JWT=cluster-only-jwt-secret-0123456789abcdef-not-for-production

log() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

need() {
  local missing=()
  for p in initdb pg_ctl pg_basebackup psql; do find_pg_bin "$p" >/dev/null 2>&1 || missing+=("PostgreSQL's $p"); done
  command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=("nats-server")
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=("nginx")
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]} (Debian: apt-get install postgresql nats-server nginx)" >&2
    return 1
  fi
}

nats_bin() { command -v nats-server 2>/dev/null || echo /usr/sbin/nats-server; }
nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

app_bin() {
  if [ -n "${CLUSTER_APP_BIN:-}" ]; then echo "$CLUSTER_APP_BIN"
  elif [ -x "$ROOT/target/release/app" ]; then echo "$ROOT/target/release/app"
  else echo "$ROOT/target/debug/app"; fi
}

pg_ctl_() { as_pg "$(find_pg_bin pg_ctl)" "$@"; }

start_pg() { # start_pg DATADIR PORT
  pg_ctl_ -D "$1" -l "$1.log" -w -t 60 -o "-p $2 -k $DIR/sock -c listen_addresses=127.0.0.1" start >/dev/null \
    || { tail -20 "$1.log" >&2; die "PostgreSQL in $1 did not start"; }
}

start_nats() {
  "$(nats_bin)" -a 127.0.0.1 -p "$P_NATS" -js -sd "$DIR/nats" -P "$DIR/nats.pid" -l "$DIR/nats.log" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$P_NATS") 2>/dev/null && return 0; sleep 0.1; done
  die "nats-server did not listen on $P_NATS"
}

stop_nats() {
  [ -f "$DIR/nats.pid" ] && kill "$(cat "$DIR/nats.pid")" 2>/dev/null || true
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$P_NATS") 2>/dev/null || return 0; sleep 0.1; done
}

start_app() { # start_app N
  local n=$1 port=$((P0 + 10 + $1))
  (exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    DATABASE_URL="postgres://postgres@127.0.0.1:$P_PRIMARY/staybook?sslmode=disable" \
    DATABASE_READ_URL="postgres://postgres@127.0.0.1:$P_REPLICA/staybook?sslmode=disable" \
    DATABASE_POOL_SIZE=8 BIND_ADDR=127.0.0.1 PORT="$port" PUBLIC_BASE_URL="http://127.0.0.1:$P0" \
    NATS_URL="nats://127.0.0.1:$P_NATS" JWT_SECRET="$JWT" PAYMENT_GATEWAY=simulated RATE_LIMIT_PER_MINUTE=0 \
    MAX_ACTIVE_HOLDS_PER_USER=0 REPLICA_MAX_LAG_MS="${CLUSTER_REPLICA_MAX_LAG_MS:-3000}" READ_MODEL="${CLUSTER_READ_MODEL:-false}" LOG_FORMAT=json RUST_LOG=warn \
    "$(app_bin)" serve) >>"$DIR/app$n.log" 2>&1 &
  echo $! >"$DIR/app$n.pid"
  for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ready" || true)" = 200 ] && return 0
    kill -0 "$(cat "$DIR/app$n.pid")" 2>/dev/null || { tail -20 "$DIR/app$n.log" >&2; die "app $n exited"; }
    sleep 0.2
  done
  die "app $n is not ready"
}

stop_app() {
  [ -f "$DIR/app$1.pid" ] && kill -9 "$(cat "$DIR/app$1.pid")" 2>/dev/null || true
  rm -f "$DIR/app$1.pid"
}

write_nginx() {
  mkdir -p "$DIR/nginx/tmp"
  cat >"$DIR/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx/tmp/body;
  proxy_temp_path $DIR/nginx/tmp/proxy;
  fastcgi_temp_path $DIR/nginx/tmp/fastcgi;
  uwsgi_temp_path $DIR/nginx/tmp/uwsgi;
  scgi_temp_path $DIR/nginx/tmp/scgi;
  upstream staybook {
    # Passive checks (open-source nginx): an instance that refuses or fails is left out for 2 s.
    server 127.0.0.1:$((P0 + 11)) max_fails=1 fail_timeout=2s;
    server 127.0.0.1:$((P0 + 12)) max_fails=1 fail_timeout=2s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$P0;
    location / {
      proxy_pass http://staybook;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      # Only a refused connection, a timeout or the instance's own 502/503 moves a request to the other
      # instance; non-idempotent requests are retried only when they never reached an instance.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 1s;
    }
  }
}
CONF
}

up() {
  need || exit 1
  [ -f "$DIR/env" ] && die "a cluster is already up in $DIR (scripts/cluster.sh down first)"
  rm -rf "$DIR"
  mkdir -p "$DIR/sock"
  if is_root; then chown postgres: "$DIR" "$DIR/sock"; chmod 755 "$DIR"; fi
  log "primary: initdb on port $P_PRIMARY"
  as_pg "$(find_pg_bin initdb)" -D "$DIR/primary" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >/dev/null
  cat >>"$DIR/primary/postgresql.conf" <<CONF
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = on
CONF
  echo "host replication all 127.0.0.1/32 trust" >>"$DIR/primary/pg_hba.conf"
  start_pg "$DIR/primary" "$P_PRIMARY"
  "$(find_pg_bin psql)" -q -h 127.0.0.1 -p "$P_PRIMARY" -U postgres -c "CREATE DATABASE staybook" >/dev/null
  log "standby: pg_basebackup -R on port $P_REPLICA"
  as_pg "$(find_pg_bin pg_basebackup)" -h 127.0.0.1 -p "$P_PRIMARY" -U postgres -D "$DIR/replica" -R -X stream
  start_pg "$DIR/replica" "$P_REPLICA"
  log "NATS with JetStream on port $P_NATS"
  start_nats
  log "app 1 and 2 ($(app_bin)) on ports $((P0 + 11)) and $((P0 + 12))"
  start_app 1
  start_app 2
  write_nginx
  "$(nginx_bin)" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" </dev/null >/dev/null 2>&1
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$P0/health" && break; sleep 0.1; done
  cat >"$DIR/env" <<ENV
BASE=http://127.0.0.1:$P0
APP1=http://127.0.0.1:$((P0 + 11))
APP2=http://127.0.0.1:$((P0 + 12))
PRIMARY_URL=postgres://postgres@127.0.0.1:$P_PRIMARY/staybook
REPLICA_URL=postgres://postgres@127.0.0.1:$P_REPLICA/staybook
NATS_URL=nats://127.0.0.1:$P_NATS
JWT_SECRET=$JWT
ENV
  log "up: balancer http://127.0.0.1:$P0 ($DIR/env)"
  cat "$DIR/env"
}

down() {
  [ -f "$DIR/nginx/nginx.pid" ] && "$(nginx_bin)" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -s quit 2>/dev/null || true
  stop_app 1
  stop_app 2
  stop_nats
  for d in replica primary; do
    [ -f "$DIR/$d/postmaster.pid" ] && pg_ctl_ -D "$DIR/$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$DIR"
  log "down"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) [ -f "$DIR/env" ] && cat "$DIR/env" || { echo "no cluster in $DIR"; exit 1; } ;;
  env) cat "$DIR/env" ;;
  stop-app) stop_app "${2:?N}" ;;
  start-app) start_app "${2:?N}" ;;
  stop-nats) stop_nats ;;
  start-nats) start_nats ;;
  check) need ;;
  *) echo "usage: $0 up|down|status|env|stop-app N|start-app N|stop-nats|start-nats|check" >&2; exit 2 ;;
esac
