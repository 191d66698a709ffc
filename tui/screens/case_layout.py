"""The case screen's layout: which widgets it holds, where, and how they share the terminal.

Wide, the case (subject, live facts, lifecycle states) and its actions stand side by side above
the timeline.  Below ``NARROW`` columns the case and its actions take turns on the screen (tab
switches), each at full width, rather than two panes too narrow to read; the half on screen is
the one with focus, however focus got there.  ``tui.screens.case.CaseScreen`` fills the widgets
and binds the keys (tab included: ``action_next_pane`` is here).
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget

from casetracker.domain import clock
from casetracker.domain.engine import Option
from casetracker.presenters.lifecycle_strip import strip_layout
from casetracker.presenters.timeline import figures_as_at
from tui.layout import NARROW
from tui.screens.base import SessionScreen
from tui.widgets.action_list import ActionList
from tui.widgets.actions_pane import ActionsPane
from tui.widgets.case_facts import CaseFactsPanel
from tui.widgets.case_subject import SubjectPanel
from tui.widgets.lifecycle_states import LifecycleStates
from tui.widgets.lifecycle_strip import LifecycleStrip
from tui.widgets.pane_bar import PaneBar
from tui.widgets.timeline import Timeline


class CaseLayout(SessionScreen):
    shown: list[Option]  # the actions listed (set by CaseScreen): the pane bar counts them

    def compose(self) -> ComposeResult:
        yield self.header()
        yield PaneBar("", id="case-panes")
        with Horizontal(id="case-body"):
            with VerticalScroll(id="case-main"):
                yield SubjectPanel("", id="subject", classes="panel")
                yield CaseFactsPanel(id="facts")
                yield LifecycleStates(id="states")
                yield LifecycleStrip(id="strip")
            yield ActionsPane(id="case-side")
        yield Timeline(id="timeline")
        yield self.footer()

    def reset_view(self) -> None:
        """As a newly opened case looks: at the top, first action highlighted, focus on the
        actions (on the case itself when the screen is too narrow for both)."""
        self.query_one("#case-main", VerticalScroll).scroll_home(animate=False)
        self.query_one(ActionList).move_cursor(row=0)
        narrow = self.has_class("-narrow")
        self.show_pane("case" if narrow else "actions")
        target: Widget = self.query_one(Timeline) if narrow else self.query_one(ActionList)
        target.focus(scroll_visible=False)
        header = self.query_one("SessionHeader")
        header.title = self.TITLE_TEXT  # type: ignore[attr-defined]
        header.refresh_session()  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        """Narrow now (the app's breakpoints set ``-narrow``): show the half that has focus."""
        self.set_class(event.size.width < NARROW, "-narrow")
        self.show_pane("actions" if self.query_one(ActionList).has_focus else "case")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """When narrow, the half on screen is the one with focus, however focus got there."""
        if self.has_class("-narrow"):
            self.show_pane("actions" if isinstance(event.widget, ActionList) else "case")

    def show_strip(self, service: Any, view: Any, history: Any) -> None:
        """The lifecycles over time, each open state up to the moment the case's figures are
        counted to (now on live records, the story's end in a demo or training database)."""
        as_at = figures_as_at(service.realm, history, clock.now())
        self.query_one(LifecycleStrip).show(
            service.flow, strip_layout(service.flow, view, history, as_at)
        )

    def show_pane(self, pane: str) -> None:
        """Which half is on screen when narrow (both are, when wide), and the bar naming it."""
        self.set_class(pane == "actions", "-actions-pane")
        allowed = sum(1 for o in self.shown if o.allowed)
        panes = (("case", "case & timeline"), ("actions", f"actions: {allowed} allowed"))
        self.query_one(PaneBar).show(panes, pane)

    def action_next_pane(self) -> None:
        if not self.has_class("-narrow"):
            self.focus_next()
            return
        to_actions = not self.has_class("-actions-pane")
        self.show_pane("actions" if to_actions else "case")
        target: Widget = self.query_one(ActionList) if to_actions else self.query_one(Timeline)
        target.focus(scroll_visible=False)
