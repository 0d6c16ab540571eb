"""Who may publish a consultation's results: the moderators (sysadmins included)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

from ckanext.consultation import roles

__all__ = ["consultation_publish"]


def consultation_publish(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Moderators publish results (the jobs run as the site user, without this check)."""
    if roles.is_moderator(context.get("user")):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the consultation moderators can publish results")}
