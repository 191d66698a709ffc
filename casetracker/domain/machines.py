"""A workflow definition version compiled into a ``transitions.Machine``, and the questions the
engine asks it.

The machine is the one transition table: whether an action may leave a state, where it goes,
which states it leaves from (for the reason given when it may not), and the plain table replay
uses are all read from it through the library's public API, never from the definition again.
The machine holds no models: each decision sets the state of its own light token
(``Machine.set_state``) and triggers the event on it, so one machine serves every case and every
thread at once.
"""

from __future__ import annotations

from transitions import Machine, MachineError

from casetracker.domain.vocabulary import NEW, WorkflowSpec

# action -> {state it leaves from: state it leads to}
Moves = dict[str, dict[str, str]]


class _Token:
    """The model of one decision: just the lifecycle instance's state, set before triggering."""

    __slots__ = ("state",)
    state: str


def compile_machine(spec: WorkflowSpec) -> Machine:
    """One definition version as a machine with no models, auto transitions, guards or
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


def take(machine: Machine, action: str, state: str) -> str:
    """Trigger ``action`` on an instance in ``state``; the state it lands in.

    ``MachineError`` when the machine has no such transition out of ``state``.
    """
    event = machine.events.get(action)
    if event is None:
        raise MachineError(f"Can't trigger event {action} from state {state}!")
    token = _Token()
    machine.set_state(state, token)
    if not event.trigger(token):
        raise MachineError(f"Can't trigger event {action} from state {state}!")
    return token.state


def moves(machine: Machine) -> Moves:
    """Every action's transitions as a plain mapping, read from the machine: what replaying a
    recorded step needs, in a form a worker process can receive and look up without the
    library."""
    found: Moves = {}
    for action in machine.events:
        for transition in machine.get_transitions(trigger=action):
            dest = transition.source if transition.dest is None else transition.dest  # internal
            found.setdefault(action, {})[transition.source] = dest
    return found
