"""Demo content of the portal: organisations and datasets described in ``content.yaml``.

Seeding creates what is missing, keyed on names, and leaves existing objects as they
are (a partner may have edited them), so it runs at every start. Later capabilities
(harvest sources, consultations) add their demo content here, in the same file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml

log = logging.getLogger(__name__)
CONTENT = Path(__file__).with_name("content.yaml")


def load_content() -> dict[str, Any]:
    with CONTENT.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _ensure(kind: str, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Shows ``kind`` (organization / package) by name, creating it when missing."""
    try:
        return tk.get_action(f"{kind}_show")(_context(), {"id": data["name"]}), False
    except tk.ObjectNotFound:
        return tk.get_action(f"{kind}_create")(_context(), dict(data)), True


def seed() -> dict[str, int]:
    """Loads the demo content; returns how many objects were created and kept."""
    counts = {"created": 0, "kept": 0}
    content = load_content()
    for org in content["organizations"]:
        datasets = org.pop("datasets", [])
        organization, new = _ensure("organization", org)
        counts["created" if new else "kept"] += 1
        for dataset in datasets:
            _, new = _ensure("package", {**dataset, "owner_org": organization["id"]})
            counts["created" if new else "kept"] += 1
    peers_url = tk.config["ckanext.grandest.demo.peers_url"].rstrip("/")
    for declared in content.get("harvest_sources", []):
        source = {**declared, "url": declared["url"].format(peers_url=peers_url)}
        created, new = _ensure("harvest_source", source)
        counts["created" if new else "kept"] += 1
        if new:
            tk.get_action("harvest_job_create")(_context(), {"source_id": created["id"],
                                                              "run": True})
    return counts
