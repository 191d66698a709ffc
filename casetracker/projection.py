"""The contract between the store and whatever computes a case's current state.

The store keeps each case's state (a map from lifecycle instance to state name) in the ``cases``
table and updates it in the same transaction as every append, but it must not know what any
workflow means: it asks a ``Projector``.  The engine's projector is a lookup table compiled from
the workflow definitions, cheap enough to replay millions of events.
"""

from __future__ import annotations

from typing import Protocol


class Projector(Protocol):
    def apply(
        self, state: dict[str, str], workflow: str, version: int, instance: int, action: str
    ) -> None:
        """Advance ``state`` in place by one event; raise ``ValueError`` if it cannot apply."""
