"""Reading claims and challenges (the ``barrier`` lifecycle) the way removal rules need them.

An asylum or human-rights claim that is still undecided protects the subject from removal
directions (Figure 1: directions came only after both claims were refused).  A pre-action
protocol letter is a warning of a challenge and protects nothing by itself (Figure 1: directions
were set two days after one).  A judicial review lodged against directions defers them (Figure 1,
24 Jun 2016).  An appeal is a barrier too (Figure 1's commentary: "claims or appeals"): while
undecided it stops removal, a dismissal lifts it, and an allowed appeal keeps it until liability
is decided afresh.
"""

from __future__ import annotations

from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.rules.field_values import as_text

PROTECTION = frozenset({"asylum", "human_rights"})
JUDICIAL_REVIEW = "judicial_review"
APPEAL = "appeal"
KIND_LABELS = {
    "asylum": "asylum claim",
    "human_rights": "human-rights claim",
    "pre_action_protocol": "pre-action protocol letter",
    "judicial_review": "judicial review",
    "appeal": "appeal",
}


def kind(claim: Instance) -> str:
    return as_text(claim.fields.get("kind"))


def describe(claim: Instance) -> str:
    """e.g. 'judicial review lodged 2016-06-24'."""
    lodged = claim.started.effective.display() if claim.started else "on an unknown date"
    return f"{KIND_LABELS.get(kind(claim), kind(claim))} lodged {lodged}"


def undecided(view: CaseView, kinds: frozenset[str]) -> list[Instance]:
    """Claims of these kinds that are lodged and not yet decided or withdrawn."""
    return [c for c in view.of("barrier") if c.state == "lodged" and kind(c) in kinds]


def with_outcome(view: CaseView, kinds: frozenset[str], state: str) -> list[Instance]:
    return [c for c in view.of("barrier") if c.state == state and kind(c) in kinds]


def challenges_to(view: CaseView, directions: Step) -> list[Instance]:
    """Undecided judicial reviews recorded after these directions were set: they defer them."""
    return [
        c
        for c in undecided(view, frozenset({JUDICIAL_REVIEW}))
        if c.started is not None and c.started.seq > directions.seq
    ]


def allowed_appeals_since(view: CaseView, seq: int) -> list[tuple[Instance, Step]]:
    """Appeals the tribunal allowed after event ``seq``, each with the decision's step."""
    found: list[tuple[Instance, Step]] = []
    for claim in view.of("barrier"):
        decision = claim.last("allow_appeal")
        if claim.state == "appeal_allowed" and decision is not None and decision.seq > seq:
            found.append((claim, decision))
    return found
