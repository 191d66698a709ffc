"""The read models' rows kept on a case's view from one action to the next (the worklist's,
the deadlines' and the report tables'): at every step of a generated year's cases, and with
notes between the steps, the rows a kept view gives are the rows a view folded afresh gives.

Each model keeps its rows while the case's records other than its own (``case``) are as they
were; these tests hold that what they read of the case's own record is in what they keep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casetracker.adapters import deadlines, mi_model, worklist
from casetracker.domain import clock
from casetracker.domain.case_view import CaseView, Step
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.rules.io_coverage import HOME_OFFICE_DEALT_WITH
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from workflows import DEFINITIONS

MODELS = (worklist.rows_for, deadlines.rows_for, mi_model.case_rows)


def test_no_action_of_the_case_record_is_a_step_the_report_rows_read() -> None:
    """The report rows read the Home Office's steps of every record: none may be the case's
    own, or a note's step would change them and ``mi_model.case_rows`` would keep them."""
    own = {a.name for spec in DEFINITIONS if spec.name == "case" for a in spec.actions}
    assert own and not own & HOME_OFFICE_DEALT_WITH


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('kept') / 'year.db'}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="io.demo")
    generate_year(ct, seed=11, year=2015, arrests=60, workers=1)
    yield ct
    ct.close()


def _rows(view: CaseView) -> list:
    return [model(view) for model in MODELS]


def _own(view: CaseView, flow, action: str) -> None:
    """An action on the case's own record with no logged field (a note: its text is free
    text, kept out of the log), as a fold adds it."""
    seq = view.version + 1
    step = Step(seq, action, parse_canonical("2015-12-31"), {}, "police", datetime.now(UTC))
    flow.advance(view, "case", view.one("case").version, 0, action, step)


def test_rows_kept_on_a_view_are_the_rows_of_a_view_folded_afresh(year) -> None:
    flow = year.flow
    with year.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT case_id FROM cases ORDER BY case_id")]
    compared = ended = 0
    for case_id in ids:
        events = year.store.read_case(case_id)
        kept = CaseView(case_id)
        for i, event in enumerate(events):
            flow.fold_into(kept, [event])
            fresh = flow.fold(case_id, events[: i + 1])
            assert _rows(kept) == _rows(fresh), (case_id, event.seq, event.action)
            compared += 1
        if kept.one("case") is not None and kept.one("case").state == "open":
            ended += bool(deadlines.rows_for(kept))  # which closing the case ends
            taken: list[str] = []
            for action in ("add_note", "close_case"):
                _own(kept, flow, action)
                assert kept.derived  # rows were kept, and the step is read through them
                taken.append(action)
                fresh = flow.fold(case_id, events)
                for earlier in taken:
                    _own(fresh, flow, earlier)
                assert _rows(kept) == _rows(fresh), (case_id, action)
    assert compared > 300 and ended


def test_rows_kept_before_the_clock_moved_are_the_rows_after_it(year) -> None:
    """The worklist reads the clock (whether a proposal has lapsed): a view that kept its rows
    at one moment gives, at a later one, the rows a view folded then gives."""
    flow = year.flow
    with year.engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT case_id FROM cases ORDER BY case_id")]
    for case_id in ids[:40]:
        kept = flow.fold(case_id, year.store.read_case(case_id))
        for moment in (datetime(2015, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)):
            clock.set_clock(lambda moment=moment: moment)
            try:
                first = worklist.rows_for(kept)
                fresh = flow.fold(case_id, year.store.read_case(case_id))
                assert first == worklist.rows_for(fresh)
                clock.set_clock(lambda moment=moment: moment + timedelta(days=400))
                assert worklist.rows_for(kept) == worklist.rows_for(fresh)
            finally:
                clock.set_clock(None)
