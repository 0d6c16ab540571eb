"""The input model: answers streamed or pre-aggregated give the same counts (rule 7)."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from ckanext.consultation.anonymisation import NOT_PROVIDED, Answer, PollCounts, aggregate_answers
from ckanext.consultation.anonymisation.tables import UnknownCategory

from .synthetic_population import synthetic_answers, synthetic_counts, synthetic_grid


def test_streamed_answers_and_group_by_rows_give_the_same_counts():
    grid = synthetic_grid()
    groups = Counter(synthetic_answers(5_000, seed=7))
    from_groups = PollCounts.from_groups(grid, ((*key, n) for key, n in groups.items()))
    from_mapping = PollCounts.from_mapping(grid, groups)
    streamed = aggregate_answers(synthetic_answers(5_000, seed=7), grid, chunk_size=333)
    assert np.array_equal(from_groups.array, streamed.array)
    assert np.array_equal(from_mapping.array, streamed.array)
    assert streamed.total == sum(groups.values())


def test_aggregation_never_needs_the_answers_as_a_list():
    consumed = []

    def answers():
        for answer in synthetic_answers(2_000, seed=3):
            consumed.append(1)
            yield answer

    counts = aggregate_answers(answers(), synthetic_grid(), chunk_size=100)
    assert counts.total == len(consumed)


def test_answer_order_does_not_matter():
    answers = list(synthetic_answers(3_000, seed=11))
    shuffled = answers[:]
    random.Random(5).shuffle(shuffled)
    grid = synthetic_grid()
    assert np.array_equal(
        aggregate_answers(answers, grid).array, aggregate_answers(shuffled, grid).array
    )


def test_not_provided_is_an_explicit_category():
    grid = synthetic_grid()
    answer = Answer("Oui", NOT_PROVIDED, NOT_PROVIDED, NOT_PROVIDED, NOT_PROVIDED)
    counts = aggregate_answers([answer], grid)
    _, age, sex, location = np.argwhere(counts.array)[0]
    assert grid.age_bands[age] == grid.sexes[sex] == NOT_PROVIDED
    assert location == grid.unknown_commune_location(len(grid.departements) - 1)


@pytest.mark.parametrize(
    "answer",
    [
        Answer("Peut-être", "15-24", "femme", "57", "57463"),
        Answer("Oui", "12-14", "femme", "57", "57463"),
        Answer("Oui", "15-24", "femme", "75", NOT_PROVIDED),
        Answer("Oui", "15-24", "femme", "67", "57463"),  # Metz is not in the Bas-Rhin
        Answer("Oui", "15-24", "femme", "57", "99999"),
    ],
)
def test_unknown_categories_are_refused(answer):
    with pytest.raises(UnknownCategory):
        aggregate_answers([answer], synthetic_grid())


def test_counts_must_fit_the_grid_and_be_non_negative():
    grid = synthetic_grid()
    with pytest.raises(ValueError):
        PollCounts(grid, np.zeros((1, 2, 3, 4), dtype=np.int64))
    with pytest.raises(ValueError):
        PollCounts(grid, -np.ones(grid.shape, dtype=np.int64))


def test_synthetic_population_is_large_and_deterministic():
    counts = synthetic_counts()
    assert counts.total >= 50_000
    again = aggregate_answers(synthetic_answers(), synthetic_grid())
    assert np.array_equal(counts.array, again.array)
