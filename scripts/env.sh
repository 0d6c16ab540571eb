# Shared settings of the project's scripts. Every value can be overridden from the
# environment; the defaults suit a developer machine and CI.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GE_ROOT=$ROOT
export GE_RUN_DIR=${GE_RUN_DIR:-$ROOT/run}          # data, logs, secrets, generated config
export GE_VENV=${GE_VENV:-$ROOT/.venv}
export GE_PYTHON=${GE_PYTHON:-python3}

export GE_HOST=${GE_HOST:-127.0.0.1}
export GE_CKAN_PORT=${GE_CKAN_PORT:-5000}
export GE_PG_PORT=${GE_PG_PORT:-5433}
export GE_REDIS_PORT=${GE_REDIS_PORT:-6380}
export GE_SOLR_PORT=${GE_SOLR_PORT:-8983}
export GE_PEERS_PORT=${GE_PEERS_PORT:-8701}     # demo: local servers playing partner platforms
export GE_SOLR_HEAP=${GE_SOLR_HEAP:-768m}
# Seconds between two `ckan harvester run` of the scheduler.
export GE_HARVEST_INTERVAL=${GE_HARVEST_INTERVAL:-60}

export GE_DB_USER=${GE_DB_USER:-ckan}
export GE_DB_PASSWORD=${GE_DB_PASSWORD:-ckan}
export GE_DS_RO_USER=${GE_DS_RO_USER:-datastore_ro}
export GE_DS_RO_PASSWORD=${GE_DS_RO_PASSWORD:-datastore_ro}
export GE_DB_NAME=${GE_DB_NAME:-ckan}
export GE_DS_NAME=${GE_DS_NAME:-datastore}
export GE_TEST_DB_NAME=${GE_TEST_DB_NAME:-ckan_test}
export GE_TEST_DS_NAME=${GE_TEST_DS_NAME:-datastore_test}

export GE_ADMIN_USER=${GE_ADMIN_USER:-admin}
export GE_ADMIN_EMAIL=${GE_ADMIN_EMAIL:-admin@opendata.grandest.invalid}

export GE_SITE_URL=${GE_SITE_URL:-http://$GE_HOST:$GE_CKAN_PORT}
export GE_LOG_DIR=$GE_RUN_DIR/logs
export GE_PID_DIR=$GE_RUN_DIR/pids
export GE_CKAN_INI=$GE_RUN_DIR/ckan.ini
export PATH=$GE_VENV/bin:$PATH

ge_pg_url() { # DB [USER PASSWORD]
  echo "postgresql://${2:-$GE_DB_USER}:${3:-$GE_DB_PASSWORD}@$GE_HOST:$GE_PG_PORT/$1"
}
# Harvest consumers block on Redis for long periods: the client's default socket
# timeout would kill them, hence the long one.
export GE_REDIS_URL=${GE_REDIS_URL:-redis://$GE_HOST:$GE_REDIS_PORT/0?socket_timeout=3600}
export GE_TEST_REDIS_URL=${GE_TEST_REDIS_URL:-redis://$GE_HOST:$GE_REDIS_PORT/1?socket_timeout=3600}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }
