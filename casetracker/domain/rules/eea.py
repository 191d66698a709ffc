"""EEA nationals' right to reside (fn 9, ¶4.2, ¶4.20).

Under the Immigration (EEA) Regulations 2006 as the report summarises them: a first entry gives
an initial right to reside for three months; after that the national may stay as a qualified
person only while exercising a Treaty right (worker, student, jobseeker, self-employed,
self-sufficient).  One who is not may be removed, which police often overlooked (¶4.4–4.5).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

TREATY_RIGHTS = ("worker", "student", "jobseeker", "self_employed", "self_sufficient")
INITIAL_MONTHS = 3


@dataclass(frozen=True)
class EeaAssessment:
    status: str  # initial_right, qualified_person or not_exercising
    initial_right_ends: date  # first day without the initial right
    reasons: tuple[str, ...]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, pulled back to the month's last day where it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def initial_right_ends(entered_on: date) -> date:
    """First day after the three-month initial right that began on the day of entry."""
    return add_months(entered_on, INITIAL_MONTHS)


def assess(entered_on: date, on: date, treaty_right: str | None = None) -> EeaAssessment:
    """An EEA national's position on day ``on``, having entered on ``entered_on``."""
    ends = initial_right_ends(entered_on)
    if on < ends:
        return EeaAssessment(
            "initial_right",
            ends,
            (f"within three months of entry on {entered_on}: initial right until {ends} (fn 9)",),
        )
    if treaty_right in TREATY_RIGHTS:
        return EeaAssessment(
            "qualified_person",
            ends,
            (
                f"initial right ended {ends}; exercising a Treaty right as "
                f"{treaty_right.replace('_', '-')} (fn 9)",
            ),
        )
    return EeaAssessment(
        "not_exercising",
        ends,
        (f"initial right ended {ends} and no Treaty right is exercised: may be removed (fn 9)",),
    )
