"""Which police forces a case belongs to, and so which police users may see it.

Police forces are separate data controllers (issue 13): an officer of one force has no business
in another's custody records.  A case belongs to the force of every arrest on it (each
``encounter`` names its force), so a person arrested by two forces is visible to both; a case
with no arrest yet belongs to the force it was opened for (the opening ``force`` field, which a
police officer's opening always carries: their own).  A police user with no force sees no case
at all.  Home Office roles, auditors, trainers and admins are not bound to a force.
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView
from casetracker.domain.identity import Actor
from casetracker.domain.rules.field_values import as_text


def case_forces(view: CaseView) -> frozenset[str]:
    """The codes of the forces a case belongs to (empty for a case no force holds)."""
    arrests = {as_text(e.fields.get("force")).strip().upper() for e in view.of("encounter")}
    arrests.discard("")
    if arrests:
        return frozenset(arrests)
    opened = view.one("case")
    force = as_text(opened.fields.get("force")).strip().upper() if opened else ""
    return frozenset({force} if force else ())


def may_see(actor: Actor, view: CaseView) -> bool:
    """Whether ``actor``, in the role they act in, may see (and so act on) the case."""
    return not actor.force_bound or (bool(actor.force) and actor.force in case_forces(view))


def without_force(actor: Actor) -> str:
    """Why a force-bound user with no force sees nothing, and what fixes it."""
    return (
        f"user {actor.user} belongs to no police force, so sees no case: an admin sets it with "
        f"`casetracker user add {actor.user} --roles {','.join(actor.roles)} --force CODE`"
    )
