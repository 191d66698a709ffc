"""The auditors' list of every case names each case's force, finished cases included."""

from __future__ import annotations

from contextlib import closing

from casetracker.adapters import worklist
from casetracker.domain.queues import ALL_CASES, case_force
from casetracker.services.cases import Casetracker
from casetracker.services.demo import build_demo


def test_every_listed_case_shows_the_force_its_history_gives(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    build_demo(url, 40)
    with closing(Casetracker(url, as_user="audit.demo")) as auditor:
        listed = worklist.page(auditor.engine, ALL_CASES.name)
        assert len(listed) == 42  # the two case studies and the generated cases
        for item in listed:
            view = auditor.replay(item.case_id)[0]
            assert item.force == case_force(view).upper(), item.case_id
            assert item.force, item.case_id
