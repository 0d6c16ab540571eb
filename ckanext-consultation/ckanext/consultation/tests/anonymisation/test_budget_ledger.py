"""The differential-privacy ledger refuses a release that would overspend."""

from __future__ import annotations

import pytest

from ckanext.consultation.anonymisation import (
    BudgetEntry,
    BudgetExceeded,
    BudgetLedger,
    Policy,
    budget_split,
)


def test_a_release_within_the_caps_is_recorded():
    ledger = BudgetLedger.for_policy(Policy())
    entries = ledger.charge("sondage-1", 2026, budget_split(Policy()))
    assert {e.table for e in entries} == {"ensemble", "departement", "detail"}
    assert ledger.spent_on_poll("sondage-1") == pytest.approx(1.0)
    assert ledger.entries == entries


def test_overspending_a_poll_is_refused_and_records_nothing():
    ledger = BudgetLedger.for_policy(Policy())
    ledger.charge("sondage-1", 2026, {"ensemble": 0.75})
    with pytest.raises(BudgetExceeded, match="consultation sondage-1"):
        ledger.charge("sondage-1", 2026, {"detail": 0.5})
    assert ledger.spent_on_poll("sondage-1") == pytest.approx(0.75)


def test_overspending_the_year_is_refused():
    ledger = BudgetLedger(per_poll=1.0, per_year=2.5)
    ledger.charge("a", 2026, {"t": 1.0})
    ledger.charge("b", 2026, {"t": 1.0})
    with pytest.raises(BudgetExceeded, match="année 2026"):
        ledger.charge("c", 2026, {"t": 1.0})
    ledger.charge("c", 2027, {"t": 1.0})  # a new year, a new budget


def test_persisted_entries_count_when_reloaded():
    stored = [BudgetEntry("sondage-1", "ensemble", 2026, 0.6)]
    ledger = BudgetLedger.for_policy(Policy(), stored)
    with pytest.raises(BudgetExceeded):
        ledger.charge("sondage-1", 2026, {"detail": 0.5})


def test_exactly_the_cap_is_allowed_and_non_positive_charges_are_not():
    ledger = BudgetLedger(per_poll=1.0, per_year=10.0)
    ledger.charge("p", 2026, {"a": 0.1, "b": 0.2, "c": 0.7})
    with pytest.raises(ValueError):
        ledger.charge("q", 2026, {"a": 0.0})
