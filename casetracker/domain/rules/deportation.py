"""Grounds for deportation, the work of Criminal Casework (¶3.4, ¶4.32, fn 19).

There are two doors.  A conviction abroad whose ACRO result meets the Serious Offence List is
referred straight to Criminal Casework (¶4.32).  A UK conviction is judged by the Home Office's
deportation criteria, which go by the length of the sentence rather than the nature of the
offence (fn 19).  The report does not give that length: ``DEPORTATION_SENTENCE_MONTHS`` is the
project's assumption (docs/assumptions.md), as is reading one conviction's sentence at a time.
Offences count "singly or together" on the list's side (fn 19): a result whose offences together
merited a significant custodial sentence is a Serious Offence List result (``hosol.meets_list``).
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView, Instance
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.rules.hosol import (
    conviction_categories,
    is_home_office_check,
    meets_list,
    merited_custody,
)

DEPORTATION_SENTENCE_MONTHS = 12  # assumption: the report is silent (fn 19)


def _months(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def uk_sentence_grounds(view: CaseView) -> list[tuple[Instance, str]]:
    """Each UK custodial sentence on the case that meets the deportation criteria."""
    found = []
    for encounter in view.of("encounter"):
        for step in encounter.history:
            if step.action != "convict" or as_text(step.fields.get("sentence")) != "custodial":
                continue
            months = _months(step.fields.get("sentence_months"))
            if months is None or months < DEPORTATION_SENTENCE_MONTHS:
                continue
            criteria = f"at least {DEPORTATION_SENTENCE_MONTHS} months: deportation criteria, fn 19"
            reason = f"UK custodial sentence of {months} months on encounter #{encounter.number}"
            found.append((encounter, f"{reason} ({criteria})"))
    return found


def hosol_grounds(view: CaseView) -> list[tuple[Instance, str]]:
    """Serious Offence List results referred to Criminal Casework (¶4.32)."""
    found = []
    for check in view.of("acro_check"):
        if check.state != "referred_to_criminal_casework":
            continue
        _, why = meets_list(conviction_categories(check), merited_custody(check))
        reason = f"Serious Offence List result of ACRO check #{check.number} referred (¶4.32)"
        found.append((check, f"{reason}: {why}"))
    return found


OWN_CHECK_RESULTS = frozenset({"hosol_result", "referred_to_criminal_casework", "non_hosol_result"})


def overseas_grounds_without_own_check(view: CaseView) -> list[Instance]:
    """The police-requested ACRO checks a deportation decision would rest on alone, while
    Immigration Enforcement holds no convictions from a check of its own (¶4.35, fn 20).

    Empty when a UK sentence gives grounds (no overseas conviction is relied on), when there are
    no overseas grounds, or when a Home Office check has returned convictions.
    """
    if uk_sentence_grounds(view):
        return []
    own = [c for c in view.of("acro_check") if is_home_office_check(c)]
    if any(c.state in OWN_CHECK_RESULTS for c in own):
        return []
    return [check for check, _ in hosol_grounds(view) if not is_home_office_check(check)]


def grounds_by_instance(view: CaseView) -> list[tuple[Instance, str]]:
    """Each instance that puts the case before Criminal Casework, with why."""
    return [*hosol_grounds(view), *uk_sentence_grounds(view)]


def deportation_grounds(view: CaseView) -> list[str]:
    """Every reason the case is for Criminal Casework to consider deportation; empty if none."""
    return [reason for _, reason in grounds_by_instance(view)]
