"""An instance on an older definition, and a history whose definition is gone (issue 14, item 10):
each is a clean refusal, never an AssertionError or a KeyError."""

from __future__ import annotations

from dataclasses import replace

import pytest

from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import Refused
from casetracker.domain.vocabulary import ActionSpec, Role, StateSpec
from casetracker.services.cases import Casetracker
from tests.helpers import new_service
from workflows import case_file

V2 = replace(
    case_file.DEFINITION,
    version=2,
    states=(*case_file.DEFINITION.states, StateSpec("archived", "Archived", terminal=True)),
    actions=(
        *case_file.DEFINITION.actions,
        ActionSpec("archive_case", "Archive", ("closed",), "archived", (Role.ADMIN,)),
    ),
)


def _v1_case(url: str) -> str:
    ct = new_service(url, role="admin")
    case_id = ct.open_case({"name": "Versioned Person (synthetic)", "force": "MPS"}).case_id
    ct.act(case_id, "close_case", {"reason": "no further action (synthetic)"}, "2016-06-24")
    return case_id


def test_an_action_only_in_a_later_version_is_refused_cleanly(sqlite_url):
    case_id = _v1_case(sqlite_url)
    ct = Casetracker(sqlite_url, role="admin", workflows=WorkflowEngine([case_file.DEFINITION, V2]))
    with pytest.raises(Refused, match="version 1") as refused:
        ct.act(case_id, "archive_case", {}, "2016-06-25")
    assert not isinstance(refused.value, AssertionError)


def test_a_history_under_a_deleted_definition_version_is_refused_cleanly(sqlite_url):
    case_id = _v1_case(sqlite_url)
    ct = Casetracker(sqlite_url, role="admin", workflows=WorkflowEngine([V2]))
    with pytest.raises(Refused, match="version 1 of case"):
        ct.show(case_id)
