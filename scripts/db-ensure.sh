#!/usr/bin/env bash
# Make sure the application's database exists and print its URL as the last line on stdout.
#
# Usage: scripts/db-ensure.sh [NAME]     (NAME defaults to $STAYBOOK_DB, else staybook)
#
# When DATABASE_URL is set, it is the application's URL as given: its database is created if
# missing and the URL is printed unchanged. Otherwise scripts/pg-ensure.sh finds or starts a
# server, and the result is that server's URL with database NAME.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-common.sh
. "$ROOT/scripts/pg-common.sh"

name=${1:-${STAYBOOK_DB:-staybook}}
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-3}

admin=$("$ROOT/scripts/pg-ensure.sh" | tail -n 1)
if [ -n "${DATABASE_URL:-}" ]; then
  target=$DATABASE_URL
else
  target=$(url_with_db "$admin" "$name")
fi
db=$(url_db "$target")

PSQL=$(find_pg_bin psql) || pg_die "psql not found; install the PostgreSQL client (Debian: apt-get install postgresql-client)"

if "$PSQL" "$target" -X -q -w -c 'select 1' >/dev/null 2>&1; then
  printf '%s\n' "$target"
  exit 0
fi
[ -n "$db" ] || pg_die "cannot connect through $(printf '%s' "$target" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#') and it names no database to create"

# Create it from the server's maintenance database. psql interpolates :"db" only in scripts read
# from stdin, not in -c, hence the pipe.
maint=$(url_with_db "$target" postgres)
exists=$(printf "select 1 from pg_database where datname = :'db';\n" |
  "$PSQL" "$maint" -X -q -w -A -t -v ON_ERROR_STOP=1 -v db="$db") ||
  pg_die "cannot reach the maintenance database 'postgres' on that server to create '$db'"
if [ "$exists" != 1 ]; then
  pg_log "creating database $db"
  printf 'create database :"db";\n' | "$PSQL" "$maint" -X -q -w -v ON_ERROR_STOP=1 -v db="$db" >&2 ||
    pg_die "could not create database $db"
fi
printf '%s\n' "$target"
