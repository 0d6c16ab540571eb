"""Rules 1-3: which cells of a poll's linked tables are published, and which are secret.

1. Frequency rule: a cell (totals included) with 1 <= n < k is suppressed. A true zero
   is published as 0: it is nobody, the rule is about 1 <= n, and the zeros that do
   disclose something (a small group where nobody chose an answer, i.e. everyone chose
   the others) are caught by the homogeneity guard. Zeros are never used as
   complementary cells, so a secret cell outside rule 3 is >= 1: the audit grants the
   attacker that knowledge.
3. Homogeneity guard: a group (a cell "all answers") with n < 50 whose most frequent
   answer reaches 90 % shows its total only: every answer cell of it is suppressed,
   zeros included.
2. Secondary suppression, across all tables at once (they are linked through shared
   totals and margins). First each line (a total and its parts) is made safe on its
   own: no lone secret part under a published total, and enough slack for the secret
   parts to move. Then the LP audit runs over all tables together, and each cell still
   too exposed gets one more complementary cell - the smallest published count in a
   line that bounds it, large enough to give it the room it lacks - until the audit
   passes. See ``protection_level`` for how much room each secret cell needs.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .audit import AuditEntry, AuditReport, Knowledge, audit, components, settle_zeros
from .linked_tables import TOTAL, LinkedTables
from .policy import Policy


class Reason(str, Enum):
    """Why a cell is secret."""

    FREQUENCY = "frequency"
    HOMOGENEITY = "homogeneity"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Suppression:
    """The outcome for every cell of the linked tables, with the final audit."""

    suppressed: np.ndarray
    reasons: dict[int, Reason]
    required: dict[int, float]
    """The width each secret cell's feasible interval had to reach."""
    report: AuditReport

    def count(self, reason: Reason) -> int:
        return sum(r is reason for r in self.reasons.values())


class ProtectionFailed(RuntimeError):
    """No complementary cell is left to protect an exposed cell (should not happen)."""


def primary_suppressions(tables: LinkedTables, policy: Policy) -> dict[int, Reason]:
    """Cells that rules 1 and 3 suppress by themselves."""
    reasons: dict[int, Reason] = {}
    values, k = tables.values, policy.min_cell_count
    for cell in np.flatnonzero(tables.published & (values >= 1) & (values < k)):
        reasons[int(cell)] = Reason.FREQUENCY
    for group in homogeneous_groups(tables, policy):
        for cell in _answer_cells(tables, group):
            if tables.published[cell]:
                reasons.setdefault(cell, Reason.HOMOGENEITY)
    return reasons


def homogeneous_groups(tables: LinkedTables, policy: Policy) -> list[int]:
    """Group totals (cells "all answers") that the homogeneity guard applies to."""
    groups = []
    for cell, key in enumerate(tables.keys):
        total = int(tables.values[cell])
        if key.option != TOTAL or not tables.published[cell]:
            continue
        if not 0 < total < policy.homogeneity_max_group:
            continue
        largest = max(int(tables.values[c]) for c in _answer_cells(tables, cell))
        if largest >= policy.homogeneity_share * total - 1e-9:
            groups.append(cell)
    return groups


def _answer_cells(tables: LinkedTables, group: int) -> list[int]:
    key = tables.keys[group]
    return [tables.index[key._replace(option=o)] for o in range(len(tables.grid.options))]


def attacker_knowledge(tables: LinkedTables, suppressed: np.ndarray) -> Knowledge:
    """What the published cells tell: values, relations, and non-zero secret cells."""
    known = tables.published & ~suppressed
    values = np.where(known, tables.values.astype(float), np.nan)
    lower = np.where(suppressed & (tables.values >= 1), 1.0, 0.0)
    return Knowledge(values, lower, tables.relations)


def suppress_cells(tables: LinkedTables, policy: Policy) -> Suppression:
    """Apply rules 1-3 and iterate secondary suppression until the audit passes."""
    reasons = primary_suppressions(tables, policy)
    suppressed = np.zeros(len(tables.keys), dtype=bool)
    suppressed[list(reasons)] = True
    # Zeros are never suppressed from here on, so the secret zeros that published zeros
    # already give away stay the same: nothing can protect them, nothing needs to.
    forced = forced_zeros(tables, suppressed)
    required: dict[int, float] = {}
    # Suppressing one more cell only widens every feasible interval (a fixed value
    # becomes a free one), so a cell that passed the audit stays protected.
    protected: dict[int, AuditEntry] = {}
    while True:
        _protect_lines(tables, suppressed, reasons, policy)
        for c in np.flatnonzero(suppressed):
            value = int(tables.values[c])
            required[int(c)] = protection_level(reasons[int(c)], value, policy, c in forced)
        knowledge = attacker_knowledge(tables, suppressed)
        pending = {c: width for c, width in required.items() if c not in protected}
        report = audit(knowledge, pending)
        protected.update({e.cell: e for e in report.entries if e.passes})  # type: ignore[misc]
        if report.passes:
            entries = tuple(protected[c] for c in sorted(protected))  # type: ignore[type-var]
            return Suppression(suppressed, reasons, required, AuditReport(entries))
        added = {_complement(tables, suppressed, entry, knowledge) for entry in report.failures}
        for cell in sorted(added):
            suppressed[cell] = True
            reasons[cell] = Reason.SECONDARY


def forced_zeros(tables: LinkedTables, suppressed: np.ndarray) -> set[int]:
    """Secret cells that a published zero forces to zero (parts of a zero total)."""
    knowledge = attacker_knowledge(tables, suppressed)
    settled = settle_zeros(knowledge)
    return {int(c) for c in np.flatnonzero(knowledge.unknown & ~settled.unknown)}


def protection_level(reason: Reason, value: int, policy: Policy, forced: bool = False) -> float:
    """The width (max - min) a suppressed cell's feasible interval must reach.

    A primary cell (rules 1 and 3) holds a few people's answers: its interval must hold
    ``policy.protection_level`` values (k by default, so from 1 it reaches k). A
    complementary cell holds no small count: it only must not be recomputable exactly,
    and neither may a zero hidden with its homogeneous group (rule 3) - unless a
    published zero already says it (a zero total has zero parts).
    """
    if value == 0:
        return 0.0 if forced else 1.0
    return 1.0 if reason is Reason.SECONDARY else float(policy.required_interval_width)


def _protect_lines(
    tables: LinkedTables, suppressed: np.ndarray, reasons: dict[int, Reason], policy: Policy
) -> None:
    """Suppress complements until each line (a total and its parts), taken alone, leaves
    every secret cell in it as much room as it needs.

    A line whose total is published pins a lone secret part exactly, and otherwise lets
    its secret parts move only by the slack ``total - published parts - their minimums``.
    This is a necessary condition for the audit, cheap to reach before any LP.
    """
    unknown = ~tables.published | suppressed
    values = tables.values
    lower = np.where(values >= 1, 1, 0)
    relations_of = tables.relations_of
    queue = deque(sorted({r for c in np.flatnonzero(suppressed) for r in relations_of[c]}))
    while queue:
        parent, children = tables.relations[queue.popleft()]
        hidden = [c for c in children if unknown[c]]
        shown = [c for c in children if not unknown[c]]
        if unknown[parent]:
            # A secret total is free upwards, unless every part is published.
            if hidden or not suppressed[parent]:
                continue
            cell = _cheapest(tables, [c for c in shown if values[c] > 0])
        else:
            needs = [
                protection_level(reasons[c], int(values[c]), policy)
                for c in hidden
                if suppressed[c] and values[c] > 0
            ]
            if not needs:
                continue
            slack = int(values[parent]) - int(values[shown].sum()) - int(lower[hidden].sum())
            room = slack if len(hidden) > 1 else 0
            if room >= max(needs):
                continue
            nonzero = [c for c in shown if values[c] > 0]
            cell = _cheapest(tables, nonzero, max(needs) - slack) if nonzero else parent
            if values[cell] == 0:
                continue  # a zero total: its parts are zeros, nothing here can help
        if cell is None:
            continue
        suppressed[cell] = unknown[cell] = True
        reasons[cell] = Reason.SECONDARY
        queue.extend(relations_of[cell])


def _cheapest(
    tables: LinkedTables, candidates: list[int] | set[int], slack: float = 0
) -> int | None:
    """The cheapest complementary cell: the smallest published count that can give up
    ``slack`` (from v down to 1), else the largest one. Ties go to the first cell, for a
    stable outcome."""
    if not candidates:
        return None
    values = tables.values

    def cost(c: int) -> tuple:
        v = int(values[c])
        enough = v - 1 >= slack
        return (not enough, v if enough else -v, c)

    return min(candidates, key=cost)


def _complement(
    tables: LinkedTables, suppressed: np.ndarray, entry: AuditEntry, knowledge: Knowledge
) -> int:
    """One more secret cell for an exposed cell: the cheapest published cell of a
    relation that bounds its interval, else of any of its lines, else of the lines of
    any unknown cell linked to it."""
    cell = int(entry.cell)  # type: ignore[call-overload]
    published = tables.published & ~suppressed
    own = tables.relations_of[cell]
    searches = [
        lambda: _members(tables, set(own) & set(entry.limiting_relations)),
        lambda: _members(tables, own),
        lambda: _members(tables, entry.limiting_relations),
        lambda: _members(tables, _relations_of_component(tables, knowledge, cell)),
    ]
    slack = entry.required - entry.interval.width
    for search in searches:
        candidates = {c for c in search() if published[c] and tables.values[c] > 0}
        choice = _cheapest(tables, candidates, slack)
        if choice is not None:
            return choice
    raise ProtectionFailed(f"no complementary cell left for cell {cell}")


def _relations_of_component(tables: LinkedTables, knowledge: Knowledge, cell: int) -> set[int]:
    group = next(comp.cells for comp in components(knowledge) if cell in comp.position)
    return {r for c in group for r in tables.relations_of[c]}


def _members(tables: LinkedTables, relations: Iterable[int]) -> set[int]:
    members: set[int] = set()
    for r in relations:
        parent, children = tables.relations[r]
        members.add(parent)
        members.update(children)
    return members
