"""Who acts: a registered user and the role they act in, and the users demo and training
databases are seeded with.  Where the name comes from (the operating system, the database login)
is the adapters' business (``casetracker.adapters.users``)."""

from __future__ import annotations

from dataclasses import dataclass

from casetracker.domain.errors import UsageError
from casetracker.domain.organisation import Organisation
from casetracker.domain.vocabulary import Role

# Police forces are separate data controllers: a user acting in one of these roles belongs to
# one force and sees only that force's cases (``casetracker.domain.forces``).
FORCE_BOUND_ROLES = ("police",)

# The deadline clock records what it notices as this user in this role (``casetracker tick``,
# issue 16).  No person may be registered under the name, hold the role or act as either: the
# user list, ``--as`` and the login are all refused it, and on PostgreSQL the event guard lets
# such an event in only from a tick (migration 0009).
SYSTEM_USER = "system"
SYSTEM_ROLE = Role.SYSTEM.value


@dataclass(frozen=True)
class Actor:
    user: str
    role: str
    display_name: str = ""
    roles: tuple[str, ...] = ()  # every role the user holds
    force: str = ""  # a police user's force code; empty for everyone else

    @property
    def force_bound(self) -> bool:
        """Whether this actor, in the role they act in, sees only their own force's cases."""
        return self.role in FORCE_BOUND_ROLES


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    roles: tuple[str, ...]
    active: bool
    force: str = ""
    superintendent: bool = False  # may authorise a PACE extension (casetracker.domain.four_eyes)


def parse_roles(text: str | list[str]) -> tuple[str, ...]:
    items = text if isinstance(text, list) else [p.strip() for p in text.split(",") if p.strip()]
    valid = {r.value for r in Role} - {SYSTEM_ROLE}
    for item in items:
        if item not in valid:
            raise UsageError(f"unknown role {item!r} (roles: {', '.join(sorted(valid))})")
    if not items:
        raise UsageError("give at least one role")
    return tuple(items)


def parse_force(code: str, roles: tuple[str, ...], org: Organisation) -> str:
    """A user's force as typed: a configured force's code, for a user who holds a police role;
    anyone else has none."""
    code = code.strip().upper()
    if not code:
        return ""
    if not any(role in FORCE_BOUND_ROLES for role in roles):
        raise UsageError(f"--force is only for police users (roles given: {', '.join(roles)})")
    if org.force(code) is None:
        raise UsageError(f"--force: {code} is not a configured police force")
    return code


# Demo and training databases ship one user per role, picked with ``--as``; the police user is
# the Metropolitan Police's, and ``SEEDED_POLICE`` adds one officer for each other force the
# demo's arrests come from, so a trainer can show the boundary between forces.
SEEDED_FORCE = "MPS"
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
SEEDED_POLICE = {
    SEEDED_FORCE: SEEDED_USERS["police"],
    "WMP": ("pc.wmp", "PC Wendy Demo (West Midlands custody officer)"),
    "WYP": ("pc.wyp", "PC Wyn Demo (West Yorkshire custody officer)"),
    "GMP": ("pc.gmp", "PC Gus Demo (Greater Manchester custody officer)"),
    "KEN": ("pc.ken", "PC Ken Demo (Kent custody officer)"),
    "TVP": ("pc.tvp", "PC Tyler Demo (Thames Valley custody officer)"),
    "ESX": ("pc.esx", "PC Essie Demo (Essex custody officer)"),
}
# A PACE extension is authorised by a superintendent, never by the officer who proposed it
# (``casetracker.domain.four_eyes``): each force with a seeded officer has a seeded police user
# marked a superintendent, so a trainer can show a proposal authorised, not only withdrawn or
# lapsed.
SEEDED_SUPERINTENDENTS = {
    "MPS": ("supt.demo", "Supt Sam Demo (MPS superintendent)"),
    "WMP": ("supt.wmp", "Supt Win Demo (West Midlands superintendent)"),
    "WYP": ("supt.wyp", "Supt Wes Demo (West Yorkshire superintendent)"),
    "GMP": ("supt.gmp", "Supt Gail Demo (Greater Manchester superintendent)"),
    "KEN": ("supt.ken", "Supt Kit Demo (Kent superintendent)"),
    "TVP": ("supt.tvp", "Supt Theo Demo (Thames Valley superintendent)"),
    "ESX": ("supt.esx", "Supt Esme Demo (Essex superintendent)"),
}


def seeded_user(role: str, force: str = "") -> str:
    """The seeded user who acts in ``role`` (for the police, the officer of ``force``)."""
    if role in FORCE_BOUND_ROLES and force:
        return SEEDED_POLICE.get(force.upper(), SEEDED_USERS[role])[0]
    return SEEDED_USERS[role][0]
