"""A case: the subject, every lifecycle's state, live clocks and flags, the timeline, and what
the signed-in user may do now.

The actions (``tui.widgets.action_list``) the lifecycles' states forbid are hidden, and so are
those the user's role can never take (``o`` lists them, naming the roles that may); those a
rule blocks are dimmed, and ``x`` (or enter on one) shows every reason (the same ``Block``s the
service would refuse with).  The allowed ones come first and the first ten of them get number
keys in the key bar; ``/`` finds any of them by name (the command palette, with the case's
actions alone), so one past the tenth is as near.
Acting opens a form built from the definition; the result and the event it wrote are shown at
once; a conflict with someone else's change is explained and the case reloaded.

The app keeps one case screen and shows each case in it (``CaseScreen.reusable``): composing
and mounting a fresh screen cost more than everything else in opening a case.  Which widgets
the screen holds, and how they share a narrow terminal, is ``tui.screens.case_layout``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import ActiveBinding, Binding, BindingType

from casetracker.domain.engine import Option
from casetracker.domain.errors import ActionBlocked, Conflict, NotPermitted
from casetracker.domain.ownership import HeldByAnother
from casetracker.presenters.labels import lifecycle_label
from tui.layout import NARROW
from tui.messages import Failed, Loaded
from tui.screens.case_four_eyes import StepSpec, take_step, with_rows_named, with_steps
from tui.screens.case_layout import CaseLayout
from tui.widgets.action_list import (
    SLOT_KEYS,
    ActionList,
    action_labels,
    others_count,
    shown_options,
    slot_keys,
    why_dimmed,
)
from tui.widgets.actions_pane import ActionsPane
from tui.widgets.case_facts import CaseFactsPanel
from tui.widgets.case_subject import SubjectPanel
from tui.widgets.lifecycle_states import LifecycleStates
from tui.widgets.timeline import Timeline

SCREEN_NAME = "case"  # the name the reusable case screen is installed under
ACT_GROUP = Binding.Group("act", compact=True)  # the number keys, in the key bar
SLOT_ACTIONS = {f"act({i})": i for i in range(len(SLOT_KEYS))}  # a number key's action: its slot


class CaseScreen(CaseLayout):
    AUTO_FOCUS = "#actions"
    HELP = (
        "The case now.  Number keys (or enter in the action list) take an action allowed now; "
        "/ finds any action by name, those past the tenth too.  Dimmed ones are blocked — x, or "
        "enter on one, shows why.  An action a second person "
        "must authorise (four eyes) has a Propose row; a proposal waiting on the case has "
        "Authorise and Decline rows.  o lists the actions only "
        "other roles may take, naming them.  s shows the subject's personal "
        "data (you give a reason; it is logged).  h steps through the history, a shows the "
        "access log, r reloads."
    )
    HELP_PARTS: ClassVar[dict[str, str]] = {"a shows the access log, ": "access_log"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "find_action",
            "Find action…",
            id="case.find_action",
            tooltip="Find any action listed by its name, past the tenth too",
        ),
        Binding("x", "why", "Why not?", id="case.why", tooltip="Every reason an action is blocked"),
        Binding(
            "o",
            "others",
            "Other roles'",
            id="case.others",
            tooltip="List the actions only other roles may take, or hide them",
        ),
        Binding(
            "s",
            "subject",
            "Subject",
            id="case.subject",
            tooltip="Show personal data (reason logged)",
        ),
        Binding(
            "h", "history", "History", id="case.history", tooltip="Step through the case's history"
        ),
        Binding("a", "access_log", "Access log", id="case.access", tooltip="Who read this case"),
        Binding("r", "reload", "Reload", id="case.reload", tooltip="Read the case again"),
        Binding(
            "tab",
            "next_pane",
            "Next pane",
            show=False,
            id="case.focus_next",
            tooltip="Next pane",
        ),
        *(  # a number key for every slot: see ``bind_actions``
            Binding(key, action, f"Take action {key} in the list", group=ACT_GROUP)
            for action, key in zip(SLOT_ACTIONS, SLOT_KEYS, strict=True)
        ),
    ]

    def __init__(
        self,
        case_id: str = "",
        preloaded: tuple[Any, Any, list[Option]] | None = None,
        focus: str = "",
    ) -> None:
        """``preloaded`` is ``read``'s result when the caller has already read the case, so the
        screen is drawn once, complete, with its action keys already in the key bar."""
        super().__init__()
        self.case_id = case_id
        self.TITLE_TEXT = case_id
        self.summary: Any = None
        self.view: Any = None
        self.options: list[Option] = []
        self.shown: list[Option] = []
        self.subject: dict[str, Any] | None = None
        self.busy = True  # a read or a write is in flight
        self.others = False  # the actions only other roles may take are listed too
        # The last action asked for (action, values, effective, version, instance), asked again
        # with take_over once the user confirms acting on another's item.
        self.asked: tuple[str, dict[str, Any], str, int, int | None] | None = None
        self.preloaded = preloaded
        self.focus_item = focus
        if preloaded is not None:
            self.take(case_id, preloaded, focus)

    @classmethod
    def reusable(cls, app: Any) -> CaseScreen:
        """The app's one case screen, installed so that leaving it keeps it for the next case;
        a fresh one if that one is still in use (on a screen stack)."""
        if app.is_screen_installed(SCREEN_NAME):
            kept = app.get_screen(SCREEN_NAME)
            if not any(kept in _stack(app, mode) for mode in (app.DEFAULT_MODE, *app.MODES)):
                return kept
            return cls()
        kept = cls()
        app.install_screen(kept, SCREEN_NAME)
        return kept

    def take(self, case_id: str, data: tuple[Any, Any, list[Option]], focus: str = "") -> None:
        """Show another case (already read): nothing of the previous one survives — its
        personal data, its cursor, its pending reads (their replies are dropped by epoch)."""
        self.epoch += 1
        self.case_id = case_id
        self.TITLE_TEXT = case_id
        self.summary, self.view, self.options = data
        self.subject = None
        self.busy = False
        self.asked = None
        self.focus_item = focus
        self.shown = self.listed(focus)
        self.bind_actions()
        if self.is_mounted:
            self.render_case(rebind=False)
            self.reset_view()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < NARROW, "-narrow")  # before the first resize
        if self.summary is None:
            self.load()
        else:
            self.busy = False
            self.render_case(rebind=False)
            self.reset_view()

    def on_screen_suspend(self) -> None:
        self.query_one(CaseFactsPanel).pause()

    def on_screen_resume(self) -> None:
        self.query_one(CaseFactsPanel).resume()

    # ------------------------------------------------------------ loading

    def load(self) -> None:
        self.busy = True
        self.query_one(ActionsPane).note(Text("reading the case…", style="italic"))
        self.run_db("case", self.read, self.service, self.case_id)

    @staticmethod
    def read(service: Any, case_id: str) -> tuple[Any, Any, list[Option]]:
        """The case now and every action with its blocks (two logged reads of the log)."""
        summary = service.show(case_id)
        view, options = service.options(case_id)
        return summary, view, options

    def on_loaded(self, message: Loaded) -> None:
        if message.epoch != self.epoch:
            return
        if message.what == "case":
            self.summary, self.view, self.options = message.data
            self.busy = False
            first = self.query_one(ActionList).row_count == 0
            self.render_case()
            if first:
                self.reset_view()
        elif message.what == "subject":
            self.subject = message.data.subject
            self.render_subject()
        elif message.what == "act":
            self.acted(message.data)

    def on_failed(self, message: Failed) -> None:
        # Textual would call SessionScreen.on_failed after this one too: a second notice of a
        # refusal already shown (the reasons' dialog), or of a stale case's error.
        message.prevent_default()
        if message.epoch != self.epoch:
            return
        self.busy = False
        error = message.error
        if message.what == "act" and isinstance(error, Conflict):
            self.notify(
                f"{error}\nThe case has been reloaded: check what changed, then act again.",
                title="someone else changed this case",
                severity="warning",
                timeout=12,
            )
            self.load()
        elif message.what == "act" and isinstance(error, HeldByAnother):
            self.ask_take_over(error)
        elif message.what == "act" and isinstance(error, ActionBlocked | NotPermitted):
            from tui.screens.blocked import BlockedScreen

            self.app.push_screen(BlockedScreen("Not recorded", [("", error.blocks)]))
            self.load()
        elif message.what == "case" and self.summary is None:
            self.notify(str(error), title="cannot open the case", severity="error", timeout=8)
            self.app.pop_screen()
        else:
            super().on_failed(message)

    # ------------------------------------------------------------ drawing

    def render_case(self, rebind: bool = True) -> None:
        flow = self.service.flow
        self.render_subject()
        self.query_one(CaseFactsPanel).show(self.view)
        self.query_one(LifecycleStates).show(flow, self.view)
        self.show_strip(self.service, self.view, self.summary.events)
        timeline = self.query_one(Timeline)
        timeline.show(flow, self.summary.events)
        if timeline.row_count:
            timeline.move_cursor(row=timeline.row_count - 1)
        self.shown = self.listed(self.focus_item)
        hidden = 0 if self.others else others_count(self.options)
        self.query_one(ActionsPane).show(self.shown, flow, hidden)
        self.show_pane("actions" if self.has_class("-actions-pane") else "case")
        if rebind:
            self.bind_actions()

    def listed(self, focus: str) -> list[Option]:
        """The actions listed: as ``shown_options`` picks them, with the four-eyes rows
        (propose, authorise, decline: ``tui.screens.case_four_eyes``)."""
        shown = shown_options(self.options, focus, self.others)
        service = self.service
        return with_steps(shown, self.options, self.view, service.actor, service.flow)

    def bind_actions(self) -> None:
        """Number keys for the first actions, in the key bar (folded into ``1234567890 act``
        when their labels do not fit): declared for every slot, they are hidden past the last
        action and dimmed when not allowed (``check_action``), and named by ``key_description``:
        both read ``shown``, so the key bar is only told to ask again."""
        if self.is_mounted:
            self.refresh_bindings()

    def key_description(self, binding: Binding) -> str:
        """What ``binding`` does on this case now: a number key's is the label of the action
        in its slot ("" for an empty slot); any other's is its own description.  The key bar
        (through ``active_bindings``) and the help screen ask it."""
        index = SLOT_ACTIONS.get(binding.action)
        if index is None:
            if binding.action == "others":
                return "Hide other roles'" if self.others else "Other roles'"
            return binding.description
        if not self._slot_allowed(index):
            return ""
        return action_labels(self.shown, self.service.flow)[index]

    def _slot_allowed(self, index: int) -> bool:
        """Number key ``index`` has an action: the allowed ones are listed first."""
        return 0 <= index < len(self.shown) and self.shown[index].allowed

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, each number key's described by ``key_description``: a
        binding's description is fixed when it is declared, the action in a slot is not."""
        found = super().active_bindings
        for key, active in found.items():
            if active.binding.action in SLOT_ACTIONS or active.binding.action == "others":
                binding = replace(active.binding, description=self.key_description(active.binding))
                found[key] = ActiveBinding(active.node, binding, active.enabled, active.tooltip)
        return found

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return self._slot_allowed(int(str(parameters[0])) if parameters else -1)
        if action == "others":
            return self.others or others_count(self.options) > 0
        if action == "access_log":
            return self.may_read_access_log
        return True

    def render_subject(self) -> None:
        if self.summary is not None:
            self.query_one(SubjectPanel).show(self.summary, self.view, self.subject)

    # ------------------------------------------------------------ acting

    def selected(self) -> Option | None:
        index = self.query_one(ActionList).cursor_row
        if not self.shown or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def on_row_table_row_selected(self, event: ActionList.RowSelected) -> None:
        if event.table.id == "actions":
            self.action_act(int(event.key))

    def action_act(self, index: int) -> None:
        if not 0 <= index < len(self.shown):
            return
        option = self.shown[index]
        if not option.allowed:
            self.show_reasons([option])
            return
        if isinstance(option.spec, StepSpec):
            take_step(self, option)
            return
        from tui.screens.action_form import ActionFormScreen

        version = self.view.version

        def submitted(answer: tuple[dict[str, Any], str] | None) -> None:
            if answer is None:
                return
            values, effective = answer
            self.record(option.spec.name, values, effective, version, option.number)

        first = self.view.steps[0][1].effective if self.view and self.view.steps else None
        self.app.push_screen(ActionFormScreen(option, self.case_id, first), submitted)

    def record(
        self,
        action: str,
        values: dict[str, Any],
        effective: str,
        version: int,
        number: int | None,
        take_over: bool = False,
    ) -> None:
        """Record the action in a worker, against the case version the form was filled on."""
        self.busy = True
        self.asked = (action, values, effective, version, number)
        self.query_one(ActionsPane).note(Text("recording…", style="italic"))
        self.run_db(
            "act",
            self.service.act,
            self.case_id,
            action,
            values,
            effective,
            expected_version=version,
            instance=number,
            take_over=take_over,
        )

    def ask_take_over(self, error: HeldByAnother) -> None:
        """The item is someone else's: act only if the user says so (the event records it)."""
        from tui.screens.confirm import ConfirmScreen

        self.busy = False
        asked = self.asked

        def confirmed(yes: bool | None) -> None:
            if yes and asked is not None:
                self.record(*asked, take_over=True)
            else:
                self.load()

        held = "; ".join(f"{item} in {queue} is held by {who}" for (queue, item), who in error.held)
        self.app.push_screen(
            ConfirmScreen(
                "Someone else holds this item",
                f"{held}.  Act on it anyway?  The event records whose item it was.",
            ),
            confirmed,
        )

    def acted(self, result: Any) -> None:
        from tui.screens.result import ResultScreen

        self.busy = False
        event = result.events[-1]
        flow = self.service.flow
        spec = flow.specs[(event.workflow, event.workflow_version)]
        action = spec.action(event.action)
        label = action.label if action else event.action
        state = spec.state(result.state)
        now = state.label if state else result.state
        record = lifecycle_label(flow, event.workflow, event.instance)
        self.notify(f"Recorded: {label} → {record}: {now}", title=self.case_id)
        self.app.push_screen(ResultScreen(f"Recorded: {label}", result))
        self.load()

    def show_reasons(self, options: list[Option]) -> None:
        from tui.screens.blocked import BlockedScreen

        blocked = [o for o in options if not o.allowed]
        if not blocked:
            self.notify("nothing blocked here: every action shown is allowed", timeout=4)
            return
        title = "Why not?" if len(blocked) > 1 else f"Why not: {blocked[0].spec.label}"
        flow = self.service.flow
        sections = [
            (
                f"{o.spec.label} ({lifecycle_label(flow, o.workflow, o.number)})",
                with_rows_named(o, self.shown).blocks,
            )
            for o in blocked
        ]
        self.app.push_screen(BlockedScreen(title, sections))

    def action_find_action(self) -> None:
        """The command palette with the case's actions alone (``action_commands``)."""
        from textual.command import CommandPalette

        from tui.commands import CaseActions

        self.app.push_screen(
            CommandPalette(providers=[CaseActions], placeholder="Type part of an action's name…")
        )

    def action_others(self) -> None:
        """List the actions only other roles may take (each naming them), or hide them."""
        self.others = not self.others
        if self.summary is not None:
            self.render_case()

    def action_why(self) -> None:
        chosen = self.selected()
        if chosen is not None and not chosen.allowed and self.query_one("#actions").has_focus:
            self.show_reasons([chosen])
        else:
            self.show_reasons(self.shown)

    def action_subject(self) -> None:
        from tui.screens.prompt import PromptScreen

        def reason(text: str | None) -> None:
            if text and text.strip():
                self.run_db("subject", self.service.show, self.case_id, text.strip())

        self.app.push_screen(
            PromptScreen(
                "Why do you need this person's personal data?",
                "e.g. identity check at custody",
                note="Your reason is recorded in the access log with your name.",
            ),
            reason,
        )

    def action_history(self) -> None:
        from tui.screens.audit import AuditScreen

        self.app.push_screen(AuditScreen(self.case_id))

    def action_access_log(self) -> None:
        from tui.screens.access_log import AccessLogScreen

        self.app.push_screen(AccessLogScreen(self.case_id))

    def action_reload(self) -> None:
        self.load()

    def action_commands(self) -> list[tuple[str, Any, str]]:
        """Each action listed, as the palette and ``/`` offer it: its label and record, and
        its number key, or why it is dimmed."""
        flow = self.service.flow
        out: list[tuple[str, Any, str]] = []
        listed = zip(
            slot_keys(self.shown), self.shown, action_labels(self.shown, flow), strict=True
        )
        for i, (key, option, label) in enumerate(listed):
            if label == option.spec.label:
                label = f"{label} ({lifecycle_label(flow, option.workflow, option.number)})"
            if option.allowed:
                note = f"key {key}" if key else "allowed now"
            else:
                note = f"{why_dimmed(option)}: shows why"
            out.append((f"case: {label}", partial(self.action_act, i), note))
        return out

    def commands(self) -> list[tuple[str, Any, str]]:
        out = self.action_commands()
        out += [
            ("view: audit trail", self.action_history, "step through this case's history"),
            *(
                [("view: access log", self.action_access_log, "who read this case")]
                if self.may_read_access_log
                else []
            ),
            ("case: why not?", self.action_why, "every reason the dimmed actions are blocked"),
            ("case: show subject", self.action_subject, "personal data, with a logged reason"),
            (
                "case: other roles' actions",
                self.action_others,
                "list or hide what only other roles may take",
            ),
        ]
        return out


def _stack(app: Any, mode: str) -> list:
    """A mode's screen stack; empty for a mode not entered yet."""
    try:
        return app.get_screen_stack(mode)
    except KeyError:
        return []
