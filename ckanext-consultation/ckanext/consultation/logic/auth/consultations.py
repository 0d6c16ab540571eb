"""Who may act on consultations (roles: ``ckanext.consultation.roles``).

Sysadmins pass every check (CKAN grants them everything); they are moderators too.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from ckanext.consultation import roles
from ckanext.consultation.logic.lookup import can_view, get_consultation, user_id

__all__ = [
    "consultation_close",
    "consultation_create",
    "consultation_list",
    "consultation_moderate",
    "consultation_open",
    "consultation_question_submit",
    "consultation_show",
    "consultation_update",
]


def _result(allowed: bool, refusal: str) -> AuthResult:
    return {"success": True} if allowed else {"success": False, "msg": refusal}


def _moderators_only(context: Context) -> AuthResult:
    return _result(roles.is_moderator(context.get("user")),
                   tk._("Only the consultation moderators can do this"))


def consultation_create(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Moderators (for the Region) and referents propose consultations."""
    user = context.get("user")
    return _result(roles.is_moderator(user) or roles.is_referent(user),
                   tk._("Only moderators and referents can create a consultation"))


def consultation_question_submit(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Any logged-in user submits a question for moderation."""
    return _result(roles.is_citizen(context.get("user")),
                   tk._("Log in to submit a question"))


def consultation_moderate(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _moderators_only(context)


def consultation_update(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Moderators, and the author of a proposal (the action decides which fields)."""
    user = context.get("user")
    if roles.is_moderator(user):
        return {"success": True}
    consultation = get_consultation((data_dict or {}).get("id") or "")
    is_author = consultation.author_id is not None and consultation.author_id == user_id(user)
    return _result(is_author, tk._("Only moderators and its author can edit a consultation"))


def consultation_open(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _moderators_only(context)


def consultation_close(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    return _moderators_only(context)


@tk.auth_allow_anonymous_access
def consultation_show(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Open, closed and published consultations are public; before, see ``can_view``."""
    consultation = get_consultation((data_dict or {}).get("id") or "")
    return _result(can_view(consultation, context.get("user")),
                   tk._("This consultation is not public"))


@tk.auth_allow_anonymous_access
def consultation_list(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Public; the action lists only what the caller may see."""
    return {"success": True}
