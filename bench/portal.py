"""The portal as every benchmark uses it: loaded from the test configuration, and emptied
before each measured run."""

from __future__ import annotations

from typing import Any

# The plugins with their own tables, as the test suite migrates them (conftest.py).
MIGRATED_PLUGINS = ("activity", "harvest", "consultation", "grandest_harvest")


def load_app(ini: str) -> Any:
    """CKAN's WSGI app for the configuration file ``ini`` (its plugins loaded)."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))


def reset() -> None:
    """An empty database with every table of the portal, and an empty search index."""
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib.search import clear_all
    from ckan.tests.helpers import reset_db

    pooled = model.meta.engine
    reset_db()
    for plugin in MIGRATED_PLUGINS:
        _run_migrations(plugin)
    model.init_model(pooled)    # migrations leave a NullPool engine behind
    clear_all()
