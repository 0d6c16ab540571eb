"""What the actions return about consultations and follow-up entries.

Public fields only. Answers never appear, not even as counts, until the results are
published; then each question carries the protected participant count of its release
(the figure the published tables show). The author of a citizen's question is named
only if they opted in; moderation details are for moderators and the author.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.consultation import roles
from ckanext.consultation.logic.lookup import user_id
from ckanext.consultation.model import Consultation, FollowUp, Question, Release
from ckanext.consultation.statuses import followup_status_label, status_label

__all__ = ["consultation_dictize", "consultations_dictize", "followup_dictize"]

_PUBLIC_FIELDS = ("id", "name", "title", "description", "theme", "territory", "opens_on",
                  "closes_on", "origin", "status", "privacy_mode", "published_at", "created")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _display_name(user: model.User | None) -> str | None:
    if user is None:
        return None
    return user.fullname or user.name


def _questions_by_consultation(ids: Sequence[str]) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {i: [] for i in ids}
    rows = (model.Session.query(Question).filter(Question.consultation_id.in_(ids))
            .order_by(Question.consultation_id, Question.position))
    for question in rows:
        out[question.consultation_id].append(question)
    return out


def _participants(ids: Sequence[str]) -> dict[str, int | None]:
    """Question id → protected participant count of its latest release."""
    participants = sa.literal_column("tables ->> 'participants'")
    rows = (model.Session.query(Release.question_id, participants)
            .filter(Release.consultation_id.in_(ids)).order_by(Release.id))
    return {qid: int(n) if n is not None else None for qid, n in rows}


def _datasets(consultations: Sequence[Consultation]) -> dict[str, str]:
    """Package id → name of the consultations' published datasets (active ones)."""
    ids = [c.package_id for c in consultations if c.package_id]
    if not ids:
        return {}
    rows = (model.Session.query(model.Package.id, model.Package.name)
            .filter(model.Package.id.in_(ids), model.Package.state == "active"))
    return dict(rows)


def consultations_dictize(consultations: Sequence[Consultation],
                          viewer: str | None) -> list[dict[str, Any]]:
    """Several consultations as the API shows them to ``viewer`` (a user name or None)."""
    if not consultations:
        return []
    ids = [c.id for c in consultations]
    questions = _questions_by_consultation(ids)
    published = [c.id for c in consultations if c.status == "published"]
    participants = _participants(published) if published else {}
    datasets = _datasets(consultations)
    is_moderator = roles.is_moderator(viewer)
    viewer_id = user_id(viewer)
    out = []
    for consultation in consultations:
        show_counts = consultation.status == "published"
        data = {key: _iso(getattr(consultation, key)) for key in _PUBLIC_FIELDS}
        data["status_label"] = status_label(consultation.status)
        data["dataset"] = datasets.get(consultation.package_id)
        data["questions"] = [
            {"id": q.id, "position": q.position, "text": q.text, "options": list(q.options),
             "participants": participants.get(q.id) if show_counts else None}
            for q in questions[consultation.id]
        ]
        counts = [q["participants"] for q in data["questions"] if q["participants"] is not None]
        # Each figure is already published: their maximum reveals nothing more.
        data["participants"] = max(counts) if counts else None
        author = model.User.get(consultation.author_id) if consultation.author_id else None
        is_author = viewer_id is not None and viewer_id == consultation.author_id
        shown = consultation.author_public or is_moderator or is_author
        data["author"] = _display_name(author) if shown else None
        if is_moderator or is_author:
            data["author_public"] = consultation.author_public
            data["moderation"] = {
                "reason": consultation.moderation_reason,
                "moderated_at": _iso(consultation.moderated_at),
            }
        if is_moderator:
            data["erasures"] = consultation.erasures
            data["publication_error"] = consultation.publication_error
        out.append(data)
    return out


def consultation_dictize(consultation: Consultation, viewer: str | None) -> dict[str, Any]:
    return consultations_dictize([consultation], viewer)[0]


def followup_dictize(entry: FollowUp) -> dict[str, Any]:
    """A follow-up entry: public as a whole, except who typed it."""
    return {
        "id": entry.id,
        "consultation_id": entry.consultation_id,
        "date": _iso(entry.date),
        "status": entry.status,
        "status_label": followup_status_label(entry.status),
        "progress": entry.progress,
        "decision": entry.decision,
        "links": list(entry.links or []),
        "created": _iso(entry.created),
    }
