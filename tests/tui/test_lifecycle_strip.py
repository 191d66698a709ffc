"""The case screen draws the case's lifecycles over time (``tui.widgets.lifecycle_strip``): a
row per record named by its definition, states written in their runs, and Figure 1's entry
recorded out of sequence marked and named, at 120 and at 80 columns."""

from __future__ import annotations

import pytest

from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.widgets.lifecycle_strip import LifecycleStrip


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@run_async
async def test_figure_1_over_time_with_its_misplaced_claim_marked(demo_url, size):
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case="C-0000001")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: case_ready(app))
        strip = app.screen.query_one(LifecycleStrip)
        strip.scroll_visible(animate=False, top=True)
        await settle(pilot, lambda: strip.region.height > 0)
        drawn = str(strip.render())
        lines = drawn.splitlines()
        assert lines[0].startswith("Case file") and "Open" in lines[0]
        assert any(line.startswith("Encounter #5") for line in lines)
        assert sum("!" in line for line in lines) == 2  # the mark in its lane, and its note
        assert "Lodged, undecided, dated 2016-05-11, is recorded out of sequence" in drawn
        assert any(line.lstrip().startswith("2010-12-01") for line in lines)  # the dates
        width = strip.content_size.width
        assert all(len(line) <= width for line in lines[:-1])  # the note may wrap
        assert "lifecycles over time" in screen_text(app)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@run_async
async def test_a_state_too_short_for_its_label_is_lettered_and_named_in_a_legend(demo_url, size):
    """A status check passes through four states in a quarter of an hour: their runs are a
    cell or two wide, and the labels had been cut to "Reques…" or left out.  Each such state
    is written as a letter and named in full under the strip."""
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case="C-0000021")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: case_ready(app))
        strip = app.screen.query_one(LifecycleStrip)
        lines = str(strip.render()).splitlines()
        lane = next(line for line in lines if line.startswith("Status check #1"))
        legend = {
            entry.split(maxsplit=1)[0]: entry.split(maxsplit=1)[1]
            for line in lines
            if line.startswith(" ")
            for entry in line.split(" · ")
            if len(entry.split(maxsplit=1)[0]) == 1
        }
        current = app.screen.view.instances["status_check#1"].state
        label = app.service.flow.latest["status_check"].state(current).label
        assert label not in lane and legend[lane.rstrip()[-1]] == label
        assert all(len(line) <= strip.content_size.width for line in lines)
