"""A case as the rules see it: every lifecycle instance, its state, and how it got there.

Built by folding a case's recorded events (``casetracker.domain.engine.fold``).  Guards and derived
figures (clocks, flags) read this and nothing else, so they are pure functions that need no
database and can be tested as tables.
"""

from __future__ import annotations

from collections.abc import KeysView
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from casetracker.domain.effective_time import EffectiveTime


class Step(NamedTuple):
    """One recorded action as it applied to an instance (a tuple: a fold makes one per event)."""

    seq: int
    action: str
    effective: EffectiveTime
    fields: dict[str, Any]
    actor_role: str
    recorded: datetime


@dataclass
class Instance:
    """One run of a lifecycle on a case: the detention record, or encounter #3, or claim #2.

    ``fields`` merges the (non-personal) fields of every action applied to it, latest value
    winning; ``history`` keeps each step so rules can ask when something happened.
    """

    workflow: str
    number: int  # 0 for a lifecycle with one instance per case, 1, 2, ... otherwise
    state: str
    fields: dict[str, Any] = field(default_factory=dict)
    history: list[Step] = field(default_factory=list)
    version: int = 1  # definition version the instance runs under

    @property
    def key(self) -> str:
        return instance_key(self.workflow, self.number)

    def last(self, action: str) -> Step | None:
        return next((s for s in reversed(self.history) if s.action == action), None)

    def first(self, action: str) -> Step | None:
        return next((s for s in self.history if s.action == action), None)

    @property
    def started(self) -> Step | None:
        return self.history[0] if self.history else None


def _first(pair: tuple[int, str]) -> int:
    return pair[0]


def _keys_by_workflow(instances: dict[str, Instance]) -> dict[str, list[str]]:
    """The keys of each lifecycle's instances, in number order."""
    found: dict[str, list[tuple[int, str]]] = {}
    for key, instance in instances.items():
        found.setdefault(instance.workflow, []).append((instance.number, key))
    for listed in found.values():
        if len(listed) > 1:
            listed.sort(key=_first)
    return {workflow: [key for _, key in listed] for workflow, listed in found.items()}


def instance_key(workflow: str, number: int) -> str:
    return workflow if number == 0 else f"{workflow}#{number}"


@dataclass(frozen=True)
class Attempt:
    """An action somebody wants to take now, with what they supplied."""

    workflow: str
    number: int
    action: str
    fields: dict[str, Any]
    effective: EffectiveTime
    actor_role: str
    now: datetime
    preview: bool = False  # asking "what may I do now?", before any field has been filled in


@dataclass(frozen=True)
class Block:
    """One reason an action is not allowed, and what would lift it."""

    reason: str
    remedy: str = ""
    rule: str = ""  # the guard's name, so an auditor can see which rule blocked
    # The action whose taking lifts it, when that is the remedy: each surface names it its own
    # way (the command line by the command in ``remedy``, the TUI by the row that takes it).
    lifted_by: str = ""

    def __str__(self) -> str:
        return f"{self.reason} — {self.remedy}" if self.remedy else self.reason


@dataclass
class CaseView:
    case_id: str
    instances: dict[str, Instance] = field(default_factory=dict)
    steps: list[tuple[str, Step]] = field(default_factory=list)  # (instance key, step) in log order
    version: int = 0  # sequence number of the last event folded in
    head_hash: str = ""  # hash of that event
    # Read-model rows this process last wrote for the case
    # (casetracker.adapters.read_models.update).
    written: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # The salt of the case's subject record as this process last saw it, not erased
    # (casetracker.adapters.subjects.record); None when not known.
    subject_salt: str | None = field(default=None, compare=False, repr=False)
    # What a read model derived from the view so far, kept so that the next action extends it
    # instead of deriving it again from every step (casetracker.adapters.flow_model).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # The keys of each lifecycle's instances, oldest first, and the ``instances`` (the dict
    # and its size) they were read from (``of``).
    _keys: tuple[dict[str, Instance], int, dict[str, list[str]]] | None = field(
        default=None, init=False, compare=False, repr=False
    )

    def of(self, workflow: str) -> list[Instance]:
        """Every instance of a lifecycle, oldest first.

        Deriving a case's read-model rows asks this a score of times on every action, mostly
        for lifecycles the case has none of; scanning every instance each time was a third
        of it.  So the keys of each lifecycle's instances are indexed, and indexed again when
        ``instances`` is another dict or has grown: instances are only ever added to it (a
        fold adds one when a lifecycle starts), never taken out, and an instance's key never
        changes, so the index holds as long as the dict's size does.  The instances
        themselves are looked up afresh, so one put in place of another under its key (the
        same lifecycle and number) is the one found."""
        keys = self._indexed().get(workflow)
        if not keys:
            return []
        instances = self.instances
        return [instances[key] for key in keys]

    def lifecycles(self) -> KeysView[str]:
        """The lifecycles the case has an instance of (a rule about one it has none of has
        nothing to say)."""
        return self._indexed().keys()

    def _indexed(self) -> dict[str, list[str]]:
        instances = self.instances
        kept = self._keys
        if kept is None or kept[0] is not instances or kept[1] != len(instances):
            kept = self._keys = (instances, len(instances), _keys_by_workflow(instances))
        return kept[2]

    def one(self, workflow: str) -> Instance | None:
        return self.instances.get(workflow)

    def records_besides(self, key: str) -> tuple[tuple[Instance, int, str, int], ...]:
        """Every instance but ``key``'s, each with what a fold changes in it (its steps, state
        and version): equal for two views, or one view at two moments, whose other records
        had the same steps, so that what is derived from those records alone can be kept
        from one action to the next (``casetracker.domain.deadlines.outstanding``).  Only a
        step changes an instance's fields, but for the free text merged back from the
        subject record (``casetracker.domain.events.merge_free_text``), which nothing kept
        this way may read: a rebuild merges none, and must give the same rows."""
        return tuple(
            (instance, len(instance.history), instance.state, instance.version)
            for found, instance in self.instances.items()
            if found != key
        )

    def latest(self, workflow: str) -> Instance | None:
        found = self.of(workflow)
        return found[-1] if found else None
