"""The actions a case screen offers: which come first, and the list that shows them.

The actions come from ``Casetracker.options``: those the lifecycles' states forbid are hidden;
those the role may not take, or a rule blocks, are listed dimmed with the word why, so the
whole of what could happen next is visible and ``x`` is one key away from every reason.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from casetracker.domain.engine import Option
from tui.widgets.row_table import RowTable

SLOT_KEYS = "1234567890"

# Which lifecycles' actions come first: custody and the status check are what is moving on a
# caseworker's screen; keeping notes and correcting the subject come last.
WORKFLOW_ORDER = (
    "encounter",
    "status_check",
    "removal",
    "detention",
    "etd",
    "reporting",
    "barrier",
    "leave",
    "acro_check",
    "dva_check",
    "case",
)


def shown_options(options: list[Option], focus: str = "") -> list[Option]:
    """Actions the lifecycles allow from where they are: allowed before dimmed; those on the
    record the worklist row was about (``focus``, e.g. ``status_check#1``) first; then actions
    on existing records before ones that start a new record, in ``WORKFLOW_ORDER``."""
    rank = {name: i for i, name in enumerate(WORKFLOW_ORDER)}
    visible = [o for o in options if o.state_allows]
    return sorted(
        visible,
        key=lambda o: (
            not o.allowed,
            o.target != focus,
            o.number is None,
            rank.get(o.workflow, 99),
            o.number or 0,
        ),
    )


def why_dimmed(option: Option) -> str:
    """Empty for an allowed action; else the short reason shown beside it."""
    if option.allowed:
        return ""
    return "not your role" if not option.role_allows else "blocked"


def action_text(option: Option) -> Text:
    dim = why_dimmed(option)
    return Text.assemble(
        (option.spec.label, "dim" if dim else "bold"),
        (f"  {option.target}", "dim"),
        (f"  ({dim})" if dim else "", "italic yellow" if dim == "blocked" else "dim"),
        ("  ⚠ irreversible" if option.spec.irreversible else "", "yellow"),
    )


class ActionList(RowTable):
    """One row per action shown, the first ten with their number keys; enter takes it."""

    DEFAULT_CSS = """
    ActionList { height: 1fr; }
    """
    HELP = "j/k or ↑/↓ move · enter takes the highlighted action · x: why it is dimmed"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("show_header", False)
        kwargs.setdefault("flex", {1: 12})  # the label is cut, with an ellipsis, to fit
        super().__init__(**kwargs)

    def show(self, shown: list[Option]) -> None:
        """One row per action, keyed by its index in ``shown``; a note when there is none."""
        rows = [
            (Text(SLOT_KEYS[i] if i < len(SLOT_KEYS) else "", style="bold"), action_text(o))
            for i, o in enumerate(shown)
        ]
        if not rows:
            rows = [(Text(""), Text("nothing can be done now", style="dim"))]
        self.set_rows(("key", "action"), rows, [str(i) for i in range(len(rows))])
