"""Rule 8: percentages come only from protected counts, rounded, secret with the count.

A percentage is published only where its count and its group total are both
published, so multiplying it by a total can only give back a count already public.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rounded_percentage(
    count: int | None, total: int | None, decimals: int = 0
) -> int | float | None:
    """``100 * count / total`` rounded half up, or None when either is secret or the
    group is empty."""
    if count is None or total is None or total == 0:
        return None
    exact = Decimal(100 * count) / Decimal(total)
    quantum = Decimal(1).scaleb(-decimals)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)
