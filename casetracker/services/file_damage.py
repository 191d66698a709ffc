"""Declaring a damaged SQLite file repaired: the one way to lift the refusal to write into it.

When verify finds the file damaged (SQLite's own check, ``casetracker.adapters.file_check``) it
leaves a marker beside the file, and every write transaction refuses while the marker is there
(``casetracker.adapters.database.DAMAGE_MARKER``).  After a repair - a backup restored, or
``REINDEX`` when only an index was named - an admin runs ``casetracker repaired``: SQLite's
thorough check (``integrity_check``) runs first, and only a file it finds whole loses its
marker.  The lifting is logged in the access log, like every act of an admin.
"""

from __future__ import annotations

from casetracker.adapters import access_log
from casetracker.adapters.database import damage_marker
from casetracker.adapters.file_check import PhysicalCheck
from casetracker.domain.errors import DatabaseError, UsageError
from casetracker.services.cases import Casetracker

REPAIRED_ACTION = "repaired"  # the access-log action of a lifted damage marker


def declare_repaired(ct: Casetracker) -> str:
    """Remove the damage marker of ``ct``'s database if the file is whole now; returns what
    the marker said.  Admins only; refused with the database unchanged otherwise."""
    actor = ct.require_role(("admin",), "declare the database file repaired")
    marker = damage_marker(ct.url)
    if marker is None or not marker.exists():
        raise UsageError("no damage is recorded for this database: nothing to declare repaired")
    recorded = marker.read_text("utf-8", errors="replace").strip()
    # On a connection of its own, never committed: a page so broken that the check stops on it
    # also fails the COMMIT of any transaction that read it, which must still say "damaged".
    with ct.engine.connect() as conn:
        found = PhysicalCheck(conn, thorough=True).problems()
    if found:
        raise DatabaseError(f"the file is still damaged: {found[0]}")
    marker.unlink()
    with ct.engine.begin() as conn:
        access_log.append(
            conn,
            user=actor.user,
            role=actor.role,
            action=REPAIRED_ACTION,
            detail={"damage": recorded.splitlines()[:1]},
        )
    return recorded
