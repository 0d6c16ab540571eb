"""Index-time additions to CKAN's Solr documents."""

from __future__ import annotations

import unicodedata
from typing import Any

# Fields whose accent-free copy goes into Solr's catch-all `text` field.
FOLDED_FIELDS = ("title", "notes")


def fold_accents(value: str) -> str:
    """``"École élémentaire"`` -> ``"Ecole elementaire"``."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def add_folded_text(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Adds accent-free copies of the title and description to the `text` field.

    CKAN's schema stems (English rules) *before* folding accents, so the index holds
    "ecole" for "École" while a query for "ecole" is stemmed to "ecol" and misses it.
    Indexing the folded words too lets French users search without typing accents.
    """
    folded = [fold_accents(pkg_dict[f]) for f in FOLDED_FIELDS if pkg_dict.get(f)]
    tags = pkg_dict.get("tags") or []
    folded += [fold_accents(t) for t in tags if isinstance(t, str)]
    if folded:
        existing = pkg_dict.get("text")
        pkg_dict["text"] = [*([existing] if isinstance(existing, str) else existing or []),
                            *folded]
    return pkg_dict
