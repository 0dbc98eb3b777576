"""Approval policies and booking claims: the pure rules of the approval and booking workflow.

A policy (API.md "Approval policy") lists steps; every step whose ``min_amount`` is at or below the invoice
total applies. Each applicable step needs ``required`` approvals from the people it names, and one person's
approval fills one slot only: a 6 000 euro invoice under ``[{0: piet|anna, 1}, {5000: anna, 1}]`` needs both
piet and anna (four eyes on big invoices), never anna twice. Amounts compare by size, so a credit note of
-6 000 needs the same approvals as an invoice of 6 000. Without a policy one approval by any admin or
approver (the deciding roles) is enough.

Approvers approve a version of the proposal: an edit that changes the supplier, an amount or a line bumps the
document's ``proposal_version``, the steps are worked out again for the new total, and only decisions on the
current version count (the workflow store keys each decision by the version it was taken on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from boekstuk.domain.money import Money


class PolicyStep(BaseModel):
    min_amount: Money = Decimal("0.00")
    approvers: list[str] = Field(min_length=1, max_length=25)
    required: int = Field(default=1, ge=1, le=25)


class ApprovalPolicy(BaseModel):
    """The request body of ``PUT .../approval-policy`` and what is stored."""

    steps: list[PolicyStep] = Field(min_length=1, max_length=10)
    auto_approve_below: Money | None = None


class StoredPolicy(BaseModel):
    administration_id: str
    office_code: str
    policy: ApprovalPolicy
    updated_at: dt.datetime
    updated_by: str


class BookingTarget(BaseModel):
    """One item of the workflow's Map: where to book the document."""

    connection_id: str
    package: str
    administration_id: str


class PendingApproval(BaseModel):
    """What the RequestApproval task parked: the task token (server-side only) and the steps that apply.

    ``steps`` is ``None`` when the administration has no policy (any decider may approve). They are the steps of
    proposal version ``version``; an edit recomputes them for its new version.
    """

    office_code: str
    document_id: str
    task_token: str
    steps: list[PolicyStep] | None
    version: int = 0
    targets: list[BookingTarget]
    requested_at: dt.datetime
    completed: bool = False


BookingClaimStatus = Literal["pending", "booking", "booked", "failed"]


class BookingClaim(BaseModel):
    """The exactly-once record of one (document, connection): only its ``owner`` execution may post."""

    document_id: str
    connection_id: str
    status: BookingClaimStatus
    owner: str
    entry_id: str | None = None
    error: str | None = None
    updated_at: dt.datetime


def applicable_steps(policy: ApprovalPolicy, total: Decimal) -> list[PolicyStep]:
    """The steps whose ``min_amount`` is at or below the total's size, in the policy's order."""
    size = abs(total)
    return [step for step in policy.steps if step.min_amount <= size]


def auto_approves(policy: ApprovalPolicy, total: Decimal) -> bool:
    """Below the threshold, or no step applies at all: nobody has to look."""
    if policy.auto_approve_below is not None and abs(total) < policy.auto_approve_below:
        return True
    return not applicable_steps(policy, total)


def steps_to_ask(policy: ApprovalPolicy, total: Decimal, *, asked: bool) -> list[PolicyStep]:
    """The steps that decide a document of ``total``; ``asked``: people were already asked to approve it.

    Once people have been asked, an edit never lets the document approve itself: when no step applies to the
    edited total (it fell below every step's ``min_amount``), one approval by anyone the policy names is still
    needed. Someone was reviewing the document; lowering its amount must not take it out of their hands (nor let
    a submitter lower an amount to skip the review). Below ``auto_approve_below`` the steps that apply to the
    amount still apply for the same reason. Only a document nobody was asked about yet is auto-approved.
    """
    steps = applicable_steps(policy, total)
    if not steps and asked:
        return [PolicyStep(min_amount=Decimal("0.00"), approvers=eligible(policy.steps), required=1)]
    return steps


def eligible(steps: Sequence[PolicyStep]) -> list[str]:
    """Everyone a step names, first-named first, once each."""
    seen: dict[str, None] = {}
    for step in steps:
        for user in step.approvers:
            seen.setdefault(user, None)
    return list(seen)


def required_approvals(steps: Sequence[PolicyStep]) -> int:
    """How many distinct approvals the steps need together."""
    return sum(step.required for step in steps)


def _filled_slots(steps: Sequence[PolicyStep], approved_by: Iterable[str]) -> int:
    """How many slots of the steps distinct approvers fill at most (bipartite matching, Kuhn's algorithm)."""
    slots = [step for step in steps for _ in range(step.required)]
    holder: dict[int, str] = {}

    def assign(user: str, tried: set[int]) -> bool:
        for index, step in enumerate(slots):
            if user in step.approvers and index not in tried:
                tried.add(index)
                if index not in holder or assign(holder[index], tried):
                    holder[index] = user
                    return True
        return False

    for user in dict.fromkeys(approved_by):
        assign(user, set())
    return len(holder)


def steps_satisfied(steps: Sequence[PolicyStep], approved_by: Iterable[str]) -> bool:
    """Whether distinct approvers can fill every slot of every step."""
    return _filled_slots(steps, approved_by) == sum(step.required for step in steps)


def still_waited_for(steps: Sequence[PolicyStep] | None, approvers: Sequence[str],
                     decided: Mapping[str, str]) -> list[str]:
    """The approvers the document still waits for: named, not decided yet (``decided``: user -> ``approved`` or
    ``rejected``), and, under a policy, able to fill a slot the approvals so far leave open. Under
    ``[{piet|anna, 1}, {anna, 1}]`` with piet's approval in, only anna is waited for; with anna's in, only piet."""
    undecided = [user for user in approvers if user not in decided]
    if steps is None:
        return undecided  # without a policy one approval by any of them settles it
    approved = [user for user, verdict in decided.items() if verdict == "approved"]
    filled = _filled_slots(steps, approved)
    return [user for user in undecided if _filled_slots(steps, [*approved, user]) > filled]


def unsatisfiable_step(policy: ApprovalPolicy) -> int | None:
    """The index of the first step from whose ``min_amount`` on the named people can never fill every slot."""
    everyone = eligible(policy.steps)
    for index, step in enumerate(policy.steps):
        if not steps_satisfied(applicable_steps(policy, step.min_amount), everyone):
            return index
    return None
