"""A workflow definition version compiled into a ``transitions.Machine``, and the questions the
engine asks it.

The machine is the one transition table: whether an action may leave a state, where it goes,
which states it leaves from (for the reason given when it may not), and the plain table replay
uses are all read from it through the library's public API (``Machine.get_transitions``), never
from the definition again.  The machine holds no models, so one machine serves every case and
every thread at once.

Where an action goes is read, not triggered: ``Event.trigger`` on a token model would land in the
same state (the machines have no conditions and no callbacks), but its callback plumbing costs
several times the rest of deciding, and bulk opening decides every step of every case.
"""

from __future__ import annotations

from transitions import Machine, MachineError, Transition

from casetracker.domain.vocabulary import NEW, WorkflowSpec

# action -> {state it leaves from: state it leads to}
Moves = dict[str, dict[str, str]]


def compile_machine(spec: WorkflowSpec) -> Machine:
    """One definition version as a machine with no models, auto transitions, conditions or
    callbacks: guards are the engine's business (they need the case), the machine knows states."""
    states = [s.name for s in spec.states]
    if any(NEW in a.sources for a in spec.actions):
        states.append(NEW)
    return Machine(
        model=None,
        states=states,
        initial=NEW if spec.many else spec.initial,
        transitions=[
            {"trigger": a.name, "source": list(a.sources), "dest": a.dest} for a in spec.actions
        ],
        auto_transitions=False,
        send_event=False,
    )


def leaves(machine: Machine, action: str, state: str) -> bool:
    """Whether the machine has a transition for ``action`` out of ``state``."""
    return bool(machine.get_transitions(trigger=action, source=state))


def sources(machine: Machine, action: str) -> list[str]:
    """The states ``action`` leaves from, in the order they were declared."""
    return [t.source for t in machine.get_transitions(trigger=action)]


def lands_in(machine: Machine, action: str, state: str) -> str:
    """The state ``action`` takes an instance in ``state`` to (the first transition declared).

    ``MachineError``, as triggering would raise, when the machine has no such transition.
    """
    found = machine.get_transitions(trigger=action, source=state)
    if not found:
        raise MachineError(f"Can't trigger event {action} from state {state}!")
    return _dest(found[0])


def moves(machine: Machine) -> Moves:
    """Every action's transitions as a plain mapping, read from the machine: what replaying a
    recorded step needs, in a form a worker process can receive and look up without the
    library."""
    found: Moves = {}
    for action in machine.events:
        for transition in machine.get_transitions(trigger=action):
            found.setdefault(action, {})[transition.source] = _dest(transition)
    return found


def _dest(transition: Transition) -> str:
    """Where a transition lands; an internal transition (no destination) stays put."""
    return transition.source if transition.dest is None else transition.dest
