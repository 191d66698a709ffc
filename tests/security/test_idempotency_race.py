"""A retried request that races the first: both carry one idempotency key, and the first
commits after the retry started but before the retry took the write lock (a script that retries
after a timeout while the first request still runs - what the key is for).

``act`` used to look for the key before its write transaction: the retry then wrote the note's
free text for an event it did not record (``store.append`` found the key and handed the first
event back), folded the first event into its view a second time, and reported the event as new.
The stray free text made ``verify`` report the case damaged (and so refuse every write after
it), and took the place of the next event's own text.
"""

from __future__ import annotations

import inspect

from casetracker import paths
from casetracker.services.cases import Casetracker


def test_a_retry_racing_the_first_request_records_nothing_else(run, db, monkeypatch):
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-f", "force=MPS", "-e", "2016-03-01T09:00", "--json")  # fmt: skip
    case_id = opened.json["case_id"]
    first = Casetracker(paths.database_url(db), role="police")
    retry = Casetracker(paths.database_url(db), role="police")
    locking = retry._connections.write
    armed, done = [], []

    def first_commits_meanwhile():
        """The retry's action takes the write lock; the first request commits just before."""
        caller = inspect.currentframe().f_back  # the action's own transaction, not a lookup
        if armed and not done and caller.f_code.co_name == "act":
            done.append(first.act(case_id, "add_note", {"text": "once"}, idempotency_key="k1"))
        return locking()

    monkeypatch.setattr(retry._connections, "write", first_commits_meanwhile)
    try:
        retry.act(case_id, "add_note", {"text": "seen"})  # the retrying session knew the case
        armed.append(True)
        again = retry.act(case_id, "add_note", {"text": "once"}, idempotency_key="k1")
        kept = retry._views.get(case_id)
    finally:
        first.close()
        retry.close()
    checked = run("--db", db, "verify")
    assert checked.code == 0, checked.out
    note = run("--db", db, "--role", "police", "case", "act", case_id, "add_note", "-f", "text=x")
    assert note.code == 0, note.err
    assert run("--db", db, "verify").code == 0
    assert again.events == done[0].events and again.replayed  # as any retry is
    assert kept is None or len(kept.steps) == kept.version  # the first event folded in once
