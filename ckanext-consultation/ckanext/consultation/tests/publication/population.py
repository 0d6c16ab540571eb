"""Deterministic answers for the publication tests, and consultations made through the
plugin's own actions (create, open, import the answers, close).

The population is compact on purpose: every populated cell holds 12 to 29 answers of a
few départements, so that the engine protects it in about a second, plus one village
with two respondents (which no output may ever show) and a few respondents who did not
give their age. Respondent keys and answer ids are random, distinctive strings: the
leak tests look for them in every public output.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ckan.tests import helpers

OPTIONS = ("Oui", "Non", "Sans avis")
COMMUNES = (("67482", "67"), ("67180", "67"), ("57463", "57"), ("51454", "51"))
AGE_BANDS = ("25-34", "35-49", "50-64")
SEXES = ("femme", "homme")
VILLAGE = ("88154", "88")
"""Domrémy-la-Pucelle: two respondents, pooled and protected, never shown."""


@dataclass
class Answers:
    """The rows sent to ``consultation_answers_import``, and what the engine gets."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def respondent_keys(self) -> set[str]:
        return {row["respondent_key"] for row in self.rows}

    @property
    def answer_ids(self) -> set[str]:
        return {row["answer_id"] for row in self.rows}

    def engine_rows(self, question: int = 1) -> Iterator[tuple[str, str, str, str, str]]:
        """(option, age band, sex, département, commune) of a question's answers."""
        for row in self.rows:
            if row["question"] == question:
                yield (row["option"], row.get("age_band") or "non renseigné",
                       row.get("sex") or "non renseigné", row["departement"],
                       row.get("commune") or "non renseigné")


Person = tuple[str, str | None, str, str, str | None]
"""(option, age band, sex, département, commune) of one respondent."""


def _row(question: int, respondent: str, person: Person) -> dict[str, Any]:
    option, age, sex, departement, commune = person
    row = {"answer_id": f"ans-{secrets.token_hex(12)}", "respondent_key": respondent,
           "question": question, "option": option, "sex": sex, "departement": departement}
    if age is not None:
        row["age_band"] = age
    if commune is not None:
        row["commune"] = commune
    return row


def population(seed: int = 1, questions: int = 1, scale: int = 1,
               options: Sequence[str] = OPTIONS, small_cells: bool = True) -> Answers:
    """Each respondent answers every question; cells hold 12-29 answers (x ``scale``).

    ``small_cells``: add the village's two respondents and the 14 respondents without
    age who all gave the same answer (the protection then suppresses cells); without
    them no cell is secret.
    """
    rng = np.random.default_rng(seed)
    people: list[Person] = []
    for commune, departement in COMMUNES:
        for age in AGE_BANDS:
            for sex in SEXES:
                for option in options:
                    count = int(rng.integers(12, 30)) * scale
                    people += [(option, age, sex, departement, commune)] * count
    if small_cells:
        village, village_departement = VILLAGE
        people += [("Oui", "65+", "femme", village_departement, village),
                   ("Non", "15-24", "homme", village_departement, village)]
        people += [(options[-1], None, "femme", "57", "57463")] * 14   # age not given
    answers = Answers()
    for person in people:
        respondent = f"rk-{secrets.token_hex(16)}"
        for question in range(1, questions + 1):
            answers.rows.append(_row(question, respondent, person))
    return answers


def extra_answers(answers: Answers, question_count: int = 1, per_cell: int = 12,
                  options: Sequence[str] = ("Oui", "Non")) -> Answers:
    """Answers that keep every cell of the difference at 0 or >= 12 and mixed: added
    after an interim release of a population without small cells, the final release
    passes the policy's checks of successive releases."""
    extra = Answers()
    commune, departement = COMMUNES[0]
    for option in options:
        for _ in range(per_cell):
            respondent = f"rk-{secrets.token_hex(16)}"
            for question in range(1, question_count + 1):
                extra.rows.append(_row(question, respondent,
                                       (option, "35-49", "homme", departement, commune)))
    answers.rows.extend(extra.rows)
    return extra


def create_consultation(user: dict[str, Any], name: str, answers: Answers, *,
                        questions: int = 1, privacy_mode: str = "suppression",
                        options: Sequence[str] = OPTIONS, close: bool = True) -> dict[str, Any]:
    """A consultation made and filled through the plugin's actions, closed if asked."""
    context = {"user": user["name"], "ignore_auth": False}
    consultation = helpers.call_action(
        "consultation_create", context=dict(context), name=name,
        title=f"Consultation {name}", description="Que pensez-vous de la proposition ?",
        theme="SOCI", territory="region:44", privacy_mode=privacy_mode,
        questions=[{"text": f"Question {n} : êtes-vous d'accord ?", "options": list(options)}
                   for n in range(1, questions + 1)],
    )
    helpers.call_action("consultation_open", context=dict(context), id=consultation["id"])
    import_answers(user, consultation["id"], answers.rows)
    if close:
        close_consultation(user, consultation["id"])
    return consultation


def import_answers(user: dict[str, Any], consultation_id: str, rows: list[dict]) -> None:
    report = helpers.call_action(
        "consultation_answers_import", context={"user": user["name"], "ignore_auth": False},
        consultation_id=consultation_id, answers=rows)
    assert report["rejected"] == 0, report["errors"][:3]


def close_consultation(user: dict[str, Any], consultation_id: str) -> None:
    helpers.call_action("consultation_close",
                        context={"user": user["name"], "ignore_auth": False},
                        id=consultation_id)
