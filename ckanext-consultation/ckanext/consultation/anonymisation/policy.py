"""The thresholds of the anonymisation policy (docs/anonymisation-policy.md), in one value.

The CKAN plugin builds a ``Policy`` from its ``ckanext.consultation.*`` options; the
engine never reads configuration itself, so it can be tested and reasoned about alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    """Every threshold of the policy, with the policy's defaults."""

    min_cell_count: int = 11
    """Rule 1: a cell (totals included) with 1 <= n < k is suppressed."""

    homogeneity_max_group: int = 50
    """Rule 3: groups with fewer respondents than this are checked for a dominant answer."""

    homogeneity_share: float = 0.9
    """Rule 3: a small group whose most frequent answer reaches this share shows its total only."""

    min_commune_respondents: int = 50
    """Rule 4: a commune is shown only with at least this many respondents."""

    max_crossed_variables: int = 2
    """Rule 5: demographic variables that may be crossed with the answer."""

    protection_level: int | None = None
    """Rule 2: how many values the feasible interval of a suppressed cell must hold.

    ``None`` means k: an attacker who knows a secret cell is at least 1 is left with k
    possible values or more, so cannot even tell that it fell under the threshold.
    """

    percentage_decimals: int = 0
    """Rule 8: decimals kept when rounding published percentages."""

    dp_epsilon_per_poll: float = 1.0
    """Differential privacy: budget of one poll, split across its measured tables."""

    dp_epsilon_per_year: float = 10.0
    """Differential privacy: budget of all DP releases of one calendar year."""

    dp_level_shares: tuple[float, float, float] = field(default=(0.25, 0.25, 0.5))
    """Differential privacy: share of a poll's epsilon spent on the answer totals, the
    answer x département table and the answer x département x age x sex grid."""

    def __post_init__(self) -> None:
        if self.min_cell_count < 1:
            raise ValueError("min_cell_count must be at least 1")
        if not 0 < self.homogeneity_share <= 1:
            raise ValueError("homogeneity_share must be in (0, 1]")
        if self.max_crossed_variables < 0:
            raise ValueError("max_crossed_variables cannot be negative")
        if self.protection_level is None:
            object.__setattr__(self, "protection_level", self.min_cell_count)
        if self.protection_level < 2:  # type: ignore[operator]
            raise ValueError("protection_level must be at least 2 values")
        if self.dp_epsilon_per_poll <= 0 or self.dp_epsilon_per_year <= 0:
            raise ValueError("differential privacy budgets must be positive")
        if len(self.dp_level_shares) != 3 or abs(sum(self.dp_level_shares) - 1) > 1e-9:
            raise ValueError("dp_level_shares must be three shares summing to 1")
        if min(self.dp_level_shares) <= 0:
            raise ValueError("dp_level_shares must all be positive")

    @property
    def required_interval_width(self) -> int:
        """max - min that a primary cell's feasible interval must reach."""
        assert self.protection_level is not None
        return self.protection_level - 1
