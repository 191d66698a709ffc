"""The header every screen shows: which database (LIVE / DEMO / TRAINING), who, in what role.

People switch between a demo database and the live one; the realm badge is the first thing on
every screen so that nobody records a real action in the sandbox or a practice one in live.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from casetracker.presenters.labels import role_label

REALM_STYLES = {
    "live": "bold white on dark_red",
    "demo": "bold black on yellow",
    "training": "bold white on purple",
}


class SessionHeader(Static):
    DEFAULT_CSS = """
    SessionHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title = title

    def on_mount(self) -> None:
        self.refresh_session()

    def on_resize(self) -> None:
        self.refresh_session()

    def refresh_session(self) -> None:
        app = self.app
        realm = getattr(app, "realm", "") or "?"
        actor = getattr(app, "actor", None)
        text = Text()
        text.append(f" {realm.upper()} ", style=REALM_STYLES.get(realm, "reverse"))
        wide = self.size.width >= 100
        if wide:
            text.append(" casetracker ", style="bold")
        if actor is not None:
            if wide:
                text.append(f" {actor.display_name or actor.user} ", style="")
            text.append(f"({actor.user}) " if wide else f" {actor.user} ", style="dim")
            text.append(f" {role_label(actor.role)} ", style="bold reverse")
        else:
            text.append(" not signed in ", style="dim")
        mode = getattr(app, "current_mode", "")
        if mode and mode != "_default":
            text.append(f"  {mode} mode", style="italic")
        if self.title:
            text.append(f"  · {self.title}", style="bold")
        self.update(text)
