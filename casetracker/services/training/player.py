"""Running a scenario into a training database, step by step, through the real service layer.

Every step goes through ``Casetracker.act`` as the role's seeded training user, so a scenario
obeys exactly the rules a caseworker does: the same roles, fields, guards and log.  After each
step the runner folds the new events into its own view of the case and checks the step's
expectations against it; it also takes a ``Snapshot`` (every lifecycle's state, the clocks, and
every reason removal is blocked) for the trainer's screen.  A step marked ``refused:`` must be
refused with that reason, and writes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from casetracker.domain.case_view import Attempt, Block, CaseView
from casetracker.domain.effective_time import EffectiveTime, out_of_sequence
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import CasetrackerError, Refused, UsageError
from casetracker.domain.events import RecordedEvent
from casetracker.domain.fields import coerce
from casetracker.domain.rules import high_harm
from casetracker.domain.rules.custody_clock import pace_clock
from casetracker.domain.vocabulary import NEW
from casetracker.presenters.labels import record_state
from casetracker.presenters.timeline import Figures, derive_figures
from casetracker.services.registry import organisation
from casetracker.services.training.sandbox import (
    Actors,
    default_training_url,
    ensure_training,
    fresh_sandbox,
    require_training,
    story_clock,
)
from casetracker.services.training.scenarios import (
    Expectation,
    Probe,
    Scenario,
    ScenarioStep,
    load,
)

REMOVAL_PROBES = ("set_removal_directions", "remove")


class ScenarioFailed(Refused):
    """A step was refused when it should not have been, or an expectation did not hold."""


@dataclass(frozen=True)
class Snapshot:
    """What the trainer's screen shows after a step."""

    states: dict[str, str]
    clocks: list[str]
    removal_blocks: dict[str, list[str]]
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "states": self.states,
            "clocks": self.clocks,
            "removal_blocks": self.removal_blocks,
            "figures": self.figures.as_dict(),
        }


@dataclass(frozen=True)
class StepOutcome:
    step: ScenarioStep
    total: int
    case_id: str
    seq: int | None  # event recorded; None when the step was refused as expected
    recorded: datetime
    refusal: str  # the refusal, for a step expected to be refused
    held: list[str]
    failed: list[str]
    snapshot: Snapshot


@dataclass
class RunResult:
    scenario: Scenario
    case_id: str = ""
    outcomes: list[StepOutcome] = field(default_factory=list)
    events: list[RecordedEvent] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def failures(self) -> list[str]:
        return [f for o in self.outcomes for f in o.failed]

    @property
    def expectations_checked(self) -> int:
        return sum(len(o.held) + len(o.failed) for o in self.outcomes)


OnStep = Callable[[StepOutcome], bool]


def run(
    scenario: Scenario,
    url: str,
    on_step: OnStep | None = None,
    *,
    stop_at_failure: bool = True,
) -> RunResult:
    """Play ``scenario`` into the training database at ``url`` as a new case.

    ``on_step`` sees each outcome and returns False to stop there.  With ``stop_at_failure``
    the first failed expectation raises ``ScenarioFailed`` naming it.
    """
    require_training(url)
    result = RunResult(scenario)
    actors = Actors(url, scenario.force)
    flow = actors.as_role(scenario.opened_by).flow
    recorded_steps = [s for s in scenario.steps if not s.refused]
    late = out_of_sequence([scenario.opened] + [s.effective for s in recorded_steps])
    out_of_order = {s.number for i, s in enumerate(recorded_steps, 1) if i in late}
    try:
        with story_clock() as clock:
            clock.stamp(scenario.opened.start, None, 0 in late)
            opened = actors.as_role(scenario.opened_by).open_case(
                {**scenario.subject, "force": scenario.force}, scenario.opened.text
            )
            result.case_id = opened.case_id
            result.events.extend(opened.events)
            view = flow.fold(opened.case_id, opened.events)
            for step in scenario.steps:
                moment = clock.stamp(  # a range is recorded once its last part has begun,
                    step.effective.known_from,  # without moving the story on to that day
                    step.recorded,
                    step.number in out_of_order or step.effective.precision == "range",
                )
                outcome = _play_step(step, result, view, actors, flow, moment)
                result.outcomes.append(outcome)
                if outcome.failed and stop_at_failure:
                    raise ScenarioFailed(f"{_where(scenario, step)}: {outcome.failed[0]}")
                if on_step is not None and not on_step(outcome):
                    result.stopped_early = True
                    break
    finally:
        actors.close()
    return result


def play(scenario: Scenario, url: str, on_step: OnStep | None = None) -> RunResult:
    """Play into a trainer's database: refused unless it is (or will be created as) training,
    and rehearsed first in a throw-away sandbox, so a step the rules refuse stops it before it
    writes anything.  Expectations that fail are shown, not fatal."""
    from casetracker.adapters.database import sqlite_path

    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is None or path.exists():
        require_training(url)
    with tempfile.TemporaryDirectory(prefix="casetracker-rehearsal-") as tmp:
        run(scenario, fresh_sandbox(Path(tmp)), stop_at_failure=False)
    ensure_training(url)
    return run(scenario, url, on_step, stop_at_failure=False)


def play_in_training(name: str) -> RunResult:
    """Play the scenario ``name`` into the default training database, created if absent, every
    outcome kept (what the TUI's train mode shows a class)."""
    url = default_training_url()
    ensure_training(url)
    return run(load(name), url, stop_at_failure=False)


def _where(scenario: Scenario, step: ScenarioStep) -> str:
    return f"{scenario.path.name}: {step.label}"


def _play_step(
    step: ScenarioStep,
    result: RunResult,
    view: CaseView,
    actors: Actors,
    flow: WorkflowEngine,
    moment: datetime,
) -> StepOutcome:
    refusal = ""
    seq: int | None = None
    try:
        done = actors.as_role(step.role).act(
            result.case_id, step.action, step.fields, step.effective.text, instance=step.instance
        )
    except CasetrackerError as exc:
        if not step.refused:
            raise ScenarioFailed(f"{_where(result.scenario, step)}: {exc}") from None
        if step.refused.lower() not in str(exc).lower():
            raise ScenarioFailed(
                f"{_where(result.scenario, step)}: refused, but not because of "
                f"{step.refused!r}: {exc}"
            ) from None
        refusal = str(exc)
    else:
        if step.refused:
            raise ScenarioFailed(
                f"{_where(result.scenario, step)}: expected to be refused ({step.refused}), "
                "but it was recorded"
            )
        flow.fold_into(view, done.events)
        result.events.extend(done.events)
        seq = done.events[-1].seq
    as_at = step.effective.end
    snap = snapshot(view, flow, result.events, as_at, step.effective)
    held, failed = check(step.expect, view, flow, snap.figures, as_at, step.effective)
    return StepOutcome(
        step, len(result.scenario.steps), result.case_id, seq, moment, refusal, held, failed, snap
    )


def snapshot(
    view: CaseView,
    flow: WorkflowEngine,
    events: list[RecordedEvent],
    as_at: datetime,
    effective: EffectiveTime,
) -> Snapshot:
    """Every lifecycle's state, the clocks, and why removal is blocked, as at ``as_at``."""
    states = {key: i.state for key, i in view.instances.items()}
    figures = derive_figures(view, events, as_at, flow, organisation())
    blocks = {}
    removal = view.one("removal")
    if removal is not None and removal.state not in {"not_liable", "removed"}:
        for action in REMOVAL_PROBES:
            found = probe(flow, view, Probe(action, "immigration_officer"), effective, as_at)
            blocks[action] = [str(b) for b in found if b.rule != "state"] or (
                ["allowed now"] if not found else [str(b) for b in found]
            )
    return Snapshot(states, _clocks(view, figures, as_at), blocks, figures)


def _clocks(view: CaseView, figures: Figures, as_at: datetime) -> list[str]:
    lines = []
    encounters = view.of("encounter")
    if encounters:
        latest = encounters[-1]
        status = pace_clock(latest, as_at)
        arrest = latest.first("arrest") or latest.first("arrest_for_immigration_offence")
        if status.running and status.approximate and arrest is not None:
            # The arrest is dated only to a day (or vaguer): a countdown would invent precision.
            lines.append(
                f"PACE clock (encounter #{latest.number}): running; the arrest is recorded as "
                f"{arrest.effective.display()}, so the time left cannot be given exactly"
            )
        elif status.expired and status.expired_at is not None:
            lines.append(
                f"PACE clock (encounter #{latest.number}): EXPIRED at "
                f"{status.expired_at:%Y-%m-%d %H:%M} UTC"
            )
        elif status.running:
            lines.append(
                f"PACE clock (encounter #{latest.number}): {_hm(status.remaining)} left"
                + (" (extended)" if status.extended else "")
            )
        elif status.paused:
            lines.append(
                f"PACE clock (encounter #{latest.number}): paused on bail, "
                f"{_hm(status.remaining)} left"
            )
    detention = view.one("detention")
    if detention is not None and detention.history:
        since = detention.history[-1].effective.display()
        lines.append(f"detention: {detention.state.replace('_', ' ')} since {since}")
    if figures.days_detained:
        lines.append(f"days in immigration detention: {figures.days_detained}")
    if figures.absconder_listings:
        lines.append(f"absconder listings: {figures.absconder_listings}")
    return lines


def _hm(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def probe(
    flow: WorkflowEngine,
    view: CaseView,
    wanted: Probe,
    effective: EffectiveTime,
    now: datetime,
) -> list[Block]:
    """Every reason ``wanted`` would be refused now (empty: allowed); records nothing."""
    workflow = flow.action_owner[wanted.action]
    spec = flow.latest[workflow]
    action = spec.action(wanted.action)
    assert action is not None
    number = 0
    if spec.many and NEW not in action.sources:
        instances = view.of(workflow)
        able = [i for i in instances if i.state in action.sources]
        number = (able or instances)[-1].number if instances else 1
    known = {f.name: f for f in action.fields}
    try:
        values = {k: coerce(known[k], v) for k, v in wanted.fields.items()}
    except (KeyError, UsageError) as exc:
        return [Block(f"cannot try {wanted.action}: {exc}", rule="fields")]
    attempt = Attempt(workflow, number, wanted.action, values, effective, wanted.role, now)
    return flow.check(view, attempt)


def check(
    expect: Expectation,
    view: CaseView,
    flow: WorkflowEngine,
    figures: Figures,
    as_at: datetime,
    effective: EffectiveTime,
) -> tuple[list[str], list[str]]:
    """(held, failed): one line per expectation, in the order written."""
    held: list[str] = []
    failed: list[str] = []

    def verdict(ok: bool, text: str, actual: object) -> None:
        (held if ok else failed).append(text if ok else f"expected {text}, found {actual}")

    for key, state in expect.states.items():
        found = view.instances.get(key)
        # as a trainee reads them ("Encounter #1: In police custody"), not as the file's ids
        named, label = record_state(flow, key, state)
        actual = record_state(flow, key, found.state)[1] if found is not None else "no such record"
        verdict(found is not None and found.state == state, f"{named}: {label}", actual)
    if expect.pace_left_minutes is not None:
        encounters = view.of("encounter")
        left = pace_clock(encounters[-1], as_at).remaining if encounters else None
        minutes = round(left.total_seconds() / 60) if left is not None else None
        want = timedelta(minutes=expect.pace_left_minutes)
        verdict(
            minutes == expect.pace_left_minutes,
            f"PACE time left {_hm(want)}",
            _hm(left) if left is not None else "no arrest",
        )
    for name, value in expect.figures.items():
        verdict(figures.get(name) == value, f"{name} = {value}", figures.get(name))
    if expect.high_harm is not None:
        found_hh = high_harm.assess(view)
        verdict(found_hh.met == expect.high_harm, f"high harm = {expect.high_harm}", found_hh.met)
    for wanted in expect.blocked:
        blocks = probe(flow, view, wanted, effective, as_at)
        reasons = "; ".join(str(b) for b in blocks)
        ok = bool(blocks) and wanted.because.lower() in reasons.lower()
        verdict(
            ok,
            f"{wanted.action} ({wanted.role}) blocked"
            + (f" because {wanted.because!r}" if wanted.because else ""),
            reasons or "allowed",
        )
    for wanted in expect.allowed:
        blocks = probe(flow, view, wanted, effective, as_at)
        verdict(
            not blocks,
            f"{wanted.action} ({wanted.role}) allowed",
            "; ".join(str(b) for b in blocks),
        )
    return held, failed
