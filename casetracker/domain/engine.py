"""The workflow engine: one compiled state machine per definition version, cases kept detached.

For each (lifecycle, version) one ``transitions.Machine`` is built, once, with ``model=None`` and
no auto transitions, no conditions and no callbacks; an action is fired by reading its destination
from the machine's transition table for the lifecycle's current state (``fire``), which is all
``trigger`` would do for such a machine, less its callback plumbing (no per-case memory).  Replaying
recorded history does not go through ``transitions``: a lookup table compiled from the same
definitions (``(lifecycle, version, action) -> (sources, dest)``) is ~70× faster and never
re-evaluates a guard against today's data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from casetracker.domain.case_view import Attempt, Block, CaseView, Instance, Step, instance_key
from casetracker.domain.clock import parse_recorded
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.events import RecordedEvent
from casetracker.domain.projection import ReplayTable, replay_step
from casetracker.domain.vocabulary import NEW, ActionSpec, WorkflowSpec

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
        self._replay: ReplayTable = {}
        self._machines: dict[tuple[str, int], Machine] = {}
        for spec in self.definitions:
            key = (spec.name, spec.version)
            if key in self.specs:
                raise ValueError(f"{spec.name} version {spec.version} is defined twice")
            self.specs[key] = spec
            if spec.name not in self.latest or spec.version > self.latest[spec.name].version:
                self.latest[spec.name] = spec
            for action in spec.actions:
                owner = self.action_owner.setdefault(action.name, spec.name)
                if owner != spec.name:
                    raise ValueError(f"action {action.name} is defined by {owner} and {spec.name}")
                self._replay[(spec.name, spec.version, action.name)] = (
                    frozenset(action.sources),
                    action.dest,
                    spec.initial,
                )
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
            spec = self.specs[key]
            states = [s.name for s in spec.states]
            if any(NEW in a.sources for a in spec.actions):
                states.append(NEW)
            found = Machine(
                model=None,
                states=states,
                initial=NEW if spec.many else spec.initial,
                transitions=[
                    {"trigger": a.name, "source": list(a.sources), "dest": a.dest}
                    for a in spec.actions
                ],
                auto_transitions=False,
                send_event=False,
            )
            self._machines[key] = found
        return found

    # ------------------------------------------------------------ projection

    def apply(
        self, state: dict[str, str], workflow: str, version: int, instance: int, action: str
    ) -> None:
        """The store's projector: advance one instance's state by table lookup."""
        replay_step(self._replay, state, workflow, version, instance, action)

    def replay_table(self) -> ReplayTable:
        """For replaying millions of events (``casetracker.domain.projection.replay_step``)."""
        return self._replay

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
        for event in events:
            self.advance(
                view,
                event.workflow,
                event.workflow_version,
                event.instance,
                event.action,
                Step(
                    event.seq,
                    event.action,
                    parse_canonical(event.effective),
                    json.loads(event.payload).get("fields", {}),
                    event.actor_role,
                    parse_recorded(event.recorded),
                ),
                strict,
            )
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
        instance = view.instances.get(key)
        if instance is None:
            spec = self.specs[(workflow, version)]
            start = NEW if number else spec.initial
            instance = Instance(workflow, number, start, version=spec.version)
            view.instances[key] = instance
        sources, dest, _ = self._replay[(workflow, version, action)]
        if strict and instance.state not in sources:
            raise ValueError(
                f"event {step.seq} of {view.case_id}: {action} cannot apply to {key} "
                f"in state {instance.state!r}"
            )
        instance.state = dest
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
            return [Block(f"{spec.label} has no action {attempt.action}", rule="state")]
        blocks: list[Block] = []
        if current not in action.sources:
            blocks.append(self._state_block(spec, attempt.number, current, action))
        if attempt.actor_role not in action.roles:
            allowed = ", ".join(r.value for r in action.roles)
            blocks.append(
                Block(
                    f"the {attempt.actor_role} role may not {action.label.lower()}",
                    f"ask someone with one of these roles: {allowed}",
                    rule="role",
                )
            )
        # Guards run even when the state or role already blocks, so that every reason is
        # given at once ("directions deferred by a judicial review; no travel document").
        ctx = self.context(view, attempt) if action.guards else None
        pending = getattr(ctx, "needs_input", None)  # fields a preview has not got yet
        for name in action.guards:
            if pending:
                pending.clear()  # one context for every guard; what each one waits for is its own
            found = self.guards[name](ctx)
            if attempt.preview and pending:
                continue  # decided only once the form is filled in
            blocks.extend(Block(b.reason, b.remedy, b.rule or name) for b in found)
        return blocks

    def fire(self, view: CaseView, attempt: Attempt) -> str:
        """Take the transition through the compiled machine; returns the destination state.

        The destination is read from the machine's own transition table for the current state,
        as ``trigger`` would find it: the machines are built with no conditions and no callbacks,
        so triggering would do only that lookup and then set the state, at ~5 µs of callback
        plumbing and logging calls per action.
        """
        spec, current = self._target(view, attempt.workflow, attempt.number)
        event = self.machine(spec.name, spec.version).events[attempt.action]
        found = event.transitions.get(current)
        if not found:
            raise MachineError(f"Can't trigger event {attempt.action} from state {current}!")
        return found[0].dest

    def version_for(self, view: CaseView, workflow: str, number: int | None) -> int:
        """Existing instances stay on the version they started under; new ones take the latest."""
        if number is not None:
            found = view.instances.get(instance_key(workflow, number))
            if found is not None:
                return found.version
        return self.latest[workflow].version

    def options(
        self, view: CaseView, role: str, make_attempt: Callable[..., Attempt]
    ) -> list[Option]:
        """Every action of every lifecycle, each either allowed now or with all its blocks."""
        out: list[Option] = []
        for name, latest in self.latest.items():
            instances = view.of(name)
            for action_name in [a.name for a in latest.actions]:
                targets: list[int | None]
                if latest.many:
                    starts = NEW in latest.action(action_name).sources  # type: ignore[union-attr]
                    live = [i.number for i in instances if self._has(i, action_name)]
                    targets = (
                        [None]
                        if starts
                        else (live[-1:] or [instances[-1].number] if instances else [None])
                    )
                else:
                    targets = [0]
                for number in targets:
                    spec, _ = self._target(view, name, number)
                    action = spec.action(action_name)
                    if action is None:
                        continue
                    attempt = make_attempt(name, 0 if number is None else number, action_name, role)
                    out.append(
                        Option(name, spec.version, number, action, tuple(self.check(view, attempt)))
                    )
        return out

    def _has(self, instance: Instance, action_name: str) -> bool:
        action = self.specs[(instance.workflow, instance.version)].action(action_name)
        return action is not None and instance.state in action.sources

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

    def _state_block(
        self, spec: WorkflowSpec, number: int | None, current: str, action: ActionSpec
    ) -> Block:
        def label(state: str) -> str:
            found = spec.state(state)
            return found.label if found else ("not started" if state == NEW else state)

        where = instance_key(spec.name, number or 0) if spec.many and number else spec.label
        needs = " or ".join(label(s) for s in action.sources)
        if current == NEW and spec.many:
            return Block(
                f"there is no {spec.label.lower()} that can {action.label.lower()}", rule="state"
            )
        return Block(f"{where} is {label(current)}; this needs {needs}", rule="state")
