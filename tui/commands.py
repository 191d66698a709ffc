"""The command palette (ctrl+p): every command by a namespaced title.

``mode:`` switches how you work, ``user:`` and ``role:`` sign in again as another user or in
another of your roles (found by "sign", "switch" or "role"), ``view:`` opens another view of
what is on screen, ``case:`` takes an action on the open case, ``worklist:`` picks a queue.  The
active screen contributes its own commands (``SessionScreen.commands``), so the palette always
matches what is possible.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from casetracker.presenters.labels import role_label

MODE_HELP = {
    "work": "your worklist, cases and actions",
    "audit": "read-only: step through any case's history",
    "train": "the report's case studies, narrated",
    "reports": "referral rates per force and route",
    "admin": "users, their roles and forces (admins)",
}


Entry = tuple[str, Callable[[], Any], str]  # a command's title, what it does, its help


class ListedCommands(Provider):
    """Commands given as a list (``_commands``): every one before anything is typed, those
    whose title matches after."""

    def _commands(self) -> list[Entry]:
        return []

    async def discover(self) -> Hits:
        for title, callback, text in self._commands():
            yield DiscoveryHit(title, callback, help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=text)


class CaseActions(ListedCommands):
    """The open case's actions alone (``CaseScreen.action_commands``): the case screen's ``/``
    opens the palette with only these, so every action listed, not only the ten with number
    keys, is found by a few letters of its name."""

    def _commands(self) -> list[Entry]:
        listed = getattr(self.screen, "action_commands", None)
        return listed() if callable(listed) else []


class BulkActions(ListedCommands):
    """The actions allowed on the worklist's marked cases (``WorklistScreen.bulk_commands``):
    ``a`` opens the palette with these alone, where it had asked for an action's internal
    name (``add_note``)."""

    def _commands(self) -> list[Entry]:
        listed = getattr(self.screen, "bulk_commands", None)
        return listed() if callable(listed) else []


class CasetrackerCommands(ListedCommands):
    def _commands(self) -> list[Entry]:
        app: Any = self.app
        found: list[Entry] = []
        if app.service is not None:
            for mode, text in MODE_HELP.items():
                if mode == "admin" and (app.actor is None or app.actor.role != "admin"):
                    continue  # only an admin may change users
                found.append(
                    (f"mode: {mode}", partial(app.run_action, f"switch_mode('{mode}')"), text)
                )
        screen = self.screen
        commands = getattr(screen, "commands", None)
        if callable(commands):
            found.extend(commands())
        if app.service is not None and app.realm != "live":
            found.append(
                (
                    "user: sign in as another user (switch user)",
                    app.action_switch_user,
                    "back to the picker of seeded users (F6)",
                )
            )
        actor = app.actor
        if actor is not None:
            for role in actor.roles:
                if role != actor.role:
                    found.append(
                        (
                            f"role: act as {role_label(role)} (switch role)",
                            partial(app.action_switch_role, role),
                            f"sign in again as {actor.user} in the {role} role (F7: the next)",
                        )
                    )
        found.append(("app: help", app.action_help, "keys and help for what has focus"))
        return found
