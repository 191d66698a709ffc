"""What a caseworker must see at a glance, derived from a case's history at a moment.

None of this is stored: it is computed from the folded case (``CaseView``) by the rules, so
``case show``, the TUI and the scenario player always agree with the guards that decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casetracker.domain.case_view import CaseView
from casetracker.domain.rules import (
    absconder,
    claims,
    custody_clock,
    high_harm,
    nationality,
    travel_document,
)


def _utc_minutes(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class Clock:
    encounter: str
    status: custody_clock.ClockStatus

    def describe(self, show_time: Callable[[datetime], str] = _utc_minutes) -> str:
        """The clock in words; ``show_time`` writes the expiry (screens use UK local time)."""
        s = self.status
        approx = " (approximate: the arrest time is not exact)" if s.approximate else ""
        if s.expired:
            when = f" at {show_time(s.expired_at)}" if s.expired_at is not None else ""
            return f"PACE clock {self.encounter}: EXPIRED{when}{approx}"
        if s.running and s.deadline is not None:
            hours, rest = divmod(int(s.remaining.total_seconds()), 3600)
            extended = ", extended" if s.extended else ""
            return (
                f"PACE clock {self.encounter}: {hours} h {rest // 60:02d} min left, expires "
                f"{show_time(s.deadline)}{extended}{approx}"
            )
        state = "paused (bail)" if s.paused else "stopped"
        return f"PACE clock {self.encounter}: {state}{approx}"


@dataclass
class CaseFacts:
    clocks: list[Clock] = field(default_factory=list)
    high_harm: high_harm.HighHarm | None = None
    absconder_listings: int = 0
    listed_absconder: bool = False
    pending_claims: list[str] = field(default_factory=list)
    travel_document: str = ""
    nationality_mismatch: bool = False  # claimed and verified differ (the log's flag)

    def as_dict(self) -> dict[str, Any]:
        hh = self.high_harm
        return {
            "pace_clocks": [
                {
                    "encounter": c.encounter,
                    "running": c.status.running,
                    "deadline": c.status.deadline.isoformat() if c.status.deadline else None,
                    "remaining_seconds": int(c.status.remaining.total_seconds()),
                    "paused": c.status.paused,
                    "extended": c.status.extended,
                    "expired": c.status.expired,
                    "approximate": c.status.approximate,
                    "summary": c.describe(),
                }
                for c in self.clocks
            ],
            "high_harm": {
                "met": bool(hh and hh.met),
                "criteria": [{"name": c.name, "evidence": c.evidence} for c in hh.criteria]
                if hh
                else [],
            },
            "listed_absconder": self.listed_absconder,
            "absconder_listings": self.absconder_listings,
            "pending_claims": self.pending_claims,
            "travel_document": self.travel_document,
            "nationality_mismatch": self.nationality_mismatch,
        }

    def lines(self) -> list[str]:
        out = [c.describe() for c in self.clocks]
        if self.high_harm is not None:
            out.append(("HIGH HARM: " if self.high_harm.met else "") + self.high_harm.explain())
        if self.listed_absconder:
            out.append(f"listed absconder (listed {self.absconder_listings} time(s))")
        out += [f"pending: {claim}" for claim in self.pending_claims]
        if self.travel_document:
            out.append(self.travel_document)
        if self.nationality_mismatch:
            out.append("NATIONALITY MISMATCH: the verified nationality differs from the claimed")
        return out


def case_facts(view: CaseView, now: datetime) -> CaseFacts:
    """Clocks, flags and blockers of a case as at ``now``."""
    clocks = [Clock(enc.key, custody_clock.pace_clock(enc, now)) for enc in view.of("encounter")]
    shown = [c for c in clocks if c.status.running or c.status.expired or c.status.paused]
    document = travel_document.travel_document(view, now.date())
    return CaseFacts(
        clocks=shown or clocks[-1:],
        high_harm=high_harm.assess(view) if view.of("encounter") else None,
        absconder_listings=len(absconder.absconder_listings(view)),
        listed_absconder=absconder.is_listed_absconder(view),
        pending_claims=[
            claims.describe(c) for c in claims.undecided(view, frozenset(claims.KIND_LABELS))
        ],
        travel_document=("travel document: " + document.reason) if view.one("etd") else "",
        nationality_mismatch=bool((flag := nationality.flagged(view)) and flag[0]),
    )
