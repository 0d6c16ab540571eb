"""The published dataset: its fields, its files, its DataStore tables = the engine's tables.

The expected tables are computed here from the generated answers themselves (counted in
Python, not by the publication's GROUP BY) and protected by the engine with the default
policy: what the portal serves must be exactly that.
"""

from __future__ import annotations

import json

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories, helpers

from ckanext.consultation.anonymisation import (
    Policy,
    aggregate_answers,
    default_tables,
    protect_poll,
)
from ckanext.consultation.model import Release
from ckanext.consultation.publication.grid import question_grid
from ckanext.consultation.tests.publication.conftest import publish
from ckanext.consultation.tests.publication.population import (
    OPTIONS,
    VILLAGE,
    create_consultation,
    population,
)
from ckanext.consultation.tests.publication.reading import (
    csv_rows,
    datastore_fields,
    datastore_rows,
    download,
    stored_file,
)

TABLES = ["ensemble", "departement", "commune", "age", "sexe", "age_sexe", "departement_age",
          "departement_sexe"]


def _expected(answers, question: int = 1, tables=None):
    """The engine's release for the answers, counted independently of the portal."""
    rows = list(answers.engine_rows(question))
    grid = question_grid(OPTIONS, {row[3] for row in rows})
    return protect_poll(aggregate_answers(rows, grid), Policy(),
                        tables=tables or default_tables(publish_communes=True))


def test_dataset_fields(published, region):
    package = published.package
    consultation = helpers.call_action("consultation_show", id=published.consultation["id"])
    expected = _expected(published.answers)
    assert package["type"] == "consultation"
    assert package["name"] == "avis-velo"
    assert package["owner_org"] == region["id"]
    assert package["private"] is False
    assert package["title"] == "Consultation avis-velo"
    assert package["notes"] == "Que pensez-vous de la proposition ?"
    assert package["questions"] == [{"text": "Question 1 : êtes-vous d'accord ?",
                                     "options": list(OPTIONS),
                                     "participants": expected.participants}]
    assert package["participants"] == expected.participants == len(published.answers.rows)
    assert package["temporal_start"] == consultation["opens_on"]
    assert package["temporal_end"] == consultation["closes_on"]
    assert package["theme"] == ["SOCI"]
    assert package["territorial_coverage"] == ["region:44"]
    assert package["privacy_mode"] == "suppression"
    assert "epsilon" not in package
    assert package["release"] == "final"
    assert package["consultation_id"] == published.consultation["id"]
    assert package["followup_url"].endswith("/consultations/avis-velo")
    assert package["methodology"] == "\n\n".join(expected.methodology.text().split("\n"))
    assert "Règle de fréquence" in package["methodology"]
    assert [tag["name"] for tag in package["tags"]] == ["consultation citoyenne"]
    assert consultation["status"] == "published"
    assert published.result == {
        "consultation": "avis-velo", "package": "avis-velo", "release": "final",
        "new_release": True, "participants": expected.participants, "resources": 10}


def test_resources_are_uploaded_files_and_datastore_tables(app, published):
    resources = published.package["resources"]
    assert [r["consultation_table"] for r in resources] == [*TABLES, "resultats", "suivi"]
    for resource in resources:
        assert resource["url_type"] == "upload"
        content = download(app, resource)
        assert content == stored_file(resource["id"])
        assert resource["size"] == len(content)
        assert resource["datastore_active"] is (resource["format"] == "CSV")
    assert resources[0]["name"] == "Résultats d'ensemble (CSV)"
    assert resources[-2]["format"] == "JSON"


def test_datastore_tables_equal_the_engine_tables(published):
    expected = _expected(published.answers)
    text = "Question 1 : êtes-vous d'accord ?"
    for table in expected.tables:
        resource = published.resource(table.name)
        rows = datastore_rows(resource["id"])
        assert rows == [{"question": 1, "intitule_question": text, **record}
                        for record in table.records()], table.name
    secret = [row for row in datastore_rows(published.resource("commune")["id"])
              if row["statut"] == "secret"]
    assert secret and all(row["effectif"] is None for row in secret)
    # The village's two respondents are pooled into "autres communes", never shown.
    codes = {row["code_territoire"] for row in datastore_rows(published.resource("commune")["id"])}
    assert VILLAGE[0] not in codes and "88-autres" in codes


def test_csv_and_json_files_equal_the_engine_tables(app, published):
    expected = _expected(published.answers)
    for table in expected.tables:
        rows = csv_rows(download(app, published.resource(table.name)))
        assert rows == [
            {"question": "1", "intitule_question": "Question 1 : êtes-vous d'accord ?",
             **{k: "" if v is None else str(v) for k, v in record.items()}}
            for record in table.records()], table.name
    document = json.loads(download(app, published.resource("resultats")))
    assert document["questions"][0]["tableaux"] == json.loads(expected.to_json())["tableaux"]
    assert document["questions"][0]["participants"] == expected.participants
    assert document["consultation"]["version"] == "définitive"
    assert document["consultation"]["protection"] == "secret statistique"


def test_datastore_fields_are_typed_and_described(published):
    fields = datastore_fields(published.resource("departement_sexe")["id"])
    assert {k: fields[k]["type"] for k in ("question", "effectif", "pourcentage", "reponse",
                                           "sexe", "code_territoire")} == {
        "question": "int4", "effectif": "int4", "pourcentage": "numeric", "reponse": "text",
        "sexe": "text", "code_territoire": "text"}
    assert fields["effectif"]["info"]["label"] == "Effectif"
    followup = datastore_fields(published.resource("suivi")["id"])
    assert followup["date"]["type"] == "date" and followup["avancement"]["type"] == "int4"


def test_datastore_sql_answers_a_hackathon_question(published):
    resource_id = published.resource("departement")["id"]
    result = helpers.call_action(
        "datastore_search_sql", context={"ignore_auth": False},
        sql=f'SELECT code_territoire, effectif FROM "{resource_id}" '
            "WHERE niveau = 'département' AND reponse = 'Oui' AND statut = 'publié' "
            "ORDER BY code_territoire")
    expected = _expected(published.answers).table("departement").records()
    assert [(r["code_territoire"], r["effectif"]) for r in result["records"]] == [
        (r["code_territoire"], r["effectif"]) for r in expected
        if r["niveau"] == "département" and r["reponse"] == "Oui" and r["statut"] == "publié"]


def test_release_rows_hold_each_published_document(published):
    rows = model.Session.query(Release).filter_by(
        consultation_id=published.consultation["id"]).all()
    assert len(rows) == 1
    assert rows[0].kind == "final"
    assert rows[0].tables == json.loads(_expected(published.answers).to_json())
    assert rows[0].answers == len(published.answers.rows)


def test_several_questions_are_stacked_in_each_table(moderator, no_jobs):
    answers = population(seed=3, questions=2)
    consultation = create_consultation(moderator, "deux-questions", answers, questions=2)
    publish(moderator, consultation)
    package = helpers.call_action("package_show", id="deux-questions")
    assert [q["participants"] for q in package["questions"]] == [
        _expected(answers, 1).participants, _expected(answers, 2).participants]
    assert "**Question 2 — Question 2 : êtes-vous d'accord ?**" in package["methodology"]
    ensemble = next(r for r in package["resources"] if r["consultation_table"] == "ensemble")
    rows = datastore_rows(ensemble["id"])
    for question in (1, 2):
        assert [{k: v for k, v in row.items() if k not in ("question", "intitule_question")}
                for row in rows if row["question"] == question] == \
            _expected(answers, question).table("ensemble").records()


def test_only_moderators_publish(published):
    citizen = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("consultation_publish",
                            context={"user": citizen["name"], "ignore_auth": False},
                            id=published.consultation["id"])
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("consultation_publish", context={"user": "", "ignore_auth": False},
                            id=published.consultation["id"])


def test_an_open_consultation_is_not_published_as_final(moderator, no_jobs):
    consultation = create_consultation(moderator, "encore-ouverte", population(), close=False)
    with pytest.raises(tk.ValidationError) as error:
        publish(moderator, consultation)
    assert "une fois la consultation close" in str(error.value.error_dict["publication"])
    assert not helpers.call_action("package_search", q="name:encore-ouverte")["count"]
    shown = helpers.call_action("consultation_show", id=consultation["id"])
    assert shown["status"] == "open"
