"""Managing users through the ``Casetracker`` service: listing them, and registering or changing
one, which only an admin may do and which is logged like any other change.

A class of its own because it touches no case: it shares with the rest of the service only the
session (the actor and the refusal log of ``ActorSession``), not the force boundary or the view
cache.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log
from casetracker.adapters.database import read_transaction
from casetracker.adapters.users import list_users, save_user
from casetracker.domain.errors import NotPermitted, Refused, UsageError
from casetracker.domain.identity import User, parse_force, parse_roles
from casetracker.services.actor_session import ActorSession


class UserAdministration(ActorSession):
    """The users of the database, and an admin's changes to them."""

    def users(self) -> list[User]:
        with read_transaction(self.engine) as conn:
            return list_users(conn)

    def register_user(
        self,
        name: str,
        roles: str,
        display_name: str = "",
        force: str = "",
        superintendent: bool | None = None,
    ) -> tuple[tuple[str, ...], str]:
        """Register a user or change them from what an admin typed (``casetracker user add``,
        the TUI's admin screen): the roles (comma separated) and the force code are checked
        the one way, with the same messages wherever they were typed, then saved by
        ``save_user``.  ``superintendent`` marks (or unmarks) a police user who may authorise a
        PACE extension (four eyes); None leaves the mark as it is.  Returns the roles and the
        force code saved."""
        from casetracker.services.registry import organisation

        held = parse_roles(roles)
        code = parse_force(force, held, organisation())
        if superintendent and "police" not in held:
            raise UsageError("--superintendent: only a police user can be a superintendent")
        self.save_user(name, display_name, held, code, superintendent)
        return held, code

    def save_user(
        self,
        name: str,
        display_name: str,
        roles: tuple[str, ...],
        force: str = "",
        superintendent: bool | None = None,
    ) -> None:
        """Register a user or change their roles (and a police user's force): admins only,
        and logged."""
        actor = self.actor
        if actor.role != "admin":
            message = f"only the admin role may manage users (you act as {actor.role})"
            self._log_refusal(actor, "", "manage users", [message])
            raise NotPermitted(message)
        try:
            with self._connections.write() as conn:
                last = _last_admin(conn, name, roles)
                if last is None:
                    save_user(conn, name, display_name, roles, force, superintendent)
                    detail: dict[str, Any] = {"name": name, "roles": list(roles), "force": force}
                    if superintendent is not None:
                        detail["superintendent"] = superintendent
                    access_log.append(
                        conn, user=actor.user, role=actor.role, action="user-save", detail=detail
                    )
        except Exception as exc:  # the database's own guards refuse too: logged as ours are
            self._refused_by_database(exc, actor, "", "manage users")
            raise
        if last is not None:
            self._log_refusal(actor, "", "manage users", [last])
            raise Refused(last)


def _last_admin(conn: Connection, name: str, roles: tuple[str, ...]) -> str | None:
    """Why ``name`` may not be saved with ``roles``, if it would leave the database with no
    active admin: no one could then register or change a user (nor declare a file repaired),
    and casetracker has no way back (``init --roles`` leaves an existing database's users)."""
    if "admin" in roles:
        return None
    admins = [user.name for user in list_users(conn) if user.active and "admin" in user.roles]
    if admins != [name]:
        return None
    return (
        f"{name} is the only admin: give another user the admin role first, or no one could "
        "manage users again"
    )
