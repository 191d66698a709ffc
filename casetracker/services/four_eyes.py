"""Four eyes through the service (issue 16 item 3): propose, authorise, reject.

Proposing and rejecting are actions of the ``authorisation`` lifecycle taken through
``Casetracker.act`` like any other; ``act`` asks this module what a proposal or a rejection
records (who made it: the actor, never a typed name) and every reason it may not happen, in its
own write transaction.  Authorising is the one step ``act`` does not take: the authorisation
and the action it authorises are two events appended together, in one transaction, both as the
authoriser's, so there is never an authorisation without its action or an action without its
authorisation.  A direct attempt at an action under four eyes is refused in a live database
(``direct_blocks``); demo and training databases, where anyone may pick any seeded user with
``--as``, record it directly, as the report's timelines do (docs/assumptions.md).  On PostgreSQL
the database refuses what this module refuses (migration 0015).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from casetracker.adapters import read_models, subjects
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.store import normalise_case_id
from casetracker.adapters.users import is_superintendent
from casetracker.domain import clock
from casetracker.domain import four_eyes as rules
from casetracker.domain.case_view import Attempt, Block, CaseView, instance_key
from casetracker.domain.effective_time import EffectiveTime
from casetracker.domain.engine import Option
from casetracker.domain.errors import ActionBlocked, InstanceNotNamed, NotPermitted, UsageError
from casetracker.domain.events import NewEvent, event_payload, merge_free_text, split_personal
from casetracker.domain.fields import validate_fields
from casetracker.domain.forces import may_see
from casetracker.domain.identity import Actor
from casetracker.domain.vocabulary import ActionSpec
from casetracker.services.actor_session import again_if_record_not_as_seen
from casetracker.services.force_boundary import Unseen

if TYPE_CHECKING:
    from casetracker.services.cases import ActResult, Casetracker

LIVE = "live"
WORKFLOW = rules.WORKFLOW
WHO = {rules.PROPOSE: "proposed_by", rules.AUTHORISE: "authorised_by", rules.REJECT: "rejected_by"}


def direct_blocks(realm: str, action: str, label: str) -> list[Block]:
    """Why an action is not taken directly: it needs a second person (live databases only)."""
    if realm != LIVE or rules.requirement(action, configured()) is None:
        return []
    return [rules.direct_block(action, label)]


def with_four_eyes(realm: str, options: list[Option]) -> list[Option]:
    """The options as ``case actions`` and the TUI show them: an action under four eyes is
    blocked for its direct taker, so what is shown is what ``act`` would do.  In a demo or
    training database, where it is taken directly, its label and help say so, or a newcomer
    learns there that one officer may extend detention alone."""
    return [
        dataclasses.replace(o, blocks=(*o.blocks, *found))
        if (found := direct_blocks(realm, o.spec.name, o.spec.label))
        else _direct_here(realm, o)
        for o in options
    ]


DIRECT_HERE = " (direct in "  # how ``_direct_here`` marks a label; ``plain_label`` drops it


def plain_label(label: str) -> str:
    """An action's label without the note a demo or training database adds to it."""
    return label.split(DIRECT_HERE, 1)[0]


def _direct_here(realm: str, option: Option) -> Option:
    """An action under four eyes as a demo or training database offers it: directly, saying
    why and what a live database asks instead (docs/assumptions.md)."""
    rule = rules.requirement(option.spec.name, configured())
    if realm == LIVE or rule is None:
        return option
    who = rule.who.split(" (", 1)[0]
    why = (
        f"Taken directly here: in a {realm} database anyone may sign in as any seeded user, so a "
        f"second person proves nothing, and the report's timelines record it in one step.  A "
        f"live database refuses it without the authorisation of {rule.who}: propose it "
        f"(`casetracker case propose CASE {option.spec.name}`) to practise that."
    )
    spec = dataclasses.replace(
        option.spec,
        label=f"{option.spec.label}{DIRECT_HERE}{realm}; live needs {who})",
        help=" ".join(p for p in (option.spec.help, why) if p),
    )
    return dataclasses.replace(option, spec=spec)


def values_for(
    ct: Casetracker, view: CaseView, action: str, values: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """Who proposes, authorises or rejects is the actor (a typed name is refused); a proposal
    not naming its instance is for the one the action would act on (``_unnamed_target``)."""
    who = WHO.get(action)
    if who is None:
        return values
    given = str(values.get(who) or "")
    if given and given != actor.user:
        raise UsageError(f"{who} is filled in by casetracker with your own name ({actor.user})")
    values = {**values, who: actor.user}
    proposed = str(values.get("proposed_action") or "")
    owner = ct.flow.action_owner.get(proposed)
    if action == rules.PROPOSE and owner is not None and not values.get("target"):
        values["target"] = _unnamed_target(ct, view, owner, proposed)
    return values


def _unnamed_target(ct: Casetracker, view: CaseView, owner: str, proposed: str) -> str:
    """The record a proposal that names none is for: a one-per-case lifecycle's, or the one
    instance the action may leave from.  With several open (two encounters in custody) it is
    refused, naming them, where the latest had been picked without a word; with none it is
    "" (``propose_blocks``: the case has no open encounter), where it had been encounter #1,
    which does not exist."""
    if not ct.flow.latest[owner].many:
        return instance_key(owner, 0)
    able = ct.flow.able(view, owner, proposed)
    if len(able) > 1:
        raise InstanceNotNamed(owner, able, proposed)
    return instance_key(owner, able[0]) if able else ""


def act_blocks(
    conn: Connection,
    view: CaseView,
    action: str,
    number: int,
    values: dict[str, Any],
    actor: Actor,
) -> list[Block]:
    """Every reason a proposal or a rejection, taken through ``act``, may not happen now."""
    now = clock.now()
    if action == rules.AUTHORISE:
        remedy = "use `casetracker case authorise CASE --proposal N`"
        return [
            Block("an authorisation is recorded with the action it authorises", remedy, rules.RULE)
        ]
    if action == rules.PROPOSE:
        return rules.propose_blocks(
            view, str(values.get("proposed_action", "")), str(values.get("target", "")),
            configured(), now, actor.role,
        )  # fmt: skip
    if action == rules.REJECT:
        superintendent = is_superintendent(conn, actor.user)
        return rules.decide_blocks(
            _proposal(view, number), actor.user, actor.role, superintendent, now,
            authorising=False,
        )  # fmt: skip
    return []


def _proposal(view: CaseView, number: int) -> rules.Proposal | None:
    instance = view.instances.get(instance_key(rules.WORKFLOW, number))
    return rules.proposal(instance) if instance is not None else None


def proposable_fields(spec: ActionSpec) -> ActionSpec:
    """The action's fields a proposer gives: its personal and free-text ones (a superintendent's
    reference) are the authoriser's, filled in when it is authorised."""
    kept = tuple(f for f in spec.fields if not (f.personal or f.free_text))
    return dataclasses.replace(spec, fields=kept, guards=())


def propose(
    ct: Casetracker,
    case_id: str,
    action: str,
    fields: dict[str, Any] | None = None,
    effective: str | None = None,
    *,
    target: int | None = None,
) -> ActResult:
    """Propose a four-eyes action on a case for another person to authorise (``target``: the
    instance of a lifecycle with several, e.g. encounter 2; else the one the action acts on)."""
    owner = ct.flow.action_owner.get(action)
    if owner is None or action not in rules.RULES:
        four = ", ".join(rules.RULES)
        raise UsageError(f"{action!r} is not an action under four eyes (those are: {four})")
    spec = ct.flow.spec(owner).action(action)
    assert spec is not None  # action_owner names the lifecycle that defines it
    values = validate_fields(proposable_fields(spec), fields or {})
    proposed = {
        "proposed_action": action,
        "proposed_fields": json.dumps(values, sort_keys=True, default=str),
    }
    if target is not None:
        proposed["target"] = instance_key(owner, target)
    return ct.act(case_id, rules.PROPOSE, proposed, effective)


def reject(ct: Casetracker, case_id: str, number: int, reason: str) -> ActResult:
    """Reject a proposal (or withdraw one's own)."""
    return ct.act(case_id, rules.REJECT, {"reason": reason}, instance=number)


@again_if_record_not_as_seen
def authorise(
    ct: Casetracker, case_id: str, number: int, effective: str | None = None
) -> ActResult:
    """Authorise proposal ``number``: the authorisation and the action, one transaction, both
    as the authoriser; every reason either may not happen is given at once, nothing written."""
    from casetracker.services.cases import ActResult

    actor = ct.actor
    now = clock.now()
    when = ct._effective(effective, now)
    case = normalise_case_id(case_id)
    try:
        with ct._connections.write() as conn:
            head = ct.store.head(conn, case)
            view = ct._current_view(conn, case, head)
            if not may_see(actor, view):
                raise Unseen
            found = _proposal(view, number)
            superintendent = is_superintendent(conn, actor.user)
            blocks = rules.decide_blocks(
                found, actor.user, actor.role, superintendent, now, authorising=True
            )
            if found is None or blocks:
                raise ActionBlocked("blocked — " + "; ".join(str(b) for b in blocks), blocks)
            events = _events(ct, conn, view, found, actor, when, now)
            recorded = ct.store.append(case, view.version, events, conn, head)
            ct._views.drop(case)
            read_models.update(conn, ct.flow.fold_into(view, recorded))
    except Unseen:
        ct._refuse_unseen(actor, case, rules.AUTHORISE)
    except ActionBlocked as exc:  # every refusal is in the access log (issue 13)
        ct._log_refusal(actor, case, rules.AUTHORISE, [str(b) for b in exc.blocks])
        raise
    except Exception as exc:  # the database's own guards refuse too: logged as ours are
        ct._refused_by_database(exc, actor, case, rules.AUTHORISE)
        raise
    return ActResult(case, recorded, found.target, view.instances[found.target].state)


def _events(
    ct: Casetracker,
    conn: Connection,
    view: CaseView,
    found: rules.Proposal,
    actor: Actor,
    when: EffectiveTime,
    now: datetime,
) -> list[NewEvent]:
    """The authorisation and the authorised action, the latter checked by every rule now."""
    workflow, _, tail = found.target.partition("#")
    target_number = int(tail) if tail else 0
    version = ct.flow.version_for(view, workflow, target_number)
    spec = ct.flow.spec(workflow, version).action(found.action)
    if spec is None:
        message = f"blocked — {workflow} version {version} has no action {found.action}"
        raise ActionBlocked(message, [])
    given = dict(found.fields)
    for field in spec.fields:  # the authoriser's own part: who authorised, on which proposal
        if field.free_text and field.required:
            who = f"{actor.display_name or actor.user} ({actor.user})"
            given[field.name] = f"authorised by {who} on proposal {found.key}"
    values = validate_fields(spec, given)
    attempt = Attempt(workflow, target_number, found.action, values, when, actor.role, now)
    if spec.guards:
        merge_free_text(view, subjects.read(conn, view.case_id)[0] or {})
    blocks = ct.flow.check(view, attempt)
    if blocks:
        message = f"{spec.label}: " + "; ".join(str(b) for b in blocks)
        if any(b.rule == "role" for b in blocks):
            raise NotPermitted(f"not permitted — {message}", blocks)
        raise ActionBlocked(f"blocked — {message}", blocks)
    auth_version = ct.flow.version_for(view, rules.WORKFLOW, found.number)
    auth_spec = ct.flow.spec(rules.WORKFLOW, auth_version).action(rules.AUTHORISE)
    assert auth_spec is not None
    first = NewEvent(
        rules.WORKFLOW, auth_version, found.number, rules.AUTHORISE, actor.user, actor.role,
        when.text, event_payload(auth_spec, {"authorised_by": actor.user}),
    )  # fmt: skip
    logged, personal = split_personal(spec, values, view.version + 2)
    digests = (
        subjects.record(conn, view.case_id, personal, view.subject_salt)[0] if personal else None
    )
    payload = event_payload(spec, logged, digests)
    payload["authorisation"] = {"proposal": found.key, "proposed_by": found.proposed_by}
    second = NewEvent(
        workflow, version, target_number, found.action, actor.user, actor.role, when.text,
        payload,
    )  # fmt: skip
    return [first, second]


def pending(view: CaseView) -> list[rules.Proposal]:
    """The case's proposals still to decide, lapsed ones left out."""
    now = clock.now()
    return [p for p in rules.open_proposals(view) if not p.lapsed(now)]
