"""Approval policies: which steps apply, when nobody has to look, how many different people must approve."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boekstuk.domain.approvals import (
    ApprovalPolicy,
    PolicyStep,
    applicable_steps,
    auto_approves,
    steps_satisfied,
    unsatisfiable_step,
)

API_EXAMPLE = ApprovalPolicy.model_validate(
    {"steps": [{"min_amount": "0.00", "approvers": ["piet", "anna"], "required": 1},
               {"min_amount": "5000.00", "approvers": ["anna"], "required": 1}],
     "auto_approve_below": "50.00"})


@pytest.mark.parametrize(("total", "expected"), [
    ("49.99", 1), ("50.00", 1), ("4999.99", 1), ("5000.00", 2), ("12000.00", 2), ("-6000.00", 2)])
def test_steps_at_or_below_the_total_apply_in_order(total: str, expected: int) -> None:
    steps = applicable_steps(API_EXAMPLE, Decimal(total))
    assert len(steps) == expected
    assert steps == API_EXAMPLE.steps[:expected]


@pytest.mark.parametrize(("total", "auto"), [("49.99", True), ("-49.99", True), ("50.00", False), ("0.00", True)])
def test_auto_approve_strictly_below_the_threshold(total: str, auto: bool) -> None:
    assert auto_approves(API_EXAMPLE, Decimal(total)) is auto


def test_no_applicable_step_means_nobody_has_to_look() -> None:
    only_big = ApprovalPolicy(steps=[PolicyStep(min_amount=Decimal("1000"), approvers=["anna"])])
    assert auto_approves(only_big, Decimal("999.99"))
    assert not auto_approves(only_big, Decimal("1000.00"))


def test_one_persons_approval_fills_one_slot_only() -> None:
    big = applicable_steps(API_EXAMPLE, Decimal("6000"))
    assert not steps_satisfied(big, ["anna"])
    assert not steps_satisfied(big, ["piet"])
    # Order does not matter: anna first must not use up the slot piet alone can fill.
    assert steps_satisfied(big, ["anna", "piet"])
    assert steps_satisfied(big, ["piet", "anna"])
    assert steps_satisfied(applicable_steps(API_EXAMPLE, Decimal("100")), ["anna"])


def test_required_two_of_three() -> None:
    steps = [PolicyStep(approvers=["a", "b", "c"], required=2)]
    assert not steps_satisfied(steps, ["a", "a"])
    assert steps_satisfied(steps, ["a", "c"])


def test_unsatisfiable_policy_is_found() -> None:
    assert unsatisfiable_step(API_EXAMPLE) is None
    only_anna = ApprovalPolicy(steps=[PolicyStep(approvers=["anna"]), PolicyStep(min_amount=Decimal("5000"),
                                                                                  approvers=["anna"])])
    assert unsatisfiable_step(only_anna) == 1
