"""Who may write and read follow-up entries."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from ckanext.consultation import roles
from ckanext.consultation.logic.lookup import can_view, get_consultation

__all__ = ["consultation_followup_create", "consultation_followup_list"]


def consultation_followup_create(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Referents report what their department did with the results; moderators too."""
    user = context.get("user")
    if roles.is_referent(user) or roles.is_moderator(user):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only referents and moderators can write follow-up entries")}


@tk.auth_allow_anonymous_access
def consultation_followup_list(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Public wherever the consultation is."""
    consultation = get_consultation((data_dict or {}).get("consultation_id") or "")
    if can_view(consultation, context.get("user")):
        return {"success": True}
    return {"success": False, "msg": tk._("This consultation is not public")}
