"""Admin mode: the users of the database, their roles, a police user's force and whether they
are a superintendent (who authorises a proposed PACE extension: four eyes).

The admin's work in the TUI is the CLI's ``casetracker user list`` and ``user add``, through the
same service call (``UserAdministration.register_user``): the same checks (roles, the force
against the organisation file, a superintendent only among the police, the admin role), the
same access-log entry, and a refusal in the same words, shown on the form it came from with what
was typed kept.  ``n`` registers a user, enter (or ``e``) changes the highlighted one's name,
roles, force or superintendent mark.

The list keeps every column on screen at 80 columns: the short ones first, "supt." explained
by the line below it, and the full name last, cut with an ellipsis to the width left (the form
shows it whole).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from casetracker.domain.identity import User
from casetracker.presenters.labels import roles_held_label
from tui.messages import Failed, Loaded
from tui.screens.base import SessionScreen
from tui.screens.user_form import UserForm, UserFormScreen
from tui.widgets.key_bar import shorten
from tui.widgets.vim_table import VimTable

COLUMNS = ("account", "roles", "force", "supt.", "full name")
SUPERINTENDENT = Text("✓", style="bold")
# what a column costs beyond its text: DataTable's cell padding (one each side)
PADDING = 2
# the vertical scrollbar, kept free so that a long list does not push the last column out
SCROLLBAR = 2


class AdminScreen(SessionScreen):
    AUTO_FOCUS = "#users-table"
    TITLE_TEXT = "users and roles"
    HELP = (
        "Every registered user, their roles and (for the police) their force; supt. marks a "
        "superintendent, who may authorise a PACE extension another officer proposes.  n "
        "registers a user; enter or e changes the highlighted one.  Changes need the admin "
        "role and are logged, as `casetracker user add` is."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New user", id="admin.new", tooltip="Register a user"),
        Binding("e", "edit", "Change", id="admin.edit", tooltip="Change the highlighted user"),
        Binding("r", "reload", "Reload", id="admin.reload", tooltip="Read the users again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.users: list[User] = []
        self.highlight = ""  # the account to put the cursor on once the list is read again
        # the form being saved: the user it changes (None: a new one) and what was typed
        self.pending: tuple[User | None, UserForm] | None = None

    def compose(self) -> ComposeResult:
        yield self.header()
        yield VimTable(id="users-table")
        yield Static("", id="users-status")
        yield self.footer()

    def on_mount(self) -> None:
        self.load()

    def on_resize(self) -> None:
        if self.users:
            self.show(self.users)

    def load(self, highlight: str = "") -> None:
        self.highlight = highlight
        self.query_one(VimTable).loading = True
        self.run_db("users", self.service.users)

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "users":
            self.show(message.data)
        elif message.what == "save":
            self.pending = None
            name, roles, force, superintendent = message.data
            where = f" ({force})" if force else ""
            marked = " superintendent" if superintendent else ""
            self.notify(f"user {name}: {roles_held_label(roles)}{where}{marked}", title="saved")
            self.load(name)

    def on_failed(self, message: Failed) -> None:
        message.prevent_default()  # Textual would call SessionScreen's too: a second notice
        if message.what == "save" and self.pending is not None:
            user, typed = self.pending
            self.open_form(user, typed, str(message.error))
            return
        self.query_one(VimTable).loading = False
        super().on_failed(message)

    def show(self, users: list[User]) -> None:
        self.users = users
        table = self.query_one(VimTable)
        table.loading = False
        cursor = table.cursor_row
        table.clear(columns=True)
        rows = [
            (
                Text(user.name, style="bold"),
                Text(roles_held_label(user.roles)),
                Text(user.force) if user.force else Text("—", style="dim"),
                SUPERINTENDENT if user.superintendent else Text(""),
            )
            for user in users
        ]
        widths = [
            max([len(heading), *(len(row[i].plain) for row in rows)])
            for i, heading in enumerate(COLUMNS[:-1])
        ]
        room = (table.size.width or self.app.size.width) - SCROLLBAR
        name_width = max(room - sum(w + PADDING for w in widths) - PADDING, len(COLUMNS[-1]))
        table.add_columns(*COLUMNS)
        for user, row in zip(users, rows, strict=True):
            table.add_row(*row, shorten(user.display_name, name_width), key=user.name)
        names = [u.name for u in users]
        if self.highlight in names:
            table.move_cursor(row=names.index(self.highlight))
            self.highlight = ""
        elif users:
            table.move_cursor(row=min(cursor, len(users) - 1))
        police = sum(1 for u in users if "police" in u.roles)
        marked = sum(1 for u in users if u.superintendent)
        self.query_one("#users-status", Static).update(
            Text(
                f"{len(users)} users, {police} police, {marked} supt. · n: new · enter: change "
                "· every change is logged\nsupt. ✓ marks a superintendent, who may authorise a "
                "PACE extension",
                style="dim",
            )
        )

    def open_form(
        self, user: User | None, typed: UserForm | None = None, problem: str = ""
    ) -> None:
        def done(values: UserForm | None) -> None:
            if values is None:
                self.pending = None
                return
            self.pending = (user, values)
            name, display, roles, force, superintendent = values
            self.run_db(
                "save", self._save, self.service, name, roles, display, force, superintendent
            )

        self.app.push_screen(UserFormScreen(user, typed, problem), done)

    @staticmethod
    def _save(
        service: Any, name: str, roles: str, display: str, force: str, superintendent: bool
    ) -> tuple[str, tuple[str, ...], str, bool]:
        """Save as ``casetracker user add --superintendent/--not-superintendent`` does: the
        box is ticked or not, so the mark is always given, never left as it was."""
        held, code = service.register_user(name, roles, display, force, superintendent)
        return name, held, code, superintendent

    def selected(self) -> User | None:
        table = self.query_one(VimTable)
        if not self.users or not 0 <= table.cursor_row < len(self.users):
            return None
        return self.users[table.cursor_row]

    def action_new(self) -> None:
        self.open_form(None)

    def action_edit(self) -> None:
        user = self.selected()
        if user is None:
            self.notify("no user highlighted", severity="warning")
            return
        self.open_form(user)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_reload(self) -> None:
        self.load()

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("admin: register a user", self.action_new, "a new user with their roles"),
            (
                "admin: change the highlighted user",
                self.action_edit,
                "name, roles, force or superintendent",
            ),
        ]
