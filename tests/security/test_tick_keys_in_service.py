"""A tick's idempotency keys (``deadline:``) are refused by the service, not only by the
command line (commit 255af49 refused them in ``cli.common`` alone, with the prefix written
there a second time): a caller of ``work.act_on_each`` other than the CLI, on SQLite, could
still record a note under a key a tick keeps for itself, and so stop the tick at that case.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from casetracker.domain.errors import UsageError
from casetracker.services import work
from casetracker.services.cases import Casetracker


@pytest.mark.parametrize("count", [1, 2])
def test_the_service_refuses_a_ticks_key(run, db, count):
    for _ in range(count):
        opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                     "-f", "force=MPS", "-e", "2015-01-01")  # fmt: skip
        assert opened.code == 0, opened.err
    cases = [f"C-000000{n}" for n in range(1, count + 1)]
    key = f"{work.TICK_KEY_PREFIX}{'0' * 64}"
    with (
        closing(Casetracker(f"sqlite:///{db}", role="police")) as ct,
        pytest.raises(UsageError, match="kept for the passed deadlines"),
    ):
        work.act_on_each(ct, cases, "add_note", {"text": "x"}, idempotency_key=key)
    for case_id in cases:
        events = run("--db", db, "case", "history", case_id, "--json").json["events"]
        assert [e["action"] for e in events] == ["open_case"]


def test_the_command_line_refuses_it_early_with_the_services_words(run, db):
    key = f"{work.TICK_KEY_PREFIX}x"
    taken = run("--db", db, "--role", "police", "case", "open", "-f", "name=B",
                "--idempotency-key", key)  # fmt: skip
    assert taken.code == 2, taken.err
    assert work.key_refused(key) in taken.err
    assert work.key_refused("k" * work.KEY_LIMIT) is None
    assert work.key_refused("k" * (work.KEY_LIMIT + 1)) == f"at most {work.KEY_LIMIT} characters"
