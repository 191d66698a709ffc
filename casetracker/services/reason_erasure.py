"""Erasing a reason given for a read that concerns no case (issue 13: free text is personal data).

A reason for reading a case is kept beside its access-log entry and goes with the erasure of the
case's subject (``subjects.erase``).  A reason given for a read of no one case - an inspection
sample's, which the sample's cases do not own - has no subject whose erasure would reach it, so
an admin erases it by the entry's position, when a person asks for what they are named in to be
erased.  The entry keeps its digest (irreversible once the salt is gone) and the chain still
verifies; the erasure is itself logged, and the clean-up that leaves no byte behind runs after
(``subjects.clean_up``, docs/privacy.md).
"""

from __future__ import annotations

from casetracker.adapters import access_log, subjects
from casetracker.adapters.database import write_transaction
from casetracker.domain.errors import UsageError
from casetracker.services.cases import Casetracker


def erase_reason(ct: Casetracker, position: int) -> None:
    """Erase the reason kept for access-log entry ``position``; admins only, logged."""
    actor = ct.require_role(("admin",), "erase a reason given for reading")
    with write_transaction(ct.engine) as conn:
        if not access_log.caseless_reason(conn, position):
            raise UsageError(
                f"access-log entry {position} keeps no reason for a read of no case (a reason "
                "for reading a case is erased with its subject: erase_subject)"
            )
        access_log.erase_reason(conn, user=actor.user, role=actor.role, position=position)
    subjects.clean_up(ct.engine)
