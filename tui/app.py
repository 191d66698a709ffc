"""The casetracker terminal UI: an App with one mode per way of working.

work — a caseworker's queues, cases and actions; audit — read-only history stepping;
train — the report's case studies, narrated; reports — management information.  The app holds
the service (``casetracker.services.cases.Casetracker``) for the signed-in user; screens call it in
thread workers and never touch SQL.  Key bindings carry ids so ``config.toml`` can remap them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingsMap, BindingType
from textual.notifications import SeverityLevel

from casetracker.domain.identity import Actor
from tui.commands import CasetrackerCommands
from tui.config import (
    check_keymap,
    class_name,
    declared_bindings,
    load_keys,
    load_theme,
    save_theme,
)
from tui.layout import NARROW, SHORT
from tui.screens.start import StartScreen

MODE_FOR_ROLE = {"auditor": "audit", "trainer": "train", "admin": "admin"}
NOTICES_KEPT = 200  # the app's own record of what it told the user (``notices``)


@dataclass(frozen=True)
class Notice:
    """One notification as the user was shown it."""

    message: str
    title: str
    severity: str


def _work() -> Any:
    from tui.screens.worklist import WorklistScreen

    return WorklistScreen("work")


def _audit() -> Any:
    from tui.screens.worklist import WorklistScreen

    return WorklistScreen("audit")


def _train() -> Any:
    from tui.screens.train import TrainScreen

    return TrainScreen()


def _reports() -> Any:
    from tui.screens.reports import ReportsScreen

    return ReportsScreen()


def _admin() -> Any:
    from tui.screens.admin import AdminScreen

    return AdminScreen()


class CasetrackerApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "casetracker"
    MODES: ClassVar[dict[str, Any]] = {
        "work": _work,
        "audit": _audit,
        "train": _train,
        "reports": _reports,
        "admin": _admin,
    }
    COMMANDS = App.COMMANDS | {CasetrackerCommands}
    # Screen classes for small terminals (80×24 is the smallest laid out for): app.tcss and
    # the screens fit what they show to them.  Textual's typing declares these per instance,
    # so they cannot be marked ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Leave casetracker"),
        Binding(
            "question_mark,f1", "help", "Help", id="app.help", tooltip="Help for what has focus"
        ),
        Binding("escape", "back", "Back", id="app.back", tooltip="Back to the previous screen"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            id="app.palette",
            tooltip="Every command, by name",
        ),
        Binding(
            "f6",
            "switch_user",
            "Switch user",
            id="app.switch_user",
            tooltip="Sign in as another seeded user (demo and training databases)",
        ),
        Binding(
            "f7",
            "next_role",
            "Switch role",
            id="app.switch_role",
            tooltip="Act in the next of the roles you hold",
        ),
        Binding(
            "f2", "switch_mode('work')", "Work", show=False, id="app.mode.work", tooltip="Work mode"
        ),
        Binding(
            "f3",
            "switch_mode('audit')",
            "Audit",
            show=False,
            id="app.mode.audit",
            tooltip="Audit mode",
        ),
        Binding(
            "f4",
            "switch_mode('train')",
            "Train",
            show=False,
            id="app.mode.train",
            tooltip="Train mode",
        ),
        Binding(
            "f5",
            "switch_mode('reports')",
            "Reports",
            show=False,
            id="app.mode.reports",
            tooltip="Reports",
        ),
        Binding(
            "f8",
            "switch_mode('admin')",
            "Users",
            show=False,
            id="app.mode.admin",
            tooltip="Users, roles and forces (admins)",
        ),
    ]

    def __init__(
        self, url: str, as_user: str | None = None, role: str | None = None, open_case: str = ""
    ) -> None:
        """``open_case``: a case to open once signed in (a training fork being continued)."""
        super().__init__()
        self.url = url
        self.as_user = as_user
        self.role = role
        self.open_case = open_case
        self.service: Any = None
        self.realm = ""
        self.actor: Actor | None = None
        self.keys = load_keys()
        self.notices: list[Notice] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification and keep it in ``notices`` (the last ``NOTICES_KEPT``): what the
        user was told stays answerable after the toast has gone, by tests among others."""
        self.notices = [*self.notices[-NOTICES_KEPT + 1 :], Notice(message, title, severity)]
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def get_default_screen(self) -> StartScreen:
        return StartScreen()

    def on_mount(self) -> None:
        """Apply ``[keys]`` from config.toml, and say what in it could not be applied."""
        if self.keys.keymap:
            check_keymap(self.keys, declared_bindings(type(self)), class_name(type(self)))
            self.set_keymap(self.keys.keymap)
        for problem in self.keys.problems:
            self.notify(problem, title="config.toml", severity="warning", timeout=20)
        kept = load_theme(self.keys.path)
        if kept and kept in self.available_themes:
            self.theme = kept
        elif kept:
            self.notify(
                f"{self.keys.path}: [tui] theme {kept!r} is not a theme here; "
                f"the default is in use",
                title="config.toml",
                severity="warning",
                timeout=20,
            )
        self.theme_changed_signal.subscribe(self, self.keep_theme)

    def keep_theme(self, theme: Any) -> None:
        """The user chose a theme (the palette's "Change theme"): keep it for the next run in
        config.toml, or say why it could not be kept."""
        if load_theme(self.keys.path) == theme.name:
            return
        problem = save_theme(theme.name, self.keys.path)
        if problem:
            self.notify(problem, title="config.toml", severity="warning", timeout=12)

    def remapped(self, bindings: BindingsMap) -> BindingsMap:
        """``bindings`` with config.toml's keys applied, as the app uses them."""
        found = bindings.copy()
        if self.keys.keymap:
            found.apply_keymap(self.keys.keymap)
        return found

    def sign_in(self, service: Any) -> None:
        """Called by the start screen once a service with a resolved actor exists."""
        if self.service is not None and self.service is not service:
            self.service.close()
        self.service = service
        self.realm = service.realm
        self.actor = service.actor
        mounted = self.switch_mode(MODE_FOR_ROLE.get(self.actor.role, "work"))
        if self.open_case:
            self.call_later(self.show_open_case, mounted)

    async def show_open_case(self, mounted: Any) -> None:
        """Open ``open_case`` over the mode's first screen once it is mounted: from a worklist
        as its rows open (audit mode: its history), else the case screen."""
        await mounted
        opener = getattr(self.screen, "open_case", None)
        if callable(opener):
            opener(self.open_case)
            return
        from tui.screens.case import CaseScreen

        self.push_screen(CaseScreen(self.open_case))

    async def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``esc Back`` is offered only where there is a screen to go back to: on the first
        screen of a mode (a worklist, the picker) it would do nothing."""
        if action == "back":
            return len(self.screen_stack) > 1
        if action == "switch_user":  # only a demo or training database has seeded users
            return self.service is not None and self.realm != "live"
        if action == "next_role":
            return self.actor is not None and len(self.actor.roles) > 1
        return True

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen, self.focused))

    async def action_switch_mode(self, mode: str) -> None:
        if self.service is None:
            self.notify("sign in first", severity="warning")
            return
        if mode == "admin" and self.actor is not None and self.actor.role != "admin":
            self.notify(
                f"only the admin role manages users (you act as {self.actor.role})",
                severity="warning",
            )
            return
        if mode == self.current_mode:
            self.to_first_screen()
            return
        await self.switch_mode(mode)

    def to_first_screen(self) -> None:
        """The key of the mode one is in (F2 in work mode) goes back to its first screen, the
        worklist, as it does from any other mode.  (A dialog on top keeps its keys: the app's
        are not offered there, so nothing typed into a form is dropped.)"""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_switch_user(self) -> None:
        """Back to the user picker (demo and training databases only); run_tui starts afresh."""
        if self.realm == "live":
            self.notify("in a live database you act as your own account", severity="warning")
            return
        self.exit("switch-user")

    def action_next_role(self) -> None:
        """Act in the next role the user holds (in the order they were given)."""
        if self.actor is None or len(self.actor.roles) < 2:
            self.notify("you hold one role", severity="warning")
            return
        roles = self.actor.roles
        self.action_switch_role(roles[(roles.index(self.actor.role) + 1) % len(roles)])

    def action_switch_role(self, role: str) -> None:
        """Start afresh as the same user in another of their roles (run_tui opens the app
        again, so no screen keeps what the previous role could see)."""
        if self.actor is None or role not in self.actor.roles:
            self.notify(f"you do not hold the {role} role", severity="warning")
            return
        user = self.actor.user if self.realm != "live" else None
        self.exit(("switch-role", user, role))

    def on_unmount(self) -> None:
        if self.service is not None:
            self.service.close()


@dataclass(frozen=True)
class Run:
    """What the app is opened with; an app that exits asking for another run says how."""

    url: str
    as_user: str | None = None
    role: str | None = None
    open_case: str = ""


def next_run(answer: Any, run: Run) -> Run | None:
    """The run an app's exit asks for, or None to stop: F6 the picker again (the same
    database, the same case kept open), F7 the same user in another role, or a training fork
    to continue (the training database's picker, then the fork)."""
    if answer == "switch-user":
        return Run(run.url, None, None, run.open_case)  # every seeded user again
    if isinstance(answer, tuple) and answer[0] == "switch-role":
        return Run(run.url, answer[1], answer[2], run.open_case)  # yourself, in a live one
    if isinstance(answer, tuple) and answer[0] == "continue-fork":
        return Run(answer[1], None, None, answer[2])
    return None


def run_tui(url: str, as_user: str | None = None, role: str | None = None) -> None:
    """Open the TUI on a database (``casetracker`` with no subcommand, ``casetracker demo``)."""
    from casetracker.services.setup import require_database

    require_database(url)
    run: Run | None = Run(url, as_user, role)
    while run is not None:
        answer = CasetrackerApp(run.url, run.as_user, run.role, run.open_case).run()
        run = next_run(answer, run)
