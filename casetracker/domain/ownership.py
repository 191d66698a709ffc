"""Who holds each work item of a case, read from its ``work`` events (issue 16, item 2).

An item is a queue's row: the queue and the lifecycle instance it is about.  Claiming gives it
to the claimant, releasing gives it back to the queue, and a supervisor or an admin reassigns it
to anyone registered.  Holding an item does not lock the case: anyone whose role may act still
can, but acting on an item another person holds needs their confirmation (a flag on the command
line, a question on screen) and the action's event records whose item it was.  Races between
two people are decided as every other action's are, by the case version each of them saw.
"""

from __future__ import annotations

from casetracker.domain.case_view import Block, CaseView
from casetracker.domain.errors import Refused
from casetracker.domain.queues import QUEUES
from casetracker.domain.rules.field_values import as_text

WORK = "work"
CLAIM, RELEASE, REASSIGN = "claim_item", "release_item", "reassign_item"
OWNER_ACTIONS = frozenset({CLAIM, RELEASE, REASSIGN})

Item = tuple[str, str]  # (queue, lifecycle instance key)


def holders(view: CaseView) -> dict[Item, str]:
    """Each held item of the case and the user who holds it."""
    work = view.one(WORK)
    held: dict[Item, str] = {}
    for step in work.history if work is not None else ():
        if step.action not in OWNER_ACTIONS:
            continue
        item = (as_text(step.fields.get("queue")), as_text(step.fields.get("item")))
        if step.action == RELEASE:
            held.pop(item, None)
        else:
            held[item] = as_text(step.fields.get("owner"))
    return held


def held_by_others(view: CaseView, instance: str, role: str, user: str) -> list[tuple[Item, str]]:
    """The items about ``instance`` in the queues ``role`` works that someone else holds."""
    return sorted(
        (item, holder)
        for item, holder in holders(view).items()
        if item[1] == instance and holder != user and role in QUEUES[item[0]].roles
    )


def claim_blocks(
    view: CaseView, item: Item, open_items: set[Item], user: str, role: str
) -> list[Block]:
    """Every reason ``user`` acting as ``role`` may not claim ``item`` (``open_items``: the
    case's rows in the worklist now)."""
    queue, instance = item
    blocks = _item_blocks(item, open_items)
    if queue in QUEUES and role not in QUEUES[queue].roles:
        blocks.append(Block(f"the {role} role does not work the queue {queue}", rule="owner"))
    holder = holders(view).get(item)
    if holder == user:
        blocks.append(Block(f"you already hold {instance} in {queue}", rule="owner"))
    elif holder:
        blocks.append(
            Block(
                f"{instance} in {queue} is held by {holder}",
                "ask them to release it, or a supervisor to reassign it",
                rule="owner",
            )
        )
    return blocks


def release_blocks(view: CaseView, item: Item, user: str) -> list[Block]:
    """Every reason ``user`` may not release ``item``: only its holder releases it."""
    queue, instance = item
    holder = holders(view).get(item)
    if not holder:
        return [Block(f"nobody holds {instance} in {queue}", rule="owner")]
    if holder != user:
        return [
            Block(
                f"{instance} in {queue} is held by {holder}, not you",
                "a supervisor or an admin can reassign it",
                rule="owner",
            )
        ]
    return []


def reassign_blocks(view: CaseView, item: Item, open_items: set[Item], owner: str) -> list[Block]:
    """Every reason ``item`` may not be reassigned to ``owner`` (a registered user's name)."""
    blocks = _item_blocks(item, open_items)
    if holders(view).get(item) == owner:
        blocks.append(Block(f"{owner} already holds {item[1]} in {item[0]}", rule="owner"))
    return blocks


def _item_blocks(item: Item, open_items: set[Item]) -> list[Block]:
    queue, instance = item
    if queue not in QUEUES:
        known = ", ".join(QUEUES)
        return [Block(f"there is no queue {queue!r}", f"queues: {known}", rule="owner")]
    if item not in open_items:
        return [Block(f"{instance} is not in the queue {queue} now", rule="owner")]
    return []


class HeldByAnother(Refused):
    """An action on an item someone else holds, not confirmed: the caller asks the person (the
    TUI) or wants an explicit flag (``--take-over`` on the command line)."""

    def __init__(self, case_id: str, held: list[tuple[Item, str]]) -> None:
        items = "; ".join(f"{item} in {queue} is held by {who}" for (queue, item), who in held)
        super().__init__(
            f"{case_id}: {items} — confirm to act on it anyway (--take-over); "
            "the event records whose item it was"
        )
        self.case_id = case_id
        self.held = held
