"""The consultation plugin's tables (migrations in ``migration/consultation``).

Raw answers live in ``consultation_answer`` only: no action, view, index or log returns
their rows. What leaves the database is counted by a GROUP BY and protected by the
anonymisation engine first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

NOT_PROVIDED = "non renseigné"

ORIGINS = ("region", "referent", "citizen")
# submitted/rejected: a citizen's question before/after moderation; draft → open →
# closed → published: the life of a consultation.
STATUSES = ("submitted", "rejected", "draft", "open", "closed", "published")
PRIVACY_MODES = ("suppression", "differential_privacy")
FOLLOWUP_STATUSES = ("announced", "under_study", "in_progress", "done", "abandoned")


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Consultation(tk.BaseModel):
    __tablename__ = "consultation"

    id = sa.Column(sa.Text, primary_key=True, default=_uuid)
    name = sa.Column(sa.Text, nullable=False, unique=True)   # also the published dataset's name
    title = sa.Column(sa.Text, nullable=False)
    description = sa.Column(sa.Text, nullable=False, default="")
    theme = sa.Column(sa.Text)                                # EU data theme code (vocabulary)
    territory = sa.Column(sa.Text, nullable=False, default="region:44")
    opens_on = sa.Column(sa.Date)
    closes_on = sa.Column(sa.Date)
    origin = sa.Column(sa.Text, nullable=False, default="region")
    status = sa.Column(sa.Text, nullable=False, default="draft")
    author_id = sa.Column(sa.Text, sa.ForeignKey("user.id"))
    author_public = sa.Column(sa.Boolean, nullable=False, default=False)  # opt-in (policy)
    moderated_by = sa.Column(sa.Text, sa.ForeignKey("user.id"))
    moderated_at = sa.Column(sa.DateTime)
    moderation_reason = sa.Column(sa.Text)
    privacy_mode = sa.Column(sa.Text, nullable=False, default="suppression")
    # Answers erased at a respondent's request after closing: a corrected table must
    # then never be republished (its difference would reveal the answer).
    erasures = sa.Column(sa.Integer, nullable=False, default=0)
    package_id = sa.Column(sa.Text, sa.ForeignKey("package.id", ondelete="SET NULL"))
    published_at = sa.Column(sa.DateTime)
    publication_error = sa.Column(sa.Text)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)
    modified = sa.Column(sa.DateTime, nullable=False, default=_now, onupdate=_now)

    __table_args__ = (
        sa.CheckConstraint(f"origin IN {ORIGINS}", name="consultation_origin"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="consultation_status"),
        sa.CheckConstraint(f"privacy_mode IN {PRIVACY_MODES}", name="consultation_privacy_mode"),
    )


class Question(tk.BaseModel):
    __tablename__ = "consultation_question"

    id = sa.Column(sa.Text, primary_key=True, default=_uuid)
    consultation_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False
    )
    position = sa.Column(sa.Integer, nullable=False, default=0)
    text = sa.Column(sa.Text, nullable=False)
    options = sa.Column(JSONB, nullable=False)   # the answer options, in display order

    __table_args__ = (sa.UniqueConstraint("consultation_id", "position"),)


class Answer(tk.BaseModel):
    """One private answer. The app's ``answer_key`` makes a replayed import idempotent;
    one respondent answers a question once (one row per person, as DP assumes)."""

    __tablename__ = "consultation_answer"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    consultation_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False
    )
    question_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation_question.id", ondelete="CASCADE"), nullable=False
    )
    answer_key = sa.Column(sa.Text, nullable=False)
    respondent_key = sa.Column(sa.Text, nullable=False)
    option = sa.Column(sa.Text, nullable=False)
    age_band = sa.Column(sa.Text, nullable=False, default=NOT_PROVIDED)
    sex = sa.Column(sa.Text, nullable=False, default=NOT_PROVIDED)
    departement = sa.Column(sa.Text, nullable=False, default=NOT_PROVIDED)
    commune = sa.Column(sa.Text, nullable=False, default=NOT_PROVIDED)
    received = sa.Column(sa.DateTime, nullable=False, default=_now)

    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "answer_key"),
        sa.UniqueConstraint("question_id", "respondent_key"),
    )


class FollowUp(tk.BaseModel):
    """What was done with a consultation's results: public, written by referents."""

    __tablename__ = "consultation_followup"

    id = sa.Column(sa.Text, primary_key=True, default=_uuid)
    consultation_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False
    )
    date = sa.Column(sa.Date, nullable=False)
    status = sa.Column(sa.Text, nullable=False)
    progress = sa.Column(sa.Integer, nullable=False, default=0)
    decision = sa.Column(sa.Text, nullable=False, default="")
    links = sa.Column(JSONB, nullable=False, default=list)   # [{"title": ..., "url": ...}]
    author_id = sa.Column(sa.Text, sa.ForeignKey("user.id"))
    created = sa.Column(sa.DateTime, nullable=False, default=_now)

    __table_args__ = (
        sa.CheckConstraint(f"status IN {FOLLOWUP_STATUSES}", name="consultation_followup_status"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="consultation_followup_progress"),
    )


class BudgetCharge(tk.BaseModel):
    """The differential-privacy ledger: ε spent per table, poll and year."""

    __tablename__ = "consultation_dp_ledger"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    consultation_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation.id", ondelete="RESTRICT"), nullable=False
    )
    question_id = sa.Column(sa.Text, nullable=False)
    table_name = sa.Column(sa.Text, nullable=False)
    epsilon = sa.Column(sa.Float, nullable=False)
    year = sa.Column(sa.Integer, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)


class NoiseDraw(tk.BaseModel):
    """Noise drawn once per question and stored, so that re-exports are identical."""

    __tablename__ = "consultation_dp_noise"

    question_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation_question.id", ondelete="CASCADE"), primary_key=True
    )
    mechanism = sa.Column(sa.Text, nullable=False)
    epsilon = sa.Column(sa.Float, nullable=False)
    grid_digest = sa.Column(sa.Text, nullable=False)
    noise = sa.Column(JSONB, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)


class Release(tk.BaseModel):
    """Tables already published for a question (public data): successive releases are
    checked against them (interim vs final differencing, republication)."""

    __tablename__ = "consultation_release"

    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    consultation_id = sa.Column(
        sa.Text, sa.ForeignKey("consultation.id", ondelete="CASCADE"), nullable=False
    )
    question_id = sa.Column(sa.Text, nullable=False)
    kind = sa.Column(sa.Text, nullable=False)   # interim | final
    tables = sa.Column(JSONB, nullable=False)
    created = sa.Column(sa.DateTime, nullable=False, default=_now)
    # What the release was computed from (rule 6): the highest answer id counted, how
    # many answers of the question, and the consultation's erasure count at that time.
    last_answer_id = sa.Column(sa.BigInteger)
    answers = sa.Column(sa.BigInteger)
    erasures = sa.Column(sa.Integer, nullable=False, default=0)


def as_dict(row: Any, *exclude: str) -> dict[str, Any]:
    """A row's columns as a JSON-friendly dict (dates in ISO format)."""
    out = {}
    for column in row.__table__.columns:
        if column.key in exclude:
            continue
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, dt.date) else value
    return out
