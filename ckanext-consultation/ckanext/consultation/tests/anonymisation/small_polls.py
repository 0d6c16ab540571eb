"""Small hand-made polls on the synthetic grid, for tests that need exact numbers."""

from __future__ import annotations

from collections.abc import Iterable

from ckanext.consultation.anonymisation import Answer, PollCounts, aggregate_answers

from .synthetic_population import synthetic_grid


def poll(groups: Iterable[tuple[int, Answer]]) -> PollCounts:
    """Counts from ``(how many, answer)`` pairs."""
    answers = [answer for n, answer in groups for _ in range(n)]
    return aggregate_answers(answers, synthetic_grid())


def answer(option: str, age: str, sex: str, commune: str) -> Answer:
    return Answer(option, age, sex, commune[:2], commune)
