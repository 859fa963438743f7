#!/usr/bin/env bash
# Runs once when the primary's data directory is created (docker-entrypoint-initdb.d): lets the standby of
# deploy/compose.yaml stream from it (password auth on the compose network).
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
