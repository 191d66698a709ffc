"""The contract between the store and whatever computes a case's current state.

The store keeps each case's state (a map from lifecycle instance to state name) in the ``cases``
table and updates it in the same transaction as every append, but it must not know what any
workflow means: it asks a ``Projector``.  The engine's projector is a lookup table compiled from
the workflow definitions, cheap enough to replay millions of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from casetracker.domain.vocabulary import NEW
from casetracker.integrity.encoding import canonical_json, stored_step


class Projector(Protocol):
    def apply(
        self, state: dict[str, str], workflow: str, version: int, instance: int, action: str
    ) -> None:
        """Advance ``state`` in place by one event; raise ``ValueError`` if it cannot apply."""

    def replay_table(self) -> ReplayTable:
        """The same steps as a plain table, for replaying whole logs (``replay_step``)."""


# (workflow, version, action) -> (states it may start from, state it leads to, initial state)
ReplayTable = dict[tuple[str, int, str], tuple[frozenset[str], str, str]]


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
    sources, dest, initial = entry
    key = f"{workflow}#{instance}" if instance else workflow
    current = state.get(key)
    if current is None:
        current = NEW if instance else initial
    if current not in sources:
        raise ValueError(f"{action} cannot apply to {key} in state {current!r}")
    state[key] = dest


# How many distinct sequences of steps a whole-log pass remembers the state of.  Most cases
# follow one of a few paths; a log where most do not would otherwise hold every case's steps.
REPLAY_MEMO_LIMIT = 50_000


def replay_stored(table: ReplayTable, steps: Iterable[str]) -> tuple[str, set[str]]:
    """The state (canonical JSON) a case's stored steps lead to, and the realms they are
    marked with; ``ValueError`` if a step is not in the stored form or cannot apply.

    Rebuild and the verifier's sweep run this once per distinct sequence of steps."""
    state: dict[str, str] = {}
    realms = set()
    for step in steps:
        realm, workflow, version, instance, action = stored_step(step)
        realms.add(realm)
        replay_step(table, state, workflow, version, instance, action)
    return canonical_json(state), realms
