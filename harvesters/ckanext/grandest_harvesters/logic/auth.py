"""Auth functions of the grandest_harvest plugin (registered with tk.blanket.auth_functions)."""

from __future__ import annotations

from typing import Any

from ckan.types import AuthResult, Context

__all__ = ["grandest_harvest_preview"]


def grandest_harvest_preview(context: Context, data_dict: dict[str, Any]) -> AuthResult:
    """Sysadmins only: a preview makes the portal fetch an arbitrary URL."""
    return {"success": False}
