"""Who may write or erase answers: the citizen app's user (and sysadmins)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from ckanext.consultation import roles

__all__ = ["consultation_answer_erase", "consultation_answers_import"]


def consultation_answers_import(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Only the app's user (``ckanext.consultation.app_user``) sends answers."""
    if roles.is_app(context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the citizen app can import answers")}


def consultation_answer_erase(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Erasure requests come through the app, or are handled by a moderator."""
    user = context.get("user")
    if roles.is_app(user) or roles.is_moderator(user):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the citizen app and the moderators can erase answers")}
