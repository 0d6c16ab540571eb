"""The consultation anonymisation engine: pure Python, no CKAN imports.

It turns the answer counts of one poll question into tables that can be published
under docs/anonymisation-policy.md: frequency rule, secondary suppression audited by
linear programming across all linked tables, homogeneity guard, communes pooled,
crossings capped, percentages from protected counts, or optionally differential
privacy with OpenDP. The CKAN plugin (actions, jobs, views) sits around it.
"""

from .audit import AuditEntry, AuditReport, Interval, Knowledge, feasible_intervals, pinned_cells
from .budget_ledger import BudgetEntry, BudgetExceeded, BudgetLedger
from .differential_privacy import NoisyCounts, budget_split, consistent_counts, draw_noisy_counts
from .dimensions import DimensionRefused, TableSpec, check_tables, default_tables
from .methodology import Methodology
from .policy import Policy
from .publish import protect_poll
from .release import ProtectedRelease, PublishedTable
from .successive_releases import (
    RepublicationRefused,
    difference_is_safe,
    difference_problems,
    guard_republication,
)
from .tables import NOT_PROVIDED, Answer, Commune, Grid, PollCounts, aggregate_answers

__all__ = [
    "NOT_PROVIDED",
    "Answer",
    "AuditEntry",
    "AuditReport",
    "BudgetEntry",
    "BudgetExceeded",
    "BudgetLedger",
    "Commune",
    "DimensionRefused",
    "Grid",
    "Interval",
    "Knowledge",
    "Methodology",
    "NoisyCounts",
    "Policy",
    "PollCounts",
    "ProtectedRelease",
    "PublishedTable",
    "RepublicationRefused",
    "TableSpec",
    "aggregate_answers",
    "budget_split",
    "check_tables",
    "consistent_counts",
    "default_tables",
    "difference_is_safe",
    "difference_problems",
    "draw_noisy_counts",
    "feasible_intervals",
    "guard_republication",
    "pinned_cells",
    "protect_poll",
]
