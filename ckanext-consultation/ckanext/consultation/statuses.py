"""The life of a consultation: which event moves it from which status to which.

A citizen's question is ``submitted``, then ``draft`` once accepted (or ``rejected``);
consultations of the Region and of referents start as ``draft``. Only a draft opens, so
a citizen's question opens only after a moderator accepted it. ``published`` is set by
the publication once the results of a closed consultation are out.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

__all__ = ["PUBLIC_STATUSES", "TRANSITIONS", "followup_status_label", "refusal", "status_label"]

# event: (status it applies to, status it leads to)
TRANSITIONS: dict[str, tuple[str, str]] = {
    "accept": ("submitted", "draft"),
    "reject": ("submitted", "rejected"),
    "open": ("draft", "open"),
    "close": ("open", "closed"),
    "publish": ("closed", "published"),
}

PUBLIC_STATUSES = frozenset({"open", "closed", "published"})
"""Statuses in which anyone, anonymous visitors included, sees a consultation."""


def status_label(status: str) -> str:
    """A status as users read it (translated)."""
    return {
        "submitted": tk._("awaiting moderation"),
        "rejected": tk._("rejected at moderation"),
        "draft": tk._("in draft"),
        "open": tk._("open to answers"),
        "closed": tk._("closed, awaiting publication"),
        "published": tk._("closed and published"),
    }.get(status, status)


def followup_status_label(status: str) -> str:
    """A follow-up entry's status as users read it (translated)."""
    return {
        "announced": tk._("announced"),
        "under_study": tk._("under study"),
        "in_progress": tk._("in progress"),
        "done": tk._("done"),
        "abandoned": tk._("abandoned"),
    }.get(status, status)


def refusal(event: str, status: str) -> str:
    """Why ``event`` cannot happen to a consultation in ``status``."""
    message = {
        "accept": tk._("Only a question awaiting moderation can be accepted or rejected"),
        "reject": tk._("Only a question awaiting moderation can be accepted or rejected"),
        "open": tk._("Only a consultation in draft can be opened (a citizen's question must "
                     "be accepted first)"),
        "close": tk._("Only an open consultation can be closed"),
        "publish": tk._("Only a closed consultation can be published"),
    }[event]
    return tk._("{message}; this one is {status}.").format(message=message,
                                                           status=status_label(status))
