"""``ckan consultation publish-due``: the weekly round of the scheduler loop."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.cli.cli import ckan as ckan_cli
from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.consultation.publication import schedule
from ckanext.consultation.tests.publication.conftest import publish
from ckanext.consultation.tests.publication.population import create_consultation, population
from ckanext.consultation.tests.publication.reading import datastore_rows


@pytest.fixture
def three_consultations(moderator, no_jobs):
    """Closed but unpublished; published, with a follow-up entry since; still open."""
    closed = create_consultation(moderator, "close-a-publier", population(seed=2))
    published = create_consultation(moderator, "deja-publiee", population(seed=3))
    publish(moderator, published)
    helpers.call_action("consultation_followup_create",
                        context={"user": moderator["name"], "ignore_auth": False},
                        consultation_id=published["id"], status="announced",
                        decision="Réunion publique le 12 mars.", date="2026-02-01")
    opened = create_consultation(moderator, "encore-ouverte", population(seed=4), close=False)
    tk.get_action("job_clear")({"ignore_auth": True}, {})   # the jobs closing enqueued
    return closed, published, opened


def _status(consultation: dict) -> str:
    return helpers.call_action("consultation_show", id=consultation["id"])["status"]


def _followup_rows(name: str) -> list[dict]:
    package = helpers.call_action("package_show", id=name)
    resource = next(r for r in package["resources"] if r["consultation_table"] == "suivi")
    return datastore_rows(resource["id"])


def _exists(name: str) -> bool:
    return bool(helpers.call_action("package_search", q=f"name:{name}",
                                    include_private=True)["count"])


def test_round_publishes_closed_consultations_and_refreshes_followups(
        cli, three_consultations, moderator):
    closed, published, opened = three_consultations
    assert _followup_rows("deja-publiee") == []

    result = cli.invoke(ckan_cli, ["consultation", "publish-due", "--sync"])
    assert result.exit_code == 0, result.output
    assert "Done: publish close-a-publier." in result.output
    assert "Done: refresh the follow-up of deja-publiee." in result.output
    assert _status(closed) == "published" and _exists("close-a-publier")
    assert [r["decision"] for r in _followup_rows("deja-publiee")] == [
        "Réunion publique le 12 mars."]
    assert _status(opened) == "open" and not _exists("encore-ouverte")
    assert schedule.last_round() == dt.date.today()

    # Within the week, the round does not run again...
    helpers.call_action("consultation_followup_create",
                        context={"user": moderator["name"], "ignore_auth": False},
                        consultation_id=published["id"], status="done", progress=100,
                        decision="Piste ouverte.", date="2026-06-01")
    result = cli.invoke(ckan_cli, ["consultation", "publish-due", "--sync"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Nothing due")
    assert len(_followup_rows("deja-publiee")) == 1
    # ...unless forced, or once the week is over.
    model.set_system_info(schedule.LAST_ROUND,
                          (dt.date.today() - dt.timedelta(days=7)).isoformat())
    result = cli.invoke(ckan_cli, ["consultation", "publish-due", "--sync"])
    assert result.exit_code == 0, result.output
    assert len(_followup_rows("deja-publiee")) == 2


def test_round_enqueues_background_jobs(cli, three_consultations):
    closed, published, _ = three_consultations
    result = cli.invoke(ckan_cli, ["consultation", "publish-due"])
    assert result.exit_code == 0, result.output
    queued = {job["title"] for job in helpers.call_action("job_list")}
    assert queued == {"consultation: publish close-a-publier",
                      "consultation: refresh the follow-up of deja-publiee"}
    # What a jobs worker does with them (here in this process).
    for job in jobs.get_queue().jobs:
        assert job.func_name.startswith("ckanext.consultation.publication.jobs.publish_")
        assert job.args in ([closed["id"]], [published["id"]])
        assert job.timeout == 3600
        job.perform()
    assert _status(closed) == "published"
    assert len(_followup_rows("deja-publiee")) == 1


def test_a_refused_publication_is_reported_and_the_round_goes_on(cli, three_consultations,
                                                                 region):
    closed, _, _ = three_consultations
    # Its name was taken by an ordinary dataset in the meantime.
    factories.Dataset(name="close-a-publier", owner_org=region["id"])
    result = cli.invoke(ckan_cli, ["consultation", "publish-due", "--sync"])
    assert result.exit_code == 1
    assert "Le nom « close-a-publier » est déjà pris par un autre jeu de données." in \
        result.output
    assert "1 publication(s) failed" in result.output
    assert "Done: refresh the follow-up of deja-publiee." in result.output
    assert len(_followup_rows("deja-publiee")) == 1
    assert _status(closed) == "closed"
    assert helpers.call_action("consultation_show", id=closed["id"],
                               context={"user": ""})["status"] == "closed"
    assert schedule.last_round() == dt.date.today()
