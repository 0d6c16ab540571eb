"""The differential-privacy budget: epsilon spent per table, per poll and per year.

Privacy losses add up (sequential composition) over every release about the same
people, so the ledger refuses a release that would take a poll, or the year, over its
cap. It is pure: it holds entries and checks them; the CKAN side persists the entries
and loads them back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .policy import Policy

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class BudgetEntry:
    """Epsilon spent on one table of one poll, in one calendar year."""

    poll: str
    table: str
    year: int
    epsilon: float


class BudgetExceeded(Exception):
    """A release would exceed the per-poll or per-year budget (message in French)."""


def _french(value: float) -> str:
    return f"{value:.4g}".replace(".", ",")


class BudgetLedger:
    """Entries already spent, and the caps new charges are checked against."""

    def __init__(
        self, entries: Iterable[BudgetEntry] = (), *, per_poll: float, per_year: float
    ) -> None:
        self._entries = list(entries)
        self.per_poll = per_poll
        self.per_year = per_year

    @classmethod
    def for_policy(cls, policy: Policy, entries: Iterable[BudgetEntry] = ()) -> BudgetLedger:
        return cls(
            entries, per_poll=policy.dp_epsilon_per_poll, per_year=policy.dp_epsilon_per_year
        )

    @property
    def entries(self) -> tuple[BudgetEntry, ...]:
        return tuple(self._entries)

    def spent_on_poll(self, poll: str) -> float:
        return math.fsum(e.epsilon for e in self._entries if e.poll == poll)

    def spent_in_year(self, year: int) -> float:
        return math.fsum(e.epsilon for e in self._entries if e.year == year)

    def charge(
        self, poll: str, year: int, epsilon_by_table: Mapping[str, float]
    ) -> tuple[BudgetEntry, ...]:
        """Record a release's spending, or raise ``BudgetExceeded`` and record nothing.

        Returns the new entries, for the caller to persist.
        """
        if any(eps <= 0 for eps in epsilon_by_table.values()):
            raise ValueError("epsilon must be positive")
        asked = math.fsum(epsilon_by_table.values())
        poll_spent, year_spent = self.spent_on_poll(poll), self.spent_in_year(year)
        if poll_spent + asked > self.per_poll + _TOLERANCE:
            raise BudgetExceeded(
                f"Budget de confidentialité dépassé pour la consultation {poll} : "
                f"ε déjà dépensé {_french(poll_spent)}, demandé {_french(asked)}, "
                f"plafond {_french(self.per_poll)} par consultation."
            )
        if year_spent + asked > self.per_year + _TOLERANCE:
            raise BudgetExceeded(
                f"Budget de confidentialité de l'année {year} dépassé : ε déjà dépensé "
                f"{_french(year_spent)}, demandé {_french(asked)}, "
                f"plafond {_french(self.per_year)} par an."
            )
        new = tuple(BudgetEntry(poll, table, year, eps) for table, eps in epsilon_by_table.items())
        self._entries.extend(new)
        return new
