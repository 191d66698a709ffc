"""What a guard sees, and the small helpers every guard module shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from casetracker.domain.case_view import Attempt, Block, CaseView, Instance, instance_key
from casetracker.domain.organisation import Force, Organisation
from casetracker.domain.rules.field_values import as_text

Guard = Callable[["GuardContext"], list[Block]]


@dataclass(frozen=True)
class GuardContext:
    """The case as folded so far, the attempted action, and the organisation's configuration."""

    view: CaseView
    attempt: Attempt
    org: Organisation
    # Set when a preview asked for a field nobody has filled in yet: the guard's verdict then
    # depends on input still to come, so the engine does not count it against the action.
    needs_input: set[str] = field(default_factory=set)
    # Fields whose checks the guard itself put off (``awaiting``): its other reasons still count.
    deferred: set[str] = field(default_factory=set)

    @property
    def target(self) -> Instance | None:
        """The instance the attempt acts on; None when it starts a new one."""
        return self.view.instances.get(instance_key(self.attempt.workflow, self.attempt.number))

    def awaiting(self, name: str) -> bool:
        """Whether a preview has not got this field yet: the guard skips the checks of it and
        still gives every reason that does not depend on it."""
        if self.attempt.preview and name not in self.attempt.fields:
            self.deferred.add(name)
            self.needs_input.add(name)
            return True
        return False

    def field(self, name: str) -> object:
        if self.attempt.preview and name not in self.attempt.fields:
            self.needs_input.add(name)
        return self.attempt.fields.get(name)

    def encounter_force(self, encounter_number: object) -> Force | None:
        """The force that made the arrest a status check refers to."""
        encounter = self.view.instances.get(instance_key("encounter", as_int(encounter_number)))
        if encounter is None:
            return None
        return self.org.force(as_text(encounter.fields.get("force")))


def block(rule: str, reason: str, remedy: str = "") -> Block:
    return Block(reason, remedy, rule)


def unknown_force(rule: str) -> list[Block]:
    """Why a rule that goes by the arrest's force cannot decide: the force is not known."""
    return [block(rule, "the encounter's force is not known", "correct the force on the arrest")]


def as_int(value: object) -> int:
    """A stored instance number; -1 (no such instance) when it is not a number."""
    try:
        return int(str(value))
    except ValueError:
        return -1
