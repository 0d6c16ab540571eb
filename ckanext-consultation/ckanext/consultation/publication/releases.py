"""What a publication releases: each question's protected tables, under policy rule 6.

- After an erasure since the last release, nothing is republished: the difference
  between two versions would be the erased person's answer.
- After a final release, only a byte-identical re-export is allowed.
- After an interim release, the next one is allowed only if the difference between the
  two passes rules 1-3 (the engine's ``difference_problems``); neither has communes.
- In differential-privacy mode the noise of each question is drawn once, after its ε has
  been charged to the ledger (per poll and per year), and stored: every later export is
  computed from the stored noise and is identical. No interim release in that mode.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.consultation.anonymisation import (
    BudgetEntry,
    BudgetLedger,
    NoisyCounts,
    Policy,
    PollCounts,
    ProtectedRelease,
    TableSpec,
    budget_split,
    default_tables,
    difference_problems,
    draw_noisy_counts,
    protect_poll,
)
from ckanext.consultation.model import BudgetCharge, Consultation, NoiseDraw, Question, Release

from .aggregation import count_answers
from .errors import PublicationRefused
from .grid import question_grid

__all__ = ["FINAL", "INTERIM", "ConsultationRelease", "QuestionRelease", "grid_digest",
           "prepare_release"]

FINAL = "final"
INTERIM = "interim"
DIFFERENTIAL_PRIVACY = "differential_privacy"

# One lock for every charge to the ledger: the yearly cap spans all consultations.
_LEDGER_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext('consultation_dp_ledger'))")


@dataclass(frozen=True)
class QuestionRelease:
    """The protected release of one question, numbered from 1 in the consultation."""

    question: Question
    number: int
    release: ProtectedRelease
    answers: int
    """How many answers it was computed from (recorded, never published)."""

    @cached_property
    def document(self) -> dict[str, Any]:
        """The release as published (``Release.tables``, the JSON resource)."""
        return json.loads(self.release.to_json())


@dataclass
class ConsultationRelease:
    """Everything a publication of the consultation releases."""

    consultation: Consultation
    kind: str
    questions: list[QuestionRelease]
    last_answer_id: int | None
    new: bool
    """Whether the tables differ from the last release (False: an identical re-export)."""
    epsilon: float | None = None
    """Differential privacy: ε of the whole consultation."""

    @property
    def participants(self) -> int | None:
        """The largest published participant count among the questions."""
        counts = [q.release.participants for q in self.questions
                  if q.release.participants is not None]
        return max(counts) if counts else None

    def release_rows(self) -> list[Release]:
        """The ``consultation_release`` rows recording this release."""
        return [
            Release(consultation_id=self.consultation.id, question_id=q.question.id,
                    kind=self.kind, tables=q.document, last_answer_id=self.last_answer_id,
                    answers=q.answers, erasures=self.consultation.erasures)
            for q in self.questions
        ]


def prepare_release(consultation: Consultation, policy: Policy, *, interim: bool = False,
                    communes: bool = True, departement_age_sex: bool = False,
                    today: dt.date | None = None) -> ConsultationRelease:
    """Protect every question of ``consultation``, or refuse (``PublicationRefused``).

    Writes nothing, except in differential-privacy mode the noise drawn and the ε
    charged for questions that had none (committed at once: drawn once, whatever
    happens to this publication).
    """
    questions = (model.Session.query(Question)
                 .filter(Question.consultation_id == consultation.id)
                 .order_by(Question.position).all())
    if not questions:
        raise PublicationRefused("La consultation n'a aucune question à publier.")
    dp = consultation.privacy_mode == DIFFERENTIAL_PRIVACY
    previous, had_interim = _last_releases(consultation.id)
    _check_successive(consultation, previous, interim=interim, dp=dp)
    after_interim = any(r.kind == INTERIM for r in previous.values())
    cutoff = max((r.last_answer_id or 0 for r in previous.values()), default=0)
    counts = count_answers(consultation.id, cutoff if after_interim else None)
    # Communes never follow an interim release (their pooling may change in between),
    # nor does any later re-export of the final one.
    specs = default_tables(
        publish_communes=communes and not (dp or interim or had_interim),
        departement_age_sex=departement_age_sex,
    )
    grids = {q.id: question_grid(q.options, counts.departements) for q in questions}
    poll_counts = {q.id: _poll_counts(q, grids[q.id], counts.groups) for q in questions}
    noise = (_noisy_counts(consultation, questions, poll_counts, policy, today)
             if dp else {})

    released = []
    for number, question in enumerate(questions, start=1):
        counts_q = poll_counts[question.id]
        release = _protect(number, counts_q, policy, specs, noise.get(question.id))
        if after_interim and question.id in previous:
            recount = _poll_counts(question, grids[question.id], counts.groups_before_cutoff)
            _check_after_interim(number, previous[question.id], recount, counts_q,
                                 (policy, specs))
        released.append(QuestionRelease(question, number, release, counts_q.total))

    new = _check_republication(previous, released)
    epsilon = sum(n.total_epsilon for n in noise.values()) if dp else None
    return ConsultationRelease(consultation, INTERIM if interim else FINAL, released,
                               counts.last_answer_id, new, epsilon)


def _last_releases(consultation_id: str) -> tuple[dict[str, Release], bool]:
    """The latest release of each question, by question id; whether any was interim."""
    latest: dict[str, Release] = {}
    had_interim = False
    for row in (model.Session.query(Release)
                .filter(Release.consultation_id == consultation_id)
                .order_by(Release.id)):
        latest[row.question_id] = row
        had_interim = had_interim or row.kind == INTERIM
    return latest, had_interim


def _check_successive(consultation: Consultation, previous: dict[str, Release], *,
                      interim: bool, dp: bool) -> None:
    if interim and dp:
        raise PublicationRefused(
            "Pas de résultats intermédiaires en mode confidentialité différentielle : le "
            "bruit n'est tiré qu'une fois, pour les résultats définitifs.")
    if not previous:
        return
    if consultation.erasures > max(r.erasures for r in previous.values()):
        raise PublicationRefused(
            "Des réponses ont été effacées à la demande de participants depuis la dernière "
            "publication : les résultats ne sont jamais republiés, car la différence entre "
            "les deux versions révélerait les réponses des personnes concernées. La "
            "publication précédente reste en place.")
    if interim and any(r.kind == FINAL for r in previous.values()):
        raise PublicationRefused(
            "Les résultats définitifs de cette consultation sont déjà publiés : plus de "
            "résultats intermédiaires.")


def _check_after_interim(number: int, interim: Release, recount: PollCounts,
                         final: PollCounts,
                         rules: tuple[Policy, tuple[TableSpec, ...]]) -> None:
    """The interim's counts are recounted from the answers up to its cutoff: fewer than
    it had means answers were erased since, whatever the consultation's status then."""
    if interim.answers is not None and recount.total < interim.answers:
        raise PublicationRefused(
            f"Question {number} : des réponses comptées dans les résultats intermédiaires "
            "ont été effacées depuis ; la différence avec les résultats définitifs "
            "révélerait leurs réponses. Les résultats intermédiaires restent en place.")
    problems = difference_problems(recount, final, *rules)
    if problems:
        raise PublicationRefused(
            f"Question {number} : ces résultats ne peuvent pas être publiés après les "
            f"résultats intermédiaires. {problems[0]}")


def _poll_counts(question: Question, grid, groups: dict[str, list]) -> PollCounts:
    try:
        return PollCounts.from_groups(grid, groups.get(question.id, ()))
    except ValueError as error:  # UnknownCategory: a category outside the public grid
        raise PublicationRefused(
            f"Une réponse enregistrée sort des catégories publiables de la question "
            f"« {question.text} » ({error}).") from None


def _protect(number: int, counts: PollCounts, policy: Policy, specs: tuple[TableSpec, ...],
             noisy: NoisyCounts | None) -> ProtectedRelease:
    try:
        return protect_poll(counts, policy, tables=specs, noisy=noisy)
    except ValueError as error:
        if noisy is not None and "category grid" in str(error):
            raise PublicationRefused(
                f"Question {number} : le bruit enregistré a été tiré sur d'autres catégories "
                "(réponses proposées modifiées depuis) ; il ne peut pas être tiré à "
                "nouveau.") from None
        raise PublicationRefused(f"Question {number} : {error}") from None


def _check_republication(previous: dict[str, Release],
                         released: list[QuestionRelease]) -> bool:
    """Whether the release is new; a changed final release is refused."""
    finals = {qid: r for qid, r in previous.items() if r.kind == FINAL}
    if not finals:
        return True
    for question in released:
        before = finals.get(question.question.id)
        if before is None or before.tables != question.document:
            raise PublicationRefused(
                "Cette consultation a déjà été publiée : une version corrigée n'est jamais "
                "republiée, car la différence entre les deux versions révélerait des "
                "réponses individuelles. La publication précédente reste en place.")
    return False


# -- differential privacy ---------------------------------------------------------------


def _noisy_counts(consultation: Consultation, questions: list[Question],
                  counts: dict[str, PollCounts], policy: Policy,
                  today: dt.date | None) -> dict[str, NoisyCounts]:
    """Stored noise of every question; questions without any are charged, then drawn."""
    stored = {row.question_id: row for row in model.Session.query(NoiseDraw)
              .filter(NoiseDraw.question_id.in_([q.id for q in questions]))}
    out = {}
    for number, question in enumerate(questions, start=1):
        row = stored.get(question.id)
        if row is None:
            continue
        noisy = NoisyCounts.from_dict(row.noise)
        if row.grid_digest != grid_digest(noisy) or noisy.categories["options"] != tuple(
                question.options):
            raise PublicationRefused(
                f"Question {number} : le bruit enregistré a été tiré sur d'autres catégories "
                "(réponses proposées modifiées depuis) ; il ne peut pas être tiré à nouveau.")
        out[question.id] = noisy
    missing = [q for q in questions if q.id not in out]
    if not missing:
        return out

    # The poll's ε is shared by its questions: one respondent answers each of them.
    per_question = dataclasses.replace(
        policy, dp_epsilon_per_poll=policy.dp_epsilon_per_poll / len(questions))
    year = (today or dt.date.today()).year
    model.Session.execute(_LEDGER_LOCK)
    ledger = BudgetLedger.for_policy(policy, _ledger_entries(consultation, year))
    charges = {(q.id, level): epsilon for q in missing
               for level, epsilon in budget_split(per_question).items()}
    try:
        ledger.charge(consultation.name, year,
                      {f"{qid}:{level}": eps for (qid, level), eps in charges.items()})
    except Exception:
        model.Session.rollback()   # releases the ledger lock
        raise
    for question in missing:
        noisy = draw_noisy_counts(counts[question.id], per_question)
        model.Session.add(NoiseDraw(question_id=question.id, mechanism=noisy.mechanism,
                                    epsilon=noisy.total_epsilon, grid_digest=grid_digest(noisy),
                                    noise=noisy.to_dict()))
        out[question.id] = noisy
    for (question_id, level), epsilon in charges.items():
        model.Session.add(BudgetCharge(consultation_id=consultation.id,
                                       question_id=question_id, table_name=level,
                                       epsilon=epsilon, year=year))
    model.Session.commit()
    return out


def _ledger_entries(consultation: Consultation, year: int) -> list[BudgetEntry]:
    rows = model.Session.query(BudgetCharge).filter(
        sa.or_(BudgetCharge.consultation_id == consultation.id, BudgetCharge.year == year))
    return [
        BudgetEntry(consultation.name if row.consultation_id == consultation.id
                    else row.consultation_id,
                    f"{row.question_id}:{row.table_name}", row.year, row.epsilon)
        for row in rows
    ]


def grid_digest(noisy: NoisyCounts) -> str:
    """A digest of the categories the noise was drawn on."""
    categories = {key: list(values) for key, values in sorted(noisy.categories.items())}
    return hashlib.sha256(json.dumps(categories, ensure_ascii=False).encode()).hexdigest()
