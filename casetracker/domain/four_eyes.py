"""Four eyes: actions the law or policy gives to a second person (issue 16 item 3).

An action listed in ``RULES`` is not taken by one person.  One user proposes it (the
``authorisation`` lifecycle, ``propose_action``), and another user, never the same one and
holding the right standing, authorises it (``authorise_proposal``); the action itself is then
recorded, in the same transaction, as the authoriser's.  Or they reject it, or it lapses: a
proposal not decided within its rule's interval is a deadline (``proposal_lapse`` in
``casetracker.domain.deadlines.RULES``) that ``casetracker tick`` records, and after which it can
no longer be authorised.

- A PACE extension: a superintendent authorises continued detention beyond 24 hours (fn 17).  The
  authoriser is a police user an admin marked as a superintendent (``user add --superintendent``).
- Detention under immigration powers and removal directions: a second Home Office user.  The
  report gives no such rule: it is policy, on by default and switched off in the organisation
  file (``[four_eyes] home_office = false``); docs/assumptions.md.

Everything here is pure: the service supplies who acts and whether they are a superintendent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from casetracker.domain.case_view import Block, CaseView, Instance
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.field_values import as_text

WORKFLOW = "authorisation"  # workflows/authorisation.py
PROPOSE = "propose_action"
AUTHORISE = "authorise_proposal"
REJECT = "reject_proposal"
PROPOSED = "proposed"  # the one state a proposal can be decided from
LAPSE_KIND = "proposal_lapse"  # the deadline kind (casetracker.domain.deadlines)
RULE = "four_eyes"  # the ``rule`` of every block given here

_POLICE = ("police",)
_HOME_OFFICE = ("immigration_officer", "casework")


@dataclass(frozen=True)
class Requirement:
    """Who may authorise an action, and how long a proposal of it stays open."""

    action: str
    workflow: str
    authorisers: tuple[str, ...]  # roles the authoriser must act in
    superintendent: bool  # the authoriser must be marked a superintendent
    lapses_after: timedelta  # assumption (docs/assumptions.md): the report gives none
    policy: bool  # on unless the organisation file switches it off; False: the law's, always on
    who: str  # the authoriser, in words


def _home_office_policy(action: str, workflow: str) -> Requirement:
    """A Home Office action policy gives to a second user: these rules are alike, and the
    organisation file switches them on and off together."""
    return Requirement(
        action,
        workflow,
        _HOME_OFFICE,
        superintendent=False,
        lapses_after=timedelta(hours=24),
        policy=True,
        who="a second Home Office user (immigration officer or casework)",
    )


RULES: dict[str, Requirement] = {
    r.action: r
    for r in (
        Requirement(
            "extend_detention",
            "encounter",
            _POLICE,
            superintendent=True,
            lapses_after=timedelta(hours=2),
            policy=False,
            who="a superintendent (a police user so marked)",
        ),
        _home_office_policy("detain_under_immigration_powers", "detention"),
        _home_office_policy("set_removal_directions", "removal"),
    )
}


def requirement(action: str, org: Organisation) -> Requirement | None:
    """The four-eyes rule an action falls under with this organisation file, if any."""
    found = RULES.get(action)
    if found is None or (found.policy and not org.home_office_four_eyes):
        return None
    return found


def queue_for(action: str) -> str:
    """The worklist queue a proposal of this action waits in (casetracker.domain.queues)."""
    return "authorise_extension" if action == "extend_detention" else "authorise_home_office"


def direct_block(action: str, label: str) -> Block:
    """Why an action under four eyes is not taken directly, and how to take it: by proposing
    it (``lifted_by``), which the TUI offers as a row beside the action."""
    who = RULES[action].who
    return Block(
        f"{label} needs the authorisation of {who}, never the proposer's own",
        f"propose it (`casetracker case propose CASE {action}`) for another person to authorise",
        RULE,
        lifted_by=PROPOSE,
    )


@dataclass(frozen=True)
class Proposal:
    """One proposal as its events give it."""

    number: int
    key: str  # its instance, e.g. authorisation#2
    action: str
    target: str  # the instance the action is for, e.g. encounter#1
    fields: dict[str, Any]  # the action's non-personal fields as proposed
    proposed_by: str
    proposed_at: datetime  # effective time of the proposal
    state: str
    lapses_at: datetime

    def lapsed(self, now: datetime) -> bool:
        return self.state == PROPOSED and now >= self.lapses_at


def proposal(instance: Instance) -> Proposal | None:
    """The proposal an ``authorisation`` instance holds (None before it is proposed)."""
    step = instance.first(PROPOSE)
    if step is None:
        return None
    action = as_text(step.fields.get("proposed_action"))
    rule = RULES.get(action)
    raw = as_text(step.fields.get("proposed_fields")) or "{}"
    try:
        fields = json.loads(raw)
    except ValueError:
        fields = {}
    lapse = rule.lapses_after if rule else timedelta(0)
    return Proposal(
        instance.number,
        instance.key,
        action,
        as_text(step.fields.get("target")),
        fields if isinstance(fields, dict) else {},
        as_text(step.fields.get("proposed_by")),
        step.effective.start,
        instance.state,
        step.effective.start + lapse,
    )


def proposals(view: CaseView) -> list[Proposal]:
    """Every proposal of the case, oldest first."""
    return [p for i in view.of(WORKFLOW) if (p := proposal(i)) is not None]


def open_proposals(view: CaseView) -> list[Proposal]:
    """Proposals still to decide (a lapsed one included: tick records it; nobody can act on it)."""
    return [p for p in proposals(view) if p.state == PROPOSED]


def propose_blocks(
    view: CaseView, action: str, target: str, org: Organisation, now: datetime, role: str
) -> list[Block]:
    """Why this action may not be proposed for this instance now (a lapsed proposal of the
    same action may be made again)."""
    rule = requirement(action, org)
    if rule is None:
        known = ", ".join(a for a in RULES if requirement(a, org))
        return [Block(f"{action} needs no second person's authorisation", f"take it directly "
                      f"(actions under four eyes here: {known or 'none'})", RULE)]  # fmt: skip
    if role not in rule.authorisers:  # a proposer takes the action's own side
        return [Block(f"the {role} role may not propose {action}",
                      f"ask {', '.join(rule.authorisers)} to propose it", "role")]  # fmt: skip
    if not target:  # none named and none open (``services.four_eyes._unnamed_target``)
        return [Block(f"this case has no open {rule.workflow} that {action} could be for",
                      f"record the {rule.workflow} first", RULE)]  # fmt: skip
    # A one-per-case record exists from the start; an encounter must have been recorded.
    # Worded as the presenters name records ("encounter #1" reads "Encounter #1").
    if target.split("#", 1)[0] != rule.workflow:
        named = target.replace("#", " #") or "no record"
        return [Block(f"{action} is for a record of the {rule.workflow} lifecycle, not {named}",
                      f"name the {rule.workflow} the action is for", RULE)]  # fmt: skip
    if "#" in target and target not in view.instances:
        return [Block(f"this case has no {target.replace('#', ' #')}",
                      f"name the {rule.workflow} the action is for", RULE)]  # fmt: skip
    undecided = [p for p in open_proposals(view) if not p.lapsed(now)]
    if any(p.action == action and p.target == target for p in undecided):
        return [Block(f"{action} for {target} is already proposed and undecided",
                      "authorise or reject that proposal first", RULE)]  # fmt: skip
    return []


def decide_blocks(
    found: Proposal | None,
    user: str,
    role: str,
    superintendent: bool,
    now: datetime,
    *,
    authorising: bool,
) -> list[Block]:
    """Why this user may not authorise (or reject) the proposal now: every reason at once.

    The proposer may withdraw (reject) their own proposal; nobody authorises their own.
    """
    if found is None:
        return [Block("there is no such proposal on this case", "list them: casetracker worklist",
                      RULE)]  # fmt: skip
    verb = "authorise" if authorising else "reject"
    if found.state != PROPOSED:
        return [Block(f"{found.key} is already {found.state}", "nothing is left to decide", RULE)]
    blocks: list[Block] = []
    if found.lapsed(now):
        at = found.lapses_at.astimezone(UTC)
        blocks.append(Block(f"{found.key} lapsed at {at:%Y-%m-%d %H:%M} UTC",
                            "propose the action again", RULE))  # fmt: skip
    own = found.proposed_by == user
    rule = RULES.get(found.action)
    if own and authorising:
        who = rule.who if rule is not None else "someone else"
        blocks.append(Block(f"{user} proposed {found.key}: the same person may not {verb} it",
                            f"ask {who}", RULE))  # fmt: skip
    if rule is not None and not own:
        if role not in rule.authorisers:
            blocks.append(Block(f"the {role} role may not {verb} {found.action}",
                                f"ask {rule.who}", RULE))  # fmt: skip
        elif rule.superintendent and not superintendent:
            blocks.append(Block(f"{user} is not marked a superintendent",
                                f"ask {rule.who}", RULE))  # fmt: skip
    return blocks


def lapse_deadlines(view: CaseView) -> Iterable[tuple[Proposal, datetime]]:
    """Each undecided proposal and when it lapses (the deadline rule reads this)."""
    for found in open_proposals(view):
        yield found, found.lapses_at
