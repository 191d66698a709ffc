"""Who acts: a registered user and the role they act in, and the users demo and training
databases are seeded with.  Where the name comes from (the operating system, the database login)
is the adapters' business (``casetracker.adapters.users``)."""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.errors import UsageError
from casetracker.domain.vocabulary import Role


@dataclass(frozen=True)
class Actor:
    user: str
    role: str
    display_name: str = ""
    roles: tuple[str, ...] = ()  # every role the user holds


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    roles: tuple[str, ...]
    active: bool


def parse_roles(text: str | list[str]) -> tuple[str, ...]:
    items = text if isinstance(text, list) else [p.strip() for p in text.split(",") if p.strip()]
    valid = {r.value for r in Role}
    for item in items:
        if item not in valid:
            raise UsageError(f"unknown role {item!r} (roles: {', '.join(sorted(valid))})")
    if not items:
        raise UsageError("give at least one role")
    return tuple(items)


# Demo and training databases ship one user per role, picked with ``--as``.
SEEDED_USERS = {
    "police": ("pc.demo", "PC Dana Demo (custody officer)"),
    "ccu": ("ccu.demo", "Chris Demo (CCU call handler)"),
    "joc": ("joc.demo", "Jo Demo (Nexus JOC)"),
    "immigration_officer": ("io.demo", "Imran Demo (immigration officer)"),
    "casework": ("cw.demo", "Casey Demo (Criminal Casework)"),
    "auditor": ("audit.demo", "Aud Demo (inspector)"),
    "trainer": ("trainer.demo", "Tess Demo (trainer)"),
    "admin": ("admin.demo", "Ada Demo (administrator)"),
}
