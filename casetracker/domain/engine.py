"""The workflow engine: one compiled state machine per definition version, cases kept detached.

For each (lifecycle, version) one ``transitions.Machine`` is built, once, with ``model=None``
(``casetracker.domain.machines``).  It alone decides transitions: whether an action may leave an
instance's current state (``check``), where it lands (``fire``), and
which instance of a many-instance lifecycle an action acts on (``instance_for``).  Replaying
recorded history reads a plain table taken from those same machines (``replay_table``), since a
log of millions of events is replayed without the library and never re-evaluates a guard
against today's data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from casetracker.domain import definition_migration as migration
from casetracker.domain import machines
from casetracker.domain.case_view import Attempt, Block, CaseView, Instance, Step, instance_key
from casetracker.domain.clock import parse_recorded
from casetracker.domain.definition_migration import MIGRATE
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.errors import DatabaseError, Refused
from casetracker.domain.events import RecordedEvent
from casetracker.domain.projection import ReplayTable, replay_step
from casetracker.domain.vocabulary import NEW, ActionSpec, WorkflowSpec, in_sentence

Guard = Callable[[Any], list[Block]]
ContextFactory = Callable[[CaseView, Attempt], Any]


@dataclass(frozen=True)
class Option:
    """An action as seen from where the case is now: allowed, or blocked and why."""

    workflow: str
    version: int
    number: int | None  # instance it applies to; None = would start a new one
    spec: ActionSpec
    blocks: tuple[Block, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.blocks

    @property
    def state_allows(self) -> bool:
        """False when the lifecycle is simply not in a state this action leaves from."""
        return not any(b.rule == "state" for b in self.blocks)

    @property
    def role_allows(self) -> bool:
        return not any(b.rule == "role" for b in self.blocks)

    @property
    def target(self) -> str:
        if self.number is None:
            return f"{self.workflow} (new)"
        return instance_key(self.workflow, self.number)


@dataclass
class WorkflowEngine:
    definitions: Iterable[WorkflowSpec]
    guards: Mapping[str, Guard] = field(default_factory=dict)
    context: ContextFactory = lambda view, attempt: (view, attempt)

    def __post_init__(self) -> None:
        self.specs: dict[tuple[str, int], WorkflowSpec] = {}
        self.latest: dict[str, WorkflowSpec] = {}
        self.action_owner: dict[str, str] = {}
        self._replay: ReplayTable | None = None
        self._machines: dict[tuple[str, int], Machine] = {}
        for spec in self.definitions:
            key = (spec.name, spec.version)
            if key in self.specs:
                raise ValueError(f"{spec.name} version {spec.version} is defined twice")
            self.specs[key] = spec
            if spec.name not in self.latest or spec.version > self.latest[spec.name].version:
                self.latest[spec.name] = spec
            for action in spec.actions:
                if action.name == MIGRATE:
                    raise ValueError(f"{spec.name}: {MIGRATE} is the engine's, not an action")
                owner = self.action_owner.setdefault(action.name, spec.name)
                if owner != spec.name:
                    raise ValueError(f"action {action.name} is defined by {owner} and {spec.name}")
                missing = [g for g in action.guards if g not in self.guards]
                if self.guards and missing:
                    raise ValueError(f"{spec.name}.{action.name} names unknown guards {missing}")

    # ------------------------------------------------------------ definitions

    def spec(self, workflow: str, version: int | None = None) -> WorkflowSpec:
        if version is None:
            return self.latest[workflow]
        return self.specs[(workflow, version)]

    def machine(self, workflow: str, version: int) -> Machine:
        """The one shared machine for a definition version, built on first use."""
        key = (workflow, version)
        found = self._machines.get(key)
        if found is None:
            found = self._machines[key] = machines.compile_machine(self.specs[key])
        return found

    # ------------------------------------------------------------ projection

    def apply(
        self, state: dict[str, str], workflow: str, version: int, instance: int, action: str
    ) -> None:
        """The store's projector: advance one instance's state by table lookup."""
        replay_step(self.replay_table(), state, workflow, version, instance, action)

    def replay_table(self) -> ReplayTable:
        """Every machine's transitions as one plain table, for replaying millions of events
        (``casetracker.domain.projection.replay_step``).

        Read from the machines once, on first use: a machine is complete once built.
        """
        table = self._replay
        if table is None:
            table = {}
            for workflow, version in self.specs:
                machine = self.machine(workflow, version)
                for action, moves in machines.moves(machine).items():
                    table[(workflow, version, action)] = (moves, str(machine.initial))
                older = [s for (w, v), s in self.specs.items() if w == workflow and v != version]
                if older:  # moving an instance here from another version (definition_migration)
                    into = migration.moves(older, self.specs[(workflow, version)])
                    table[(workflow, version, MIGRATE)] = (into, str(machine.initial))
            self._replay = table
        return table

    def fold(self, case_id: str, events: Iterable[RecordedEvent], strict: bool = True) -> CaseView:
        """Rebuild a case as the rules see it from its recorded events, in log order.

        ``strict=False`` accepts a step whose source state is missing, for views built from a
        subset of the history (the case as of an earlier effective date).
        """
        return self.fold_into(CaseView(case_id), events, strict)

    def fold_into(
        self, view: CaseView, events: Iterable[RecordedEvent], strict: bool = True
    ) -> CaseView:
        """Advance an existing view by further events (used to keep cached views current)."""
        advance = self.advance
        for event in events:
            action = event.action
            step = _new_step(
                Step,
                (event.seq, action, parse_canonical(event.effective), step_fields(event.payload),
                 event.actor_role, parse_recorded(event.recorded)),
            )  # fmt: skip
            advance(view, event.workflow, event.workflow_version, event.instance, action, step,
                    strict)  # fmt: skip
            view.head_hash = event.hash
        return view

    def advance(
        self,
        view: CaseView,
        workflow: str,
        version: int,
        number: int,
        action: str,
        step: Step,
        strict: bool = True,
    ) -> None:
        """Apply one step to a view: the fold's unit, also used by bulk validation, which has
        the parsed values at hand and need not serialise them to read them back."""
        key = instance_key(workflow, number)
        found = self.replay_table().get((workflow, version, action))
        if found is None:
            raise Refused(
                f"event {step.seq} of {view.case_id} was recorded under version {version} of "
                f"{workflow}, which {self._defines(workflow, version, action)}: restore that "
                "definition version (workflows/) to read this case"
            )
        moves, initial = found
        instance = view.instances.get(key)
        if instance is None:
            instance = Instance(workflow, number, NEW if number else initial, version=version)
            view.instances[key] = instance
        dest = moves.get(instance.state)
        if dest is None:
            if strict:
                raise ValueError(
                    f"event {step.seq} of {view.case_id}: {action} cannot apply to {key} "
                    f"in state {instance.state!r}"
                )
            dest = next(iter(moves.values()))  # the first declared: definitions have one
        instance.state = dest
        if action == MIGRATE:  # the instance runs under the version it moved to from now on
            instance.version = version
        instance.fields.update(step.fields)
        instance.history.append(step)
        view.steps.append((key, step))
        view.version = step.seq

    # ------------------------------------------------------------ deciding

    def check(self, view: CaseView, attempt: Attempt) -> list[Block]:
        """Every reason the attempt is not allowed now (empty: it is allowed)."""
        spec, current = self._target(view, attempt.workflow, attempt.number)
        action = spec.action(attempt.action)
        if action is None:
            return [self._missing_action_block(spec, attempt.action)]
        blocks: list[Block] = []
        machine = self.machine(spec.name, spec.version)
        if not machines.leaves(machine, action.name, current):
            blocks.append(self._state_block(spec, machine, attempt.number, current, action))
        if attempt.actor_role not in action.roles:
            allowed = ", ".join(r.value for r in action.roles)
            blocks.append(
                Block(
                    f"the {attempt.actor_role} role may not {in_sentence(action.label)}",
                    f"ask someone with one of these roles: {allowed}",
                    rule="role",
                )
            )
        # Guards run even when the state or role already blocks, so that every reason is
        # given at once ("directions deferred by a judicial review; no travel document").
        ctx = self.context(view, attempt) if action.guards else None
        pending = getattr(ctx, "needs_input", None)  # fields a preview has not got yet
        deferred = getattr(ctx, "deferred", None)  # of those, the ones the guard itself put off
        for name in action.guards:
            if pending:
                pending.clear()  # one context for every guard; what each one waits for is its own
            if deferred:
                deferred.clear()
            found = self.guards[name](ctx)
            if attempt.preview and pending and not pending <= (deferred or set()):
                # The guard read a field still to come without saying which of its reasons
                # depend on it: its verdict waits for the form.
                continue
            blocks.extend(Block(b.reason, b.remedy, b.rule or name) for b in found)
        return _rule_advice_wins(blocks)

    def fire(self, view: CaseView, attempt: Attempt) -> str:
        """The state the compiled machine takes the instance to from where it is now
        (``MachineError`` if the machine has no such transition).

        The view is not changed: the recorded event is folded in once it is written.
        """
        spec, current = self._target(view, attempt.workflow, attempt.number)
        return machines.lands_in(self.machine(spec.name, spec.version), attempt.action, current)

    def version_for(self, view: CaseView, workflow: str, number: int | None) -> int:
        """Existing instances stay on the version they started under; new ones take the latest."""
        if number is not None:
            found = view.instances.get(instance_key(workflow, number))
            if found is not None:
                return found.version
        return self.latest[workflow].version

    def instance_for(
        self, view: CaseView, workflow: str, action: str, given: int | None = None
    ) -> int:
        """The instance an action acts on: 0 for a one-per-case lifecycle; else the one given;
        else a new one (the next number) for an action that starts an instance; else the latest
        instance the action can leave from, or the latest of all, or 1 when there is none (an
        instance that does not exist, which ``check`` then refuses by its state).

        The one answer for the service, bulk opening and ``options``; checking what a caller
        was given (that an instance exists, that one was named) is theirs.
        """
        if not self.latest[workflow].many:
            return 0
        if given is not None:
            return given
        if self.starts(workflow, action):
            return len(view.of(workflow)) + 1
        able = self.able(view, workflow, action)
        if able:
            return able[-1]
        instances = view.of(workflow)
        return instances[-1].number if instances else 1

    def able(self, view: CaseView, workflow: str, action: str) -> list[int]:
        """The instances of a many-instance lifecycle whose state the action may leave from,
        in order: two encounters both in custody are each released by ``release``."""
        return [
            i.number
            for i in view.of(workflow)
            if machines.leaves(self.machine(workflow, i.version), action, i.state)
        ]

    def starts(self, workflow: str, action: str) -> bool:
        """Whether the action starts a new instance (of the lifecycle's latest version)."""
        latest = self.latest[workflow]
        return machines.leaves(self.machine(workflow, latest.version), action, NEW)

    def options(
        self, view: CaseView, role: str, make_attempt: Callable[..., Attempt]
    ) -> list[Option]:
        """Every action of every lifecycle, each either allowed now or with all its blocks: one
        for each instance the action may leave from when there are several (both encounters in
        custody offer a release each), else one for the instance ``instance_for`` picks."""
        out: list[Option] = []
        for name, latest in self.latest.items():
            for action_name in [a.name for a in latest.actions]:
                for number in self._option_numbers(view, name, action_name):
                    spec, _ = self._target(view, name, number)
                    action = spec.action(action_name)
                    if action is None:
                        continue
                    attempt = make_attempt(
                        name, 0 if number is None else number, action_name, role
                    )
                    out.append(
                        Option(name, spec.version, number, action, tuple(self.check(view, attempt)))
                    )
        return out

    def _option_numbers(self, view: CaseView, workflow: str, action: str) -> list[int | None]:
        """The instances ``options`` offers an action on (None: one it would start): each it
        may leave from when there are several, else the one ``instance_for`` picks."""
        if not self.latest[workflow].many:
            return [0]
        able = [] if self.starts(workflow, action) else self.able(view, workflow, action)
        if len(able) > 1:
            return list(able)
        found = able[-1] if able else self.instance_for(view, workflow, action)
        return [found] if instance_key(workflow, found) in view.instances else [None]

    def _target(
        self, view: CaseView, workflow: str, number: int | None
    ) -> tuple[WorkflowSpec, str]:
        if number:
            found = view.instances.get(instance_key(workflow, number))
            if found is None:
                return self.latest[workflow], NEW
            return self.specs[(workflow, found.version)], found.state
        spec = self.latest[workflow]
        if spec.many:
            return spec, NEW
        found = view.instances.get(workflow)
        if found is None:
            return spec, spec.initial
        return self.specs[(workflow, found.version)], found.state

    def _defines(self, workflow: str, version: int, action: str) -> str:
        """Why (workflow, version) cannot replay ``action``, in words."""
        if (workflow, version) not in self.specs:
            return "this casetracker no longer defines"
        return f"has no action {action}"

    def _missing_action_block(self, spec: WorkflowSpec, action: str) -> Block:
        """An instance started under a version without the action (it stays on that version)."""
        latest = self.latest[spec.name]
        later = latest.version != spec.version and latest.action(action) is not None
        return Block(
            f"{spec.label} is on version {spec.version} of its lifecycle, which has no action "
            f"{action}" + (f" (version {latest.version} has it)" if later else ""),
            "an instance stays on the version it started under: record what version "
            f"{spec.version} allows"
            if later
            else "",
            rule="state",
        )

    def _state_block(
        self,
        spec: WorkflowSpec,
        machine: Machine,
        number: int | None,
        current: str,
        action: ActionSpec,
    ) -> Block:
        def label(state: str) -> str:
            found = spec.state(state)
            return found.label if found else ("not started" if state == NEW else state)

        where = instance_key(spec.name, number or 0) if spec.many and number else spec.label
        needs = " or ".join(label(s) for s in machines.sources(machine, action.name))
        if current == NEW and spec.many:
            return Block(
                f"there is no {in_sentence(spec.label)} that can {in_sentence(action.label)}",
                rule="state",
            )
        return Block(f"{where} is {label(current)}; this needs {needs}", rule="state")


def _rule_advice_wins(blocks: list[Block]) -> list[Block]:
    """A guard that explains why this role may not act (a block under the rule ``role``) says
    who should instead: its advice replaces the generic "ask someone with one of these roles"
    (an IO refused a DVA check is told to ask CCU, ¶4.37, not the police)."""
    generic = [b for b in blocks if b.rule == "role"]
    if len(generic) < 2:
        return blocks
    own = generic[1:]
    merged = Block(
        "; ".join([generic[0].reason, *(b.reason for b in own)]),
        "; ".join(b.remedy for b in own if b.remedy),
        rule="role",
    )
    return [merged if b is generic[0] else b for b in blocks if b not in own]


# ``Step(...)`` without its generated ``__new__``'s Python call: a fold makes one an event.
_new_step = tuple.__new__


def step_fields(payload: str) -> dict[str, Any]:
    """The fields of an event's payload, as a dict of the step's own.

    Most payloads of a log are one of a few texts (``{"fields":{}}``, a guard's name and an
    encounter number): two in three events of a synth year repeat one read before.  So the
    fields of a payload that holds no personal digests (each subject's own, never repeated)
    are parsed once and copied, a tenth of parsing them again; a fold parses one per event.
    """
    known = _FIELDS.get(payload)
    if known is None:
        known = _payload_fields(payload)
        if _PERSONAL not in payload:
            if len(_FIELDS) >= _FIELDS_KEPT:
                _FIELDS.clear()
            _FIELDS[payload] = known
    return dict(known)


def _payload_fields(payload: str) -> dict[str, Any]:
    """The ``fields`` object of a payload; one the store cannot have written (not JSON, not an
    object) is damage to the log, for ``verify`` to name: every reading command says so in
    one line instead of failing on it."""
    try:
        data = json.loads(payload)
        fields = data.get("fields", {}) if isinstance(data, dict) else None
    except (TypeError, ValueError, RecursionError):
        fields = None
    if not isinstance(fields, dict):
        raise DatabaseError(
            "an event of this log cannot be read (its payload is not the JSON object the store "
            "writes): run `casetracker verify`"
        )
    return fields


_FIELDS: dict[str, dict[str, Any]] = {}  # payload text -> its fields, never handed out
_FIELDS_KEPT = 4096
_PERSONAL = '"personal"'
