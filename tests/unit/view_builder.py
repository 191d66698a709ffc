"""Hand-built CaseViews for rule tests: Instances and Steps made directly, no engine, no store.

``ViewBuilder.act`` checks an action the way the engine will (state, role, guards) and then
applies it, so a test reads as the history it sets up, and the case studies can be replayed
against the definitions and guards alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import workflows
from casetracker.case_view import Attempt, Block, CaseView, Instance, Step, instance_key
from casetracker.effective_time import parse_canonical
from casetracker.organisation import Organisation
from casetracker.rules.guards import GUARDS, GuardContext
from casetracker.workflow_spec import NEW

RECORDED = datetime(2016, 8, 19, 12, 0, tzinfo=UTC)


class Refused(AssertionError):
    """An action the definitions or guards do not allow; carries the blocks."""

    def __init__(self, action: str, blocks: list[Block]) -> None:
        super().__init__(f"{action}: " + "; ".join(str(b) for b in blocks))
        self.blocks = blocks


class ViewBuilder:
    def __init__(self, org: Organisation | None = None) -> None:
        self.org = org or Organisation.default()
        self.view = CaseView("case-under-test")
        self._seq = 0

    def blocks(
        self,
        workflow: str,
        instance: str | int,
        action: str,
        fields: dict[str, Any] | None = None,
        effective: str = "2016-01-01",
        role: str | None = None,
    ) -> list[Block]:
        """Every reason the action would be refused now (state, role, then guards)."""
        spec = workflows.latest(workflow)
        found = spec.action(action)
        assert found is not None, f"{workflow} has no action {action}"
        number = self._number(workflow, instance)
        current = self._current(workflow, number)
        role = role or found.roles[0].value
        out: list[Block] = []
        if current not in found.sources:
            out.append(Block(f"{workflow} is {current}", rule="state"))
        if role not in {r.value for r in found.roles}:
            out.append(Block(f"role {role} may not {action}", rule="role"))
        if out:
            return out
        attempt = Attempt(
            workflow,
            0 if instance == "new" else number,
            action,
            dict(fields or {}),
            parse_canonical(effective),
            role,
            RECORDED,
        )
        context = GuardContext(self.view, attempt, self.org)
        for name in found.guards:
            out.extend(GUARDS[name](context))
        return out

    def act(
        self,
        workflow: str,
        instance: str | int,
        action: str,
        fields: dict[str, Any] | None = None,
        effective: str = "2016-01-01",
        role: str | None = None,
    ) -> Instance:
        """Apply the action if allowed (else raise ``Refused``); returns the instance."""
        refused = self.blocks(workflow, instance, action, fields, effective, role)
        if refused:
            raise Refused(action, refused)
        spec = workflows.latest(workflow)
        found = spec.action(action)
        assert found is not None
        number = self._number(workflow, instance)
        key = instance_key(workflow, number)
        target = self.view.instances.get(key)
        if target is None:
            target = Instance(workflow, number, NEW if spec.many else spec.initial)
            self.view.instances[key] = target
        personal = {f.name for f in found.fields if f.personal}
        values = {k: v for k, v in (fields or {}).items() if k not in personal}
        self._seq += 1
        step = Step(
            self._seq,
            action,
            parse_canonical(effective),
            values,
            role or found.roles[0].value,
            RECORDED,
        )
        target.state = found.dest
        target.fields.update(values)
        target.history.append(step)
        self.view.steps.append((key, step))
        return target

    def replay(self, steps: list[dict[str, Any]]) -> CaseView:
        for number, step in enumerate(steps, 1):
            try:
                self.act(
                    step["workflow"],
                    step["instance"],
                    step["action"],
                    step["fields"],
                    step["effective"],
                    step["role"],
                )
            except Refused as refused:
                raise AssertionError(f"step {number} ({step['effective']}): {refused}") from None
        return self.view

    def _number(self, workflow: str, instance: str | int) -> int:
        if instance != "new":
            return int(instance)
        return len(self.view.of(workflow)) + 1

    def _current(self, workflow: str, number: int) -> str:
        spec = workflows.latest(workflow)
        found = self.view.instances.get(instance_key(workflow, number))
        if found is not None:
            return found.state
        return NEW if spec.many else spec.initial
