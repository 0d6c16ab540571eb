from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.consultation.tests.publication.population import (
    Answers,
    create_consultation,
    population,
)

_RESOURCE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def clean_datastore_tables():
    """No resource table left in the DataStore database (CKAN's clean_db resets only the
    main database), dropped a few hundred per transaction."""
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    try:
        with engine.connect() as connection:
            tables = [name for name in connection.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
                if _RESOURCE_ID.fullmatch(name)]
            connection.rollback()
            for start in range(0, len(tables), 200):
                with connection.begin():
                    for name in tables[start:start + 200]:
                        connection.execute(sa.text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
    finally:
        engine.dispose()


@pytest.fixture
def region(clean_db, clean_index, clean_datastore_tables):
    """The Region's organisation, under which consultation datasets are published."""
    return factories.Organization(name="region-grand-est", title="Région Grand Est",
                                  body_type="region")


@pytest.fixture
def moderator(region):
    return factories.Sysadmin()


@pytest.fixture
def no_jobs():
    """An empty job queue (closing a consultation enqueues its publication)."""
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    yield
    tk.get_action("job_clear")({"ignore_auth": True}, {})


@dataclass
class Published:
    consultation: dict[str, Any]
    answers: Answers
    result: dict[str, Any]

    @property
    def package(self) -> dict[str, Any]:
        return helpers.call_action("package_show", id=self.consultation["name"])

    def resource(self, table: str) -> dict[str, Any]:
        return next(r for r in self.package["resources"] if r["consultation_table"] == table)


def publish(moderator: dict[str, Any], consultation: dict[str, Any], **options) -> dict:
    return helpers.call_action("consultation_publish",
                               context={"user": moderator["name"], "ignore_auth": False},
                               id=consultation["id"], **options)


@pytest.fixture
def published(moderator, no_jobs) -> Published:
    """A closed consultation, filled through the actions, published by a moderator."""
    answers = population()
    consultation = create_consultation(moderator, "avis-velo", answers)
    return Published(consultation, answers, publish(moderator, consultation))
