"""Fixtures shared by every test of the project.

The suite runs against real PostgreSQL, Solr and Redis (scripts/test.sh starts them).
A service that does not answer fails the whole run at once, with the reason: a test is
never skipped because a service is missing.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
import redis
import requests
import sqlalchemy as sa

# Plugins with their own alembic migrations: CKAN's reset re-creates core tables only.
MIGRATED_PLUGINS = ("activity", "harvest")


def _check_services() -> list[str]:
    problems = []
    try:
        with sa.create_engine(tk.config["sqlalchemy.url"]).connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as e:
        problems.append(f"PostgreSQL ({tk.config['sqlalchemy.url']}): {e}")
    solr = tk.config["solr_url"]
    try:
        requests.get(f"{solr}/admin/ping", timeout=10).raise_for_status()
    except Exception as e:
        problems.append(f"Solr ({solr}): {e}")
    try:
        redis.Redis.from_url(tk.config["ckan.redis.url"]).ping()
    except Exception as e:
        problems.append(f"Redis ({tk.config['ckan.redis.url']}): {e}")
    return problems


@pytest.fixture(scope="session", autouse=True)
def real_services() -> None:
    problems = _check_services()
    if problems:
        pytest.exit(
            "Services required by the test suite are down (start them with "
            "`bash scripts/services.sh start`, or run `make test`):\n  " + "\n  ".join(problems),
            returncode=3,
        )


@pytest.fixture(autouse=True)
def portal_plugins(with_plugins):
    """Every test runs with the portal's plugins (config/portal.ini) loaded."""


@pytest.fixture
def clean_db(portal_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins that bring their own migrations."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
