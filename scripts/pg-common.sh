# shellcheck shell=bash
# Helpers shared by scripts/pg-ensure.sh and scripts/db-ensure.sh. Source it; do not run it.
# Everything here writes diagnostics to stderr only: stdout is reserved for the URL the callers print.

pg_log() { printf 'pg-ensure: %s\n' "$*" >&2; }
pg_die() {
  printf 'pg-ensure: ERROR: %s\n' "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# find_pg_bin NAME: absolute path of a PostgreSQL program, from PATH or the usual install
# directories (newest major version first); empty output when none is found.
find_pg_bin() {
  local name=$1 p dir
  if p=$(command -v "$name" 2>/dev/null) && [ -n "$p" ]; then
    printf '%s\n' "$p"
    return 0
  fi
  # Unmatched patterns stay literal and fail the -x test.
  while IFS= read -r dir; do
    if [ -x "$dir/$name" ]; then
      printf '%s\n' "$dir/$name"
      return 0
    fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin \
    /opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin | sort -V -r)
  return 1
}

# url_with_db URL DB: the same server, user and query parameters, another database.
url_with_db() {
  local url=$1 db=$2 base query rest scheme hostpart
  base=${url%%\?*}
  query=${url#"$base"}
  scheme=${base%%://*}
  rest=${base#*://}
  hostpart=${rest%%/*}
  printf '%s://%s/%s%s\n' "$scheme" "$hostpart" "$db" "$query"
}

# url_db URL: the database name in URL (empty when the URL has none).
url_db() {
  local url=$1 base rest
  base=${url%%\?*}
  rest=${base#*://}
  case $rest in
    */*) printf '%s\n' "${rest#*/}" ;;
    *) printf '\n' ;;
  esac
}
