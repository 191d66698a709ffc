"""Words a person reads for the identifiers the definitions and the roles use.

Roles are identifiers (``immigration_officer``) on the command line and in the log; on a screen
they are named as the report names the people who hold them (the Command and Control Unit,
the Nexus JOC, Criminal Casework).  Lifecycle records are named by their definition's label
(``encounter#1`` is "Encounter #1").  The CLI keeps the identifiers, which are what its options
take; the TUI shows these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from casetracker.domain.case_view import Block

ROLE_LABELS = {
    "police": "Police",
    "ccu": "CCU",
    "joc": "Nexus JOC",
    "immigration_officer": "Immigration officer",
    "casework": "Criminal Casework",
    "auditor": "Auditor",
    "trainer": "Trainer",
    "admin": "Administrator",
    "supervisor": "Supervisor",
    "system": "the deadline clock",
}
_ROLE_WORD = re.compile(r"\b(" + "|".join(sorted(ROLE_LABELS, key=len, reverse=True)) + r")\b")


def role_label(role: str) -> str:
    """How a role is named on screen; an unknown one as it is."""
    return ROLE_LABELS.get(str(role), str(role))


def roles_label(roles: Iterable[Any]) -> str:
    """Several roles, as "Police, CCU or Nexus JOC"."""
    names = [role_label(str(getattr(r, "value", r))) for r in roles]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def lifecycle_label(flow: Any, workflow: str, number: int | None) -> str:
    """A lifecycle record as a person reads it: "Encounter #1", or "new Status check" for an
    action that would start one.  ``flow`` is the service's (its ``latest`` definitions)."""
    spec = flow.latest.get(workflow)
    name = spec.label if spec is not None else workflow
    if number is None:
        return f"new {name[:1].lower()}{name[1:]}" if _common(name) else f"new {name}"
    return f"{name} #{number}" if spec is None or spec.many else name


def readable_block(block: Block) -> Block:
    """A refusal for want of a role with its roles named as on screen (the engine's words name
    role identifiers, which is what ``--role`` takes on the command line)."""
    if block.rule != "role":
        return block
    swap = lambda text: _ROLE_WORD.sub(lambda m: role_label(m.group(1)), text)  # noqa: E731
    return Block(swap(block.reason), swap(block.remedy), block.rule)


def _common(name: str) -> bool:
    """True for a label that starts with a common noun ("Status check"), which is lowercased
    after "new"; an initialism or a proper noun ("ETD", "DVA check") keeps its capital."""
    first = name.split(" ", 1)[0]
    return not (len(first) > 1 and first[1].isupper())
