"""What the public pages show of consultations, gathered through the plugin's actions.

Only public things: consultations once open (``consultation_list`` and
``consultation_show`` decide who sees what), their follow-up entries, their datasets,
and the published releases of their questions - the public JSON documents kept in
``consultation_release``. Answers are never read.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.consultation.model import Release

LISTED_STATUSES = ("open", "closed", "published")
"""The statuses the public pages list, in page order."""

_PAGE = 100  # consultation_list's largest page


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def public_consultations() -> list[dict[str, Any]]:
    """Every open, closed and published consultation, newest opening first, each with
    its follow-up entries (``followups``) and latest entry (``latest_followup``)."""
    listed = []
    for status in LISTED_STATUSES:
        offset = 0
        while True:
            page = tk.get_action("consultation_list")(
                _context(), {"status": status, "limit": _PAGE, "offset": offset}
            )
            listed += page["results"]
            offset += _PAGE
            if offset >= page["count"]:
                break
    listed.sort(key=lambda c: (c["opens_on"] or "", c["created"]), reverse=True)
    return [_with_followups(c) for c in listed]


def consultation(name: str) -> dict[str, Any] | None:
    """A consultation the visitor may see, with its follow-up entries; else None."""
    try:
        found = tk.get_action("consultation_show")(_context(), {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    return _with_followups(found)


def _with_followups(consultation: dict[str, Any]) -> dict[str, Any]:
    entries = tk.get_action("consultation_followup_list")(
        _context(), {"consultation_id": consultation["id"]}
    )
    return {**consultation, "followups": entries,
            "latest_followup": entries[-1] if entries else None}


def published_release(consultation_id: str, question_id: str) -> dict[str, Any] | None:
    """The latest final release of a question (its published JSON document), or None."""
    row = (
        model.Session.query(Release)
        .filter(
            Release.consultation_id == consultation_id,
            Release.question_id == question_id,
            Release.kind == "final",
        )
        .order_by(Release.id.desc())
        .first()
    )
    return row.tables if row is not None else None


def published_dataset(consultation: dict[str, Any]) -> dict[str, Any] | None:
    """The consultation's public dataset with its resources, or None before publication."""
    if not consultation.get("dataset"):
        return None
    try:
        dataset = tk.get_action("package_show")(_context(), {"id": consultation["dataset"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None
    return None if dataset.get("private") else dataset
