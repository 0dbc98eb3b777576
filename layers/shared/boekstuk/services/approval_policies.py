"""Approval policies (``PUT``/``GET .../approval-policy``): which steps of people approve a document of an
administration, and below which amount nobody has to (the rules themselves are ``boekstuk.domain.approvals``)."""

from __future__ import annotations

from pydantic import BaseModel

from boekstuk.domain import errors
from boekstuk.domain.approvals import ApprovalPolicy, PolicyStep, StoredPolicy, unsatisfiable_step
from boekstuk.domain.onboarding import DECIDING_ROLES
from boekstuk.domain.timestamps import api_timestamp
from boekstuk.ports import AdministrationRepository, Clock, OfficeRepository, PolicyStore
from boekstuk.services.access import require_admin, require_member
from boekstuk.services.lookups import administration_of, deciders


class ApprovalPolicyView(BaseModel):
    """``GET .../approval-policy``: the stored policy, or the default (``is_default``: one decider approves)."""

    steps: list[PolicyStep]
    auto_approve_below: str | None = None
    is_default: bool = False
    updated_at: str | None = None
    updated_by: str | None = None


class ApprovalPolicies:
    """Set and read an administration's approval policy."""

    def __init__(self, *, store: PolicyStore, offices: OfficeRepository, administrations: AdministrationRepository,
                 clock: Clock) -> None:
        self._store = store
        self._offices = offices
        self._administrations = administrations
        self._clock = clock

    def put_policy(self, office_code: str, username: str, administration_id: str,
                   policy: ApprovalPolicy) -> ApprovalPolicyView:
        """Set the administration's policy (office admins); 422 with one entry per wrong field."""
        require_admin(self._offices, office_code, username)
        administration_of(self._administrations, office_code, administration_id)
        self._validate(office_code, policy)
        stored = StoredPolicy(administration_id=administration_id, office_code=office_code, policy=policy,
                              updated_at=self._clock.now(), updated_by=username)
        self._store.put_policy(stored)
        return self._view(stored)

    def get_policy(self, office_code: str, username: str, administration_id: str) -> ApprovalPolicyView:
        """The policy, or the default: one approval by an admin or approver."""
        require_member(self._offices, office_code, username)
        administration_of(self._administrations, office_code, administration_id)
        stored = self._store.get_policy(office_code, administration_id)
        if stored is None:
            anyone = deciders(self._offices, office_code)
            return ApprovalPolicyView(steps=[PolicyStep(approvers=anyone)] if anyone else [], is_default=True)
        return self._view(stored)

    @staticmethod
    def _view(stored: StoredPolicy) -> ApprovalPolicyView:
        below = stored.policy.auto_approve_below
        return ApprovalPolicyView(steps=stored.policy.steps, auto_approve_below=f"{below:.2f}" if below is not None else None,
                                  updated_at=api_timestamp(stored.updated_at), updated_by=stored.updated_by)

    def _validate(self, office_code: str, policy: ApprovalPolicy) -> None:
        users = {u.username: u for u in self._offices.list_users(office_code)}
        problems: list[dict[str, str]] = []
        if policy.auto_approve_below is not None and policy.auto_approve_below < 0:
            problems.append({"field": "auto_approve_below", "message": "Must not be negative."})
        for i, step in enumerate(policy.steps):
            if step.min_amount < 0:
                problems.append({"field": f"steps[{i}].min_amount", "message": "Must not be negative."})
            for j, name in enumerate(step.approvers):
                user = users.get(name)
                if user is None:
                    problems.append({"field": f"steps[{i}].approvers[{j}]",
                                     "message": f"'{name[:64]}' is not a user of this office."})
                elif user.role not in DECIDING_ROLES:
                    problems.append({"field": f"steps[{i}].approvers[{j}]",
                                     "message": f"'{name}' has role {user.role}; only admins and approvers may decide."})
            if len(set(step.approvers)) != len(step.approvers):
                problems.append({"field": f"steps[{i}].approvers", "message": "An approver is named twice."})
            if step.required > len(set(step.approvers)):
                problems.append({"field": f"steps[{i}].required",
                                 "message": f"Needs {step.required} approvals but names {len(set(step.approvers))} people."})
        if not problems:
            stuck = unsatisfiable_step(policy)
            if stuck is not None:
                problems.append({"field": f"steps[{stuck}].approvers",
                                 "message": "From this amount on the steps together need more different people "
                                            "than they name (one person's approval counts once)."})
        if problems:
            raise errors.ValidationFailed("The approval policy has invalid fields.", errors=problems)
