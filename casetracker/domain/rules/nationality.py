"""A claimed nationality and a verified one, kept apart (¶4.1–4.2, fn 10–11).

People arrested may misstate their nationality (¶4.1–4.2); documents, a fingerprint match, CID
or an ETD from a High Commission verify it (fn 10–11, ¶4.27, Figure 2).  So the subject record
keeps both: ``nationality`` as claimed (told at arrest, or by the person when the case opened)
and ``verified_nationality`` as verified; a verification never overwrites the claim.  Both are
personal data, in the erasable subject record like the name.

Whether the two differ is a fact the worklists and reports must find without reading personal
data, so the service records it in the log as ``nationality_mismatch`` on each event that sets
either (``mismatch``): a flag, not the values, which an erasure leaves behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casetracker.domain.case_view import Block, CaseView, Step
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.rules.guard_context import GuardContext, block

CLAIMED = "nationality"
VERIFIED = "verified_nationality"
MISMATCH = "nationality_mismatch"  # logged beside an event that sets either nationality


def same(a: str, b: str) -> bool:
    """The same nationality however it was typed (case and spacing aside)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def mismatch(before: Mapping[str, Any], given: Mapping[str, Any]) -> bool | None:
    """Whether, once ``given`` (an action's personal values) is recorded over ``before`` (the
    subject record's own details), the claimed and verified nationalities differ; None when the
    action sets neither, or when one of the two is still unknown."""
    if CLAIMED not in given and VERIFIED not in given:
        return None
    claimed = as_text(given.get(CLAIMED, before.get(CLAIMED)))
    verified = as_text(given.get(VERIFIED, before.get(VERIFIED)))
    if not claimed or not verified:
        return None
    return not same(claimed, verified)


def flagged(view: CaseView) -> tuple[bool, str, Step] | None:
    """The latest recorded flag, the key of the instance it was recorded on and its step; None
    if never recorded.

    Every action's worklist rows ask this, so the answer is kept in ``view.derived`` with the
    step it was read up to, and a view that has only grown since is read from there on: a
    case's every step was read again on each action."""
    steps = view.steps
    start, found = 0, None
    kept = view.derived.get(_DERIVED)
    if kept is not None:
        seen, last, answer = kept
        if 0 < seen <= len(steps) and steps[seen - 1][1] is last:
            start, found = seen, answer
    for key, step in steps[start:]:  # islice would step over the first ``start`` again
        if MISMATCH in step.fields:
            found = (step.fields[MISMATCH] is True, key, step)
    if steps:
        view.derived[_DERIVED] = (len(steps), steps[-1][1], found)
    return found


_DERIVED = "nationality_flag"


def nationality_kept_apart(ctx: GuardContext) -> list[Block]:
    """A nationality recorded as verified goes in ``verified_nationality``: in ``nationality``
    it would replace the one claimed."""
    if as_text(ctx.field("nationality_basis")) != "verified" or not ctx.field(CLAIMED):
        return []
    return [
        block(
            "nationality_kept_apart",
            "a verified nationality entered as the nationality would overwrite the one claimed",
            "enter it as verified_nationality (the claimed nationality stays as told)",
        )
    ]
