"""Drawing an inspector's sample the way the 2016 inspection did (¶2.1, fn 2).

The inspection sampled 40 case records from each of three forces (MPS, WMP, WYP), only cases
where the status check found an immigration offender, requested between 1 June and 30 November
2015.  A sample here is stratified exactly: ``per_force`` distinct cases from each force's
population, drawn with a generator seeded by the seed and the force, from the population in case
id order - so the same seed over the same records gives the same sample, whatever else is asked.
The parameters, seed, population sizes and chosen cases go to the access log.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log
from casetracker.adapters.mi_model import moment_text
from casetracker.adapters.report_queries import referred_cases
from casetracker.domain.effective_time import EffectiveTimeError, parse_canonical
from casetracker.domain.errors import Refused, UsageError
from casetracker.domain.identity import Actor
from casetracker.services.registry import organisation
from casetracker.services.reports import ROUTES


@dataclass(frozen=True)
class SampleRequest:
    forces: tuple[str, ...]
    per_force: int
    start: date
    end: date  # inclusive
    offenders_only: bool
    seed: int
    route: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "forces": list(self.forces),
            "per_force": self.per_force,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "offenders_only": self.offenders_only,
            "seed": self.seed,
            "route": self.route or "any",
        }


@dataclass(frozen=True)
class Sample:
    request: SampleRequest
    population: dict[str, int]
    cases: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return {**self.request.as_dict(), "population": self.population, "cases": self.cases}


def request(
    forces: str,
    per_force: int,
    start: str,
    end: str,
    offenders_only: bool,
    seed: int,
    route: str | None = None,
) -> SampleRequest:
    """Check what the user typed; every problem is a usage error naming the option."""
    org = organisation()
    codes = tuple(dict.fromkeys(c.strip().upper() for c in forces.split(",") if c.strip()))
    if not codes:
        raise UsageError("--forces: name at least one force, e.g. MPS,WMP,WYP")
    unknown = [c for c in codes if org.force(c) is None]
    if unknown:
        raise UsageError(f"--forces: {', '.join(unknown)} is not a configured police force")
    if per_force < 1:
        raise UsageError("--per-force must be at least 1")
    if route is not None and route not in ROUTES:
        raise UsageError(f"--route must be one of {', '.join(ROUTES)}")
    first, last = _day("--from", start), _day("--to", end)
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    return SampleRequest(codes, per_force, first, last, offenders_only, seed, route)


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: expected a day like 2015-06-01, not {text!r}") from None


def population(conn: Connection, req: SampleRequest, force: str) -> list[str]:
    """Distinct cases with a referral from ``force`` in the window, in case id order."""
    try:
        low = moment_text(parse_canonical(req.start.isoformat()).start)
        high = moment_text(parse_canonical(req.end.isoformat()).end)
    except EffectiveTimeError as exc:
        raise UsageError(str(exc)) from None
    return referred_cases(
        conn, force, low, high, offenders_only=req.offenders_only, route=req.route
    )


def draw(conn: Connection, req: SampleRequest, actor: Actor, reason: str = "") -> Sample:
    """Draw the sample and log it, inside the caller's write transaction."""
    sizes: dict[str, int] = {}
    chosen: dict[str, list[str]] = {}
    for force in req.forces:
        cases = population(conn, req, force)
        sizes[force] = len(cases)
        if len(cases) < req.per_force:
            raise Refused(
                f"{force} has only {len(cases)} {'case' if len(cases) == 1 else 'cases'} "
                "matching the sample's criteria, fewer than "
                f"--per-force {req.per_force}: lower it or widen the dates"
            )
        rng = random.Random(f"casetracker-sample:{req.seed}:{force}")
        chosen[force] = sorted(rng.sample(cases, req.per_force))
    sample = Sample(req, sizes, chosen)
    access_log.append(
        conn,
        user=actor.user,
        role=actor.role,
        action="sample",
        justification=reason,
        detail=sample.as_dict(),
    )
    return sample
