"""What every full screen shares: the session header, the key bar, and running database work
in a thread worker that posts ``Loaded`` or ``Failed`` back, so the screen never freezes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from casetracker.domain.errors import CasetrackerError
from casetracker.services.cases import AUDITING_ROLES
from tui.messages import Failed, Loaded
from tui.widgets.key_bar import KeyBar
from tui.widgets.session_header import SessionHeader


class SessionScreen(Screen):
    """A screen of the signed-in session; ``HELP`` explains it in the help screen."""

    HELP = ""
    TITLE_TEXT = ""
    epoch = 0  # bumped by a screen that is reused for other content: older replies are stale

    def header(self) -> SessionHeader:
        return SessionHeader(self.TITLE_TEXT)

    def footer(self) -> KeyBar:
        return KeyBar()

    @property
    def service(self) -> Any:
        return self.app.service  # type: ignore[attr-defined]

    @property
    def may_read_access_log(self) -> bool:
        """Only auditors read who consulted a case (the service refuses anyone else), so the
        key and the command are not offered to the other roles."""
        actor = getattr(self.app, "actor", None)
        return actor is not None and actor.role in AUDITING_ROLES

    def run_db(self, what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``call`` in a thread worker (one per ``what`` at a time: a newer one cancels
        the older), posting ``Loaded(what, result)`` or ``Failed(what, error)``."""

        epoch = self.epoch

        def job() -> None:
            try:
                data = call(*args, **kwargs)
            except CasetrackerError as exc:
                self.post_message(Failed(what, exc, epoch))
                return
            self.post_message(Loaded(what, data, epoch))

        self.run_worker(job, thread=True, exclusive=True, group=what, name=what)

    def commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        """Command-palette entries this screen offers: (namespaced title, callback, help)."""
        return []

    def on_failed(self, message: Failed) -> None:
        self.notify(str(message.error), title="refused", severity="error", timeout=8)
