"""Who is acting, and in which role.

In a live database nobody becomes someone else by typing a name, or by setting an environment
variable: the user is the operating-system account this process runs as (its effective uid, read
from the password database, never ``LOGNAME`` or ``USER``) for a local SQLite file, and the
session's login role (``session_user``, which ``SET ROLE`` does not change) on PostgreSQL; that
name must be registered in ``users`` with the role asked for.  Demo and training databases ship
seeded users of every role and let a person pick one with ``--as`` (every output then says DEMO
or TRAINING).
"""

from __future__ import annotations

import json
import os
import pwd

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.tables import USERS
from casetracker.domain.errors import NotPermitted, UsageError
from casetracker.domain.identity import (
    SEEDED_FORCE,
    SEEDED_POLICE,
    SEEDED_SUPERINTENDENTS,
    SEEDED_USERS,
    SYSTEM_ROLE,
    SYSTEM_USER,
    Actor,
    User,
)
from casetracker.integrity.encoding import canonical_json


def login_name(conn: Connection) -> str:
    """The account the operating system or the database server says we are."""
    if conn.dialect.name == "postgresql":
        return str(conn.execute(sa.select(sa.func.session_user())).scalar())
    return os_account()


def os_account() -> str:
    """The effective uid's account name; an account with no name is refused, not guessed."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise NotPermitted(f"this process runs as uid {uid}, which has no account name") from None


def get_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(sa.select(USERS).where(USERS.c.name == name)).first()
    if row is None:
        return None
    return _user(row)


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(sa.select(USERS).order_by(USERS.c.name))]


def _user(row: sa.Row) -> User:
    roles = tuple(json.loads(row.roles))
    return User(
        row.name, row.display_name, roles, bool(row.active), row.force or "",
        bool(row.superintendent),
    )  # fmt: skip


def is_superintendent(conn: Connection, name: str) -> bool:
    """Whether an active user is marked a superintendent (a PACE extension's authoriser)."""
    found = conn.execute(
        sa.select(USERS.c.superintendent).where(USERS.c.name == name, USERS.c.active)
    ).scalar()
    return bool(found)


def save_user(
    conn: Connection,
    name: str,
    display_name: str,
    roles: tuple[str, ...],
    force: str = "",
    superintendent: bool | None = None,
) -> None:
    """Register a user or change them; ``superintendent`` None keeps the mark as it is."""
    if not name or any(c.isspace() for c in name):
        raise UsageError("a user name must be one word")
    if name == SYSTEM_USER or SYSTEM_ROLE in roles:
        raise UsageError(f"{SYSTEM_USER!r} is the deadline clock's name and role, not a person's")
    values = {
        "display_name": display_name or name,
        "roles": canonical_json(list(roles)),
        "active": True,
        "force": force,
    }
    if conn.dialect.name == "postgresql":  # only an admin's function may write users there
        conn.execute(
            sa.select(
                sa.func.casetracker_save_user(name, values["display_name"], values["roles"], force)
            )
        )
        if superintendent is not None:
            conn.execute(sa.select(sa.func.casetracker_mark_superintendent(name, superintendent)))
        return
    if superintendent is not None:
        values["superintendent"] = superintendent
    if get_user(conn, name) is None:
        conn.execute(USERS.insert().values(name=name, **values))
    else:
        conn.execute(USERS.update().where(USERS.c.name == name).values(**values))


def resolve(conn: Connection, realm: str, as_user: str | None, role: str | None) -> Actor:
    """The acting user and role for this command, or NotPermitted saying why not."""
    if as_user and realm == "live" and as_user != login_name(conn):
        raise NotPermitted(
            f"--as is only for demo and training databases; in a live database you act as "
            f"your own account ({login_name(conn)})"
        )
    name = as_user or login_name(conn)
    if name == SYSTEM_USER or role == SYSTEM_ROLE:
        raise NotPermitted(
            f"nobody acts as {SYSTEM_USER!r}: only `casetracker tick` records its events"
        )
    user = get_user(conn, name)
    if user is None or not user.active:
        # Even `tick`, whose events are the user system's, is run by a registered user: the
        # access log names who ran it.  A newcomer on the demo took "as the user system" to mean
        # no user was needed, and was told only to pick one.
        hint = (
            "pick one of its seeded users with --as, e.g. `casetracker --as admin.demo tick` "
            "(`casetracker user list` lists them); every command, `tick` too, is run by one"
            if realm != "live"
            else "an admin can register it with `casetracker user add`"
        )
        where = "this database" if realm == "live" else f"this {realm} database"
        raise NotPermitted(f"user {name!r} is not registered in {where}: {hint}")
    if role is None:
        role = user.roles[0]
    elif role not in user.roles:
        raise NotPermitted(
            f"user {name} does not hold the {role} role (holds: {', '.join(user.roles)})"
        )
    return Actor(user.name, role, user.display_name, user.roles, user.force)


def seed_users(conn: Connection, realm: str) -> None:
    """Give a demo or training database one user for every role, a police officer and a
    superintendent for each of the demo's forces (never a live one)."""
    if realm == "live":
        raise NotPermitted("seeded users are only for demo and training databases")
    for role, (name, display) in SEEDED_USERS.items():
        save_user(conn, name, display, (role,), SEEDED_FORCE if role == "police" else "")
    for force, (name, display) in SEEDED_POLICE.items():
        if force != SEEDED_FORCE:  # the MPS officer is the police role's seeded user
            save_user(conn, name, display, ("police",), force)
    for force, (name, display) in SEEDED_SUPERINTENDENTS.items():
        save_user(conn, name, display, ("police",), force, superintendent=True)
