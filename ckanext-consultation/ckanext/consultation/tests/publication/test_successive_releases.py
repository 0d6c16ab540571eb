"""Policy rule 6 at publication: identical re-exports only, no republication after an
erasure, interim results only when the difference with the final ones passes."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import helpers

from ckanext.consultation.anonymisation import (
    Policy,
    aggregate_answers,
    default_tables,
    protect_poll,
)
from ckanext.consultation.model import Consultation, Release
from ckanext.consultation.publication.grid import question_grid
from ckanext.consultation.tests.publication.conftest import publish
from ckanext.consultation.tests.publication.population import (
    OPTIONS,
    close_consultation,
    create_consultation,
    extra_answers,
    import_answers,
    population,
)
from ckanext.consultation.tests.publication.reading import datastore_rows


def _releases(consultation_id: str) -> list[tuple[str, int]]:
    return [(r.kind, r.answers) for r in model.Session.query(Release)
            .filter_by(consultation_id=consultation_id).order_by(Release.id)]


def _refusal(moderator, consultation, **options) -> str:
    with pytest.raises(tk.ValidationError) as error:
        publish(moderator, consultation, **options)
    return error.value.error_dict["publication"][0]


def _state(published) -> tuple:
    package = published.package
    return (package["metadata_modified"],
            [(r["id"], r["consultation_digest"], r["last_modified"]) for r in package["resources"]],
            [datastore_rows(r["id"]) for r in package["resources"] if r["datastore_active"]])


def test_identical_reexport_rewrites_nothing(published, moderator):
    state = _state(published)
    result = publish(moderator, published.consultation)
    assert result["new_release"] is False
    assert _releases(published.consultation["id"]) == [
        ("final", len(published.answers.rows))]
    _, resources_before, tables_before = state
    _, resources_after, tables_after = _state(published)
    assert resources_after == resources_before
    assert tables_after == tables_before


def test_no_republication_after_an_erasure(published, moderator):
    state = _state(published)
    erased = helpers.call_action(
        "consultation_answer_erase", context={"user": moderator["name"], "ignore_auth": False},
        respondent_key=published.answers.rows[0]["respondent_key"],
        consultation_id=published.consultation["id"])
    assert erased["erased"] == 1
    message = _refusal(moderator, published.consultation)
    assert "effacées" in message and "publication précédente reste en place" in message
    assert _state(published) == state
    shown = helpers.call_action("consultation_show", context={"user": moderator["name"]},
                                id=published.consultation["id"])
    assert shown["status"] == "published"
    assert model.Session.get(Consultation,
                             published.consultation["id"]).publication_error == message


def _interim_then(moderator, name: str, extra_per_cell: int):
    answers = population(small_cells=False)
    consultation = create_consultation(moderator, name, answers, close=False)
    interim = publish(moderator, consultation, interim=True)
    assert interim["release"] == "interim"
    extra = extra_answers(answers, per_cell=extra_per_cell)
    import_answers(moderator, consultation["id"], extra.rows)
    close_consultation(moderator, consultation["id"])
    return consultation, answers


def test_interim_then_final_when_the_difference_passes(moderator, no_jobs):
    answers = population(small_cells=False)
    consultation = create_consultation(moderator, "avec-interim", answers, close=False)
    publish(moderator, consultation, interim=True)
    package = helpers.call_action("package_show", id="avec-interim")
    assert package["release"] == "interim"
    assert "Résultats intermédiaires" in package["notes"]
    tables = [r["consultation_table"] for r in package["resources"]]
    assert "commune" not in tables
    interim_ids = [r["id"] for r in package["resources"]]
    interim_count = len(answers.rows)

    extra = extra_answers(answers, per_cell=12)
    import_answers(moderator, consultation["id"], extra.rows)
    close_consultation(moderator, consultation["id"])
    assert publish(moderator, consultation)["release"] == "final"

    package = helpers.call_action("package_show", id="avec-interim")
    assert package["release"] == "final"
    assert [r["id"] for r in package["resources"]] == interim_ids   # same DataStore tables
    assert _releases(consultation["id"]) == [("interim", interim_count),
                                             ("final", len(answers.rows))]
    # The final release re-exports identically (still without communes).
    assert publish(moderator, consultation)["new_release"] is False
    rows = list(answers.engine_rows())
    grid = question_grid(OPTIONS, {row[3] for row in rows})
    expected = protect_poll(aggregate_answers(rows, grid), Policy(),
                            tables=default_tables(publish_communes=False))
    for resource in package["resources"]:
        if resource["datastore_active"] and resource["consultation_table"] != "suivi":
            assert [{k: v for k, v in row.items() if k not in ("question", "intitule_question")}
                    for row in datastore_rows(resource["id"])] == \
                expected.table(resource["consultation_table"]).records()


def test_final_refused_when_the_difference_with_the_interim_is_small(moderator, no_jobs):
    consultation, _ = _interim_then(moderator, "interim-risque", extra_per_cell=3)
    message = _refusal(moderator, consultation)
    assert "après les résultats intermédiaires" in message
    assert "cases de 1 à 10" in message
    package = helpers.call_action("package_show", id="interim-risque")
    assert package["release"] == "interim"
    assert [kind for kind, _ in _releases(consultation["id"])] == ["interim"]


def test_final_refused_after_an_erasure_of_an_answer_counted_in_the_interim(moderator,
                                                                            no_jobs):
    answers = population(small_cells=False)
    consultation = create_consultation(moderator, "interim-efface", answers, close=False)
    publish(moderator, consultation, interim=True)
    # Erased while the consultation is still open: its erasure counter does not move.
    helpers.call_action(
        "consultation_answer_erase", context={"user": moderator["name"], "ignore_auth": False},
        respondent_key=answers.rows[5]["respondent_key"], consultation_id=consultation["id"])
    extra = extra_answers(answers, per_cell=12)
    import_answers(moderator, consultation["id"], extra.rows)
    close_consultation(moderator, consultation["id"])
    message = _refusal(moderator, consultation)
    assert "ont été effacées depuis" in message
    assert helpers.call_action("package_show", id="interim-efface")["release"] == "interim"


def test_no_interim_once_final_nor_for_a_closed_consultation(published, moderator):
    assert "statut actuel : published" in _refusal(moderator, published.consultation,
                                                    interim=True)
