"""The fields of a consultation dataset (``schemas/consultation.yaml``), from a release."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from .releases import FINAL, ConsultationRelease

__all__ = ["DATASET_TYPE", "dataset_fields", "followup_url"]

DATASET_TYPE = "consultation"
TAGS = ("consultation citoyenne",)
# Follow-up entries come whenever the Region acts on the results.
FREQUENCY = "IRREG"


def dataset_fields(release: ConsultationRelease, organization: str) -> dict[str, Any]:
    """Every field of the dataset except its resources."""
    consultation = release.consultation
    title = consultation.title
    notes = consultation.description.strip() or (
        f"Résultats anonymisés de la consultation citoyenne « {title} » de la Région Grand Est.")
    if release.kind != FINAL:
        notes += ("\n\n**Résultats intermédiaires** : la consultation est encore ouverte ; les "
                  "résultats définitifs les remplaceront à sa clôture.")
    fields: dict[str, Any] = {
        "type": DATASET_TYPE,
        "name": consultation.name,
        "title": title,
        "notes": notes,
        "owner_org": organization,
        "private": False,
        "tags": [{"name": tag} for tag in TAGS],
        "questions": [
            {"text": q.question.text, "options": list(q.question.options),
             "participants": q.release.participants}
            for q in release.questions
        ],
        "participants": release.participants,
        "temporal_start": _iso(consultation.opens_on),
        "temporal_end": _iso(consultation.closes_on),
        "theme": [consultation.theme] if consultation.theme else [],
        "territorial_coverage": [consultation.territory] if consultation.territory else [],
        "privacy_mode": consultation.privacy_mode,
        "epsilon": _number(release.epsilon) if release.epsilon is not None else None,
        "methodology": methodology(release),
        "release": release.kind,
        "followup_url": followup_url(consultation.name),
        "consultation_id": consultation.id,
        "license_id": "lov2",
        "language": "fr",
        "frequency": FREQUENCY,
        "issued": _iso((consultation.published_at or dt.datetime.utcnow()).date()),
        "modified": _iso(dt.date.today()),
    }
    return {key: value for key, value in fields.items() if value is not None}


def methodology(release: ConsultationRelease) -> str:
    """The engine's French methodology notes as Markdown, one section per question."""
    sections = []
    for question in release.questions:
        text = "\n\n".join(release_paragraphs(question.document))
        if len(release.questions) > 1:
            text = f"**Question {question.number} — {question.question.text}**\n\n{text}"
        sections.append(text)
    return "\n\n".join(sections)


def release_paragraphs(document: dict[str, Any]) -> list[str]:
    return [p for p in document["methodologie"]["texte"].split("\n") if p.strip()]


def followup_url(name: str) -> str:
    """The consultation's public page (results and follow-up timeline)."""
    try:
        return tk.url_for("consultations.read", name=name, _external=True)
    except Exception:  # the pages are not served (no request context or no blueprint)
        return f"{tk.config['ckan.site_url'].rstrip('/')}/consultations/{name}"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: float) -> str:
    return f"{value:g}"
