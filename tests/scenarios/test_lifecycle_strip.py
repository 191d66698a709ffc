"""The lifecycle strip's layout (``presenters.lifecycle_strip``) on Figure 1: a lane per record,
states in effective order and contiguous, and the human-rights claim dated 11 May 2016 but
recorded among May 2014's entries marked where its date puts it."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from casetracker.domain.deadlines import WORK
from casetracker.domain.effective_time import DEFAULT_ZONE
from casetracker.presenters.lifecycle_strip import Scale, strip_layout
from casetracker.presenters.timeline import story_end
from casetracker.services.registry import workflow_engine


def test_figure_1_lanes_follow_the_records_and_mark_the_misplaced_claim(figure_1) -> None:
    _, result = figure_1
    flow = workflow_engine()
    view = flow.fold(result.case_id, result.events)
    as_at = story_end(result.events)
    layout = strip_layout(flow, view, result.events, as_at)

    recorded = {k for k, i in view.instances.items() if i.history and i.workflow != WORK}
    assert {lane.key for lane in layout.lanes} == recorded
    labels = [lane.label for lane in layout.lanes]
    assert labels[0] == "Case file" and "Encounter #5" in labels and "Removal" in labels
    for lane in layout.lanes:
        intervals = lane.intervals
        for before, after in pairwise(intervals):
            assert before.end == after.start and before.start <= after.start, lane.key
            assert before.state != after.state or after.out_of_sequence, lane.key
        last = intervals[-1]
        assert last.end == (last.start if last.terminal else as_at), lane.key
        assert layout.start <= intervals[0].start and last.end <= layout.end

    (marked,) = layout.out_of_sequence  # the one entry the timeline flags
    lane, claim = marked
    assert lane.workflow == "barrier"
    assert claim.start.astimezone(DEFAULT_ZONE).date() == date(2016, 5, 11)
    event = next(e for e in result.events if e.seq == claim.seq)
    before = next(e for e in result.events if e.seq == claim.seq - 1)
    assert event.effective > before.effective and event.effective[:4] == "2016"
    assert before.effective[:4] == "2014"  # listed among the entries of May 2014

    scale = Scale(layout.start, layout.end, 60)
    cells = scale.cells(lane)
    assert cells[scale.column(claim.start)] is claim
    assert all(c is None for c in cells[: scale.column(lane.intervals[0].start)])
    assert scale.column(layout.start) == 0 and scale.column(layout.end) == 59
