"""What the grandest plugin adds to CKAN's Solr documents and search results.

Regional fields become ``vocab_*`` fields (multi-valued strings in CKAN's schema) so that
they can be faceted and filtered:

- ``vocab_theme``, ``vocab_frequency``, ``vocab_body_type`` (the publisher's type);
- ``vocab_territory``: the covered territories and every territory containing them, so
  the facet on département 67 counts the datasets of its communes and EPCI;
- ``vocab_territory_area``: the same plus every territory they contain, so that filtering
  on a commune also finds the datasets covering its département or the whole région.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search import commit, rebuild

from ckanext.grandest import helpers
from ckanext.grandest import vocabularies as vocab

# Fields whose accent-free copy goes into Solr's catch-all `text` field.
FOLDED_FIELDS = ("title", "notes")

FACET_LABELS = {
    "vocab_theme": "theme",
    "vocab_frequency": "frequency",
    "vocab_body_type": "body_type",
}


def fold_accents(value: str) -> str:
    """``"École élémentaire"`` -> ``"Ecole elementaire"``."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def add_folded_text(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Adds accent-free copies of the title, description and tags to the `text` field.

    CKAN's schema stems (English rules) *before* folding accents, so the index holds
    "ecole" for "École" while a query for "ecole" is stemmed to "ecol" and misses it.
    Indexing the folded words too lets French users search without typing accents.
    """
    folded = [fold_accents(pkg_dict[f]) for f in FOLDED_FIELDS if pkg_dict.get(f)]
    folded += [fold_accents(t) for t in pkg_dict.get("tags") or [] if isinstance(t, str)]
    if folded:
        existing = pkg_dict.get("text")
        pkg_dict["text"] = [*([existing] if isinstance(existing, str) else existing or []),
                            *folded]
    return pkg_dict


def territory_fields(coverage: list[str]) -> dict[str, list[str]]:
    covered, area = {}, {}
    for key in coverage:
        for k in vocab.hierarchy_keys(key):
            covered[k] = area[k] = None
        for k in sorted(vocab.descendants(key)):
            area[k] = None
    return {"vocab_territory": list(covered), "vocab_territory_area": list(area)}


def _body_type(owner_org: str | None) -> str | None:
    org = model.Group.get(owner_org) if owner_org else None
    return org.extras.get("body_type") if org else None


def add_regional_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    pkg_dict["vocab_theme"] = validated.get("theme") or []
    pkg_dict.update(territory_fields(validated.get("territorial_coverage") or []))
    if validated.get("frequency"):
        pkg_dict["vocab_frequency"] = [validated["frequency"]]
    body_type = _body_type(pkg_dict.get("owner_org"))
    if body_type:
        pkg_dict["vocab_body_type"] = [body_type]
    return pkg_dict


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Shows vocabulary labels, in the page's language, instead of codes in facets."""
    facets = search_results.get("search_facets") or {}
    for field, facet in facets.items():
        for item in facet.get("items", []):
            if field in FACET_LABELS:
                item["display_name"] = helpers.grandest_label(FACET_LABELS[field], item["name"])
            elif field in ("vocab_territory", "vocab_territory_area"):
                item["display_name"] = helpers.grandest_territory_label(item["name"])
    return search_results


def dataset_facets(facets: dict[str, Any]) -> dict[str, Any]:
    """The portal's facets, in the order a visitor narrows a search."""
    ordered = {
        "organization": tk._("Organisations"),
        "vocab_body_type": tk._("Type of publisher"),
        "vocab_theme": tk._("Themes"),
        "vocab_territory": tk._("Territories"),
        "tags": tk._("Tags"),
        "res_format": tk._("Formats"),
        "license_id": tk._("Licences"),
        "vocab_frequency": tk._("Update frequency"),
    }
    return {**ordered, **{k: v for k, v in facets.items() if k not in ordered}}


def stale_body_type(organization_id: str, body_type: str | None) -> bool:
    """Whether some indexed dataset of the organisation shows another publisher type."""
    fq = f'owner_org:"{organization_id}"'
    fq += f' -vocab_body_type:"{body_type}"' if body_type else " vocab_body_type:*"
    context = {"ignore_auth": True}
    result = tk.get_action("package_search")(
        context, {"fq": fq, "rows": 0, "include_private": True, "include_drafts": True}
    )
    return result["count"] > 0


def reindex_organization(organization_id: str) -> None:
    """Background job: re-index the datasets of an organisation whose type changed."""
    ids = [
        pkg_id for (pkg_id,) in model.Session.query(model.Package.id)
        .filter(model.Package.owner_org == organization_id)
        .filter(model.Package.state != "deleted")
    ]
    rebuild(package_ids=ids)
    commit()
