#!/usr/bin/env bash
# Prepares a portal on running services: generated config and secrets, database
# schemas (core, DataStore, harvest, our plugins), the sysadmin, the search index and
# the demo content. Every step is idempotent.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$GE_RUN_DIR/storage"

# Secrets are generated once into the run folder, never committed.
secrets=$GE_RUN_DIR/secrets.env
if [ ! -f "$secrets" ]; then
  umask 077
  {
    echo "GE_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
    echo "GE_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"
  } > "$secrets"
fi
set -a; source "$secrets"; set +a

export GE_SQLALCHEMY_URL=$(ge_pg_url "$GE_DB_NAME")
export GE_DATASTORE_WRITE_URL=$(ge_pg_url "$GE_DS_NAME")
export GE_DATASTORE_READ_URL=$(ge_pg_url "$GE_DS_NAME" "$GE_DS_RO_USER" "$GE_DS_RO_PASSWORD")
envsubst < "$ROOT/config/ckan.ini.in" > "$GE_CKAN_INI"

ckan() { "$GE_VENV/bin/ckan" -c "$GE_CKAN_INI" "$@"; }

say "Migrating the databases (core, plugins)"
ckan db upgrade >"$GE_LOG_DIR/init.log" 2>&1 || { cat "$GE_LOG_DIR/init.log"; die "ckan db upgrade failed"; }
ckan datastore set-permissions 2>>"$GE_LOG_DIR/init.log" | bash "$ROOT/scripts/services.sh" psql -d "$GE_DS_NAME" \
  || die "DataStore permissions failed"

if ! ckan user show "$GE_ADMIN_USER" 2>/dev/null | grep -q "name=$GE_ADMIN_USER"; then
  say "Creating the sysadmin '$GE_ADMIN_USER'"
  ckan user add "$GE_ADMIN_USER" email="$GE_ADMIN_EMAIL" password="$GE_ADMIN_PASSWORD" >>"$GE_LOG_DIR/init.log"
  ckan sysadmin add "$GE_ADMIN_USER" >>"$GE_LOG_DIR/init.log"
fi

say "Loading the demo content"
ckan grandest demo
# After the organisations: the demo consultation is published under the Region's.
ckan consultation demo
