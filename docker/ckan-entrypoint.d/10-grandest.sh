#!/bin/sh
# Applied by the ckan-base entrypoint before CKAN starts: migrations of the plugins
# (core, harvest, activity, consultation) and the DataStore permissions.
set -e
ckan -c "$CKAN_INI" db upgrade
ckan -c "$CKAN_INI" datastore set-permissions | psql "$CKAN_SQLALCHEMY_URL" --set ON_ERROR_STOP=1 -q
