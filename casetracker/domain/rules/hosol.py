"""ACRO results and the Home Office Serious Offence List (¶4.31–4.35, fn 19–20).

A result that meets the list is put on PNC, which immigration officials can see, and referred to
Criminal Casework for deportation (¶4.32).  Anything below it is police data: IOs see it only
where the force shares ACRO results (West Yorkshire shares all, ¶4.35), and the Home Office may
act on it only after requesting its own second check (fn 20).

The report does not print the list; it says the list is about the nature of the offence, not the
sentence given, and covers murder, sexual offences and other offences, mostly violent, which
"singly or together" merited a significant custodial sentence (fn 19).  So a result meets it in
two ways: an offence of a listed kind (the categories below are this project's working reading,
kept in one place to be revised), or offences that, one alone or several together, merited a
significant custodial sentence, which whoever records the result states
(``merited_significant_custody``), as the list itself is not published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casetracker.domain.case_view import Instance
from casetracker.domain.organisation import AcroSharing
from casetracker.domain.rules.field_values import as_list
from casetracker.domain.rules.offences import label

HOSOL_CATEGORIES = frozenset(
    {
        "murder_or_manslaughter",
        "gbh",
        "sexual_offence",
        "human_trafficking",
        "firearm",
        "knife",
        "other_weapon",
        "robbery",
    }
)
POLICE_ROLES = frozenset({"police", "auditor"})
HOME_OFFICE_CHECK = "request_immigration_acro_check"
RESULT_OF_STATE = {
    "requested": "pending",
    "no_record": "no_record",
    "no_response": "no_response",
    "hosol_result": "hosol",
    "referred_to_criminal_casework": "hosol",
    "non_hosol_result": "non_hosol",
}


@dataclass(frozen=True)
class Decision:
    """A yes or no with every reason for it."""

    allowed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AcroVisibility:
    visible: bool
    usable_for_immigration_action: bool
    reasons: tuple[str, ...]


def hosol_offences(categories: Iterable[str]) -> list[str]:
    """The categories in a result that meet the Serious Offence List."""
    return [c for c in categories if c in HOSOL_CATEGORIES]


def visibility(
    result: str, home_office_check: bool, sharing: AcroSharing, role: str
) -> AcroVisibility:
    """Who may see an ACRO result and whether the Home Office may act on it.

    ``result`` is one of pending, no_record, no_response, hosol, non_hosol.
    """
    usable = _usable(result, home_office_check)
    if role in POLICE_ROLES:
        seen = "the police see the results of their own checks"
    elif home_office_check:
        seen = "the Home Office requested this check itself (fn 20)"
    elif result == "hosol":
        seen = "on the Serious Offence List, so recorded on PNC, which IOs can see (¶4.32)"
    elif sharing == AcroSharing.ALL:
        seen = "the force shares every ACRO result with IOs (¶4.35)"
    else:
        hidden = "below the Serious Offence List, and the force does not share ACRO results (¶4.32)"
        return AcroVisibility(False, False, (hidden, *usable.reasons))
    return AcroVisibility(True, usable.allowed, (seen, *usable.reasons))


def _usable(result: str, home_office_check: bool) -> Decision:
    if result in {"pending", "no_record", "no_response"}:
        return Decision(False, (f"no convictions to act on ({result.replace('_', ' ')})",))
    if result == "hosol":
        return Decision(True, ("a Serious Offence List result goes to Criminal Casework (¶4.32)",))
    if home_office_check:
        return Decision(True, ("the Home Office's own check may be acted on (fn 20)",))
    return Decision(
        False, ("immigration action needs the Home Office's own second ACRO check (fn 20)",)
    )


def result_of(check: Instance) -> str:
    return RESULT_OF_STATE.get(check.state, "pending")


def is_home_office_check(check: Instance) -> bool:
    return check.started is not None and check.started.action == HOME_OFFICE_CHECK


def acro_visibility(check: Instance, sharing: AcroSharing, role: str) -> AcroVisibility:
    """``visibility`` for a recorded ACRO check instance."""
    return visibility(result_of(check), is_home_office_check(check), sharing, role)


def usable_for_immigration_action(check: Instance) -> Decision:
    """Whether the Home Office may act on this check's result (¶4.32, fn 20)."""
    return _usable(result_of(check), is_home_office_check(check))


def meets_list(categories: Iterable[str], merited_custody: bool) -> tuple[bool, str]:
    """Whether a result's convictions meet the Serious Offence List, and why (fn 19).

    ``merited_custody``: the recorder's statement that the offences, singly or together,
    merited a significant custodial sentence; it needs at least one conviction.
    """
    listed = list(categories)
    serious = hosol_offences(listed)
    if serious:
        return True, f"{', '.join(label(c) for c in serious)} is on the Serious Offence List"
    if merited_custody and listed:
        how = "together" if len(listed) > 1 else "singly"
        return True, f"the offences {how} merited a significant custodial sentence (fn 19)"
    return False, (
        f"none of {', '.join(label(c) for c in listed) or 'no convictions'} is on the Serious "
        "Offence List, and they are not recorded as having, singly or together, merited a "
        "significant custodial sentence (fn 19)"
    )


def classification_problems(
    action: str, categories: Iterable[str], merited_custody: bool = False
) -> list[str]:
    """Why an ACRO result would be recorded under the wrong heading, if it would."""
    meets, why = meets_list(categories, merited_custody)
    if action == "record_hosol_result" and not meets:
        return [why]
    if action == "record_non_hosol_result" and meets:
        return [why]
    return []


def merited_custody(check: Instance) -> bool:
    """Whether the check's result was recorded as meriting a significant custodial sentence."""
    return check.fields.get("merited_significant_custody") is True


def conviction_categories(check: Instance) -> list[str]:
    return as_list(check.fields.get("conviction_categories"))
