"""The public category grid of a question: its options, and the communes it can show.

The grid holds every commune of the départements the consultation's answers come from
(from the portal's COG vocabulary), not only the communes that answered: which
communes appear in the published layout then says nothing about who took part.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from ckanext.consultation.anonymisation import NOT_PROVIDED, Commune, Grid
from ckanext.grandest import vocabularies as vocab


@cache
def communes_by_departement() -> dict[str, tuple[Commune, ...]]:
    """Grand Est communes of each département code, in code order (from the COG)."""
    out: dict[str, list[Commune]] = {}
    for territory in vocab.territories().values():
        if territory.level != "commune":
            continue
        departement = next(
            (p.partition(":")[2] for p in territory.parents if p.startswith("departement:")),
            None,
        )
        if departement is not None:
            out.setdefault(departement, []).append(
                Commune(territory.code, territory.name, departement)
            )
    return {code: tuple(sorted(communes, key=lambda c: c.code))
            for code, communes in out.items()}


def question_grid(options: Iterable[str], departements: Iterable[str]) -> Grid:
    """The grid of a question: its options, in order, and the communes of ``departements``
    (codes of the answers' départements; "non renseigné" and unknown codes add none)."""
    by_departement = communes_by_departement()
    communes: list[Commune] = []
    for code in sorted(set(departements) - {NOT_PROVIDED}):
        communes.extend(by_departement.get(code, ()))
    return Grid(tuple(options), tuple(communes))
