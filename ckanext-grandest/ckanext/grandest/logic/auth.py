"""Auth functions of the grandest plugin (registered with tk.blanket.auth_functions)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context

__all__ = ["grandest_territory_autocomplete"]


@tk.auth_allow_anonymous_access
def grandest_territory_autocomplete(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """The territory list is public reference data."""
    return {"success": True}
