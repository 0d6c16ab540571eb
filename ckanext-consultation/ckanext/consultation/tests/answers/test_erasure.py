"""Erasure requests: a respondent's answers deleted; after closing, the results frozen."""

from __future__ import annotations

import sqlalchemy as sa
from ckan import model

from ckanext.consultation.model import Answer, Consultation
from ckanext.consultation.tests.actors import QUESTIONS, answer


def _respondents() -> list[str]:
    return sorted(set(model.Session.execute(sa.select(Answer.respondent_key)).scalars()))


def _erasures(consultation_id: str) -> int:
    model.Session.expire_all()
    return model.Session.get(Consultation, consultation_id).erasures


def _answers(call, people, consultation, respondents):
    rows = [answer(n, respondent_key=key, answer_id=f"{consultation['name']}-{n}-{q}",
                   question=q, option=QUESTIONS[q - 1]["options"][0])
            for n, key in enumerate(respondents) for q in (1, 2)]
    result = call("consultation_answers_import", people.app,
                  consultation_id=consultation["id"], answers=rows)
    assert result["inserted"] == len(rows)


def test_erasing_while_open_deletes_and_freezes_nothing(people, call, open_consultation):
    _answers(call, people, open_consultation, ["alice", "bob"])
    result = call("consultation_answer_erase", people.app, respondent_key="alice",
                  consultation_id=open_consultation["name"])
    assert result == {"erased": 2, "consultations": 1}
    assert _respondents() == ["bob"]
    assert _erasures(open_consultation["id"]) == 0


def test_erasing_after_closing_is_counted(people, call, open_consultation):
    _answers(call, people, open_consultation, ["alice", "bob", "carol"])
    call("consultation_close", people.moderator, id=open_consultation["id"])
    result = call("consultation_answer_erase", people.moderator, respondent_key="bob")
    assert result == {"erased": 2, "consultations": 1}
    assert _respondents() == ["alice", "carol"]
    # The publication reads this counter: corrected tables are never republished.
    assert _erasures(open_consultation["id"]) == 1
    shown = call("consultation_show", people.moderator, id=open_consultation["id"])
    assert shown["erasures"] == 1
    assert "erasures" not in call("consultation_show", None, id=open_consultation["id"])
    # Nothing left to erase: nothing changes.
    assert call("consultation_answer_erase", people.app, respondent_key="bob") == \
        {"erased": 0, "consultations": 0}
    assert _erasures(open_consultation["id"]) == 1


def test_one_request_erases_every_consultation(people, call, open_consultation):
    other = call("consultation_create", people.moderator, name="lycees", title="Lycées",
                 questions=QUESTIONS)
    call("consultation_open", people.moderator, id=other["id"])
    _answers(call, people, open_consultation, ["alice", "bob"])
    _answers(call, people, other, ["alice"])
    call("consultation_close", people.moderator, id=other["id"])
    result = call("consultation_answer_erase", people.app, respondent_key="alice")
    assert result == {"erased": 4, "consultations": 2}
    assert _respondents() == ["bob"]
    assert (_erasures(open_consultation["id"]), _erasures(other["id"])) == (0, 1)


def test_erasure_is_refused_to_others(people, call, open_consultation):
    _answers(call, people, open_consultation, ["alice"])
    for user in (people.referent, people.citizen, people.region_member, None):
        call("consultation_answer_erase", user, expect=403, respondent_key="alice")
    error = call("consultation_answer_erase", people.app, expect=409)
    assert error["respondent_key"] == ["Valeur manquante"]
    assert _respondents() == ["alice"]
