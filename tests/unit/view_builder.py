"""Hand-built case histories for rule tests: no store, but the real engine and guards.

``ViewBuilder.act`` checks an action exactly as the service does (``WorkflowEngine.check``:
state, role and every guard) and folds it in with ``WorkflowEngine.advance``, so a test reads as
the history it sets up, and the case studies replay against the definitions and guards alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from casetracker.adapters.organisation_file import configured
from casetracker.domain.case_view import Attempt, Block, CaseView, Instance, Step, instance_key
from casetracker.domain.effective_time import parse_canonical
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.events import split_personal
from casetracker.domain.organisation import Organisation
from casetracker.domain.rules.guards import GUARDS, GuardContext
from workflows import DEFINITIONS

RECORDED = datetime(2016, 8, 19, 12, 0, tzinfo=UTC)


class Refused(AssertionError):
    """An action the definitions or guards do not allow; carries the blocks."""

    def __init__(self, action: str, blocks: list[Block]) -> None:
        super().__init__(f"{action}: " + "; ".join(str(b) for b in blocks))
        self.blocks = blocks


class ViewBuilder:
    def __init__(self, org: Organisation | None = None) -> None:
        self.org = org = org or configured()
        self.flow = WorkflowEngine(
            DEFINITIONS, GUARDS, lambda view, attempt: GuardContext(view, attempt, org)
        )
        self.view = CaseView("case-under-test")

    def _attempt(
        self, workflow: str, instance: str | int, action: str, fields: dict[str, Any] | None,
        effective: str, role: str | None,
    ) -> Attempt:  # fmt: skip
        spec = self.flow.latest[workflow].action(action)
        assert spec is not None, f"{workflow} has no action {action}"
        number = len(self.view.of(workflow)) + 1 if instance == "new" else int(instance)
        return Attempt(
            workflow, number, action, dict(fields or {}), parse_canonical(effective),
            role or spec.roles[0].value, RECORDED,
        )  # fmt: skip

    def blocks(
        self,
        workflow: str,
        instance: str | int,
        action: str,
        fields: dict[str, Any] | None = None,
        effective: str = "2016-01-01",
        role: str | None = None,
    ) -> list[Block]:
        """Every reason the action would be refused now (state, role and guards)."""
        attempt = self._attempt(workflow, instance, action, fields, effective, role)
        return self.flow.check(self.view, attempt)

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
        attempt = self._attempt(workflow, instance, action, fields, effective, role)
        refused = self.flow.check(self.view, attempt)
        if refused:
            raise Refused(action, refused)
        spec = self.flow.latest[workflow]
        action_spec = spec.action(action)
        assert action_spec is not None
        logged, personal = split_personal(action_spec, attempt.fields, 0)
        logged.update(  # free text, as the service merges it back for the rules
            (name, v) for name, v in attempt.fields.items() if f"{name}@0" in personal
        )
        step = Step(
            len(self.view.steps) + 1, action, attempt.effective, logged, attempt.actor_role,
            RECORDED,
        )  # fmt: skip
        self.flow.advance(self.view, workflow, spec.version, attempt.number, action, step)
        return self.view.instances[instance_key(workflow, attempt.number)]

    def act_step(self, step: dict[str, Any]) -> Instance:
        """One step of a shipped scenario (``casetracker.services.training.case_studies.steps``)."""
        return self.act(
            step["workflow"],
            step["instance"],
            step["action"],
            step["fields"],
            step["effective"],
            step["role"],
        )

    def replay(self, steps: list[dict[str, Any]]) -> CaseView:
        for number, step in enumerate(steps, 1):
            try:
                self.act_step(step)
            except Refused as refused:
                raise AssertionError(f"step {number} ({step['effective']}): {refused}") from None
        return self.view
