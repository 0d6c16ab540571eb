"""Public pages of the consultations: the list, a consultation, the transparency page.

They show what is public only: the consultation's description, its published release
(read from ``consultation_release``, the document published as the JSON resource), its
dataset and the follow-up entries. No answer is ever read here.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.consultation import charts, pages

__all__ = ["consultations"]

# The dataset type "consultation" owns the blueprint named "consultation" (/consultation/…).
consultations = Blueprint("consultations", __name__, url_prefix="/consultations")


def index() -> str:
    """Open, closed and published consultations, newest first in each section."""
    summaries = pages.public_consultations()
    sections = [
        (status, [s for s in summaries if s["status"] == status])
        for status in pages.LISTED_STATUSES
    ]
    return tk.render("consultations/index.html", {"sections": sections})


def transparency() -> str:
    """Every public consultation, what was published and what was done with it."""
    return tk.render(
        "consultations/transparency.html", {"consultations": pages.public_consultations()}
    )


def read(name: str) -> str:
    consultation = pages.consultation(name)
    if consultation is None:
        return tk.abort(404, tk._("Consultation not found"))
    published = consultation["status"] == "published"
    questions = []
    for question in consultation["questions"]:
        document = (
            pages.published_release(consultation["id"], question["id"]) if published else None
        )
        question_charts = charts.release_charts(document) if document else []
        questions.append(
            {
                **question,
                "published": document is not None,
                "methodology": charts.methodology_text(document) if document else [],
                "charts": question_charts,
                "charts_json": {"charts": [c.as_json() for c in question_charts]},
            }
        )
    extra_vars: dict[str, Any] = {
        "consultation": consultation,
        "questions": questions,
        "dataset": pages.published_dataset(consultation) if published else None,
    }
    return tk.render("consultations/read.html", extra_vars)


consultations.add_url_rule("", "index", index)
consultations.add_url_rule("/transparence", "transparency", transparency)
consultations.add_url_rule("/<name>", "read", read)
