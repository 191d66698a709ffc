"""The case views a service keeps between actions, so a caseworker's next action on the same case
folds only what is new instead of re-reading the whole history.

Kept apart from the service because it knows nothing of users, forces or transactions: it is a
bounded most-recently-used map, and the service decides when an entry is still current.
"""

from __future__ import annotations

from collections import OrderedDict

from casetracker.domain.case_view import CaseView


class ViewCache:
    """Recently used case views, so a caseworker's next action need not re-read the history.

    An entry is used only while its version and head hash still match the log's, so another
    process's write simply causes a re-read.  ``act`` takes a view out of the cache before it
    folds new events into it and puts it back once the transaction has committed, so a failed
    action never leaves a changed view behind.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._views: OrderedDict[str, CaseView] = OrderedDict()

    def get(self, case_id: str) -> CaseView | None:
        view = self._views.get(case_id)
        if view is not None:
            self._views.move_to_end(case_id)
        return view

    def drop(self, case_id: str) -> None:
        self._views.pop(case_id, None)

    def put(self, case_id: str, view: CaseView) -> None:
        self._views[case_id] = view
        self._views.move_to_end(case_id)
        while len(self._views) > self.size:
            self._views.popitem(last=False)
