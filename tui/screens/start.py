"""Opening the database and choosing who you are.

In a live database you are your own account (``casetracker.adapters.users``).  A demo or training
database ships one seeded user per role; without ``--as`` this screen lists them so that a new
user can try each role's work without reading a manual.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.layout import NARROW
from tui.messages import Failed, Loaded
from tui.screens.base import SessionScreen
from tui.widgets.pick_list import PickList

ROLE_HINT = {
    "police": "custody: arrests, referrals, the PACE clock",
    "ccu": "Command and Control Unit: status checks on CID",
    "joc": "Nexus JOC: assess referred offenders, High Harm",
    "immigration_officer": "serve papers, detain, ETDs, absconders, removal",
    "casework": "claims, deportation of serious offenders",
    "auditor": "read-only: replay any case's history and its access log",
    "trainer": "walk through the report's case studies",
    "admin": "users and the database",
}
# A superintendent is a police user who may also authorise another officer's proposal to extend
# detention (four eyes, fn 17): the picker says so, or the demo's four-eyes flow stays hidden.
SUPERINTENDENT_HINT = "superintendent: authorises a PACE extension another officer proposes"


def _hint(user: Any) -> str:
    """What the user is there for: their first role's work, or a superintendent's."""
    if getattr(user, "superintendent", False):
        return SUPERINTENDENT_HINT
    return ROLE_HINT.get(user.roles[0], user.roles[0]) if user.roles else ""


def user_prompts(users: list[Any], width: int) -> list[Text]:
    """One line per user in aligned columns (display name, account, what the role does), the
    first two as wide as their longest entry, so that a long officer's name never pushes its
    row out of line; the role's work takes the rest of the line, cut with an ellipsis.  Below
    ``NARROW`` columns the role's work goes on a line of its own under the name instead."""
    hints = [_hint(u) for u in users]
    if width < NARROW:
        return [
            Text.assemble((u.display_name, "bold"), (f"  {u.name}", "dim"), f"\n   {hint}")
            for u, hint in zip(users, hints, strict=True)
        ]
    name_width = max((len(u.display_name) for u in users), default=0)
    account_width = max((len(u.name) for u in users), default=0)
    # the option list's border, padding and scrollbar take 8 columns; two gaps of two
    room = max(width - 8 - name_width - account_width - 4, 0)
    return [
        Text.assemble(
            (f"{u.display_name:<{name_width}}", "bold"),
            (f"  {u.name:<{account_width}}", "dim"),
            f"  {hint if len(hint) <= room else hint[: max(room - 1, 0)] + '…'}",
        )
        for u, hint in zip(users, hints, strict=True)
    ]


class StartScreen(SessionScreen):
    AUTO_FOCUS = "#users"
    TITLE_TEXT = "sign in"
    HELP = (
        "Pick a seeded user: each holds one role, and the worklist, the actions you may take "
        "and the mode you start in follow from it.  Demo and training databases only."
    )

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="start"):
            yield Static("Opening the database…", id="start-note")
            yield PickList(id="users", help="signs in as the highlighted user")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one("#users").display = False
        app: Any = self.app
        self.run_db("open", self._open, app.url, app.as_user, app.role)

    @staticmethod
    def _open(url: str, as_user: str | None, role: str | None) -> Any:
        from casetracker.services.cases import Casetracker

        service = Casetracker(url, as_user=as_user, role=role)
        if service.realm != "live" and as_user is None:
            return ("pick", service, service.users())
        service.actor  # resolve now, in the worker: refuses an unregistered user  # noqa: B018
        return ("ready", service, [])

    @staticmethod
    def _as(url: str, name: str, role: str | None) -> Any:
        from casetracker.services.cases import Casetracker

        service = Casetracker(url, as_user=name, role=role)
        service.actor  # noqa: B018
        return ("ready", service, [])

    def on_loaded(self, message: Loaded) -> None:
        kind, service, users = message.data
        if kind == "ready":
            self.app.sign_in(service)  # type: ignore[attr-defined]
            return
        service.close()
        app: Any = self.app
        app.realm = service.realm
        for header in self.query("SessionHeader"):
            header.refresh_session()  # type: ignore[attr-defined]
        note = self.query_one("#start-note", Static)
        note.update(
            Text.assemble(
                (f"This is a {service.realm.upper()} database: nothing here is real.\n", "bold"),
                "Choose who to be (each seeded user holds one role):",
            )
        )
        options = self.query_one("#users", OptionList)
        for user, prompt in zip(users, user_prompts(users, self.app.size.width), strict=True):
            options.add_option(Option(prompt, id=user.name))
        options.display = True
        if options.option_count:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        app: Any = self.app
        self.run_db("open", self._as, app.url, event.option.id, None)

    def on_failed(self, message: Failed) -> None:
        self.query_one("#start-note", Static).update(
            Text(f"Cannot open: {message.error}", style="bold red")
        )
