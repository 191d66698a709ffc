"""``nationality.flagged`` reads only the steps a view gained since it last answered (issue 18:
every action's worklist rows ask it), and answers as a reading of every step would."""

from __future__ import annotations

from datetime import UTC, datetime

from casetracker.domain.case_view import CaseView, Step
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.rules.nationality import MISMATCH, flagged

AT = datetime(2016, 1, 1, tzinfo=UTC)


def _step(seq: int, fields: dict) -> Step:
    return Step(seq, "note", parse_canonical("2015-06-21"), fields, "police", AT)


def _afresh(view: CaseView) -> CaseView:
    return CaseView(view.case_id, dict(view.instances), list(view.steps), view.version)


def test_a_growing_view_answers_as_a_fresh_one() -> None:
    view = CaseView("C-0000001")
    fields = [{}, {MISMATCH: True}, {}, {"text": "x"}, {MISMATCH: False}, {}, {MISMATCH: True}]
    for seq, given in enumerate(fields, start=1):
        view.steps.append(("case", _step(seq, given)))
        assert flagged(view) == flagged(_afresh(view))
    assert flagged(view) == (True, "case", view.steps[-1][1])


def test_an_answer_is_not_taken_for_another_history() -> None:
    view = CaseView("C-0000001", steps=[("case", _step(1, {MISMATCH: True}))])
    assert flagged(view) is not None
    view.steps[:] = [("case", _step(1, {}))]  # not the step the answer was read up to
    assert flagged(view) is None
