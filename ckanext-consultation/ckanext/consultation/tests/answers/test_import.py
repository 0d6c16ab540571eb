"""The citizen app's answers: checked row by row, stored once, never shown back."""

from __future__ import annotations

import json
import logging

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.consultation.model import Answer
from ckanext.consultation.tests.actors import QUESTIONS, answer


def _stored() -> list[tuple]:
    return model.Session.execute(sa.select(
        Answer.answer_key, Answer.option, Answer.age_band, Answer.sex, Answer.departement,
        Answer.commune).order_by(Answer.answer_key)).all()


def _import(call, people, consultation, rows, expect=200):
    return call("consultation_answers_import", people.app, expect=expect,
                consultation_id=consultation["id"], answers=rows)


def test_valid_answers_are_stored_with_their_demographics(people, call, open_consultation):
    rows = [
        answer(1, commune="67482", age_band="25-34", sex="femme"),
        answer(2, commune="8105", departement="08", sex="Homme"),   # spreadsheet-style
        answer(3, commune=None, departement="57", age_band=None, sex=None),
        {"answer_id": "a-4", "respondent_key": "r-4", "question": 2, "option": "Rarement"},
        answer(5, question=open_consultation["questions"][1]["id"], option="Chaque jour",
               commune="57463"),
    ]
    result = _import(call, people, open_consultation, rows)
    assert result == {"received": 5, "inserted": 5, "duplicates": 0, "rejected": 0,
                      "errors": [], "errors_truncated": False}
    nr = "non renseigné"
    assert _stored() == [
        ("a-1", "Non", "25-34", "femme", "67", "67482"),
        ("a-2", "Sans avis", "35-49", "homme", "08", "08105"),
        ("a-3", "Oui", nr, nr, "57", nr),
        ("a-4", "Rarement", nr, nr, nr, nr),
        ("a-5", "Chaque jour", nr, nr, "57", "57463"),
    ]


def test_a_replayed_batch_adds_nothing(people, call, open_consultation):
    rows = [answer(n) for n in range(40)]
    assert _import(call, people, open_consultation, rows)["inserted"] == 40
    again = _import(call, people, open_consultation, [*rows, answer(40)])
    assert (again["received"], again["inserted"], again["duplicates"]) == (41, 1, 40)
    assert len(_stored()) == 41


def test_row_errors_are_reported_and_valid_rows_kept(people, call, open_consultation):
    rows = [
        answer(0),
        answer(1, option="Peut-être"),
        answer(2, question=7),
        answer(3, age_band="12-14", sex="x"),
        answer(4, commune="75056"),                       # Paris
        answer(5, commune="67482", departement="68"),
        {"respondent_key": "r-6", "question": 1, "option": "Oui"},
        "not an object",
        answer(8, commune=None, departement="75"),
        answer(9),
    ]
    result = _import(call, people, open_consultation, rows)
    assert (result["received"], result["inserted"], result["rejected"]) == (10, 2, 8)
    assert result["errors"] == [
        {"row": 1, "field": "option",
         "message": "Ce n'est pas une option de réponse de cette question : « Peut-être »"},
        {"row": 2, "field": "question",
         "message": "Cette consultation n'a pas de question « 7 »"},
        {"row": 3, "field": "age_band",
         "message": "Tranche d'âge inconnue : « 12-14 » (valeurs admises : 15-24, 25-34, "
                    "35-49, 50-64, 65+, non renseigné)"},
        {"row": 3, "field": "sex",
         "message": "Sexe inconnu : « x » (valeurs admises : femme, homme, non renseigné)"},
        {"row": 4, "field": "commune",
         "message": "Ce n'est pas une commune du Grand Est (code INSEE) : « 75056 »"},
        {"row": 5, "field": "departement",
         "message": "La commune 67482 n'est pas dans le département « 68 »"},
        {"row": 6, "field": "answer_id", "message": "Valeur manquante"},
        {"row": 7, "field": "answer",
         "message": "Une réponse doit être un objet aux champs nommés"},
        {"row": 8, "field": "departement",
         "message": "Ce n'est pas un département du Grand Est : « 75 » (valeurs admises : "
                    "08, 10, 51, 52, 54, 55, 57, 67, 68, 88)"},
    ]
    assert [key for key, *_ in _stored()] == ["a-0", "a-9"]


def test_a_respondent_answers_a_question_once(people, call, open_consultation):
    first = _import(call, people, open_consultation, [
        answer(1, respondent_key="alice"),
        answer(2, respondent_key="alice", question=2, option="Rarement"),  # another question
        answer(3, respondent_key="alice"),                                 # same batch
    ])
    assert (first["inserted"], first["rejected"]) == (2, 1)
    later = _import(call, people, open_consultation, [answer(4, respondent_key="alice")])
    assert (later["inserted"], later["rejected"]) == (0, 1)
    message = ("Cette personne a déjà répondu à cette question (sous un autre identifiant "
               "de réponse)")
    assert first["errors"] == [{"row": 2, "field": "respondent_key", "message": message}]
    assert later["errors"] == [{"row": 0, "field": "respondent_key", "message": message}]
    assert "alice" not in json.dumps([first, later])


def test_answers_only_while_open(people, call):
    draft = call("consultation_create", people.moderator, title="Brouillon",
                 questions=QUESTIONS)
    error = _import(call, people, draft, [answer(1)], expect=409)
    assert error["consultation_id"] == [
        "Les réponses ne sont acceptées que pendant que la consultation est ouverte ; "
        "celle-ci est en brouillon."]
    call("consultation_open", people.moderator, id=draft["id"])
    call("consultation_close", people.moderator, id=draft["id"])
    error = _import(call, people, draft, [answer(1)], expect=409)
    assert "celle-ci est close" in error["consultation_id"][0]
    error = call("consultation_answers_import", people.app, expect=409,
                 consultation_id=draft["id"], answers="a-1,r-1,1,Oui")
    assert error["answers"] == ["Une liste de réponses est attendue"]
    assert _stored() == []


@pytest.mark.ckan_config("ckanext.consultation.import.chunk_size", 7)
def test_chunks_settle_repeats_across_them(people, call, open_consultation):
    rows = [answer(n) for n in range(30)]
    rows += [answer(n) for n in range(0, 30, 4)]                           # replays
    rows += [answer(100 + n, respondent_key=f"r-{n}") for n in range(3)]   # answered already
    result = _import(call, people, open_consultation, rows)
    assert (result["inserted"], result["duplicates"], result["rejected"]) == (30, 8, 3)
    assert [e["row"] for e in result["errors"]] == [38, 39, 40]


@pytest.mark.ckan_config("ckanext.consultation.import.max_errors", 3)
def test_the_error_list_is_capped_not_the_count(people, call, open_consultation):
    result = _import(call, people, open_consultation,
                     [answer(n, option="?") for n in range(10)])
    assert result["rejected"] == 10
    assert len(result["errors"]) == 3
    assert result["errors_truncated"] is True


@pytest.mark.ckan_config("ckanext.consultation.import.chunk_size", 10)
def test_closing_during_an_import_stops_it(people, open_consultation, test_request_context):
    engine = sa.create_engine(model.meta.engine.url)

    def rows():
        for n in range(35):
            if n == 20:     # another session closes the consultation between two chunks
                with engine.begin() as conn:
                    conn.execute(sa.text("UPDATE consultation SET status = 'closed' "
                                         "WHERE id = :id"), {"id": open_consultation["id"]})
            yield answer(n)

    with test_request_context():
        result = tk.get_action("consultation_answers_import")(
            {"user": people.app["name"]},
            {"consultation_id": open_consultation["id"], "answers": rows()})
    engine.dispose()
    # Two chunks were in before the closing; the next ones are refused.
    assert (result["received"], result["inserted"], result["rejected"]) == (35, 20, 15)
    assert result["errors"][-1]["field"] == "consultation_id"
    assert len(_stored()) == 20


def test_a_batch_of_10000_answers(people, call, open_consultation):
    rows = [answer(n) for n in range(10_000)]
    result = _import(call, people, open_consultation, rows)
    assert (result["inserted"], result["rejected"]) == (10_000, 0)
    assert model.Session.query(Answer).count() == 10_000
    replay = _import(call, people, open_consultation, rows)
    assert (replay["inserted"], replay["duplicates"]) == (0, 10_000)


@pytest.fixture
def all_logs(caplog, monkeypatch):
    """Every CKAN and plugin logger on, at DEBUG, as on a server debugging in production
    (the test configuration leaves them disabled)."""
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name.startswith(("ckan", "werkzeug")):
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "level", logging.NOTSET)
    with caplog.at_level(logging.DEBUG):
        yield caplog


def test_no_respondent_key_in_logs_activity_or_public_output(people, call, open_consultation,
                                                              all_logs):
    rows = [answer(n, respondent_key=f"secret-respondent-{n}", answer_id=f"secret-answer-{n}")
            for n in range(25)]
    _import(call, people, open_consultation, [*rows, answer(99, option="?")])
    call("consultation_answer_erase", people.app, consultation_id=open_consultation["id"],
         respondent_key="secret-respondent-3")
    assert "secret-respondent" not in all_logs.text
    assert "secret-answer" not in all_logs.text
    assert "26 answers not logged" in all_logs.text      # CKAN's debug line, redacted
    assert "25 inserted" in all_logs.text                  # what the import logs: counts
    activities = model.Session.execute(sa.text("SELECT data::text FROM activity")).scalars()
    assert not any("secret-respondent" in (data or "") for data in activities)
    call("consultation_close", people.moderator, id=open_consultation["id"])
    public = [call("consultation_show", None, id=open_consultation["id"]),
              call("consultation_list", None),
              call("consultation_show", people.moderator, id=open_consultation["id"]),
              call("consultation_followup_list", None,
                   consultation_id=open_consultation["id"])]
    text = json.dumps(public)
    assert "secret-respondent" not in text
    assert "secret-answer" not in text               # nor the app's answer ids
    assert all(q["participants"] is None for q in public[0]["questions"])   # not published
