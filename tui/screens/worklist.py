"""The worklist: the signed-in role's queues, most urgent first.

Work mode opens a case to act on it; audit mode lists every case and opens its history,
read-only.  Each page is one indexed query (``casetracker.services.worklists``) run in a worker, so
the list comes back at once even with a million cases.  ``/`` filters on case id, force and text
as you type: the query runs once typing pauses (``FILTER_DELAY``), in a worker, and a reply to
an older filter or queue is dropped, so a slow query never freezes the screen or overwrites a
newer one.  Countdown queues (PACE time left, ¶4.21) and deadlines turning overdue are re-timed
every 30 seconds, and new work shows without a key press: every ``POLL_SECONDS`` a worker asks
the service's change feed (LISTEN/NOTIFY on PostgreSQL, a poll of the log's last position on
SQLite) and re-reads the queue only when events were recorded, by anyone, on any machine.

``c`` claims the highlighted item (or releases it, when it is yours; "My work" lists what you
hold); ``R`` gives it to someone (a supervisor, who sees every queue, or an admin).  ``space``
marks rows and ``a`` takes one action on every marked case (or the highlighted one): each case
is its own event, checked and refused on its own, and the refusals are listed with their
reasons.  Acting on an item someone else holds asks first.

A page holds ``PAGE`` rows; moving past the last row reads the next page too, so every row of
a queue can be reached (an auditor's "All cases" lists the newest first, and the report's
case studies, C-0000001 and C-0000002, come last).  There a number typed into the filter is
read as a case id (``1`` is C-0000001), as everywhere else in casetracker.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.timer import Timer
from textual.widgets import Input, Static, Tab, Tabs

from casetracker.domain.case_view import Block
from casetracker.domain.four_eyes import WORKFLOW as AUTHORISATION
from casetracker.domain.four_eyes import queue_for
from casetracker.domain.queues import ALL_CASES, WorkItem, queues_for
from casetracker.presenters.text import counted
from casetracker.services import four_eyes, work, worklists
from tui.layout import NARROW
from tui.messages import Failed, Loaded
from tui.screens.base import SessionScreen
from tui.widgets.work_table import WorkTable, queue_title

PAGE = 200
# Seconds before "opening C-…" is shown: a quick open should not redraw the list behind it.
OPENING_NOTE = 0.15
# Seconds of no typing before the filter runs: one query per pause, not one per key.
FILTER_DELAY = 0.25
# Seconds between asking whether anything was recorded (a LISTEN on PostgreSQL costs nothing).
POLL_SECONDS = 2.0


# The queues of four-eyes proposals (issue 16): authorised or rejected from the palette.
PROPOSAL_QUEUES = frozenset(queue_for(a) for a in ("extend_detention", "set_removal_directions"))
# The keys that work items: they can do nothing in audit mode (``WorklistScreen.unworkable``).
ITEM_KEYS = frozenset({"claim", "reassign", "mark", "bulk"})


class WorklistScreen(SessionScreen):
    AUTO_FOCUS = "#worklist"
    HELP = (
        "Your queues, most urgent first.  Number keys pick a queue, / filters (case id, force "
        "or words), enter opens the case, o opens a case by its id.  In audit mode every case "
        "is listed and opens read-only, to step through its history; / there takes a case id "
        "or number.  Moving past the last row read reads the next rows."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="worklist.filter", tooltip="Filter the list"),
        Binding(
            "o", "open_by_id", "Open case…", id="worklist.open", tooltip="Open a case by its id"
        ),
        Binding("r", "reload", "Reload", id="worklist.reload", tooltip="Reload the queue"),
        Binding(
            "c", "claim", "Claim", id="worklist.claim", tooltip="Claim the item, or release yours"
        ),
        Binding(
            "R",
            "reassign",
            "Reassign",
            show=False,
            id="worklist.reassign",
            tooltip="Give the item to someone (supervisors and admins)",
        ),
        Binding(
            "space",
            "mark",
            "Mark",
            show=False,
            id="worklist.mark",
            tooltip="Mark for a bulk action",
        ),
        Binding(
            "a",
            "bulk",
            "Act on marked",
            id="worklist.bulk",
            tooltip="One action on every marked case",
        ),
        Binding(
            "right,l",
            "queue(1)",
            "Next queue",
            show=False,
            id="worklist.next",
            tooltip="Next queue",
        ),
        Binding(
            "left,h",
            "queue(-1)",
            "Previous queue",
            show=False,
            id="worklist.prev",
            tooltip="Previous queue",
        ),
        *[
            Binding(
                str(n), f"pick({n - 1})", show=False, id=f"worklist.queue{n}", tooltip=f"Queue {n}"
            )
            for n in range(1, 10)
        ],
    ]

    def __init__(self, mode: str = "work") -> None:
        super().__init__()
        self.mode = mode
        self.TITLE_TEXT = "worklist" if mode == "work" else "audit: all cases"
        role = self.app.actor.role if self.app.actor else ""  # type: ignore[attr-defined]
        self.queues = queues = queues_for(role) if mode == "work" else [ALL_CASES]
        self.queue = queues[0]
        self.items: list[WorkItem] = []
        self.total = 0
        self.filter_text = ""
        self.limit = PAGE  # rows read: a page more each time the cursor goes past the last
        self.reading_more = False
        self.opening: Timer | None = None  # shows "opening C-…" if the read is slow
        self.typing: Timer | None = None  # runs the filter when typing pauses
        self.marked: set[str] = set()  # rows ("case/item") marked for a bulk action
        self.bulk_choices: list[tuple[str, Any, str]] = []  # what ``pick_bulk`` offers
        self.feed: Any = None  # the service's change feed, made in the first poll's worker
        # A poll or a read in flight is never replaced by the next (that would cancel it): a
        # poll waits for the last, and work that arrives during a read is read again after it.
        self.polling = False
        self.reading = False
        self.stale = False

    def compose(self) -> ComposeResult:
        narrow = self.app.size.width < NARROW
        yield self.header()
        yield Tabs(
            *[
                Tab(f"{i} {queue_title(q, narrow)}", id=f"q-{q.name}")
                for i, q in enumerate(self.queues, 1)
            ],
            id="queues",
        )
        filter_box = Input(
            placeholder="filter: case id, force or words — filters as you type, esc clears",
            id="filter",
        )
        filter_box.display = False
        yield filter_box
        yield WorkTable(id="worklist")
        yield Static("", id="worklist-status")
        yield self.footer()

    def on_mount(self) -> None:
        self.query_one(WorkTable).focus()
        self.load()
        self.set_interval(30, self.retime)
        self.set_interval(POLL_SECONDS, self.poll)

    def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.close()

    def on_resize(self) -> None:
        """Short tab labels and no ``item`` column when narrow; long ones when there is room."""
        narrow = self.app.size.width < NARROW
        for i, queue in enumerate(self.queues, 1):
            tab = self.query_one(f"#q-{queue.name}", Tab)
            label = f"{i} {queue_title(queue, narrow)}"
            if tab.label_text != label:
                tab.label = label
        if self.items:
            self.fill()

    def on_screen_resume(self) -> None:
        """Coming back from a case: what was done there may have moved it between queues."""
        if self.query_one(WorkTable).row_count or self.filter_text:
            self.show_status()
            self.load()

    # ------------------------------------------------------------ loading

    def load(self, quiet: bool = False, more: bool = False) -> None:
        """Read the rows in a worker; ``quiet`` keeps the rows shown meanwhile (filtering),
        ``more`` reads a page more than is shown (else as many rows as are shown: coming
        back from a case keeps the place in a long list)."""
        if more:
            self.limit += PAGE
            self.query_one("#worklist-status", Static).update(
                Text(f" reading rows {len(self.items) + 1}–{self.limit}…", style="italic")
            )
        elif quiet:
            self.query_one("#worklist-status", Static).update(
                Text(f" filtering “{self.filter_text}”…", style="italic")
            )
        else:
            self.query_one(WorkTable).loading = True
        query = self.query_text()
        self.reading = True
        self.run_db("worklist", self._fetch, self.service, self.queue.name, query, self.limit)

    def query_text(self) -> str:
        """The filter as the query takes it: in "All cases", which matches case ids only, a
        number is the case of that number."""
        text = self.filter_text
        if self.queue.name == ALL_CASES.name and text.isdecimal():
            return f"C-{int(text):07d}"
        return text

    @staticmethod
    def _fetch(
        service: Any, queue: str, text: str, limit: int
    ) -> tuple[str, str, list[WorkItem], int]:
        items = worklists.page(service, queue, text, limit)
        total = len(items) if text else worklists.count(service, queue)
        return queue, text, items, total

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "open":
            self.opened(*message.data)
            return
        if message.what == "changes":
            self.polling = False
            if message.data and self.reading:
                self.stale = True  # read again once the read in flight is back
            elif message.data:
                self.load(quiet=True)  # new work: re-read, keeping the rows shown meanwhile
            return
        if message.what in ("claim", "bulk"):
            self.done(message.what, message.data)
            return
        if message.what == "bulk_actions":
            self.pick_bulk(*message.data)
            return
        queue, text, items, total = message.data
        self.reading = False
        if self.stale:
            self.stale = False
            self.load(quiet=True)
        if queue != self.queue.name or text != self.query_text():
            return  # a reply to a queue or a filter since replaced
        self.reading_more = False
        self.items, self.total = items, total
        self.fill()
        self.query_one(WorkTable).loading = False
        self.show_status()

    def more_to_read(self) -> bool:
        """Whether rows past the last one shown exist (a filter's total is not counted:
        a full page may have more)."""
        if self.filter_text:
            return len(self.items) >= self.limit
        return self.total > len(self.items)

    def show_status(self) -> None:
        total, items = self.total, self.items
        shown = f"{total}+" if total >= 1000 else str(total)
        everything = self.queue.name == ALL_CASES.name
        noun = ("case" if total == 1 else "cases") if everything else "in this queue"
        what = f"matching “{self.filter_text}”" if self.filter_text else noun
        more = (
            f" (rows 1–{len(items)} read: ↓ past the last reads more)"
            if self.more_to_read()
            else ""
        )
        verb = "open the case" if self.mode == "work" else "step through its history"
        find = "case number" if everything else "filter"
        self.query_one("#worklist-status", Static).update(
            Text.assemble(
                (f" {shown} ", "bold reverse"), f" {what}{more} · enter: {verb} · /: {find}"
            )
        )

    def fill(self) -> None:
        self.query_one(WorkTable).show(self.queue, self.items, frozenset(self.marked))

    def retime(self) -> None:
        """Time moves on: PACE countdowns run down and deadlines turn overdue."""
        if self.items:
            self.fill()

    def poll(self) -> None:
        """Ask, in a worker, whether anything was recorded since the last time."""
        if self.mode == "work" and not self.polling:
            self.polling = True
            self.run_db("changes", self._changed)

    def _changed(self) -> bool:
        if self.feed is None:
            self.feed = worklists.change_feed(self.service)
        return bool(self.feed.changed())

    # ------------------------------------------------------------ actions

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "q-").removeprefix("q-")
        chosen = next((q for q in self.queues if q.name == name), self.queue)
        if chosen is not self.queue:
            self.queue = chosen
            self.items = []
            self.marked.clear()
            self.limit = PAGE
            self.refresh_bindings()  # claiming is dimmed in "All cases"
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A number key picks a queue only if the role has one of that number (help lists
        only those)."""
        if action == "pick":
            return int(str(parameters[0])) < len(self.queues) if parameters else False
        return True

    def unworkable(self, action: str) -> str:
        """Why a key that works items (claim, reassign, mark, act on marked) can do nothing
        here, or "" when it can: the key bar dims it and pressing it says this, where it had
        been shown live and done nothing."""
        if action not in ITEM_KEYS:
            return ""
        if self.mode == "audit":
            return "audit mode is read-only: claim and act on cases in work mode (F2)"
        if action in ("claim", "reassign") and self.queue.name == ALL_CASES.name:
            return "“All cases” lists cases, not work items: there is nothing here to claim"
        return ""

    def refused(self, action: str) -> bool:
        """Say why ``action`` cannot work here, if it cannot."""
        why = self.unworkable(action)
        if why:
            self.notify(why, severity="warning")
        return bool(why)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, those ``unworkable`` here dimmed.  ``check_action`` does
        not turn them off, or Textual would drop the key press and nothing would say why."""
        found = super().active_bindings
        for key, active in found.items():
            if active.enabled and self.unworkable(active.binding.action):
                found[key] = ActiveBinding(active.node, active.binding, False, active.tooltip)
        return found

    def action_pick(self, index: int) -> None:
        if index < len(self.queues):
            self.query_one(Tabs).active = f"q-{self.queues[index].name}"

    def action_queue(self, step: int) -> None:
        index = (self.queues.index(self.queue) + step) % len(self.queues)
        self.action_pick(index)

    def action_filter(self) -> None:
        """Show the filter box and focus it now, not a turn of the message loop later, so that
        the next key typed goes into it."""
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        self.set_focus(box)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the user types, once typing pauses."""
        if event.input.id != "filter" or event.value.strip() == self.filter_text:
            return
        if self.typing is not None:
            self.typing.stop()
        self.typing = self.set_timer(FILTER_DELAY, lambda: self.apply_filter(event.value))

    def apply_filter(self, value: str) -> None:
        self.typing = None
        text = value.strip()
        if text != self.filter_text:
            self.filter_text = text
            self.limit = PAGE
            self.load(quiet=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: filter now (if typing has not already) and go back to the list."""
        if event.input.id == "filter":
            if self.typing is not None:
                self.typing.stop()
            self.apply_filter(event.value)
            if not self.filter_text:
                event.input.display = False
            self.set_focus(self.query_one(WorkTable))

    def on_key(self, event: Any) -> None:
        box = self.query_one("#filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            if self.typing is not None:
                self.typing.stop()
                self.typing = None
            box.value = ""
            box.display = False
            self.set_focus(self.query_one(WorkTable))
            if self.filter_text:
                self.filter_text = ""
                self.limit = PAGE
                self.load()

    def action_reload(self) -> None:
        self.load()

    def on_row_table_row_highlighted(self, event: WorkTable.RowHighlighted) -> None:
        """The cursor reached the last row read: read the next page, in the background."""
        last = event.cursor_row >= len(self.items) - 1
        if self.items and last and self.more_to_read() and not self.reading_more:
            self.reading_more = True
            self.load(quiet=True, more=True)

    def on_row_table_row_selected(self, event: WorkTable.RowSelected) -> None:
        case_id, _, item = event.key.partition("/")
        self.open_case(case_id, item)

    def open_case(self, case_id: str, item: str = "") -> None:
        """Read the case first, then show it complete (no half-drawn screen, one layout)."""
        if self.mode == "audit":
            from tui.screens.audit import AuditScreen

            self.app.push_screen(AuditScreen(case_id))
            return
        from tui.screens.case import CaseScreen

        status = self.query_one("#worklist-status", Static)
        if self.opening is not None:
            self.opening.stop()
        self.opening = self.set_timer(
            OPENING_NOTE, lambda: status.update(Text(f" opening {case_id}…", style="italic"))
        )
        self.run_db("open", lambda: (case_id, item, CaseScreen.read(self.service, case_id)))

    def on_failed(self, message: Failed) -> None:
        self.reading_more = False
        if message.what == "changes":
            self.polling = False
            return  # a poll that failed (the database busy) is asked again next time
        if message.what == "worklist":
            self.reading = False
        if message.what == "claim":
            self.load(quiet=True)  # someone else may have claimed it first: show who
        if message.what == "open":
            self.stop_opening()
            self.show_status()
        super().on_failed(message)

    def stop_opening(self) -> None:
        if self.opening is not None:
            self.opening.stop()
            self.opening = None

    def opened(self, case_id: str, item: str, data: Any) -> None:
        from tui.screens.case import CaseScreen

        self.stop_opening()
        screen = CaseScreen.reusable(self.app)
        screen.take(case_id, data, focus=item)
        self.app.push_screen(screen)  # "opening…" stays until we are back: no redraw behind

    def action_open_by_id(self) -> None:
        from tui.screens.prompt import PromptScreen

        def opened(value: str | None) -> None:
            if value:
                wanted = value.strip().upper()
                if wanted.isdecimal():
                    wanted = f"C-{int(wanted):07d}"
                self.open_case(wanted)

        self.app.push_screen(PromptScreen("Open case", "case id, e.g. C-0000001 or 1"), opened)

    # ------------------------------------------------------------ owners and bulk work

    def highlighted(self) -> WorkItem | None:
        row = self.query_one(WorkTable).cursor_row
        return self.items[row] if self.mode == "work" and 0 <= row < len(self.items) else None

    def action_claim(self) -> None:
        """Claim the highlighted item, or release it when it is already yours."""
        if self.refused("claim"):
            return
        item = self.highlighted()
        if item is None or item.queue == ALL_CASES.name:
            self.notify("no item highlighted: this queue is empty", severity="warning")
            return
        me = self.service.actor.user
        if item.owner and item.owner != me:
            self.notify(
                f"{item.item} is held by {item.owner}: ask them, or a supervisor to reassign it",
                title=item.case_id,
                severity="warning",
            )
            return
        verb = work.release if item.owner == me else work.claim
        self.run_db("claim", verb, self.service, item.case_id, item.queue, item.item)

    def action_reassign(self) -> None:
        """Give the highlighted item to a registered user (the service refuses other roles)."""
        from tui.screens.prompt import PromptScreen

        if self.refused("reassign"):
            return
        item = self.highlighted()
        if item is None or item.queue == ALL_CASES.name:
            self.notify("no item highlighted: this queue is empty", severity="warning")
            return

        def chosen(name: str | None) -> None:
            if name and name.strip():
                self.run_db(
                    "claim", work.reassign, self.service, item.case_id, item.queue, item.item,
                    name.strip(),
                )  # fmt: skip

        self.app.push_screen(
            PromptScreen(f"Reassign {item.case_id} {item.item}", "user name", item.owner), chosen
        )

    def action_mark(self) -> None:
        if self.refused("mark"):
            return
        item = self.highlighted()
        if item is None:
            return
        self.marked ^= {f"{item.case_id}/{item.item}"}
        self.fill()
        self.show_status()

    def action_bulk(self) -> None:
        """Offer the actions allowed on the marked cases (read in a worker, then picked in the
        palette: ``pick_bulk``), then ask its fields once, then record it on every one."""
        if self.refused("bulk"):
            return
        item = self.highlighted()
        keys = sorted(self.marked) or ([f"{item.case_id}/{item.item}"] if item else [])
        cases = list(dict.fromkeys(key.partition("/")[0] for key in keys))
        if not cases:
            self.notify("nothing to act on: mark rows with space", severity="warning")
            return
        self.query_one("#worklist-status", Static).update(
            Text(f" reading what may be done on {counted(len(cases), 'case')}…", style="italic")
        )
        self.run_db("bulk_actions", _allowed_on_each, self.service, cases)

    def pick_bulk(self, cases: list[str], found: list[tuple[str, str, int]]) -> None:
        """The palette with the actions allowed on the marked cases alone (``bulk_commands``),
        those allowed on every one first; where it had asked for an internal name."""
        from textual.command import CommandPalette

        from tui.commands import BulkActions

        self.show_status()
        if not found:
            self.notify(
                f"nothing you may do is allowed on {counted(len(cases), 'case')}",
                severity="warning",
            )
            return
        self.bulk_choices = [
            (
                f"{label} — {counted(len(cases), 'case')}",
                partial(self.bulk_form, cases, name),
                f"allowed on all {len(cases)}" if count == len(cases) and count > 1
                else "allowed" if count == len(cases)
                else f"allowed on {count} of {len(cases)}: the others will refuse it",
            )
            for name, label, count in found
        ]  # fmt: skip
        self.app.push_screen(
            CommandPalette(
                providers=[BulkActions],
                placeholder=f"One action on {counted(len(cases), 'case')}: type part of its name…",
            )
        )

    def bulk_commands(self) -> list[tuple[str, Any, str]]:
        """The actions ``pick_bulk`` offers, as the palette lists them."""
        return self.bulk_choices

    def bulk_form(self, cases: list[str], name: str, take_over: bool = False) -> None:
        from casetracker.domain.engine import Option
        from tui.screens.action_form import ActionFormScreen

        flow = self.service.flow
        workflow = flow.action_owner.get(name)
        if workflow is None:
            self.notify(f"unknown action {name!r}", severity="error")
            return
        spec = flow.latest[workflow]
        action = spec.action(name)
        assert action is not None  # action_owner names the lifecycle that defines it
        option = Option(workflow, spec.version, None, action)

        def submitted(answer: tuple[dict[str, Any], str] | None) -> None:
            if answer is not None:
                self.run_bulk(cases, name, *answer)

        self.app.push_screen(
            ActionFormScreen(option, counted(len(cases), "case"), record=""), submitted
        )

    def run_bulk(
        self,
        cases: list[str],
        name: str,
        values: dict[str, Any],
        effective: str,
        over: bool = False,
    ) -> None:
        self.query_one("#worklist-status", Static).update(
            Text(f" {name} on {len(cases)} cases…", style="italic")
        )
        self.run_db(
            "bulk",
            lambda: (
                name,
                values,
                effective,
                work.act_on_each(self.service, cases, name, values, effective, take_over=over),
            ),
        )

    def done(self, what: str, data: Any) -> None:
        """A claim or a bulk action came back: say what happened, ask about held items."""
        if what == "claim":
            self.notify(f"{data.case_id}: {data.events[-1].action.replace('_', ' ')}")
            self.load(quiet=True)
            return
        from tui.screens.blocked import BlockedScreen
        from tui.screens.confirm import ConfirmScreen

        name, values, effective, outcomes = data
        recorded = [o for o in outcomes if o.done]
        held = [o for o in outcomes if o.held]
        refused = [o for o in outcomes if not o.done and not o.held]
        self.notify(f"{name}: {len(recorded)} of {len(outcomes)} cases recorded")
        self.marked.clear()
        self.load(quiet=True)
        if refused:
            self.app.push_screen(
                BlockedScreen(
                    f"Not recorded on {len(refused)} case{'s' if len(refused) > 1 else ''}",
                    [(o.case_id, o.blocks or (Block(o.error, rule="refused"),)) for o in refused],
                )
            )
        if held:
            holders = "; ".join(
                f"{o.case_id}: {item} held by {who}" for o in held for (_, item), who in o.held
            )

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.run_bulk([o.case_id for o in held], name, values, effective, True)

            self.app.push_screen(
                ConfirmScreen(
                    "Someone else holds these items",
                    f"{holders}.  Act on them anyway?  The events record whose items they were.",
                ),
                confirmed,
            )

    def proposal(self) -> tuple[str, int] | None:
        """The highlighted row's case and proposal number, in a queue of proposals."""
        item = self.highlighted()
        if item is None or not item.item.startswith(f"{AUTHORISATION}#"):
            self.notify("highlight a proposal in a queue of proposals to authorise",
                        severity="warning")  # fmt: skip
            return None
        return item.case_id, int(item.item.partition("#")[2])

    def action_authorise(self) -> None:
        """Authorise the highlighted proposal (four eyes): its action is recorded with it, as
        yours; the service refuses one's own proposal, the wrong role, a lapsed one."""
        found = self.proposal()
        if found is not None:
            self.run_db("claim", four_eyes.authorise, self.service, *found)

    def action_reject(self) -> None:
        """Reject the highlighted proposal (or withdraw your own), with a reason."""
        from tui.screens.prompt import PromptScreen

        found = self.proposal()
        if found is None:
            return

        def reason(text: str | None) -> None:
            if text and text.strip():
                self.run_db("claim", four_eyes.reject, self.service, *found, text.strip())

        self.app.push_screen(PromptScreen(f"Reject {found[0]} proposal #{found[1]}", "why"), reason)

    def action_search(self) -> None:
        """Find a case by the person or its attributes; the one chosen opens here."""
        from tui.screens.search import SearchScreen

        def chosen(case_id: str | None) -> None:
            if case_id:
                self.open_case(case_id)

        self.app.push_screen(SearchScreen(), chosen)

    def commands(self) -> list[tuple[str, Any, str]]:
        out: list[tuple[str, Any, str]] = [
            (f"worklist: {q.title}", lambda i=i: self.action_pick(i), f"queue {i + 1}")
            for i, q in enumerate(self.queues)
        ]
        out.append(("case: open by id…", self.action_open_by_id, "open any case by its id"))
        out.append(("case: search…", self.action_search, "find a case by the person or state"))
        if self.queue.name in PROPOSAL_QUEUES:
            out.append(("case: authorise proposal", self.action_authorise, "four eyes"))
            out.append(("case: reject proposal…", self.action_reject, "or withdraw your own"))
        out.append(("worklist: filter", self.action_filter, "filter by case id, force or words"))
        return out


def _allowed_on_each(
    service: Any, cases: list[str]
) -> tuple[list[str], list[tuple[str, str, int]]]:
    """``work.allowed_on_each`` with the cases it was asked of, for ``pick_bulk``."""
    return cases, work.allowed_on_each(service, cases)
