# Sourced by test.sh and bench.sh: starts the services the test configuration uses
# (stopping on exit those it started, unless GE_KEEP_SERVICES=1) and points CKAN at them.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

bash scripts/install.sh
_mark=test-$$
rm -f "$GE_PID_DIR/started-by-$_mark"
_stop_started() {
  if [ "${GE_KEEP_SERVICES:-0}" != 1 ] && [ -f "$GE_PID_DIR/started-by-$_mark" ]; then
    bash scripts/services.sh stop $(cat "$GE_PID_DIR/started-by-$_mark")
  fi
  rm -f "$GE_PID_DIR/started-by-$_mark"
}
trap _stop_started EXIT
GE_STARTED_BY=$_mark bash scripts/services.sh start

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
