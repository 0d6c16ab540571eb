"""Attacks that compare two publications of the same poll: each must fail.

Interim against final results, a corrected table after an erasure, two exports of the
same answers received in another order. Every publication goes through the real path
(import action, publication job); the attacker keeps what it downloaded each time.
"""

from __future__ import annotations

import hashlib

import pytest
from ckan import model

from ckanext.consultation import synthetic_answers
from ckanext.consultation.model import Consultation, Release
from ckanext.consultation.publication.errors import PublicationRefused
from ckanext.consultation.publication.jobs import publish_consultation
from ckanext.consultation.synthetic_answers import Respondent
from ckanext.consultation.tests import publishing

from .attacker import (
    combined_system,
    feasible_intervals,
    linear_system,
    read_cells,
    required_widths,
)

K = 11
TITLE = "Faut-il étendre les horaires des TER le week-end ?"


def _late(tag: str, option: str, n: int, age: str = "25-34") -> list[Respondent]:
    """``n`` late answers of one kind, from women of Strasbourg."""
    def key(kind: str, i: int) -> str:
        return hashlib.sha256(f"{tag}:{kind}:{option}:{i}".encode()).hexdigest()[:32]
    return [Respondent(key("answer", i), key("respondent", i), option, age, "femme", "67",
                       "67482") for i in range(n)]


def _id(name: str) -> str:
    return model.Session.query(Consultation.id).filter(Consultation.name == name).scalar()


def _results_rows(published: publishing.Published) -> list[dict]:
    """The results rows of question 1, from the DataStore."""
    return [r for res in published.csv_resources() for r in res.datastore_records
            if "reponse" in r and r["question"] == 1]


def _contents(published: publishing.Published) -> dict[str, bytes]:
    return {r.metadata["name"]: r.content for r in published.resources}


@pytest.fixture(scope="module")
def site(clean_db_for_module):
    publishing.ensure_organization()


@pytest.fixture(scope="module")
def interim_answers() -> tuple[Respondent, ...]:
    return synthetic_answers.population(12_000, seed=7)


def test_interim_vs_final_differencing_of_one_late_answer_is_refused(site, app,
                                                                     interim_answers):
    """Interim results, then one more answer, then the final results: the difference
    between the two would give that person's answer, department, age and sex. The final
    publication is refused and the interim one stays as it was."""
    name = "attaque-intermediaire-une-reponse"
    publishing.open_consultation(name, TITLE)
    publishing.import_answers(name, interim_answers)
    publish_consultation(_id(name), interim=True)
    interim = publishing.published_outputs(app, name)
    assert interim.json_document()["consultation"]["version"] == "intermédiaire"
    publishing.import_answers(name, _late("one", "Non", 1))
    publishing.call("consultation_close", id=name)
    with pytest.raises(PublicationRefused, match="intermédiaires"):
        publish_consultation(_id(name))
    assert _contents(publishing.published_outputs(app, name)) == _contents(interim)


def test_interim_vs_final_differencing_narrows_no_secret_cell(site, app, interim_answers):
    """Interim results, then 80 more answers, 20 per answer option, from women aged
    35-49 in Strasbourg (a difference the policy lets through), then the final results.
    The attacker combines both releases and knows that no count went down, in any cell,
    published or not: by linear programming, every secret cell of either release keeps
    its protection."""
    name = "attaque-intermediaire-finale"
    publishing.open_consultation(name, TITLE)
    publishing.import_answers(name, interim_answers)
    publish_consultation(_id(name), interim=True)
    first = publishing.published_outputs(app, name)
    late = [answer for option in synthetic_answers.OPTIONS
            for answer in _late("many", option, 20, age="35-49")]
    publishing.import_answers(name, late)
    publishing.close_and_publish(name)
    second = publishing.published_outputs(app, name)
    assert second.json_document()["consultation"]["version"] == "définitive"

    before = linear_system(read_cells(_results_rows(first)), interim_answers)
    after = linear_system(read_cells(_results_rows(second)), (*interim_answers, *late))
    system = combined_system(before, after)
    assert system.targets
    required = required_widths(system, K)
    intervals = feasible_intervals(system, required)
    exposed = [(system.keys[c], system.truth[c], intervals[c]) for c, width in required.items()
               if intervals[c][1] - intervals[c][0] < width - 1e-6]
    assert not exposed


@pytest.fixture(scope="module")
def two_arrival_orders(site, _portal_app):
    """The same 3,000 answers published twice: received in order, and in reverse order
    in small batches."""
    answers = synthetic_answers.population(3000, seed=11)
    publishing.open_consultation("ordre-arrivee-a", TITLE)
    publishing.import_answers("ordre-arrivee-a", answers)
    publishing.close_and_publish("ordre-arrivee-a")
    publishing.open_consultation("ordre-arrivee-b", TITLE)
    reverse = answers[::-1]
    for start in range(0, len(reverse), 700):
        publishing.import_answers("ordre-arrivee-b", reverse[start:start + 700])
    publishing.close_and_publish("ordre-arrivee-b")
    return (answers, publishing.published_outputs(_portal_app, "ordre-arrivee-a"),
            publishing.published_outputs(_portal_app, "ordre-arrivee-b"))


def test_arrival_order_leaves_no_trace(two_arrival_orders):
    """Linkage by row order: two polls with the same answers received in opposite orders
    publish byte-identical tables and identical DataStore rows."""
    _, first, second = two_arrival_orders
    first_csv = {r.metadata["name"]: r for r in first.csv_resources()}
    second_csv = {r.metadata["name"]: r for r in second.csv_resources()}
    assert first_csv.keys() == second_csv.keys()
    for name, resource in first_csv.items():
        if resource.metadata.get("consultation_table") == "suivi":
            continue
        assert resource.content == second_csv[name].content, name
        assert resource.datastore_records == second_csv[name].datastore_records, name
    assert first.json_document()["questions"] == second.json_document()["questions"]


def test_identical_reexport(two_arrival_orders, app):
    """Publishing again without any change gives the very same bytes (nothing to
    difference) and records no new release."""
    _, before, _ = two_arrival_orders
    releases = model.Session.query(Release).count()
    result = publish_consultation(_id("ordre-arrivee-a"))
    assert result["new_release"] is False
    assert _contents(publishing.published_outputs(app, "ordre-arrivee-a")) == _contents(before)
    assert model.Session.query(Release).count() == releases


def test_republication_after_erasure_is_refused(two_arrival_orders, app):
    """After a respondent had their answer erased, a corrected table would differ from
    the published one by exactly that answer: the publication refuses, and what is
    published stays byte for byte as it was."""
    answers, before, _ = two_arrival_orders
    erased = publishing.call("consultation_answer_erase",
                             respondent_key=answers[1234].respondent_key,
                             consultation_id="ordre-arrivee-a")
    assert erased["erased"] == 1
    with pytest.raises(PublicationRefused, match="effacées"):
        publish_consultation(_id("ordre-arrivee-a"))
    after = publishing.published_outputs(app, "ordre-arrivee-a")
    assert _contents(after) == _contents(before)
    (release,) = model.Session.query(Release).filter(
        Release.consultation_id == _id("ordre-arrivee-a")).all()
    published = before.json_document()["questions"][0]
    assert release.tables == {k: v for k, v in published.items()
                              if k not in ("numero", "intitule", "reponses")}
