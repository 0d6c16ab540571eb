"""Follow-up entries: written by referents and moderators after closing, public, published."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest

from ckanext.consultation import triggers


@pytest.fixture
def closed_consultation(people, call, open_consultation):
    return call("consultation_close", people.moderator, id=open_consultation["id"])


ENTRY = {
    "status": "in_progress",
    "progress": 40,
    "decision": "Deux TER supplémentaires le samedi soir entre Metz et Nancy dès juin.",
    "date": "2026-03-02",
    "links": [{"title": "Délibération du conseil régional",
               "url": "https://www.grandest.fr/deliberations/2026-03"}],
}


@pytest.mark.usefixtures("clean_redis")
def test_a_referent_reports_and_the_publication_follows(people, call, closed_consultation):
    tk.get_job_queue().empty()
    entry = call("consultation_followup_create", people.referent,
                 consultation_id=closed_consultation["name"], **ENTRY)
    assert {key: entry[key] for key in ENTRY} == ENTRY
    assert entry["status_label"] == "en cours"
    assert "author_id" not in entry
    jobs = tk.get_job_queue().jobs
    assert [(j.func_name, j.args) for j in jobs] == [
        (triggers.PUBLISH_FOLLOWUP, [closed_consultation["id"]])]
    assert entry["publication_job"] == jobs[0].id


def test_the_timeline_is_public_and_in_date_order(people, call, closed_consultation):
    call("consultation_followup_create", people.referent,
         consultation_id=closed_consultation["id"], **ENTRY)
    call("consultation_followup_create", people.moderator,
         consultation_id=closed_consultation["id"], status="announced",
         decision="La Région étudie les résultats.", date="2026-02-01")
    today = call("consultation_followup_create", people.sysadmin,
                 consultation_id=closed_consultation["id"], status="done", progress=100,
                 decision="Les TER du samedi soir circulent.")
    assert today["date"] == dt.date.today().isoformat()
    assert today["links"] == []
    timeline = call("consultation_followup_list", None,
                    consultation_id=closed_consultation["id"])
    assert [e["status"] for e in timeline] == ["announced", "in_progress", "done"]


def test_only_referents_and_moderators_write(people, call, closed_consultation):
    for user in (people.citizen, people.app, people.region_member, people.other_editor, None):
        call("consultation_followup_create", user, expect=403,
             consultation_id=closed_consultation["id"], **ENTRY)
    assert call("consultation_followup_list", None,
                consultation_id=closed_consultation["id"]) == []


def test_entries_are_checked(people, call, closed_consultation):
    error = call("consultation_followup_create", people.referent, expect=409,
                 consultation_id=closed_consultation["id"], status="finished", progress=140,
                 links=[{"title": "", "url": "pas une adresse"}])
    assert error["status"] == ["Valeur inconnue : « finished » (valeurs admises : announced, "
                               "under_study, in_progress, done, abandoned)"]
    assert error["progress"] == ["Un nombre entier entre 0 et 100 est attendu"]
    assert error["decision"] == ["Valeur manquante"]
    assert set(error["links"][0]) == {"title", "url"}


def test_follow_up_comes_after_closing(people, call, open_consultation):
    error = call("consultation_followup_create", people.referent, expect=409,
                 consultation_id=open_consultation["id"], **ENTRY)
    assert error["consultation_id"] == [
        "Le suivi se rédige une fois la consultation close ; celle-ci est ouverte aux "
        "réponses."]
