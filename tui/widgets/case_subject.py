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
from casetracker.presenters.text import (
    effective_text,
    recorded_date,
    split_subject,
    subject_label,
)


class SubjectPanel(Static):
    def show(self, summary: Any, view: CaseView, subject: dict[str, Any] | None) -> None:
        """Draw ``summary`` (the service's ``show``); ``subject`` is the personal data when it
        has been read, else None (withheld)."""
        text = Text()
        text.append(f"{summary.case_id}", style="bold")
        text.append(f"   force {case_force(view) or '—'}\n")
        text.append(f"version {summary.version} · opened {_opened(summary)}\n")
        if summary.subject_erased:
            erased = recorded_date(summary.subject_erased)
            text.append(f"personal data erased on {erased}", style="dim")
        elif subject is not None:
            own, free_text = split_subject(subject)  # free text under its field, by event
            text.append(
                "\n".join(
                    [
                        *(
                            f"{subject_label(k)}: {', '.join(v) if isinstance(v, list) else v}"
                            for k, v in (own or {}).items()
                        ),
                        *(f"event {t['seq']} {t['field']}: {t['value']}" for t in free_text),
                    ]
                ),
                style="bold",
            )
        else:
            text.append(
                "personal data withheld — press s and give a reason (it is logged)",
                style="dim italic",
            )
        self.border_title = "subject"
        self.update(text)


def _opened(summary: Any) -> str:
    """When the case opened: the day its first event happened (a case keyed in years later,
    as Figure 1's was, opened then, not on the day it was typed in)."""
    if not summary.events:
        return recorded_date(summary.opened)
    shown = effective_text(summary.events[0].effective)
    return shown[:10] if shown[:4].isdigit() else shown  # a day, without the time of day
