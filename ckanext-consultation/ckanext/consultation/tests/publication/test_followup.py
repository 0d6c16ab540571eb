"""The follow-up resource: rebuilt from the referents' entries, the results untouched."""

from __future__ import annotations

from ckan.tests import helpers

from ckanext.consultation.publication.jobs import publish_followup
from ckanext.consultation.tests.publication.population import create_consultation, population
from ckanext.consultation.tests.publication.reading import csv_rows, datastore_rows, download


def _add_entry(moderator, consultation_id: str, **entry) -> dict:
    return helpers.call_action("consultation_followup_create",
                               context={"user": moderator["name"], "ignore_auth": False},
                               consultation_id=consultation_id, **entry)


def test_followup_resource_is_rebuilt_after_each_entry(app, published, moderator):
    before = published.package
    results_before = {r["id"]: (r["consultation_digest"], r["last_modified"])
                      for r in before["resources"] if r["consultation_table"] != "suivi"}
    followup_id = published.resource("suivi")["id"]
    assert datastore_rows(followup_id) == []

    consultation_id = published.consultation["id"]
    _add_entry(moderator, consultation_id, date="2026-03-02", status="in_progress",
               progress=40, decision="Trois pistes cyclables inscrites au budget.",
               links=[{"title": "Délibération", "url": "https://www.grandest.fr/deliberation"}])
    _add_entry(moderator, consultation_id, date="2026-01-15", status="under_study",
               decision="Étude confiée aux services.")
    assert publish_followup(consultation_id)["followup_entries"] == 2

    after = published.package
    resource = published.resource("suivi")
    assert resource["id"] == followup_id
    expected = [
        {"date": "2026-01-15", "statut": "à l'étude", "avancement": 0,
         "decision": "Étude confiée aux services.", "liens": ""},
        {"date": "2026-03-02", "statut": "en cours", "avancement": 40,
         "decision": "Trois pistes cyclables inscrites au budget.",
         "liens": "Délibération <https://www.grandest.fr/deliberation>"},
    ]
    assert datastore_rows(followup_id) == expected
    assert csv_rows(download(app, resource)) == [
        {**row, "avancement": str(row["avancement"])} for row in expected]
    assert resource["size"] == len(download(app, resource))
    assert {r["id"]: (r["consultation_digest"], r["last_modified"]) for r in after["resources"]
            if r["consultation_table"] != "suivi"} == results_before
    assert after["metadata_modified"] > before["metadata_modified"]


def test_unchanged_followup_rewrites_nothing(published):
    resource = published.resource("suivi")
    publish_followup(published.consultation["id"])
    again = published.resource("suivi")
    assert (again["consultation_digest"], again["last_modified"]) == (
        resource["consultation_digest"], resource["last_modified"])


def test_followup_of_an_unpublished_consultation_waits_for_the_results(moderator, no_jobs):
    consultation = create_consultation(moderator, "pas-encore", population())
    _add_entry(moderator, consultation["id"], status="announced", decision="Résultats attendus.")
    assert publish_followup(consultation["id"]) == {"consultation": "pas-encore",
                                                    "package": None}
    assert helpers.call_action("package_search", q="name:pas-encore")["count"] == 0
