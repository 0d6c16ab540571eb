"""Fixtures shared by every test of the project.

The suite runs against real PostgreSQL, Solr and Redis (scripts/test.sh starts them).
A service that does not answer fails the whole run at once, with the reason: a test is
never skipped because a service is missing.
"""

from __future__ import annotations

import os

import pytest
import redis
import requests
import sqlalchemy as sa
from ckan import model, plugins
from ckan.cli import load_config
from ckan.config.environment import CONFIG_FROM_ENV_VARS
from ckan.tests import helpers as test_helpers

# Plugins with their own alembic migrations: CKAN's reset re-creates core tables only.
MIGRATED_PLUGINS = ("activity", "harvest", "consultation", "grandest_harvest")


def _service_urls(ckan_ini: str) -> dict[str, str]:
    """The addresses the run will use: test.ini, then CKAN's own environment overrides."""
    conf = load_config(ckan_ini)
    keys = ("sqlalchemy.url", "solr_url", "ckan.redis.url")
    return {k: os.environ.get(CONFIG_FROM_ENV_VARS[k]) or conf[k] for k in keys}


def _check_services(urls: dict[str, str]) -> list[str]:
    problems = []
    try:
        engine = sa.create_engine(urls["sqlalchemy.url"], connect_args={"connect_timeout": 10})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as e:
        problems.append(f"PostgreSQL ({urls['sqlalchemy.url']}): {e}")
    try:
        requests.get(f"{urls['solr_url']}/admin/ping", timeout=10).raise_for_status()
    except Exception as e:
        problems.append(f"Solr ({urls['solr_url']}): {e}")
    try:
        redis.Redis.from_url(urls["ckan.redis.url"], socket_connect_timeout=10).ping()
    except Exception as e:
        problems.append(f"Redis ({urls['ckan.redis.url']}): {e}")
    return problems


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Runs before CKAN's own session start, which would fail with a less helpful trace."""
    problems = _check_services(_service_urls(session.config.option.ckan_ini))
    if problems:
        pytest.exit(
            "Services required by the test suite are down (start them with "
            "`bash scripts/services.sh start`, or run `make test`):\n  " + "\n  ".join(problems),
            returncode=3,
        )


@pytest.fixture(scope="session", autouse=True)
def portal_plugins():
    """Every test runs with the portal's plugins (test.ini) loaded, once for the session.

    CKAN's `with_plugins` reloads them around each test, which costs about a second a
    test; no test here changes the plugin list, so loading them once is equivalent.
    """
    plugins.load_all()
    yield
    plugins.unload_all()


@pytest.fixture(scope="session")
def _portal_app(portal_plugins):
    return test_helpers._get_test_app()


@pytest.fixture
def app(_portal_app):
    """One test client for the session (CKAN builds one per test: ~1.4 s each).

    The app reads its configuration at request time; a test that needs an app built
    on other settings must build its own with `make_app`.
    """
    return _portal_app


@pytest.fixture(scope="session")
def _pooled_engine():
    return model.meta.engine


@pytest.fixture(scope="session", autouse=True)
def _database_ready(portal_plugins, reset_db_once, migrate_db_for, _pooled_engine):
    """The test database has every table from the first test on, whichever runs first."""
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    model.init_model(_pooled_engine)


@pytest.fixture
def clean_db(portal_plugins, reset_db, migrate_db_for, _pooled_engine):
    """CKAN's clean_db, plus the tables of the plugins that bring their own migrations.

    Migrations bind the session to a NullPool engine (one new connection per commit);
    the portal's pooled engine is put back afterwards, as in a running portal.
    """
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    model.init_model(_pooled_engine)


@pytest.fixture(scope="module")
def clean_db_for_module(portal_plugins, reset_db, reset_index, migrate_db_for, _pooled_engine):
    """clean_db and clean_index once for a whole test module, for modules whose tests
    only read what a costly setup wrote (e.g. a published 50,000-answer poll)."""
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    model.init_model(_pooled_engine)
    reset_index()
