"""Whether a read model's table already holds a case's rows (``ReadModel.unchanged``)."""

from __future__ import annotations

from collections import Counter
from typing import Any


def same_rows(filed: list[tuple[Any, ...]], wanted: list[tuple[Any, ...]]) -> bool:
    """Whether two lists hold the same rows, in any order.  Read back in the order they were
    written (most often, and always when there are none) they are simply equal, and are
    counted only otherwise: a ``Counter`` of each side was most of a cold action's comparing
    (a view folded afresh compares every model's rows with the table's, issue 18)."""
    return filed == wanted or (len(filed) == len(wanted) and Counter(filed) == Counter(wanted))
