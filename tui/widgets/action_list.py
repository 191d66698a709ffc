"""The actions a case screen offers: which come first, and the list that shows them.

The actions come from ``Casetracker.options``: those the lifecycles' states forbid are hidden,
and so are those the user's role can never take (``others`` shows them, each naming the roles
that may).  Those the role may take but a rule blocks now are listed dimmed with the word why,
so what this user could do next is visible and ``x`` is one key away from every reason.  The
number keys take the actions allowed now, the first ten of them: they are listed first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.text import Text

from casetracker.domain.engine import Option
from casetracker.presenters.labels import lifecycle_label, roles_label
from casetracker.services.work import WORKED_FROM_QUEUES
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


def shown_options(options: list[Option], focus: str = "", others: bool = False) -> list[Option]:
    """Actions the lifecycles allow from where they are, and only those of the user's role
    unless ``others``, and none of the ``work`` lifecycle's (an item is claimed from its queue,
    ``c`` on the worklist, and a passed deadline is the system's): allowed before dimmed;
    those on the record the worklist row was about (``focus``, e.g. ``status_check#1``)
    first; then actions on existing records before ones that start a new record, in
    ``WORKFLOW_ORDER``; another role's actions last."""
    rank = {name: i for i, name in enumerate(WORKFLOW_ORDER)}
    visible = [
        o
        for o in options
        if o.state_allows and (others or o.role_allows) and o.workflow not in WORKED_FROM_QUEUES
    ]
    return sorted(
        visible,
        key=lambda o: (
            not o.allowed,
            not o.role_allows,
            o.target != focus,
            o.number is None,
            rank.get(o.workflow, 99),
            o.number or 0,
        ),
    )


def others_count(options: list[Option]) -> int:
    """How many actions the lifecycles allow now that only another role may take."""
    return sum(
        1
        for o in options
        if o.state_allows and not o.role_allows and o.workflow not in WORKED_FROM_QUEUES
    )


def why_dimmed(option: Option) -> str:
    """Empty for an allowed action; else the short reason shown beside it: "blocked", or who
    may take it ("for Police")."""
    if option.allowed:
        return ""
    return f"for {roles_label(option.spec.roles)}" if not option.role_allows else "blocked"


def slot_keys(shown: list[Option]) -> list[str]:
    """The number key of each action listed: the allowed ones (listed first) take 1..9, 0;
    a dimmed one has none (enter or x on it says why)."""
    return [SLOT_KEYS[i] if o.allowed and i < len(SLOT_KEYS) else "" for i, o in enumerate(shown)]


def action_labels(shown: list[Option], flow: Any) -> list[str]:
    """Each action's label, as the list, the key bar and the palette name it: with its record
    ("Release from police custody — Encounter #1") when another action listed has the same
    label, as when two encounters are both in custody and each may be released."""
    counts = Counter(o.spec.label for o in shown)
    return [
        f"{o.spec.label} — {lifecycle_label(flow, o.workflow, o.number)}"
        if counts[o.spec.label] > 1
        else o.spec.label
        for o in shown
    ]


def action_text(option: Option, flow: Any, label: str = "") -> Text:
    """An action's row: its label (``action_labels``), the record it is on unless the label
    names it, and why it is dimmed."""
    dim = why_dimmed(option)
    label = label or option.spec.label
    record = (
        "" if label != option.spec.label else lifecycle_label(flow, option.workflow, option.number)
    )
    return Text.assemble(
        (label, "dim" if dim else "bold"),
        (f"  {record}" if record else "", "dim"),
        (f"  ({dim})" if dim else "", "italic yellow" if dim == "blocked" else "dim"),
        ("  ⚠ irreversible" if option.spec.irreversible else "", "yellow"),
    )


class ActionList(RowTable):
    """One row per action shown, the allowed ones with their number keys; enter takes it."""

    DEFAULT_CSS = """
    ActionList { height: 1fr; }
    """
    HELP = "j/k or ↑/↓ move · enter takes the highlighted action · x: why it is dimmed"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("show_header", False)
        kwargs.setdefault("flex", {1: 12})  # the label is cut, with an ellipsis, to fit
        super().__init__(**kwargs)
        self.kept: dict[int, int] = {}  # each action cell's label length (by the cell's id)

    def show(self, shown: list[Option], flow: Any) -> None:
        """One row per action, keyed by its index in ``shown``; a note when there is none."""
        labels = action_labels(shown, flow)
        rows = [
            (Text(key, style="bold"), action_text(o, flow, label))
            for key, o, label in zip(slot_keys(shown), shown, labels, strict=True)
        ]
        self.kept = {id(row[1]): len(label) for row, label in zip(rows, labels, strict=True)}
        if not rows:
            rows = [(Text(""), Text("nothing you can do now", style="dim"))]
        self.set_rows(("key", "action"), rows, [str(i) for i in range(len(rows))])

    def _row_lines(self, row: Sequence[Text]) -> list[Text]:
        """An action whose label is longer than the pane is never cut: the label wraps at its
        words onto the lines below (without a number key), the record and notes after it on
        its last line, cut with an ellipsis if they do not fit there."""
        if len(row) == 2 and len(self.widths) == 2:
            cell, width = row[1], self.widths[1]
            keep = self.kept.get(id(cell), 0)
            if keep > width > 0:
                parts = list(cell[:keep].wrap(self.app.console, width))
                last = parts[-1]
                last.rstrip()
                last.append_text(cell[keep:])
                return [
                    super(ActionList, self)._line([row[0] if i == 0 else Text(""), part])
                    for i, part in enumerate(parts)
                ]
        return [self._line(row)]

    def _line(self, row: Sequence[Text]) -> Text:
        """A row as ``RowTable`` lays it out, except that an action's label that fits is never
        cut: the record and the notes after it give way first (with an ellipsis when there is
        room for one after the label, else cut at the label's end)."""
        if len(row) == 2 and len(self.widths) == 2:
            cell, width = row[1], self.widths[1]
            keep = self.kept.get(id(cell), 0)
            if cell.cell_len > width >= keep > 0:
                cut = cell.copy()
                if width - keep >= 2:
                    cut.truncate(width, overflow="ellipsis")
                else:
                    cut = cut[:keep]
                row = [row[0], cut]
        return super()._line(row)
