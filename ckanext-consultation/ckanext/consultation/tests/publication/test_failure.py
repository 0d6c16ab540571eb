"""A publication that fails midway leaves the previous one exactly as it was.

The failures are real: a DataStore table locked by another session, a constraint of the
CKAN database that refuses the dataset's update. The previous publication is an
interim release; the one that fails is the final release, whose tables all differ.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.consultation.model import Consultation, Release
from ckanext.consultation.tests.publication.conftest import publish
from ckanext.consultation.tests.publication.population import (
    close_consultation,
    create_consultation,
    extra_answers,
    import_answers,
    population,
)
from ckanext.consultation.tests.publication.reading import datastore_rows, stored_file


def _storage() -> Path:
    return Path(tk.config["ckan.storage_path"]) / "resources"


def _snapshot(name: str) -> dict:
    """Everything a user can see of a dataset: metadata, resources, files, tables."""
    package = helpers.call_action("package_show", id=name)
    return {
        "package": {k: v for k, v in package.items() if k != "resources"},
        "resources": package["resources"],
        "files": {r["id"]: stored_file(r["id"]) for r in package["resources"]},
        "tables": {r["id"]: datastore_rows(r["id"]) for r in package["resources"]
                   if r["datastore_active"]},
    }


def _interim_published_then_closed(moderator, name: str) -> dict:
    answers = population(small_cells=False)
    consultation = create_consultation(moderator, name, answers, close=False)
    publish(moderator, consultation, interim=True)
    import_answers(moderator, consultation["id"], extra_answers(answers, per_cell=12).rows)
    close_consultation(moderator, consultation["id"])
    return consultation


def _failure(moderator, consultation) -> str:
    with pytest.raises(tk.ValidationError) as error:
        publish(moderator, consultation)
    return error.value.error_dict["publication"][0]


def _after_failure(consultation_id: str) -> Consultation:
    model.Session.expire_all()
    return model.Session.get(Consultation, consultation_id)


def _releases(consultation_id: str) -> list[str]:
    return [r.kind for r in model.Session.query(Release).filter_by(
        consultation_id=consultation_id).order_by(Release.id)]


@contextlib.contextmanager
def _locked_datastore_table(resource_id: str) -> Iterator[None]:
    """Another session holds an exclusive lock on the table until the block ends."""
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(sa.text(f'LOCK TABLE "{resource_id}" IN ACCESS EXCLUSIVE MODE'))
            yield
    finally:
        engine.dispose()


@pytest.mark.ckan_config("ckanext.consultation.publication.lock_timeout", "1")
def test_locked_datastore_table_keeps_the_previous_publication(moderator, no_jobs,
                                                              ckan_config):
    consultation = _interim_published_then_closed(moderator, "table-verrouillee")
    before = _snapshot("table-verrouillee")
    locked = next(r for r in before["resources"] if r["consultation_table"] == "age")

    # Tables before "age" in the write order are rewritten first, then rolled back.
    with _locked_datastore_table(locked["id"]):
        started = time.monotonic()
        message = _failure(moderator, consultation)
        waited = time.monotonic() - started

    assert message.startswith("La publication a échoué ; la publication précédente reste en "
                              "place. Cause : OperationalError")
    assert "lock timeout" in message
    assert waited < 8   # lock_timeout = 1 s, not the default 10 s
    assert _snapshot("table-verrouillee") == before
    assert not list(_storage().rglob("*.new"))   # staged files removed
    row = _after_failure(consultation["id"])
    assert (row.status, row.publication_error) == ("closed", message)
    assert _releases(consultation["id"]) == ["interim"]

    # Once the lock is gone, the same publication goes through.
    assert publish(moderator, consultation)["release"] == "final"
    after = _snapshot("table-verrouillee")
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]
    assert after["tables"] != before["tables"]
    assert _after_failure(consultation["id"]).publication_error is None


@contextlib.contextmanager
def _constraint(sql: str, name: str) -> Iterator[None]:
    """A real CHECK constraint on the CKAN database's package table, for one block."""
    model.Session.execute(sa.text(f"ALTER TABLE package ADD CONSTRAINT {name} {sql} NOT VALID"))
    model.Session.commit()
    try:
        yield
    finally:
        model.Session.rollback()
        model.Session.execute(sa.text(f"ALTER TABLE package DROP CONSTRAINT IF EXISTS {name}"))
        model.Session.commit()


def test_refused_dataset_update_keeps_the_previous_publication(moderator, no_jobs):
    consultation = _interim_published_then_closed(moderator, "paquet-refuse")
    before = _snapshot("paquet-refuse")
    # The final release drops the "interim results" paragraph from the description.
    with _constraint("CHECK (name <> 'paquet-refuse' OR notes LIKE '%intermédiaires%')",
                     "consultation_test_interim_only"):
        message = _failure(moderator, consultation)
    assert "IntegrityError" in message and "consultation_test_interim_only" in message
    assert _snapshot("paquet-refuse") == before
    assert not list(_storage().rglob("*.new"))
    assert _after_failure(consultation["id"]).status == "closed"
    assert _releases(consultation["id"]) == ["interim"]


def _datastore_tables() -> set[str]:
    engine = sa.create_engine(tk.config["ckan.datastore.write_url"])
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    finally:
        engine.dispose()


def test_failed_first_publication_leaves_nothing_behind(moderator, no_jobs):
    consultation = create_consultation(moderator, "premiere-fois", population())
    tables, files = _datastore_tables(), set(_storage().rglob("*"))
    # Everything is written, then making the dataset public is refused.
    with _constraint("CHECK (name <> 'premiere-fois' OR private)",
                     "consultation_test_stays_private"):
        message = _failure(moderator, consultation)
    assert "consultation_test_stays_private" in message
    assert helpers.call_action("package_search", q="name:premiere-fois",
                               include_private=True)["count"] == 0
    assert model.Session.query(model.Package).filter_by(name="premiere-fois").count() == 0
    assert _datastore_tables() == tables
    assert {p for p in _storage().rglob("*") if p.is_file()} == {p for p in files
                                                                  if p.is_file()}
    row = _after_failure(consultation["id"])
    assert (row.status, row.package_id, row.publication_error) == ("closed", None, message)
    assert _releases(consultation["id"]) == []


def test_an_interrupted_first_publication_is_started_afresh(moderator, region, no_jobs):
    consultation = create_consultation(moderator, "interrompue", population())
    # What a process killed before the dataset was made public leaves behind.
    helpers.call_action("package_create", context={"user": moderator["name"]},
                        type="consultation", name="interrompue",
                        title="Consultation interrompue", notes="…", owner_org=region["id"],
                        private=True)
    publish(moderator, consultation)
    package = helpers.call_action("package_show", id="interrompue")
    assert package["private"] is False
    assert package["num_resources"] == 10
    assert all(datastore_rows(r["id"]) for r in package["resources"]
               if r["datastore_active"] and r["consultation_table"] != "suivi")
