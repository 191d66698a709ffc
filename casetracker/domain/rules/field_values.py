"""Reading stored field values back as Python values.

``casetracker.domain.fields`` stores dates as ISO text, lists as JSON arrays and flags as booleans;
rules accept those forms and the native ones, so hand-built views in tests read the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from casetracker.domain.effective_time import DEFAULT_ZONE, EffectiveTime


def as_date(value: Any) -> date | None:
    """A calendar day from ``date``, ``datetime`` or ISO text; None when absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(DEFAULT_ZONE).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value).split(",") if p.strip()]


def first_day(effective: EffectiveTime) -> date:
    """The earliest local day an effective time may fall on.

    Rules comparing a date with an effective time use its earliest possible day, so a month or
    range never lets a rule pass on a day the record does not vouch for.
    """
    return effective.start.astimezone(DEFAULT_ZONE).date()
