"""The only read of the private answers: one GROUP BY per consultation, in PostgreSQL.

The database counts the answers of every question by category; Python receives counts,
never an answer row, a respondent key or a timestamp. When an interim release was
published before, the same query also counts the answers it was computed from (those
up to its last answer id), so that the final release can be checked against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from ckan import model

Group = tuple[str, str, str, str, str, int]
"""(option, age band, sex, département, commune, count): one cell of the GROUP BY."""

_COUNT_ANSWERS = sa.text("""
    SELECT question_id, option, age_band, sex, departement, commune,
           count(*) AS answers,
           count(*) FILTER (WHERE id <= :cutoff) AS answers_before_cutoff,
           max(id) AS last_answer_id
    FROM consultation_answer
    WHERE consultation_id = :consultation_id
    GROUP BY question_id, option, age_band, sex, departement, commune
""")


@dataclass
class AnswerCounts:
    """The GROUP BY of one consultation, split by question."""

    groups: dict[str, list[Group]] = field(default_factory=dict)
    groups_before_cutoff: dict[str, list[Group]] = field(default_factory=dict)
    departements: set[str] = field(default_factory=set)
    last_answer_id: int | None = None

    def total(self, question_id: str) -> int:
        return sum(group[-1] for group in self.groups.get(question_id, ()))


def count_answers(consultation_id: str, cutoff: int | None = None) -> AnswerCounts:
    """Count the answers of a consultation by question and category.

    ``cutoff``: an answer id; the answers up to it are also counted apart (0 if None).
    """
    counts = AnswerCounts()
    result = model.Session.execute(
        _COUNT_ANSWERS,
        {"consultation_id": consultation_id, "cutoff": cutoff or 0},
        execution_options={"stream_results": True, "yield_per": 10_000},
    )
    for (question_id, option, age_band, sex, departement, commune, answers, before,
         last_id) in result:
        counts.groups.setdefault(question_id, []).append(
            (option, age_band, sex, departement, commune, answers))
        if before:
            counts.groups_before_cutoff.setdefault(question_id, []).append(
                (option, age_band, sex, departement, commune, before))
        counts.departements.add(departement)
        if counts.last_answer_id is None or last_id > counts.last_answer_id:
            counts.last_answer_id = last_id
    return counts
