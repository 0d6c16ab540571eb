#!/usr/bin/env bash
# Runs the whole test suite against the real services, starting them if needed (and
# stopping afterwards those it started, unless GE_KEEP_SERVICES=1). Extra arguments go
# to pytest: scripts/test.sh ckanext-grandest/ckanext/grandest/tests/test_search.py -k accent
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/install.sh
mark=test-$$
rm -f "$GE_PID_DIR/started-by-$mark"
stop_started() {
  if [ "${GE_KEEP_SERVICES:-0}" != 1 ] && [ -f "$GE_PID_DIR/started-by-$mark" ]; then
    bash scripts/services.sh stop $(cat "$GE_PID_DIR/started-by-$mark")
  fi
  rm -f "$GE_PID_DIR/started-by-$mark"
}
trap stop_started EXIT
GE_STARTED_BY=$mark bash scripts/services.sh start

# test.ini holds the default addresses; these follow any GE_* override.
export CKAN_SQLALCHEMY_URL=$(ge_pg_url "$GE_TEST_DB_NAME")
export CKAN_DATASTORE_WRITE_URL=$(ge_pg_url "$GE_TEST_DS_NAME")
export CKAN_DATASTORE_READ_URL=$(ge_pg_url "$GE_TEST_DS_NAME" "$GE_DS_RO_USER" "$GE_DS_RO_PASSWORD")
export CKAN_SOLR_URL=http://$GE_HOST:$GE_SOLR_PORT/solr/ckan_test
export CKAN_REDIS_URL=$GE_TEST_REDIS_URL
export CKAN_STORAGE_PATH=$GE_RUN_DIR/test-storage

# The DataStore's read-only role needs its grants on the test database too.
"$GE_VENV/bin/ckan" -c test.ini datastore set-permissions 2>/dev/null \
  | bash scripts/services.sh psql -d "$GE_TEST_DS_NAME" >/dev/null

"$GE_VENV/bin/ruff" check --quiet .
"$GE_VENV/bin/python" -m pytest "$@"
