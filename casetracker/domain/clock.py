"""The system clock, the only source of recorded times (never supplied by a user).

Tests and trainers' sandboxes may substitute a fixed clock through ``set_clock``; production
code asks ``now()`` and never calls ``datetime.now`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _source()


def source() -> Callable[[], datetime]:
    """The clock in force, so a temporary one can put it back."""
    return _source


def set_clock(source: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the system clock)."""
    global _source
    _source = source or (lambda: datetime.now(UTC))


def format_recorded(moment: datetime) -> str:
    """Recorded times: UTC, microseconds, fixed width, so text order is time order.

    A UTC time (the system clock's) is written as it is, its ``+00:00`` cut for ``Z``: once
    per event, this cost half as much as converting it to a naive time first."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


def utc_now_text() -> str:
    return format_recorded(now())


def parse_recorded(text: str) -> datetime:
    return datetime.fromisoformat(text)
