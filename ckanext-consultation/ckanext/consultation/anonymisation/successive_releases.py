"""Rule 6: one release. Interim figures only when safe; never a corrected republication.

Two releases of the same poll are linked: subtracting them gives the answers that came
in between. An interim release is allowed only if

- no answer disappeared in between (an erasure would make the difference a person);
- the difference table (final - interim) passes rules 1 and 3 as it stands, with no
  cell to suppress (so rule 2 has nothing to protect in it);
- no secret cell of either release becomes recomputable when an attacker combines both
  (the LP audit over the two releases, knowing that counts only grow in between).

After publication, a table is never republished with other values (after an erasure,
the difference would reveal the erased person's answer); an identical re-export is fine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .audit import Knowledge, audit
from .dimensions import TableSpec, default_tables
from .linked_tables import build_linked_tables
from .policy import Policy
from .publish import ProtectedCells, protect_cells
from .release import ProtectedRelease
from .suppression import attacker_knowledge, primary_suppressions
from .tables import PollCounts


class RepublicationRefused(Exception):
    """A changed release of an already published poll (message in French)."""


def guard_republication(previous: ProtectedRelease | None, candidate: ProtectedRelease) -> None:
    """Allow a first publication or a byte-identical re-export; refuse any change."""
    if previous is not None and previous.to_json() != candidate.to_json():
        raise RepublicationRefused(
            "Cette consultation a déjà été publiée : une version corrigée (par exemple après "
            "l'effacement de réponses) n'est jamais republiée, car la différence entre les "
            "deux versions révélerait les réponses des personnes concernées."
        )


def difference_problems(
    interim: PollCounts,
    final: PollCounts,
    policy: Policy,
    tables: Sequence[TableSpec] | None = None,
) -> list[str]:
    """Why publishing ``interim`` before ``final`` would be unsafe (empty when safe).

    The checks run from the cheapest; the first that fails gives the reason.
    """
    if interim.grid != final.grid:
        raise ValueError("interim and final counts must share their grid")
    specs = tuple(tables) if tables is not None else default_tables(publish_communes=False)
    if any(spec.level == "commune" for spec in specs):
        return [
            "Pas de résultats communaux intermédiaires : le regroupement des communes "
            "peut changer entre les deux versions."
        ]
    difference = final.array.astype(np.int64) - interim.array
    if (difference < 0).any():
        return [
            "Des réponses ont été retirées entre les deux versions (effacement) : la "
            "différence isolerait les personnes concernées."
        ]
    gap = build_linked_tables(
        final.grid, PollCounts(final.grid, difference).by_departement(), specs
    )
    small = primary_suppressions(gap, policy)
    if small:
        return [
            f"La table des différences (finale - intermédiaire) compte {len(small)} cases "
            f"de 1 à {policy.min_cell_count - 1} répondants ou de groupes homogènes."
        ]
    before, after = protect_cells(interim, policy, specs), protect_cells(final, policy, specs)
    exposed = exposed_when_combined(before, after, interim, final)
    if exposed:
        return [
            f"En comparant les deux versions, {exposed} cases secrètes deviendraient "
            "trop précisément calculables."
        ]
    return []


def difference_is_safe(
    interim: PollCounts,
    final: PollCounts,
    policy: Policy,
    tables: Sequence[TableSpec] | None = None,
) -> bool:
    """Whether an interim release of ``interim`` may precede the final one."""
    return not difference_problems(interim, final, policy, tables)


BASE = TableSpec("__base__", "departement", ("age_band", "sex"))
"""The finest cells below the published tables: counts grow in each of them too."""


def combined_knowledge(
    before: ProtectedCells, after: ProtectedCells, interim: PollCounts, final: PollCounts
) -> tuple[Knowledge, dict[int, float]]:
    """What an attacker holding both releases knows, and what each secret cell needs.

    Both sets of published cells and relations, and that no count decreased in
    between - in every cell down to answer x département x age x sex, published or not
    (cell i of the first release is cell i + n of the second).
    """
    parts, required = [], {}
    for offset_index, (cells, counts) in enumerate(((before, interim), (after, final))):
        extended = build_linked_tables(
            counts.grid, counts.by_departement(), cells.tables.specs, hidden=[BASE]
        )
        suppressed = np.zeros(len(extended.keys), dtype=bool)
        for i, key in enumerate(extended.keys):
            original = cells.tables.index.get(key)
            if original is not None and cells.suppression.suppressed[original]:
                suppressed[i] = True
                width = cells.suppression.required[original]
                required[i + offset_index * len(extended.keys)] = width
        parts.append(attacker_knowledge(extended, suppressed))
    first, second = parts
    n = len(first.values)
    shifted = [(p + n, tuple(c + n for c in children)) for p, children in second.relations]
    knowledge = Knowledge(
        values=np.concatenate([first.values, second.values]),
        lower_bounds=np.concatenate([first.lower_bounds, second.lower_bounds]),
        relations=(*first.relations, *shifted),
        orderings=tuple((i, i + n) for i in range(n)),
    )
    return knowledge, required


def exposed_when_combined(
    before: ProtectedCells, after: ProtectedCells, interim: PollCounts, final: PollCounts
) -> int:
    """How many secret cells of either release an attacker holding both could narrow
    below their protection level."""
    knowledge, required = combined_knowledge(before, after, interim, final)
    return len(audit(knowledge, required).failures)
