"""Four eyes on the case screen (issue 16): propose an action for a second person, and decide
(authorise, decline, or withdraw one's own) a proposal waiting on the case.

An action the law or policy gives to a second person (``casetracker.domain.four_eyes.RULES``)
gets a row of its own in the action list, "Propose …, needs a superintendent" (or "a second Home
Office user"); each undecided proposal gets an "Authorise …" and a "Decline …" row.  The rows are
``Option``s like every other, so they take number keys, show in the palette and explain a dimmed
row with ``x``; what marks them is their spec (``StepSpec``).  Taking one calls the service
functions ``casetracker case propose|authorise|reject`` call (``casetracker.services.
four_eyes``), so the TUI refuses what the CLI refuses, in its words: an authoriser who proposed
the action, lacks the role or is not a superintendent is told why by the service, and the
refusal is in the access log; a row is not dimmed on a guess about who may decide it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casetracker.domain import clock
from casetracker.domain import four_eyes as rules
from casetracker.domain.case_view import CaseView, instance_key
from casetracker.domain.engine import Option
from casetracker.domain.vocabulary import ActionSpec, in_sentence
from casetracker.services import four_eyes
from casetracker.services.registry import organisation
from tui.widgets.action_list import slot_keys

if TYPE_CHECKING:
    from tui.screens.case import CaseScreen


@dataclass(frozen=True)
class StepSpec(ActionSpec):
    """A four-eyes step offered on the case screen: ``step`` is propose, authorise or reject;
    ``proposes`` the action under four eyes; ``proposal`` the proposal decided (its number)."""

    step: str = ""
    proposes: str = ""
    proposal: int = 0
    proposed_by: str = ""


def needs(action: str) -> str:
    """Who a proposal of ``action`` waits for, in few enough words for its row to be whole at
    120 columns ("a superintendent", "a second HO user"); the form and the confirmation
    name them in full."""
    return rules.RULES[action].who.split(" (", 1)[0].replace("Home Office", "HO")


def propose_rows(options: list[Option], view: CaseView, role: str) -> list[Option]:
    """A "Propose …" row for each action under four eyes the case's state and the user's role
    allow now, dimmed with the reasons ``casetracker case propose`` would give, and with the
    action's own blocks (authorising it would meet them)."""
    org = organisation()
    now = clock.now()
    rows = []
    for option in options:
        action = option.spec.name
        if rules.requirement(action, org) is None:
            continue
        if not (option.state_allows and option.role_allows) or option.number is None:
            continue
        target = instance_key(option.workflow, option.number)
        blocks = (
            *rules.propose_blocks(view, action, target, org, now, role),
            *(b for b in option.blocks if b.rule != rules.RULE),
        )
        proposable = four_eyes.proposable_fields(option.spec)
        spec = StepSpec(
            name=rules.PROPOSE,
            label=f"Propose {in_sentence(four_eyes.plain_label(option.spec.label))}, "
            f"needs {needs(action)}",
            sources=(),
            dest="",
            roles=option.spec.roles,
            fields=proposable.fields,
            cites=option.spec.cites,
            help=(
                f"Recorded as a proposal only: {rules.RULES[action].who} authorises it, or "
                "declines, and the action is recorded then, as theirs."
            ),
            step=rules.PROPOSE,
            proposes=action,
        )
        rows.append(dataclasses.replace(option, spec=spec, blocks=blocks))
    return rows


def decision_rows(options: list[Option], view: CaseView, user: str, flow: Any) -> list[Option]:
    """For each proposal waiting on the case that the user's role may decide: authorise it,
    and decline it (or, the proposer, withdraw it)."""
    may = {
        (o.number, o.spec.name): o
        for o in options
        if o.workflow == rules.WORKFLOW and o.state_allows and o.role_allows
    }
    rows = []
    for found in four_eyes.pending(view):
        spec = flow.spec(found.target.partition("#")[0]).action(found.action)
        what = in_sentence(spec.label) if spec is not None else found.action.replace("_", " ")
        by = "you" if found.proposed_by == user else found.proposed_by
        steps = (
            (rules.AUTHORISE, f"Authorise {what}, proposed by {by}"),
            (
                rules.REJECT,
                f"Withdraw your proposal to {what}"
                if by == "you"
                else f"Decline {what}, proposed by {by}",
            ),
        )
        for step, label in steps:
            option = may.get((found.number, step))
            if option is None:
                continue
            rows.append(
                dataclasses.replace(
                    option,
                    blocks=(),  # who may decide is the service's to say (see the module)
                    spec=StepSpec(
                        name=step,
                        label=label,
                        sources=(rules.PROPOSED,),
                        dest="",
                        roles=(),
                        step=step,
                        proposes=found.action,
                        proposal=found.number,
                        proposed_by=found.proposed_by,
                    ),
                )
            )
    return rows


def with_steps(
    shown: list[Option], options: list[Option], view: CaseView | None, actor: Any, flow: Any
) -> list[Option]:
    """``shown`` (as ``shown_options`` ordered it) with the four-eyes rows: the decisions
    first (a proposal waits on someone); a proposal next to the action it proposes, or after
    the last allowed action on the same record when that one is dimmed (a live database: it
    needs the second person), the dimmed proposals last.  The allowed rows stay first, so they
    keep the number keys."""
    if view is None or actor is None:
        return shown
    listed = [o for o in shown if o.allowed]
    dimmed = [o for o in shown if not o.allowed]
    later = []
    for row in propose_rows(options, view, actor.role):
        if not row.allowed:
            later.append(row)
            continue
        spec = row.spec
        assert isinstance(spec, StepSpec)
        near = [
            i for i, o in enumerate(listed) if o.workflow == row.workflow and o.number == row.number
        ]
        same = [i for i in near if listed[i].spec.name == spec.proposes]
        at = (same or near or [len(listed) - 1])[-1] + 1
        listed.insert(at, row)
    return [*decision_rows(options, view, actor.user, flow), *listed, *dimmed, *later]


def with_rows_named(option: Option, shown: list[Option]) -> Option:
    """``option`` with each reason that proposing lifts (``Block.lifted_by``) pointing at the
    Propose row listed beside it, by its label and key, where the command line names its
    command: on this screen the row is the way to propose."""
    if not any(b.lifted_by == rules.PROPOSE for b in option.blocks):
        return option
    remedy = _propose_remedy(option, shown)
    return dataclasses.replace(
        option,
        blocks=tuple(
            dataclasses.replace(b, remedy=remedy) if b.lifted_by == rules.PROPOSE else b
            for b in option.blocks
        ),
    )


def _propose_remedy(option: Option, shown: list[Option]) -> str:
    lifts = "propose it for another person to authorise"
    for row, key in zip(shown, slot_keys(shown), strict=True):
        spec = row.spec
        if (
            isinstance(spec, StepSpec)
            and spec.step == rules.PROPOSE
            and (spec.proposes, row.workflow, row.number)
            == (option.spec.name, option.workflow, option.number)
        ):
            if not row.allowed:
                return f"{lifts}: “{spec.label}” in the list, dimmed now (x on it says why)"
            return f"{lifts}: “{spec.label}” in the list, {f'key {key}' if key else 'enter on it'}"
    return f"{lifts}, with its “Propose …” row once the list offers one"


def take_step(screen: CaseScreen, option: Option) -> None:
    """Take a four-eyes row: a form for a proposal, a confirmation before authorising, a
    reason for declining; each then one service call in a worker, reported as any action."""
    spec = option.spec
    assert isinstance(spec, StepSpec)
    if spec.step == rules.PROPOSE:
        _propose(screen, option, spec)
    elif spec.step == rules.AUTHORISE:
        _authorise(screen, spec)
    else:
        _decline(screen, spec)


def _run(screen: CaseScreen, call: Any, *args: Any, **kwargs: Any) -> None:
    from rich.text import Text

    from tui.widgets.actions_pane import ActionsPane

    screen.busy = True
    screen.asked = None  # nothing to ask again with take_over: a proposal is nobody's item
    screen.query_one(ActionsPane).note(Text("recording…", style="italic"))
    screen.run_db("act", call, screen.service, screen.case_id, *args, **kwargs)


def _propose(screen: CaseScreen, option: Option, spec: StepSpec) -> None:
    from tui.screens.action_form import ActionFormScreen

    def submitted(answer: tuple[dict[str, Any], str] | None) -> None:
        if answer is not None:
            values, effective = answer
            _run(screen, four_eyes.propose, spec.proposes, values, effective, target=option.number)

    view = screen.view
    first = view.steps[0][1].effective if view is not None and view.steps else None
    screen.app.push_screen(ActionFormScreen(option, screen.case_id, first), submitted)


def _authorise(screen: CaseScreen, spec: StepSpec) -> None:
    from tui.screens.confirm import ConfirmScreen

    def confirmed(yes: bool | None) -> None:
        if yes:
            _run(screen, four_eyes.authorise, spec.proposal)

    screen.app.push_screen(
        ConfirmScreen(
            spec.label,
            f"Proposal #{spec.proposal} by {spec.proposed_by}: authorising records the action "
            "now, as yours, with the authorisation.  It needs "
            f"{rules.RULES[spec.proposes].who}, never the proposer.",
        ),
        confirmed,
    )


def _decline(screen: CaseScreen, spec: StepSpec) -> None:
    from tui.screens.prompt import PromptScreen

    def reason(text: str | None) -> None:
        if text and text.strip():
            _run(screen, four_eyes.reject, spec.proposal, text.strip())

    screen.app.push_screen(
        PromptScreen(
            spec.label,
            "why (recorded with the decision)",
            note=f"Proposal #{spec.proposal} by {spec.proposed_by}: nothing of it is recorded.",
        ),
        reason,
    )
