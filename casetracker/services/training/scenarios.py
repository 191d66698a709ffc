"""Scenario files: the trainers' case-study flows, as human-editable YAML, checked on load.

A scenario names its subject (synthetic), the force, and ordered steps: when each happened (at
the precision the report gives, never more), who acted in which role, the action and its fields,
a short narration citing the report, and optional expectations.  Everything that can be checked
without a database is checked here, before anything is written, and every error names the file,
the step (with its line) and the field, so a trainer can fix the file without reading code.

The format is the pydantic dataclasses below (``Scenario``, ``ScenarioStep``, ``Expectation``,
``Probe``), one key per field, unknown keys refused; ``casetracker/services/training/data/
scenarios/figure-1.yaml`` shows every key in use.  Effective times are an instant, a day, a
month or a range (A/B or A..B).  Pydantic's errors are turned into one line in the trainers'
words by ``scenario_errors``; the checks that need the lifecycles get them as pydantic's context.
"""

from __future__ import annotations

from dataclasses import dataclass as plain_dataclass
from dataclasses import field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import yaml
from pydantic import (
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from casetracker.domain.effective_time import EffectiveTime, EffectiveTimeError, parse
from casetracker.domain.errors import UsageError
from casetracker.domain.fields import coerce, validate_fields
from casetracker.domain.vocabulary import NEW, ActionSpec, WorkflowSpec, in_sentence
from casetracker.services.training.bounded_yaml import bounded_text, not_yaml
from casetracker.services.training.scenario_errors import explain, first_met, refuse

SCENARIO_DIR = Path(__file__).parent / "data" / "scenarios"
FIGURE_KEYS = frozenset(
    {"arrests", "absconder_listings", "out_of_sequence", "backdated", "etd_turnaround_days"}
    | {"days_detained", "frustrated_removals", "released_before_seen_by_io", "referrals"}
)


class ScenarioError(UsageError):
    """A scenario file that cannot be used; the message names the file, step and field."""


@plain_dataclass(frozen=True)
class _Reading:
    """What the checks need besides the file; pydantic hands it to them as the context."""

    path: Path
    now: datetime
    specs: dict[str, WorkflowSpec]
    owner: dict[str, WorkflowSpec]  # action name -> the lifecycle it belongs to
    lines: list[int]  # the line of each step, for error messages


def _reading(info: ValidationInfo) -> _Reading:
    return cast(_Reading, info.context)


def _when(raw: Any, info: ValidationInfo) -> EffectiveTime:
    try:
        return parse(str(raw), _reading(info).now)
    except EffectiveTimeError as exc:
        raise refuse(str(exc)) from None


def _set(obj: object, **values: Any) -> None:
    """Fill in the ``init=False`` fields of a frozen dataclass while it is being read."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


# Numbers are read as text where text is wanted (``role: 5`` reaches the check that names it);
# a count is a whole number from 1, never ``'1'``, ``1.0`` or ``true``.
_SCHEMA = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
Text = Annotated[str, Field(min_length=1)]
Stripped = Annotated[str, StringConstraints(strip_whitespace=True)]
Count = Annotated[int, Field(strict=True, ge=1)]
When = Annotated[EffectiveTime, PlainValidator(_when)]


@dataclass(frozen=True, config=_SCHEMA)
class _Schema:
    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        """``fields:`` with nothing after it means no fields, as a trainer would expect."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


@dataclass(frozen=True, config=_SCHEMA)
class Probe(_Schema):
    """An action to try (without recording it) after a step: expected allowed or blocked."""

    action: Text
    role: Text
    fields: dict[str, Any] = field(default_factory=dict)
    because: str = ""  # for a blocked probe: text the reasons must contain

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> Probe:
        if info.context is None:  # built by the player, not read from a file
            return self
        found = _action(_reading(info), self.action)
        known = {f.name: f for f in found.fields}
        for name, value in self.fields.items():
            if name not in known:
                raise refuse(f"{found.name} has no field {name!r}")
            try:
                coerce(known[name], value)
            except UsageError as exc:
                raise refuse(str(exc)) from None
        return self


@dataclass(frozen=True, config=_SCHEMA)
class Expectation(_Schema):
    """What must hold after a step (the ``expect:`` key); every key is optional."""

    states: dict[str, str] = field(default_factory=dict)  # lifecycle or lifecycle#n: state
    pace_left_minutes: int | None = Field(default=None, validation_alias="pace_left")
    figures: dict[str, Any] = field(default_factory=dict)  # FIGURE_KEYS: value
    high_harm: StrictBool | None = None
    blocked: tuple[Probe, ...] = ()
    allowed: tuple[Probe, ...] = ()

    @field_validator("states")
    @classmethod
    def _known_states(cls, states: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for key, state in states.items():
            spec = _reading(info).specs.get(key.partition("#")[0])
            if spec is None:
                raise refuse(f"unknown lifecycle {key!r}")
            if spec.state(state) is None:
                known = ", ".join(s.name for s in spec.states)
                raise refuse(f"no state {state!r} ({known})", key)
        return states

    @field_validator("pace_left_minutes", mode="before")
    @classmethod
    def _minutes(cls, raw: Any) -> int:
        """``20h``, ``19h30m`` or ``45m`` into minutes."""
        text = str(raw).replace(" ", "").lower()
        hours, _, rest = text.partition("h") if "h" in text else ("0", "", text)
        minutes = rest.removesuffix("m") or "0"
        if not (hours.isdigit() and minutes.isdigit()) or text in {"", "h", "m"}:
            raise refuse(f"{raw!r} is not like 20h or 19h30m")
        return int(hours) * 60 + int(minutes)

    @field_validator("figures")
    @classmethod
    def _known_figures(cls, figures: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(figures) - FIGURE_KEYS)
        if unknown:
            raise refuse(f"unknown {unknown[0]!r} ({', '.join(sorted(FIGURE_KEYS))})")
        return figures


@dataclass(frozen=True, config=_SCHEMA)
class ScenarioStep(_Schema):
    """One step; its number, line and lifecycle are filled in as the file is read."""

    action: Text
    role: Text
    effective: When
    fields: dict[str, Any] = field(default_factory=dict)
    instance: Count | None = None  # which encounter/claim/check, on a many-instance lifecycle
    entry: Count | None = None  # the report's bullet this step belongs to
    narration: Stripped = ""  # what the trainer says, in the project's words
    cites: str = ""  # where in the report, e.g. "Figure 1; ¶3.3"
    recorded: datetime | None = None  # when it was keyed in (shows backdating)
    refused: str = ""  # the step must be refused, for this reason
    expect: Expectation = field(default_factory=Expectation)
    number: int = field(default=0, init=False)  # 1-based, in file order
    line: int = field(default=0, init=False)
    workflow: str = field(default="", init=False)

    @property
    def label(self) -> str:
        return f"step {self.number} ({self.action}, line {self.line})"

    @field_validator("recorded", mode="plain")
    @classmethod
    def _recorded(cls, raw: Any, info: ValidationInfo) -> datetime:
        moment = _when(raw, info)
        effective = info.data.get("effective")
        if effective and (not moment.is_exact or moment.start < effective.start):
            raise refuse(f"{raw!r} must be an instant, no earlier than {effective.text}")
        return moment.start

    @model_validator(mode="after")
    def _allowed(self, info: ValidationInfo) -> ScenarioStep:
        """The action exists, the role may take it and its fields are right (unless the step
        shows it refused), and it names an instance exactly when it needs one."""
        found = _action(_reading(info), self.action)
        spec = _reading(info).owner[self.action]
        if not self.refused:
            _check(found, self.role, self.fields)
        starts = NEW in found.sources
        if self.instance is None and spec.many and not starts:
            raise refuse(
                f"{in_sentence(spec.label)} has many records per case; say which (1, 2, …)",
                "instance",
            )
        if self.instance is not None and (not spec.many or starts):
            raise refuse(f"{found.name} does not take one", "instance")
        _set(self, workflow=spec.name)
        return self


@dataclass(frozen=True, config=_SCHEMA)
class Scenario(_Schema):
    """A whole file; the case is opened when and by whom the first step was taken, unless
    ``opened`` and ``opened_by`` say otherwise.  The last step must expect the end states."""

    name: Text  # how ``scenario play`` finds it; the file is name.yaml
    title: Text  # one line
    subject: Annotated[dict[str, Any], Field(min_length=1)]  # personal fields, synthetic
    force: Text
    steps: Annotated[tuple[ScenarioStep, ...], Field(min_length=1)]
    opened: When
    opened_by: Text
    source: str = ""  # where in the report the flow comes from
    summary: Stripped = ""  # what it teaches
    path: Path = field(default=Path(), init=False)

    @property
    def entries(self) -> list[int]:
        """The report's numbered entries the steps belong to, each once, in order."""
        return list(dict.fromkeys(s.entry for s in self.steps if s.entry is not None))

    @model_validator(mode="before")
    @classmethod
    def _opened_with_the_first_step(cls, data: Any) -> Any:
        steps = data.get("steps") if isinstance(data, dict) else None
        if not (isinstance(steps, list) and steps and isinstance(steps[0], dict)):
            return data
        defaults = {"opened": steps[0].get("effective"), "opened_by": steps[0].get("role")}
        return {**defaults, **{k: v for k, v in data.items() if v or k not in defaults}}

    @field_validator("name")
    @classmethod
    def _names_the_file(cls, name: str, info: ValidationInfo) -> str:
        if name != _reading(info).path.stem:
            raise refuse(f"{name!r} must match the file name {_reading(info).path.stem}")
        return name

    @field_validator("steps")
    @classmethod
    def _numbered(
        cls, steps: tuple[ScenarioStep, ...], info: ValidationInfo
    ) -> tuple[ScenarioStep, ...]:
        for number, (step, line) in enumerate(zip(steps, _reading(info).lines, strict=True), 1):
            _set(step, number=number, line=line)
        if not steps[-1].expect.states:
            raise refuse("the last step must expect the end states", len(steps) - 1)
        return steps

    @model_validator(mode="after")
    def _openable(self, info: ValidationInfo) -> Scenario:
        opener = _action(_reading(info), "open_case")
        _check(
            opener, self.opened_by, {**self.subject, "force": self.force}, "opened_by", "subject"
        )
        _set(self, path=_reading(info).path)
        return self


def _action(reading: _Reading, name: str) -> ActionSpec:
    spec = reading.owner.get(name)
    found = spec.action(name) if spec else None
    if found is None:
        raise refuse(f"unknown action {name!r}")
    return found


def _check(
    action: ActionSpec, role: str, fields: dict[str, Any], role_at: str = "", fields_at: str = ""
) -> None:
    """The role may take the action and the fields are right; the keys they came from are
    named when they are not the step's own (``opened_by`` and ``subject``)."""
    allowed = {r.value for r in action.roles}
    if role not in allowed:
        raise refuse(
            f"role {role!r} may not {in_sentence(action.label)} "
            f"(roles: {', '.join(sorted(allowed))}); mark the step `refused:` to show it",
            *filter(None, [role_at]),
        )
    try:
        validate_fields(action, fields)
    except UsageError as exc:
        raise refuse(str(exc), *filter(None, [fields_at])) from None


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


_SCENARIO = TypeAdapter(Scenario)
_SCHEMAS = {"": Scenario, "steps": ScenarioStep, "expect": Expectation} | dict.fromkeys(
    ("blocked", "allowed"), Probe
)


def load(name: str, now: datetime | None = None) -> Scenario:
    """Read and validate one scenario; raises ``ScenarioError`` naming what is wrong."""
    from casetracker.services.registry import workflow_engine

    path = scenario_path(name)
    text = bounded_text(path, _Loader)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise not_yaml(path, exc) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path.name}: top level: a scenario is a mapping with name, subject and steps"
        )
    specs = workflow_engine().latest
    owner = {a.name: s for s in specs.values() for a in s.actions}
    reading = _Reading(path, now or datetime.now(UTC), specs, owner, _step_lines(node))
    try:
        return _SCENARIO.validate_python(data, context=reading)
    except ValidationError as exc:
        first = first_met(exc.errors(include_url=False))
        where = explain(first, data, reading.lines, _SCHEMAS)
        raise ScenarioError(f"{path.name}: {where}") from None


def _step_lines(node: Any) -> list[int]:
    """Line (1-based) of each step in the file, for error messages."""
    if node is None or not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "steps" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
