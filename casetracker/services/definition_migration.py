"""``casetracker workflows migrate``: move cases' instances of a lifecycle to a newer version of
its definition (issue 16 item 5; casetracker.domain.definition_migration says how).

Each case is planned from its own log: its instances on an older version are replayed under the
new one and every difference listed.  A dry run writes nothing but a logged read per case.
Otherwise each case whose instances can all be moved gets one ``migrate_definition`` event per
instance, in one transaction per case (a case changed meanwhile is refused by its version, as
any action would be); a case with an instance whose state has no place in the new version is
left as it is and says why.  Admins only: moving a case changes which rules apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from casetracker.adapters import access_log, read_models
from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.adapters.tables import CASES
from casetracker.domain import clock
from casetracker.domain import definition_migration as rules
from casetracker.domain.errors import UsageError
from casetracker.domain.events import NewEvent

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker

READ_ACTION = "plan-migration"  # the access-log entry of a dry run, per case


@dataclass
class CasePlan:
    """One case: what moving it would change, and whether it was moved."""

    case_id: str
    instances: list[rules.InstancePlan] = field(default_factory=list)
    moved: bool = False

    @property
    def movable(self) -> bool:
        return bool(self.instances) and all(i.movable for i in self.instances)


def _move(workflow: str, plan: rules.InstancePlan, user: str, role: str, when: str) -> NewEvent:
    """The event that moves one instance: recorded under the new version, as the admin."""
    fields = {
        "migrated_from_version": plan.from_version,
        "migrated_from_state": plan.state,
        "migrated_to_state": plan.new_state,
    }
    number = int(plan.key.partition("#")[2] or 0)
    return NewEvent(
        workflow, plan.to_version, number, rules.MIGRATE, user, role, when, {"fields": fields}
    )


def migrate(
    ct: Casetracker,
    workflow: str,
    to_version: int,
    case_ids: list[str] | None = None,
    *,
    dry_run: bool = True,
) -> list[CasePlan]:
    """Plan (``dry_run``) or record the move of every instance of ``workflow`` on an older
    version to ``to_version``, on the cases given (all cases when none are)."""
    actor = ct.require_role(rules.MIGRATING_ROLES, "move cases to a new definition version")
    if (workflow, to_version) not in ct.flow.specs:
        known = sorted(v for (w, v) in ct.flow.specs if w == workflow)
        if not known:
            raise UsageError(f"there is no lifecycle {workflow!r} (`casetracker workflows list`)")
        listed = ", ".join(str(v) for v in known)
        raise UsageError(f"{workflow} has no version {to_version} (its versions: {listed})")
    target = ct.flow.specs[(workflow, to_version)]
    machine = ct.flow.machine(workflow, to_version)
    if case_ids:
        wanted = [normalise_case_id(c) for c in case_ids]
    else:
        with read_transaction(ct.engine) as conn:
            query = sa.select(CASES.c.case_id).order_by(CASES.c.case_id)
            wanted = [str(c) for c in conn.execute(query).scalars()]
    plans: list[CasePlan] = []
    for case_id in wanted:
        with ct._connections.write() as conn:
            head = ct.store.head(conn, case_id)  # an unknown case: a clean refusal
            view = ct.flow.fold(case_id, ct.store.read_case(case_id, conn))
            found = CasePlan(case_id)
            older = [i for i in view.of(workflow) if i.version < to_version]
            found.instances = [rules.plan(i, target, machine) for i in older]
            plans.append(found)
            if dry_run or not found.movable:
                access_log.append(
                    conn, user=actor.user, role=actor.role, action=READ_ACTION, case_id=case_id,
                    detail={"workflow": workflow, "to_version": to_version},
                )  # fmt: skip
                continue
            when = ct._effective(None, clock.now()).text
            events = [_move(workflow, i, actor.user, actor.role, when) for i in found.instances]
            recorded = ct.store.append(case_id, view.version, events, conn, head)
            read_models.update(conn, ct.flow.fold_into(view, recorded))
            ct._views.drop(case_id)
            found.moved = True
    return plans
