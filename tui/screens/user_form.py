"""A form for one user: account, full name, roles, (for the police) force and whether they are
a superintendent, who may authorise a PACE extension under four eyes (``user add
--superintendent``).

The admin screen saves what is typed through the service, as ``casetracker user add`` does
(``UserAdministration.register_user``: the roles, the force against the organisation file, the
admin role, the log entry); a refusal opens the form again with what was typed and the refusal
in the same words the command line prints.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from casetracker.domain.identity import SYSTEM_ROLE, User
from casetracker.domain.vocabulary import Role

# What the form hands back: (account, full name, roles as typed, force as typed, marked a
# superintendent).
UserForm = tuple[str, str, str, str, bool]


def role_choices() -> str:
    """The roles an admin may give, as ``--roles`` takes them."""
    return ", ".join(r.value for r in Role if r.value != SYSTEM_ROLE)


class UserFormScreen(ModalScreen[UserForm | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", "Cancel", id="user_form.cancel", tooltip="Close, saving nothing"
        ),
        Binding("ctrl+s", "submit", "Save", id="user_form.submit", tooltip="Check and save"),
    ]
    HELP = (
        "An account name (one word: the person's operating-system or database login), their "
        "full name, their roles (comma separated), for a police user their force's code, and "
        "whether a police user is a superintendent (space ticks it): only a superintendent "
        "authorises another officer's proposed PACE extension.  ctrl+s saves; the change is "
        "logged with your name."
    )

    def __init__(
        self, user: User | None = None, typed: UserForm | None = None, problem: str = ""
    ) -> None:
        """``user`` to change one (its account is fixed), else a new one; ``typed`` and
        ``problem`` when the form opens again after a refusal."""
        super().__init__()
        self.user = user
        self.typed = typed or (
            (user.name, user.display_name, ",".join(user.roles), user.force, user.superintendent)
            if user
            else ("", "", "", "", False)
        )
        self.problem = problem

    def compose(self) -> ComposeResult:
        user = self.user
        name, display, roles, force, superintendent = self.typed
        title = f"Change {user.name}" if user else "Register a user"
        with Vertical(classes="dialog wide", id="user-form"):
            yield Label(title, classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield Label(Text("Account (one word) *", style="bold"))
                yield Input(
                    value=name, placeholder="e.g. pc.jones", id="u-name", disabled=user is not None
                )
                yield Label(Text("Full name", style="bold"))
                yield Input(value=display, id="u-display")
                yield Label(Text("Roles, comma separated *", style="bold"))
                yield Input(value=roles, id="u-roles", placeholder=role_choices())
                yield Static(Text(role_choices(), style="dim"), classes="field-help")
                yield Label(Text("Force code (police users only)", style="bold"))
                yield Input(value=force, id="u-force", placeholder="e.g. MPS, WMP")
                yield Checkbox(
                    "Superintendent (police): may authorise a PACE extension",
                    superintendent,
                    id="u-superintendent",
                )
            yield Static(Text(self.problem, style="bold red"), id="u-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="u-save")
                yield Button("Cancel (esc)", id="u-cancel")

    def on_mount(self) -> None:
        self.query_one("#u-display" if self.user else "#u-name", Input).focus()

    def values(self) -> UserForm:
        return (
            self.query_one("#u-name", Input).value.strip(),
            self.query_one("#u-display", Input).value.strip(),
            self.query_one("#u-roles", Input).value,
            self.query_one("#u-force", Input).value,
            self.query_one("#u-superintendent", Checkbox).value,
        )

    def action_submit(self) -> None:
        """Close with what was typed: the admin screen saves it (and checks it) as the CLI."""
        self.dismiss(self.values())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "u-save":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
