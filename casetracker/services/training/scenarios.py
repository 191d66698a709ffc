"""Scenario files: the trainers' case-study flows, as human-editable YAML, checked on load.

A scenario names its subject (synthetic), the force, and ordered steps: when each happened (at
the precision the report gives, never more), who acted in which role, the action and its fields,
a short narration citing the report, and optional expectations.  Everything that can be checked
without a database is checked here, before anything is written, and every error names the file,
the step (with its line) and the field, so a trainer can fix the file without reading code.

Format (see ``casetracker/services/training/data/scenarios/figure-1.yaml``)::

    name: figure-1                 # how ``scenario play`` finds it; the file is name.yaml
    title: ...                     # one line
    source: Figure 1               # where in the report the flow comes from
    summary: ...                   # what it teaches
    subject: {name: ..., nationality: ...}   # personal fields, synthetic values only
    force: MPS
    opened: 2010-12                # effective time of opening the case (default: first step's)
    opened_by: immigration_officer # role that opens the case (default: first step's role)
    steps:
      - effective: 2013-07-16      # instant, day, month or range (A/B or A..B)
        role: police
        action: arrest
        instance: 2                # which encounter/claim/check, for actions on many-instance
                                   # lifecycles that do not start a new one
        fields: {offence: ..., offence_category: ...}
        entry: 2                   # optional: the report's bullet this step belongs to
        narration: ...             # what the trainer says, in the project's words
        cites: Figure 1; ¶3.3
        recorded: 2013-07-18T09:00 # optional: when it was keyed in (shows backdating)
        refused: "text"            # optional: the step must be refused, for this reason
        expect: {...}              # optional: see ``EXPECTATION_KEYS``

The last step must carry ``expect.states``: every shipped flow says where it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from casetracker.domain.effective_time import EffectiveTime, EffectiveTimeError, parse
from casetracker.domain.errors import UsageError
from casetracker.domain.fields import coerce, validate_fields
from casetracker.domain.vocabulary import NEW, ActionSpec, WorkflowSpec

SCENARIO_DIR = Path(__file__).parent / "data" / "scenarios"
TOP_KEYS = frozenset(
    {"name", "title", "source", "summary", "subject", "force", "opened", "opened_by", "steps"}
)
STEP_KEYS = frozenset(
    {
        "effective",
        "role",
        "action",
        "instance",
        "fields",
        "entry",
        "narration",
        "cites",
        "recorded",
        "refused",
        "expect",
    }
)
EXPECTATION_KEYS = frozenset({"states", "pace_left", "figures", "high_harm", "blocked", "allowed"})
FIGURE_KEYS = frozenset(
    {
        "arrests",
        "absconder_listings",
        "out_of_sequence",
        "backdated",
        "etd_turnaround_days",
        "days_detained",
        "frustrated_removals",
        "released_before_seen_by_io",
        "referrals",
    }
)


class ScenarioError(UsageError):
    """A scenario file that cannot be used; the message names the file, step and field."""


@dataclass(frozen=True)
class Probe:
    """An action to try (without recording it) after a step: expected allowed or blocked."""

    action: str
    role: str
    fields: dict[str, Any] = field(default_factory=dict)
    because: str = ""  # for a blocked probe: text the reasons must contain


@dataclass(frozen=True)
class Expectation:
    states: dict[str, str] = field(default_factory=dict)
    pace_left_minutes: int | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    high_harm: bool | None = None
    blocked: tuple[Probe, ...] = ()
    allowed: tuple[Probe, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.states
            or self.pace_left_minutes is not None
            or self.figures
            or self.high_harm is not None
            or self.blocked
            or self.allowed
        )


@dataclass(frozen=True)
class ScenarioStep:
    number: int  # 1-based, in file order
    line: int
    effective: EffectiveTime
    role: str
    action: str
    workflow: str
    instance: int | None
    fields: dict[str, Any]
    entry: int | None = None
    narration: str = ""
    cites: str = ""
    recorded: datetime | None = None
    refused: str = ""
    expect: Expectation = field(default_factory=Expectation)

    @property
    def label(self) -> str:
        return f"step {self.number} ({self.action}, line {self.line})"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    source: str
    summary: str
    subject: dict[str, Any]
    force: str
    opened: EffectiveTime
    opened_by: str
    steps: tuple[ScenarioStep, ...]
    path: Path

    @property
    def entries(self) -> list[int]:
        """The report's numbered entries the steps belong to, each once, in order."""
        return list(dict.fromkeys(s.entry for s in self.steps if s.entry is not None))


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that leaves dates and times as text: effective times keep their precision."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def scenario_path(name: str) -> Path:
    """A shipped scenario by name, or a file path a trainer wrote."""
    given = Path(name)
    if given.suffix in {".yaml", ".yml"}:
        if not given.exists():
            raise ScenarioError(f"no scenario file {given}")
        return given
    found = SCENARIO_DIR / f"{name}.yaml"
    if not found.exists():
        known = ", ".join(available()) or "none"
        raise ScenarioError(f"no scenario named {name!r} (shipped: {known})")
    return found


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load(name: str, now: datetime | None = None) -> Scenario:
    """Read and validate one scenario; raises ``ScenarioError`` naming what is wrong."""
    from casetracker.services.registry import workflow_engine

    path = scenario_path(name)
    text = path.read_text(encoding="utf-8")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not valid YAML: {exc}".replace("\n", " ")) from None
    return _Builder(path, workflow_engine().latest, now or datetime.now(UTC)).build(data, node)


class _Builder:
    def __init__(self, path: Path, specs: dict[str, WorkflowSpec], now: datetime) -> None:
        self.path, self.specs, self.now = path, specs, now
        self.owner = {a.name: s for s in specs.values() for a in s.actions}

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path.name}: {where}: {message}")

    def build(self, data: Any, node: Any) -> Scenario:
        if not isinstance(data, dict):
            raise self.fail("top level", "a scenario is a mapping with name, subject and steps")
        unknown = sorted(set(data) - TOP_KEYS)
        if unknown:
            raise self.fail("top level", f"unknown key {unknown[0]!r} (keys: {_keys(TOP_KEYS)})")
        for key in ("name", "title", "subject", "force", "steps"):
            if not data.get(key):
                raise self.fail("top level", f"missing {key!r}")
        if str(data["name"]) != self.path.stem:
            raise self.fail("name", f"{data['name']!r} must match the file name {self.path.stem}")
        raw_steps = data["steps"]
        if not isinstance(raw_steps, list):
            raise self.fail("steps", "must be a list of steps")
        lines = _step_lines(node)
        steps = tuple(self.step(i, raw, lines[i - 1]) for i, raw in enumerate(raw_steps, 1))
        if not steps[-1].expect.states:
            raise self.fail(steps[-1].label, "the last step must expect the end states")
        opened_by = str(data.get("opened_by") or steps[0].role)
        opened = self.effective("opened", data.get("opened") or steps[0].effective.text)
        subject = data["subject"]
        if not isinstance(subject, dict):
            raise self.fail("subject", "must be a mapping of personal fields")
        opener = self.specs["case"].action("open_case")
        assert opener is not None
        self.check_fields("subject", opener, {**subject, "force": data["force"]})
        self.check_role("opened_by", opener, opened_by)
        return Scenario(
            name=str(data["name"]),
            title=str(data["title"]),
            source=str(data.get("source", "")),
            summary=str(data.get("summary", "")).strip(),
            subject=dict(subject),
            force=str(data["force"]),
            opened=opened,
            opened_by=opened_by,
            steps=steps,
            path=self.path,
        )

    def step(self, number: int, raw: Any, line: int) -> ScenarioStep:
        where = f"step {number} (line {line})"
        if not isinstance(raw, dict):
            raise self.fail(where, "a step is a mapping with effective, role and action")
        action = str(raw.get("action", ""))
        if action:
            where = f"step {number} ({action}, line {line})"
        unknown = sorted(set(raw) - STEP_KEYS)
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (keys: {_keys(STEP_KEYS)})")
        for key in ("effective", "role", "action"):
            if not raw.get(key):
                raise self.fail(where, f"missing {key!r}")
        spec = self.owner.get(action)
        if spec is None:
            raise self.fail(where, f"unknown action {action!r}")
        found = spec.action(action)
        assert found is not None
        refused = str(raw.get("refused") or "")
        role = str(raw["role"])
        if not refused:
            self.check_role(where, found, role)
        fields = raw.get("fields") or {}
        if not isinstance(fields, dict):
            raise self.fail(where, "'fields' must be a mapping of name: value")
        if not refused:
            self.check_fields(where, found, fields)
        effective = self.effective(where, raw["effective"])
        recorded = self.recorded(where, raw.get("recorded"), effective)
        return ScenarioStep(
            number=number,
            line=line,
            effective=effective,
            role=role,
            action=action,
            workflow=spec.name,
            instance=self.instance(where, spec, found, raw.get("instance")),
            fields=dict(fields),
            entry=self.integer(where, "entry", raw.get("entry")),
            narration=str(raw.get("narration") or "").strip(),
            cites=str(raw.get("cites") or ""),
            recorded=recorded,
            refused=refused,
            expect=self.expectation(where, raw.get("expect")),
        )

    def check_role(self, where: str, action: ActionSpec, role: str) -> None:
        allowed = {r.value for r in action.roles}
        if role not in allowed:
            raise self.fail(
                where,
                f"role {role!r} may not {action.label.lower()} "
                f"(roles: {', '.join(sorted(allowed))}); mark the step `refused:` to show it",
            )

    def check_fields(self, where: str, action: ActionSpec, fields: dict[str, Any]) -> None:
        try:
            validate_fields(action, fields)
        except UsageError as exc:
            raise self.fail(where, str(exc)) from None

    def effective(self, where: str, raw: Any) -> EffectiveTime:
        try:
            return parse(str(raw), self.now)
        except EffectiveTimeError as exc:
            raise self.fail(where, f"effective: {exc}") from None

    def recorded(self, where: str, raw: Any, effective: EffectiveTime) -> datetime | None:
        if raw is None:
            return None
        try:
            moment = parse(str(raw), self.now)
        except EffectiveTimeError as exc:
            raise self.fail(where, f"recorded: {exc}") from None
        if not moment.is_exact or moment.start < effective.start:
            raise self.fail(
                where, f"recorded: {raw!r} must be an instant, no earlier than {effective.text}"
            )
        return moment.start

    def instance(self, where: str, spec: WorkflowSpec, action: ActionSpec, raw: Any) -> int | None:
        starts = NEW in action.sources
        if raw is None:
            if spec.many and not starts:
                raise self.fail(
                    where,
                    f"instance: {spec.label.lower()} has many records per case; "
                    "say which (1, 2, …)",
                )
            return None
        if not spec.many or starts:
            raise self.fail(where, f"instance: {action.name} does not take one")
        return self.integer(where, "instance", raw)

    def integer(self, where: str, name: str, raw: Any) -> int | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise self.fail(where, f"{name}: expected a whole number from 1, not {raw!r}")
        return raw

    def expectation(self, where: str, raw: Any) -> Expectation:
        if raw is None:
            return Expectation()
        if not isinstance(raw, dict):
            raise self.fail(where, "'expect' must be a mapping")
        unknown = sorted(set(raw) - EXPECTATION_KEYS)
        if unknown:
            raise self.fail(
                where, f"expect: unknown key {unknown[0]!r} (keys: {_keys(EXPECTATION_KEYS)})"
            )
        figures = raw.get("figures") or {}
        bad = sorted(set(figures) - FIGURE_KEYS)
        if bad:
            raise self.fail(where, f"expect.figures: unknown {bad[0]!r} ({_keys(FIGURE_KEYS)})")
        high_harm = raw.get("high_harm")
        if high_harm is not None and not isinstance(high_harm, bool):
            raise self.fail(where, "expect.high_harm: expected true or false")
        return Expectation(
            states=self.states(where, raw.get("states") or {}),
            pace_left_minutes=self.duration(where, raw.get("pace_left")),
            figures=dict(figures),
            high_harm=high_harm,
            blocked=self.probes(where, "blocked", raw.get("blocked")),
            allowed=self.probes(where, "allowed", raw.get("allowed")),
        )

    def states(self, where: str, raw: Any) -> dict[str, str]:
        if not isinstance(raw, dict):
            raise self.fail(where, "expect.states: a mapping of lifecycle: state")
        for key, state in raw.items():
            name = str(key).partition("#")[0]
            spec = self.specs.get(name)
            if spec is None:
                raise self.fail(where, f"expect.states: unknown lifecycle {key!r}")
            if spec.state(str(state)) is None:
                known = ", ".join(s.name for s in spec.states)
                raise self.fail(where, f"expect.states.{key}: no state {state!r} ({known})")
        return {str(k): str(v) for k, v in raw.items()}

    def duration(self, where: str, raw: Any) -> int | None:
        """``20h``, ``19h30m`` or ``45m`` into minutes."""
        if raw is None:
            return None
        text = str(raw).replace(" ", "").lower()
        hours, _, rest = text.partition("h") if "h" in text else ("0", "", text)
        minutes = rest.removesuffix("m") or "0"
        if not (hours.isdigit() and minutes.isdigit()) or text in {"", "h", "m"}:
            raise self.fail(where, f"expect.pace_left: {raw!r} is not like 20h or 19h30m")
        return int(hours) * 60 + int(minutes)

    def probes(self, where: str, kind: str, raw: Any) -> tuple[Probe, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(where, f"expect.{kind}: a list of {{action, role}}")
        out = []
        for item in raw:
            if not isinstance(item, dict) or not item.get("action") or not item.get("role"):
                raise self.fail(where, f"expect.{kind}: each needs action and role")
            spec = self.owner.get(str(item["action"]))
            found = spec.action(str(item["action"])) if spec else None
            if found is None:
                raise self.fail(where, f"expect.{kind}: unknown action {item['action']!r}")
            fields = item.get("fields") or {}
            for name, value in fields.items():
                known = {f.name: f for f in found.fields}
                if name not in known:
                    raise self.fail(where, f"expect.{kind}: {found.name} has no field {name!r}")
                try:
                    coerce(known[name], value)
                except UsageError as exc:
                    raise self.fail(where, f"expect.{kind}: {exc}") from None
            out.append(
                Probe(
                    str(item["action"]),
                    str(item["role"]),
                    dict(fields),
                    str(item.get("because", "")),
                )
            )
        return tuple(out)


def _step_lines(node: Any) -> list[int]:
    """Line (1-based) of each step in the file, for error messages."""
    if node is None or not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _keys(keys: frozenset[str]) -> str:
    return ", ".join(sorted(keys))
