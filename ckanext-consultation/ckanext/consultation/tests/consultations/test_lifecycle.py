"""Consultations of the Region and of referents: creation, checks, draft → open → closed."""

from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan import model

from ckanext.consultation import triggers
from ckanext.consultation.model import Consultation, Question, Release
from ckanext.consultation.tests.actors import QUESTIONS


def test_origin_follows_the_creator(people, call):
    by_region = call("consultation_create", people.moderator, title="Les TER du week-end",
                     questions=QUESTIONS)
    by_referent = call("consultation_create", people.referent, title="Les lycées la nuit",
                       questions=QUESTIONS[:1], theme="EDUC", territory="67")
    assert (by_region["origin"], by_region["status"]) == ("region", "draft")
    assert (by_referent["origin"], by_referent["status"]) == ("referent", "draft")
    assert by_region["name"] == "les-ter-du-week-end"          # made from the title
    assert by_referent["territory"] == "departement:67"
    assert [q["position"] for q in by_region["questions"]] == [1, 2]
    assert by_region["questions"][1]["options"] == QUESTIONS[1]["options"]
    # Referents see drafts (theirs and the Region's); the public does not.
    drafts = call("consultation_list", people.referent, status="draft")
    assert drafts["count"] == 2
    assert call("consultation_list", None)["count"] == 0


def test_fields_are_checked_with_french_messages(people, call):
    error = call("consultation_create", people.moderator, expect=409,
                 questions=[{"text": "Oui ou non ?", "options": ["Oui"]}],
                 theme="NOPE", territory="75056", opens_on="2026-05-10",
                 closes_on="2026-05-01", privacy_mode="secret")
    assert error["title"] == ["Valeur manquante"]
    assert error["questions"] == [
        {"options": ["Une question doit proposer au moins deux options de réponse"]}]
    assert error["theme"] == ["Thème inconnu : « NOPE »"]
    assert "hors du Grand Est" in error["territory"][0]
    assert error["closes_on"] == ["La date de clôture est antérieure à la date d'ouverture"]
    assert error["privacy_mode"] == [
        "Valeur inconnue : « secret » (valeurs admises : suppression, differential_privacy)"]
    error = call("consultation_create", people.moderator, expect=409, title="Texte",
                 questions="Faut-il ? Oui, Non")
    assert error["questions"] == ["Une liste d'objets est attendue"]
    error = call("consultation_create", people.moderator, expect=409, title="Sans question")
    assert error["questions"] == ["Au moins une question est requise"]
    error = call("consultation_create", people.moderator, expect=409, title="Totaux",
                 questions=[{"text": "?", "options": ["Oui", "Oui", "Ensemble"]}])
    assert error["questions"] == [
        {"options": ["Les options de réponse doivent être toutes différentes"]}]


def test_names_are_unique_among_consultations_and_datasets(people, call):
    call("consultation_create", people.moderator, name="mobilites", title="Mobilités",
         questions=QUESTIONS)
    error = call("consultation_create", people.moderator, expect=409, name="mobilites",
                 title="Mobilités", questions=QUESTIONS)
    assert error["name"] == ["Ce nom est déjà utilisé : « mobilites »"]
    again = call("consultation_create", people.moderator, title="Mobilités",
                 questions=QUESTIONS)
    assert again["name"] == "mobilites-2"


def test_draft_open_closed(people, call):
    created = call("consultation_create", people.moderator, title="Horaires",
                   questions=QUESTIONS, opens_on="2030-01-01")
    error = call("consultation_close", people.moderator, expect=409, id=created["id"])
    assert error["status"] == ["Seule une consultation ouverte peut être close ; celle-ci est "
                               "en brouillon."]
    opened = call("consultation_open", people.moderator, id=created["name"])
    assert opened["status"] == "open"
    assert opened["opens_on"] == dt.date.today().isoformat()    # opened now, not in 2030
    error = call("consultation_open", people.moderator, expect=409, id=created["id"])
    assert "celle-ci est ouverte aux réponses" in error["status"][0]
    closed = call("consultation_close", people.moderator, id=created["id"])
    assert closed["status"] == "closed"
    assert closed["closes_on"] == dt.date.today().isoformat()
    error = call("consultation_close", people.moderator, expect=409, id=created["id"])
    assert "celle-ci est close, en attente de publication" in error["status"][0]
    call("consultation_show", people.moderator, expect=404, id="no-such-consultation")


def test_questions_are_frozen_once_open(people, call):
    created = call("consultation_create", people.moderator, title="Horaires",
                   questions=QUESTIONS)
    call("consultation_update", people.moderator, id=created["id"], questions=QUESTIONS[:1])
    assert model.Session.query(Question).count() == 1
    call("consultation_open", people.moderator, id=created["id"])
    error = call("consultation_update", people.moderator, expect=409, id=created["id"],
                 questions=QUESTIONS)
    assert error["questions"] == ["Ce champ ne peut plus être modifié : la consultation est "
                                  "ouverte aux réponses"]
    renamed = call("consultation_update", people.moderator, id=created["id"],
                   title="Horaires des TER")
    assert renamed["title"] == "Horaires des TER"


def test_a_referent_edits_their_draft_until_it_opens(people, call):
    draft = call("consultation_create", people.referent, title="Lycées", questions=QUESTIONS)
    edited = call("consultation_update", people.referent, id=draft["id"],
                  title="Les lycées le soir", questions=QUESTIONS[:1])
    assert (edited["title"], len(edited["questions"])) == ("Les lycées le soir", 1)
    call("consultation_open", people.referent, expect=403, id=draft["id"])
    call("consultation_open", people.moderator, id=draft["id"])
    error = call("consultation_update", people.referent, expect=409, id=draft["id"],
                 description="Plus de détails")
    assert error["description"] == ["Ce champ ne peut plus être modifié : la consultation "
                                    "est ouverte aux réponses"]


@pytest.mark.usefixtures("clean_redis")
def test_closing_enqueues_the_publication(people, call):
    created = call("consultation_create", people.moderator, title="Horaires",
                   questions=QUESTIONS)
    call("consultation_open", people.moderator, id=created["id"])
    closed = call("consultation_close", people.moderator, id=created["id"])
    jobs = tk.get_job_queue().jobs
    # The publication package is part of the plugin: the job must be there.
    assert triggers.PUBLISH_CONSULTATION.rpartition(".")[0] == \
        "ckanext.consultation.publication.jobs"
    assert [(j.func_name, j.args) for j in jobs] == [
        (triggers.PUBLISH_CONSULTATION, [created["id"]])]
    assert closed["publication_job"] == jobs[0].id


@pytest.mark.usefixtures("clean_redis", "with_request_context")
def test_a_missing_job_function_enqueues_nothing(clean_db):
    assert triggers.enqueue_if_available(
        "ckanext.consultation.no_such_package.jobs.publish", "c1", title="t") is None
    assert triggers.enqueue_if_available(
        "ckanext.consultation.triggers.no_such_function", "c1", title="t") is None
    assert tk.get_job_queue().jobs == []
    job = triggers.enqueue_if_available("ckanext.consultation.roles.is_app", "c1", title="t")
    assert [j.id for j in tk.get_job_queue().jobs] == [job]


def test_participants_appear_only_once_published(people, call, open_consultation):
    question = open_consultation["questions"][0]
    call("consultation_answers_import", people.app, consultation_id=open_consultation["id"],
         answers=[{"answer_id": f"a{n}", "respondent_key": f"r{n}", "question": 1,
                   "option": "Oui"} for n in range(30)])
    assert call("consultation_show", None, id=open_consultation["id"])["participants"] is None
    call("consultation_close", people.moderator, id=open_consultation["id"])
    shown = call("consultation_show", people.moderator, id=open_consultation["id"])
    assert shown["participants"] is None
    assert all(q["participants"] is None for q in shown["questions"])
    # What the publication records: the protected count of the released tables.
    model.Session.add(Release(consultation_id=open_consultation["id"],
                              question_id=question["id"], kind="final",
                              tables={"participants": 30, "tableaux": []}))
    model.Session.query(Consultation).filter_by(id=open_consultation["id"]).update(
        {"status": "published"})
    model.Session.commit()
    shown = call("consultation_show", None, id=open_consultation["id"])
    assert shown["participants"] == 30
    assert [q["participants"] for q in shown["questions"]] == [30, None]
    listed = call("consultation_list", None)["results"][0]
    assert listed["participants"] == 30
