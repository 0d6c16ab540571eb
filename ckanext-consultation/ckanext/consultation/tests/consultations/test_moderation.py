"""Citizens' questions: submission, moderation (accept or reject with a reason), opening."""

from __future__ import annotations

from ckanext.consultation.tests.actors import QUESTIONS


def _submit(call, people, **fields):
    data = {"title": "Des pistes cyclables entre Metz et Nancy ?",
            "questions": QUESTIONS[:1], **fields}
    return call("consultation_question_submit", people.citizen, **data)


def test_a_citizen_question_waits_for_moderation_unseen(people, call):
    submitted = _submit(call, people)
    assert submitted["status"] == "submitted"
    assert submitted["origin"] == "citizen"
    assert submitted["author"] == people.citizen["fullname"]     # its author sees it is theirs
    assert submitted["author_public"] is False
    assert submitted["questions"][0]["position"] == 1
    # Not public, not even listed, until accepted and opened.
    call("consultation_show", None, expect=403, id=submitted["id"])
    call("consultation_show", people.referent, expect=403, id=submitted["id"])
    assert call("consultation_list", None)["count"] == 0
    queue = call("consultation_list", people.moderator, status="submitted")
    assert [c["id"] for c in queue["results"]] == [submitted["id"]]
    mine = call("consultation_list", people.citizen, mine=True)
    assert [c["id"] for c in mine["results"]] == [submitted["id"]]


def test_accepted_then_opened_the_author_stays_anonymous(people, call):
    submitted = _submit(call, people)
    accepted = call("consultation_moderate", people.moderator, id=submitted["id"],
                    decision="accept")
    assert accepted["status"] == "draft"
    opened = call("consultation_open", people.moderator, id=submitted["id"])
    assert opened["status"] == "open"
    public = call("consultation_show", None, id=submitted["id"])
    assert public["author"] is None
    assert "author_public" not in public
    assert "moderation" not in public
    assert call("consultation_list", None)["count"] == 1


def test_an_author_who_opts_in_is_named(people, call):
    submitted = _submit(call, people, author_public=True)
    call("consultation_moderate", people.moderator, id=submitted["id"], decision="accept")
    call("consultation_open", people.moderator, id=submitted["id"])
    assert call("consultation_show", None, id=submitted["id"])["author"] == \
        people.citizen["fullname"]
    # Consent is the author's alone: they withdraw it, a moderator cannot give it back.
    call("consultation_update", people.citizen, id=submitted["id"], author_public=False)
    assert call("consultation_show", None, id=submitted["id"])["author"] is None
    error = call("consultation_update", people.moderator, expect=409, id=submitted["id"],
                 author_public=True)
    assert "ne peut plus être modifié" in error["author_public"][0]


def test_rejecting_needs_a_reason_that_the_author_reads(people, call):
    submitted = _submit(call, people)
    error = call("consultation_moderate", people.moderator, expect=409, id=submitted["id"],
                 decision="reject")
    assert error["reason"] == ["Un motif est obligatoire pour refuser une question"]
    rejected = call("consultation_moderate", people.moderator, id=submitted["id"],
                    decision="reject", reason="Hors des compétences de la Région.")
    assert rejected["status"] == "rejected"
    seen_by_author = call("consultation_show", people.citizen, id=submitted["id"])
    assert seen_by_author["moderation"]["reason"] == "Hors des compétences de la Région."
    call("consultation_show", None, expect=403, id=submitted["id"])


def test_only_accepted_questions_open(people, call):
    submitted = _submit(call, people)
    error = call("consultation_open", people.moderator, expect=409, id=submitted["id"])
    assert error["status"] == [
        "Seule une consultation en brouillon peut être ouverte (la question d'un citoyen doit "
        "d'abord être acceptée) ; celle-ci est en attente de modération."]
    call("consultation_moderate", people.moderator, id=submitted["id"], decision="reject",
         reason="Doublon d'une consultation en cours.")
    error = call("consultation_open", people.moderator, expect=409, id=submitted["id"])
    assert "celle-ci est refusée à la modération" in error["status"][0]
    # A decision is final: a rejected question cannot be accepted afterwards.
    error = call("consultation_moderate", people.moderator, expect=409, id=submitted["id"],
                 decision="accept")
    assert "Seule une question en attente de modération" in error["status"][0]


def test_the_author_edits_until_moderation_only(people, call):
    submitted = _submit(call, people)
    edited = call("consultation_update", people.citizen, id=submitted["id"],
                  title="Une piste cyclable Metz–Nancy ?")
    assert edited["title"] == "Une piste cyclable Metz–Nancy ?"
    call("consultation_moderate", people.moderator, id=submitted["id"], decision="accept")
    error = call("consultation_update", people.citizen, expect=409, id=submitted["id"],
                 title="Autre titre")
    assert error["title"] == ["Ce champ ne peut plus être modifié : la consultation est "
                              "en brouillon"]
    call("consultation_update", people.referent, expect=403, id=submitted["id"],
         title="Autre titre")
