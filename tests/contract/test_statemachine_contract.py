"""The state machine's contract with the code and the template.

Error names in ``Retry``/``Catch`` are domain error class names (a Lambda error's ``errorType`` is the class
name), and every ``${...}`` of the ASL is a ``DefinitionSubstitutions`` key of its template resource and back.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from boekstuk.domain import errors
from boekstuk_local.paths import project_root
from boekstuk_local.template import load_yaml

ROOT = project_root()
TEMPLATE = load_yaml((ROOT / "template.yaml").read_text(encoding="utf-8"))
STATE_MACHINES = {logical_id: resource for logical_id, resource in TEMPLATE["Resources"].items()
                  if resource.get("Type") == "AWS::Serverless::StateMachine"}
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_SERVICE_ERRORS = ("States.", "Lambda.")


def _asl_text(resource: dict[str, Any]) -> str:
    return (ROOT / resource["Properties"]["DefinitionUri"]).read_text(encoding="utf-8")


def _asl(resource: dict[str, Any]) -> dict[str, Any]:
    """The definition as Step Functions sees it: placeholders replaced by a number (valid JSON anywhere)."""
    return json.loads(_PLACEHOLDER.sub("1", _asl_text(resource)))


def _error_names(node: Any) -> Iterator[tuple[str, str]]:
    """``(state name, error name)`` for every ``ErrorEquals`` entry, nested Map/Parallel states included."""
    if isinstance(node, dict):
        for name, state in (node.get("States") or {}).items():
            for rule in [*state.get("Retry", []), *state.get("Catch", [])]:
                for error in rule["ErrorEquals"]:
                    yield name, error
        for value in node.values():
            yield from _error_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _error_names(value)


def _domain_error_classes() -> set[str]:
    return {name for name, obj in inspect.getmembers(errors, inspect.isclass)
            if issubclass(obj, Exception) and obj.__module__ == errors.__name__}


def test_the_template_declares_a_state_machine_with_an_asl_file() -> None:
    assert STATE_MACHINES, "template.yaml declares no AWS::Serverless::StateMachine"
    for logical_id, resource in STATE_MACHINES.items():
        assert (ROOT / resource["Properties"]["DefinitionUri"]).is_file(), logical_id


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_every_error_name_is_a_domain_error_class(logical_id: str) -> None:
    names = list(_error_names(_asl(STATE_MACHINES[logical_id])))
    assert names, "no Retry/Catch at all: the parser found nothing"
    known = _domain_error_classes()
    unknown = sorted({f"{state}: {error}" for state, error in names
                      if not error.startswith(_SERVICE_ERRORS) and error not in known})
    assert not unknown, f"ErrorEquals names no class of boekstuk.domain.errors: {unknown}"


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_placeholders_and_definition_substitutions_match(logical_id: str) -> None:
    resource = STATE_MACHINES[logical_id]
    placeholders = set(_PLACEHOLDER.findall(_asl_text(resource)))
    substitutions = set((resource["Properties"].get("DefinitionSubstitutions") or {}).keys())
    assert placeholders, "no ${...} in the ASL: every ARN must come from DefinitionSubstitutions"
    assert placeholders - substitutions == set(), f"no DefinitionSubstitutions key for {placeholders - substitutions}"
    assert substitutions - placeholders == set(), f"DefinitionSubstitutions unused in the ASL: {substitutions - placeholders}"


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_no_hard_coded_arns_in_the_asl(logical_id: str) -> None:
    text = _asl_text(STATE_MACHINES[logical_id])
    hard_coded = re.findall(r'"arn:aws:(?!states:::)[^"]*"', text)
    assert not hard_coded, f"ARNs belong in DefinitionSubstitutions: {hard_coded}"


def test_the_checks_see_an_unknown_error_and_a_placeholder() -> None:
    """The helpers are not blind: a made-up error name and an extra placeholder are noticed."""
    asl = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Nope}", "End": True,
                                            "Retry": [{"ErrorEquals": ["NoSuchDomainError", "States.ALL"]}]}}}
    names = {error for _, error in _error_names(asl)}
    assert "NoSuchDomainError" in names - _domain_error_classes()
    assert _PLACEHOLDER.findall(json.dumps(asl)) == ["Nope"]


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_the_errors_retried_with_back_off_are_the_package_outages(logical_id: str) -> None:
    """The Book task's back-off Retry names exactly the domain errors that say they are a package outage, which
    is what a failed booking's reason tells the person (retried already: retry the booking later)."""
    retried = {error for rule in _asl(STATE_MACHINES[logical_id])["States"]["BookTargets"]["ItemProcessor"]
               ["States"]["Book"]["Retry"] for error in rule["ErrorEquals"] if not error.startswith(_SERVICE_ERRORS)}
    outages = {name for name, obj in inspect.getmembers(errors, inspect.isclass)
               if issubclass(obj, errors.DomainError) and obj.package_outage}
    assert retried == outages == {"PackageUnavailable", "PackageRateLimited"}
