"""Rule 5: which tables may be published; a request beyond the policy is refused.

Every table crosses the answer with one geographic level and at most
``max_crossed_variables`` demographic variables. Demographics are crossed at
département level or coarser; at commune level only the answer is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .policy import Policy

Level = Literal["region", "departement", "commune"]
LEVELS: tuple[Level, ...] = ("region", "departement", "commune")
VARIABLES: tuple[str, ...] = ("age_band", "sex")
"""Demographic variables, in the order their columns appear."""

_LEVEL_NAMES = {"region": "région", "departement": "département", "commune": "commune"}
_VARIABLE_NAMES = {"age_band": "tranche d'âge", "sex": "sexe"}


class DimensionRefused(ValueError):
    """A requested table crosses more than the policy allows (message in French)."""


@dataclass(frozen=True)
class TableSpec:
    """One published table: the answer by a geographic level and demographic variables."""

    name: str
    level: Level
    variables: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        parts = [] if self.level == "region" else [_LEVEL_NAMES[self.level]]
        parts += [_VARIABLE_NAMES[v] for v in self.variables]
        if not parts:
            return "Résultats d'ensemble"
        if len(parts) == 1:
            return f"Résultats par {parts[0]}"
        return f"Résultats par {', '.join(parts[:-1])} et {parts[-1]}"


def default_tables(
    publish_communes: bool = True, departement_age_sex: bool = False
) -> tuple[TableSpec, ...]:
    """The tables published by default: overall, by département (and commune), by age
    band, by sex, age x sex for the région, age and sex each by département.

    Answer x age x sex by département is allowed too but only on request: with some
    50,000 answers it holds over 1,600 cells, most of them small, and suppressing and
    protecting them (rules 1-2) hides about 60 % of it and half again as many cells of
    the other tables. It suits polls with several hundred thousand answers.
    """
    tables = [
        TableSpec("ensemble", "region"),
        TableSpec("departement", "departement"),
        TableSpec("commune", "commune"),
        TableSpec("age", "region", ("age_band",)),
        TableSpec("sexe", "region", ("sex",)),
        TableSpec("age_sexe", "region", ("age_band", "sex")),
        TableSpec("departement_age", "departement", ("age_band",)),
        TableSpec("departement_sexe", "departement", ("sex",)),
    ]
    if departement_age_sex:
        tables.append(TableSpec("departement_age_sexe", "departement", ("age_band", "sex")))
    return tuple(t for t in tables if publish_communes or t.level != "commune")


def check_tables(tables: Iterable[TableSpec], policy: Policy) -> tuple[TableSpec, ...]:
    """Return the tables if the policy allows every one of them, else refuse."""
    checked = tuple(tables)
    names = [t.name for t in checked]
    if len(set(names)) != len(names):
        raise DimensionRefused("Deux tableaux demandés portent le même nom.")
    for table in checked:
        if table.level not in LEVELS:
            raise DimensionRefused(f"Niveau géographique inconnu : {table.level!r}.")
        unknown = [v for v in table.variables if v not in VARIABLES]
        if unknown or len(set(table.variables)) != len(table.variables):
            raise DimensionRefused(f"Variables démographiques invalides : {table.variables!r}.")
        if len(table.variables) > policy.max_crossed_variables:
            raise DimensionRefused(
                f"Le tableau « {table.name} » croise {len(table.variables)} variables "
                f"démographiques avec la réponse ; la politique d'anonymisation en autorise "
                f"au plus {policy.max_crossed_variables}."
            )
        if table.level == "commune" and table.variables:
            raise DimensionRefused(
                f"Le tableau « {table.name} » croise des variables démographiques au niveau "
                "communal ; ces croisements ne sont publiés qu'au niveau départemental ou "
                "régional."
            )
    return checked
