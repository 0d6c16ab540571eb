#!/usr/bin/env bash
# Starts and stops the real services the portal and its tests need, all bound to
# 127.0.0.1 and kept under the run folder: PostgreSQL 15, Redis and Solr 9.
#   services.sh start [postgres|redis|solr ...]   (default: all; already running ones are kept)
#   services.sh stop  [postgres|redis|solr ...]   (only what the project started: its pid files)
#   services.sh status
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$GE_LOG_DIR" "$GE_PID_DIR"

PG_BIN=${GE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_HOME=$GE_RUN_DIR
PG_LOG=$GE_LOG_DIR/postgres.log
# As root, the cluster runs as the `postgres` user, who must reach the run folder; a
# checkout under a private home (e.g. /root) cannot, so the cluster then lives in
# /var/lib/opendata-grandest/<hash of the run folder> instead.
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 \
   && ! runuser -u postgres -- test -x "$GE_RUN_DIR" 2>/dev/null; then
  PG_HOME=/var/lib/opendata-grandest/$(printf %s "$GE_RUN_DIR" | md5sum | cut -c1-12)
  PG_LOG=$PG_HOME/postgres.log
  mkdir -p "$PG_HOME" && chown postgres: "$PG_HOME"
fi
PG_DATA=$PG_HOME/postgres
PG_SOCK=$PG_HOME/pgsock
SOLR_HOME=$GE_RUN_DIR/solr
SOLR_DIR=$ROOT/docker/solr

as_postgres() { if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # DESCRIPTION SECONDS COMMAND...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  die "$what did not start in ${secs}s (logs: $GE_LOG_DIR)"
}

psql_admin() { PGOPTIONS=--client-min-messages=warning as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$GE_PG_PORT" -U postgres "$@"; }

pg_running() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

start_postgres() {
  [ -n "$PG_BIN" ] || die "PostgreSQL binaries not found: run scripts/install.sh"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "Creating the PostgreSQL cluster in $PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCK"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DATA" "$PG_SOCK"
    chmod 700 "$PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$GE_LOG_DIR/initdb.log"
  fi
  mkdir -p "$PG_SOCK"; [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_SOCK" "$GE_LOG_DIR"
  if pg_running; then return 1; fi
  say "Starting PostgreSQL on $GE_HOST:$GE_PG_PORT"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
    -o "-h $GE_HOST -p $GE_PG_PORT -k $PG_SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  ensure_databases
}

# Roles and databases: main + test, each with its DataStore database; CKAN's own
# `datastore set-permissions` grants the read-only role afterwards (init.sh).
ensure_databases() {
  psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$GE_DB_USER', '$GE_DB_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$GE_DB_USER') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '$GE_DS_RO_USER', '$GE_DS_RO_PASSWORD')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$GE_DS_RO_USER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', d, '$GE_DB_USER')
  FROM unnest(ARRAY['$GE_DB_NAME', '$GE_DS_NAME', '$GE_TEST_DB_NAME', '$GE_TEST_DS_NAME']) AS d
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
}

stop_postgres() {
  pg_running || return 0
  say "Stopping PostgreSQL"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
}

redis_ping() { redis-cli -h "$GE_HOST" -p "$GE_REDIS_PORT" ping | grep -q PONG; }

start_redis() {
  if alive "$GE_PID_DIR/redis.pid"; then return 1; fi
  say "Starting Redis on $GE_HOST:$GE_REDIS_PORT"
  mkdir -p "$GE_RUN_DIR/redis"
  redis-server --bind "$GE_HOST" --port "$GE_REDIS_PORT" --dir "$GE_RUN_DIR/redis" --daemonize yes \
    --pidfile "$GE_PID_DIR/redis.pid" --logfile "$GE_LOG_DIR/redis.log" --save "" --appendonly no
  wait_for Redis 20 redis_ping
}

stop_redis() {
  alive "$GE_PID_DIR/redis.pid" || return 0
  say "Stopping Redis"
  redis-cli -h "$GE_HOST" -p "$GE_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$GE_PID_DIR/redis.pid")"
  rm -f "$GE_PID_DIR/redis.pid"
}

# Solr home: cores `ckan` (portal) and `ckan_test` (tests), both on CKAN's own schema.xml
# copied from the installed ckan package, so the schema always matches CKAN's version.
prepare_solr_home() {
  local schema
  schema=$("$GE_VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"))')
  [ -f "$schema" ] || die "CKAN's schema.xml not found at $schema"
  mkdir -p "$SOLR_HOME"
  cp "$SOLR_DIR/home/solr.xml" "$SOLR_HOME/"
  for core in ckan ckan_test; do
    mkdir -p "$SOLR_HOME/$core/conf"
    cp "$SOLR_DIR"/home/ckan/conf/* "$SOLR_HOME/$core/conf/"
    cp "$schema" "$SOLR_HOME/$core/conf/schema.xml"
    echo "name=$core" > "$SOLR_HOME/$core/core.properties"
  done
}

solr_ready() {
  curl -fsS "http://$GE_HOST:$GE_SOLR_PORT/solr/ckan/schema?wt=schema.xml" | grep -q 'name="ckan-' &&
  curl -fsS "http://$GE_HOST:$GE_SOLR_PORT/solr/ckan_test/admin/ping" >/dev/null
}

start_solr() {
  if alive "$GE_PID_DIR/solr.pid"; then return 1; fi
  [ -f "$SOLR_DIR/target/classpath.txt" ] || die "Solr launcher not built: run scripts/install.sh"
  prepare_solr_home
  say "Starting Solr 9 on $GE_HOST:$GE_SOLR_PORT"
  (cd "$GE_RUN_DIR" && exec java -Xmx"$GE_SOLR_HEAP" -Dlog4j2.formatMsgNoLookups=true \
    -cp "$SOLR_DIR/target/classes:$(cat "$SOLR_DIR/target/classpath.txt")" \
    fr.grandest.solr.Launcher "$SOLR_HOME" "$GE_SOLR_PORT" >"$GE_LOG_DIR/solr.log" 2>&1) &
  echo $! > "$GE_PID_DIR/solr.pid"
  wait_for Solr 120 solr_ready
}

stop_solr() {
  alive "$GE_PID_DIR/solr.pid" || return 0
  say "Stopping Solr"
  local pid; pid=$(cat "$GE_PID_DIR/solr.pid")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$GE_PID_DIR/solr.pid"
}

ALL=(postgres redis solr)
cmd=${1:-status}; shift || true
names=("$@"); [ ${#names[@]} -gt 0 ] || [ "$cmd" = psql ] || names=("${ALL[@]}")
case $cmd in
  # Prints the names of the services this call started (the caller may stop just those).
  start) for s in "${names[@]}"; do if "start_$s"; then echo "$s" >> "$GE_PID_DIR/started-by-${GE_STARTED_BY:-user}"; fi; done ;;
  stop) for ((i=${#names[@]}-1; i>=0; i--)); do "stop_${names[i]}"; done ;;
  psql) psql_admin "${names[@]}" ;;  # an admin psql on the project's cluster (stdin passes through)
  status)
    pg_running && echo "postgres: running" || echo "postgres: stopped"
    alive "$GE_PID_DIR/redis.pid" && echo "redis: running" || echo "redis: stopped"
    alive "$GE_PID_DIR/solr.pid" && echo "solr: running" || echo "solr: stopped" ;;
  *) die "usage: services.sh start|stop|status [postgres|redis|solr ...]" ;;
esac
