"""The case screen's subject panel: the case's id, force, version and opening, and the
subject's personal data only once someone has asked for it with a reason (which is logged).

One field a line, so that a value is never split in two; once erased, the panel says when.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from casetracker.domain.case_view import CaseView
from casetracker.domain.queues import case_force
from casetracker.presenters.text import opened_day, recorded_date, subject_lines


class SubjectPanel(Static):
    def show(self, summary: Any, view: CaseView, subject: dict[str, Any] | None) -> None:
        """Draw ``summary`` (the service's ``show``); ``subject`` is the personal data when it
        has been read, else None (withheld)."""
        text = Text()
        text.append(f"{summary.case_id}", style="bold")
        text.append(f"   force {case_force(view) or '—'}\n")
        text.append(f"version {summary.version} · opened {opened_day(summary)}\n")
        if summary.subject_erased:
            erased = recorded_date(summary.subject_erased)
            text.append(f"personal data erased on {erased}", style="dim")
        elif subject is not None:
            text.append("\n".join(subject_lines(subject)), style="bold")
        else:
            text.append(
                "personal data withheld — press s and give a reason (it is logged)",
                style="dim italic",
            )
        self.border_title = "subject"
        self.update(text)
