"""Nothing a person needs is cut off at 80×24 or 120×40: the case screen's key bar reads whole
words at 80 columns, its timeline keeps every column (the lifecycle cut with an ellipsis, "by"
on screen), an action's label is never cut (one longer than the pane wraps), and audit mode
shows the event's hash without scrolling."""

from __future__ import annotations

import pytest

from tests.tui.conftest import run_async, screen_text, settle, words
from tests.tui.test_case_screen import open_row
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.widgets.action_list import ActionList
from tui.widgets.key_bar import SHORT_LABELS, KeyItem, fit


@run_async
async def test_the_case_screen_at_80_by_24_reads_whole_words(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_row(pilot, 0)
        bar = screen_text(app).splitlines()[-1]
        for words in ("x Why?", "o Others", "s Subject", "h History", "r Reload"):
            assert words in bar, bar
        assert "…" not in bar
        timeline = screen.query_one("#timeline")
        header = timeline.header.plain
        assert "lifecycle" in header and header.rstrip().endswith("by")
        assert timeline.virtual_size.width <= timeline.size.width  # nothing off screen
        rows = [line.plain for line in timeline.lines]
        assert any("…" in row for row in rows)  # what does not fit is cut, and says so


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("user", ["io.demo", "ccu.demo", "pc.demo", "joc.demo", "cw.demo"])
@run_async
async def test_no_action_label_is_cut(demo_url, user, size):
    """Every label whole, the 74-character one included: a label longer than the pane wraps
    onto the lines below it (issue 17)."""
    app = CasetrackerApp(demo_url, as_user=user)
    async with app.run_test(size=size) as pilot:
        screen = await open_row(pilot, 0)
        actions = screen.query_one(ActionList)
        assert actions.row_count == len(screen.shown)
        for row, option in enumerate(screen.shown):
            shown = actions.row_text(row)
            assert words(option.spec.label) in words(shown), (option.spec.label, shown)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@run_async
async def test_figure_1_cuts_no_action_label(demo_url, size):
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case="C-0000001")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: case_ready(app))
        actions = app.screen.query_one(ActionList)
        for row, option in enumerate(app.screen.shown):
            shown = actions.row_text(row)
            assert words(option.spec.label) in words(shown), (option.spec.label, shown)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_audit_mode_shows_the_events_hash(demo_url, size):
    app = CasetrackerApp(demo_url, as_user="audit.demo", open_case="C-0000001")
    async with app.run_test(size=size) as pilot:
        await settle(
            pilot, lambda: type(app.screen).__name__ == "AuditScreen" and bool(app.screen.events)
        )
        event = app.screen.events[app.screen.index]
        text = screen_text(app)
        assert event.hash in text
        assert "status_check#" not in text  # the diagram is titled by the record's label


def _items(labels: list[str]) -> list[KeyItem]:
    return [KeyItem(str(i), str(i), label) for i, label in enumerate(labels)]


def test_the_bar_uses_short_words_before_it_cuts_any():
    labels = ["Why not?", "Other roles'", "Subject", "History", "Reload"]
    width = sum(len(SHORT_LABELS.get(w, w)) + 3 for w in labels)  # key, label, two spaces
    entries, _, _ = fit(_items(labels), width)
    assert [e.label for e in entries] == ["Why?", "Others", "Subject", "History", "Reload"]
    entries, _, _ = fit(_items(labels), 200)
    assert [e.label for e in entries] == labels  # in full where they fit
