"""The contract between the store and whatever computes a case's current state.

The store keeps each case's state (a map from lifecycle instance to state name) in the ``cases``
table and updates it in the same transaction as every append, but it must not know what any
workflow means: it asks a ``Projector``.  The engine's projector is a lookup table read from its
compiled state machines, cheap enough to replay millions of events.
"""

from __future__ import annotations

from typing import Protocol

from casetracker.domain.case_view import instance_key
from casetracker.domain.vocabulary import NEW


class Projector(Protocol):
    def apply(
        self, state: dict[str, str], workflow: str, version: int, instance: int, action: str
    ) -> None:
        """Advance ``state`` in place by one event; raise ``ValueError`` if it cannot apply."""

    def replay_table(self) -> ReplayTable:
        """The same steps as a plain table, for replaying whole logs (``replay_step``)."""


# (workflow, version, action) -> ({state it may leave from: state it leads to}, initial state)
ReplayTable = dict[tuple[str, int, str], tuple[dict[str, str], str]]


def replay_step(
    table: ReplayTable,
    state: dict[str, str],
    workflow: str,
    version: int,
    instance: int,
    action: str,
) -> None:
    """Advance ``state`` by one event using a compiled table; ``ValueError`` if it cannot apply.

    The one definition of a projection step: the store's projector, ``rebuild`` and the
    verifier (in this process or a worker process, which is why it needs nothing but the table).
    """
    entry = table.get((workflow, version, action))
    if entry is None:
        raise ValueError(f"{workflow} version {version} has no action {action!r}")
    moves, initial = entry
    key = instance_key(workflow, instance)
    current = state.get(key)
    if current is None:
        current = NEW if instance else initial
    dest = moves.get(current)
    if dest is None:
        raise ValueError(f"{action} cannot apply to {key} in state {current!r}")
    state[key] = dest
