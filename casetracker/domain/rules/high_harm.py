"""The Nexus 'High Harm' threshold (¶3.4, fn 8).

Met by an arrest on this occasion, or a previous conviction, for grievous bodily harm or worse,
human trafficking, a sexual offence, a firearm, knife or other weapon offence; or by being a
prolific robber or burglar, which Nexus defines as three or more convictions for robbery or
burglary in any mix.  Individuals who meet it are prioritised for enforcement (¶3.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.rules.field_values import as_text, first_day
from casetracker.domain.rules.hosol import conviction_categories, usable_for_immigration_action
from casetracker.domain.rules.offences import label

# criterion name -> the offence categories that meet it; "GBH or above" includes homicide.
SERIOUS_CATEGORIES: dict[str, frozenset[str]] = {
    "gbh_or_above": frozenset({"gbh", "murder_or_manslaughter"}),
    "human_trafficking": frozenset({"human_trafficking"}),
    "sex_offence": frozenset({"sexual_offence"}),
    "firearm": frozenset({"firearm"}),
    "knife": frozenset({"knife"}),
    "other_weapon": frozenset({"other_weapon"}),
}
_SERIOUS = frozenset().union(*SERIOUS_CATEGORIES.values())  # most arrests are none of these
PROLIFIC = "prolific_robber_or_burglar"
PROLIFIC_CATEGORIES = frozenset({"robbery", "burglary"})
PROLIFIC_THRESHOLD = 3


@dataclass(frozen=True)
class Offence:
    """One arrest or conviction: its category and where the record of it came from."""

    category: str
    source: str = ""


@dataclass(frozen=True)
class Criterion:
    name: str
    evidence: str


@dataclass(frozen=True)
class HighHarm:
    met: bool
    criteria: list[Criterion] = field(default_factory=list)

    def explain(self) -> str:
        if not self.met:
            return "High Harm threshold not met"
        return "; ".join(f"{c.name}: {c.evidence}" for c in self.criteria)


def _offence(item: str | Offence) -> Offence:
    return item if isinstance(item, Offence) else Offence(item)


def _where(offence: Offence) -> str:
    return f" ({offence.source})" if offence.source else ""


def assess_offences(
    arrest: Iterable[str | Offence], convictions: Iterable[str | Offence]
) -> HighHarm:
    """High Harm from plain lists of offence categories (or ``Offence`` records).

    ``arrest`` holds the offence(s) of this occasion; ``convictions`` one entry per previous
    conviction, repeated when the subject was convicted of the same thing more than once.
    """
    arrests = [_offence(a) for a in arrest]
    previous = [_offence(c) for c in convictions]
    criteria: list[Criterion] = []
    if any(o.category in _SERIOUS for o in (*arrests, *previous)):
        criteria.extend(_serious_criteria(arrests, previous))
    prolific = [o for o in previous if o.category in PROLIFIC_CATEGORIES]
    if len(prolific) >= PROLIFIC_THRESHOLD:
        listed = ", ".join(f"{label(o.category)}{_where(o)}" for o in prolific)
        criteria.append(
            Criterion(PROLIFIC, f"{len(prolific)} robbery or burglary convictions: {listed}")
        )
    return HighHarm(bool(criteria), criteria)


def _serious_criteria(arrests: list[Offence], previous: list[Offence]) -> list[Criterion]:
    criteria: list[Criterion] = []
    for name, categories in SERIOUS_CATEGORIES.items():
        criteria.extend(
            Criterion(name, f"arrested on this occasion for {label(o.category)}{_where(o)}")
            for o in arrests
            if o.category in categories
        )
        criteria.extend(
            Criterion(name, f"previous conviction for {label(o.category)}{_where(o)}")
            for o in previous
            if o.category in categories
        )
    return criteria


def assess(view: CaseView, encounter: int | None = None, *, by_police: bool = False) -> HighHarm:
    """High Harm for a case: this occasion is ``encounter`` (default: the latest arrest).

    Previous convictions are those before this arrest (a conviction on a later or on this same
    encounter is not previous, fn 8), and the convictions abroad of ACRO results.  The police
    assessing (``by_police``, outside London, ¶3.6) count their own ACRO results, the way they
    find High Harm cases (¶4.33–4.34); the Home Office counts only results it may act on: HOSOL
    results and its own second checks (¶4.32, fn 20).
    """
    encounters = view.of("encounter")
    current = next((e for e in encounters if e.number == encounter), None)
    if current is None and encounter is None and encounters:
        current = encounters[-1]
    arrest: list[Offence] = []
    if current is not None:
        category = as_text(current.fields.get("offence_category")) or _arrest_category(current)
        if category:
            arrest.append(Offence(category, f"encounter #{current.number}"))
    convictions = [
        Offence(as_text(step.fields.get("conviction_category")), f"encounter #{e.number}")
        for e in encounters
        if e is not current
        for step in e.history
        if step.action == "convict" and _before(step, current)
    ]
    for check in view.of("acro_check"):
        if by_police or usable_for_immigration_action(check).allowed:
            convictions.extend(
                Offence(category, f"ACRO check #{check.number}")
                for category in conviction_categories(check)
            )
    return assess_offences(arrest, convictions)


def _before(conviction: Step, current: Instance | None) -> bool:
    """Whether a conviction is known to precede the arrest of this occasion."""
    if current is None or current.started is None:
        return True
    return first_day(conviction.effective) < first_day(current.started.effective)


def _arrest_category(encounter: Instance) -> str:
    started = encounter.started
    if started is not None and started.action == "arrest_for_immigration_offence":
        return "immigration_offence"
    return ""
