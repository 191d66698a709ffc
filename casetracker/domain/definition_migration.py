"""Moving a lifecycle instance to a newer version of its definition (issue 16 item 5).

An instance stays on the definition version it started under (docs/event-format.md: each
event records the version it was checked against), so a version that gains an action is of no
use to cases already open, until they are moved.  Moving one is an event like any other, of the
instance's lifecycle, recorded under the *new* version with the reserved action
``migrate_definition``: folding it sets the instance's version and its state (the state of the
same name, or the one the new version's ``renamed`` maps it to), so replaying the log, verify and
rebuild all see the move where it happened, and the events before it keep their old version.

Before moving, each instance's history is replayed under the new version's machine (no guards:
replay never re-evaluates them, docs/architecture.md), and every difference is listed: a step
the new version has no action for or would refuse from where the instance stood, a state that
no longer exists (and what it maps to), a replayed end state other than the mapped one.  Only an
instance whose current state has no place in the new version cannot be moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from transitions import Machine

from casetracker.domain import machines
from casetracker.domain.case_view import Instance
from casetracker.domain.vocabulary import NEW, WorkflowSpec

MIGRATE = "migrate_definition"  # no definition may name an action so (the engine refuses it)
MIGRATING_ROLES = ("admin",)  # who moves instances between versions: an assumption


def mapped_state(target: WorkflowSpec, state: str) -> str | None:
    """Where ``state`` (of an earlier version) lands in ``target``; None: it has no place."""
    if state == NEW or target.state(state) is not None:
        return state
    return target.renamed.get(state)


def moves(older: Iterable[WorkflowSpec], target: WorkflowSpec) -> dict[str, str]:
    """The migration step as a transition table: each state of an older version that has a
    place in ``target``, and that place (what replaying a recorded migration needs)."""
    found: dict[str, str] = {}
    for spec in older:
        for state in spec.states:
            dest = mapped_state(target, state.name)
            if dest is not None:
                found.setdefault(state.name, dest)
    return found


@dataclass(frozen=True)
class InstancePlan:
    """What moving one instance to ``to_version`` would change, in words."""

    key: str
    from_version: int
    to_version: int
    state: str
    new_state: str | None  # None: the state has no place in the new version
    differences: tuple[str, ...]

    @property
    def movable(self) -> bool:
        return self.new_state is not None


def plan(instance: Instance, target: WorkflowSpec, machine: Machine) -> InstancePlan:
    """Replay ``instance``'s steps under ``target`` (``machine`` is its compiled machine) and
    say what differs from the history as recorded."""
    current = NEW if target.many else target.initial
    differences: list[str] = []
    for step in instance.history:
        if step.action == MIGRATE:  # an earlier move: the replay starts over from its state
            current = str(step.fields.get("migrated_to_state", current))
            continue
        if target.action(step.action) is None:
            differences.append(
                f"event {step.seq}: {step.action} — version {target.version} has no such action"
            )
            continue
        if not machines.leaves(machine, step.action, current):
            needs = " or ".join(machines.sources(machine, step.action))
            differences.append(
                f"event {step.seq}: {step.action} from {current} — version {target.version} "
                f"would refuse it (it needs {needs})"
            )
            continue
        current = machines.lands_in(machine, step.action, current)
    new_state = mapped_state(target, instance.state)
    if new_state is None:
        differences.append(
            f"state {instance.state} does not exist in version {target.version} and it maps "
            "no state there: add it to the version's renamed states"
        )
    else:
        if new_state != instance.state:
            differences.append(f"state {instance.state} becomes {new_state}")
        if current != new_state:
            differences.append(
                f"replayed under version {target.version} the record would be {current}, "
                f"not {new_state}"
            )
    return InstancePlan(
        instance.key,
        instance.version,
        target.version,
        instance.state,
        new_state,
        tuple(differences),
    )
