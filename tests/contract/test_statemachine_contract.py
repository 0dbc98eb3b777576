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


def _states(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(name, state)`` of every state, nested Map/Parallel states included."""
    if isinstance(node, dict):
        yield from (node.get("States") or {}).items()
        for value in node.values():
            yield from _states(value)
    elif isinstance(node, list):
        for value in node:
            yield from _states(value)


def _error_names(node: Any) -> Iterator[tuple[str, str]]:
    """``(state name, error name)`` for every ``ErrorEquals`` entry, nested Map/Parallel states included."""
    for name, state in _states(node):
        for rule in [*state.get("Retry", []), *state.get("Catch", [])]:
            for error in rule["ErrorEquals"]:
                yield name, error


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


# --- back-off with jitter --------------------------------------------------------------------------------------

DOC = ROOT / "docs" / "booking-retries.md"
_WINDOW = re.compile(r"at most (\d+) s")


def _book_state(logical_id: str) -> dict[str, Any]:
    state: dict[str, Any] = _asl(STATE_MACHINES[logical_id])["States"]["BookTargets"]["ItemProcessor"]["States"]["Book"]
    return state


def _default(parameter: str) -> float:
    return float(TEMPLATE["Parameters"][parameter]["Default"])


def retry_window(retrier: dict[str, Any], interval: float) -> float:
    """The longest a retrier waits in total: each retry waits ``IntervalSeconds * BackoffRate ** n`` capped at
    ``MaxDelaySeconds``; full jitter draws each wait between 0 and that, so this is the upper bound."""
    rate = float(retrier.get("BackoffRate", 2.0))
    cap = float(retrier.get("MaxDelaySeconds", float("inf")))
    return sum(min(cap, interval * rate ** n) for n in range(int(retrier.get("MaxAttempts", 3))))


def _outage_retrier(logical_id: str) -> dict[str, Any]:
    rules = _book_state(logical_id)["Retry"]
    return next(r for r in rules if "PackageUnavailable" in r["ErrorEquals"])


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_every_back_off_is_capped_and_fully_jittered(logical_id: str) -> None:
    """Documents of one division throttled at the same moment must not retry in step (full jitter), and no single
    wait grows past what helps (MaxDelaySeconds)."""
    retriers = [r for r in _book_state(logical_id)["Retry"] if float(r.get("BackoffRate", 1.0)) > 1.0]
    assert retriers
    for retrier in retriers:
        assert retrier.get("JitterStrategy") == "FULL", retrier
        assert float(retrier.get("MaxDelaySeconds", 0)) > 0, retrier


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_the_retry_window_is_the_one_written_down_and_respects_the_package_limits(logical_id: str) -> None:
    retrier = _outage_retrier(logical_id)
    # The interval of the outage retrier (the first IntervalSeconds after its error names) is the parameter.
    after_outage_errors = _asl_text(STATE_MACHINES[logical_id]).split('"PackageUnavailable"]', 1)[1]
    interval_placeholder = _PLACEHOLDER.search(after_outage_errors.split('"IntervalSeconds":')[1])
    assert interval_placeholder is not None and interval_placeholder.group(1) == "BookingRetryIntervalSeconds"
    window = retry_window(retrier, _default("BookingRetryIntervalSeconds"))
    assert window == 195
    # Written down where people look: the Book state's comment and docs/booking-retries.md.
    assert [int(n) for n in _WINDOW.findall(_book_state(logical_id)["Comment"])] == [window]
    assert f"the total retry window is at most {window:g} s" in " ".join(DOC.read_text(encoding="utf-8").split())
    # Exact Online counts 60 calls per minute per division: a single wait may span that whole window, never more.
    assert float(retrier["MaxDelaySeconds"]) == 60
    # Local runs (interval 1 s) keep the same shape: 63 s at most.
    assert retry_window(retrier, 1) == 63


def _retriers(node: Any, seen: set[int] | None = None) -> list[Any]:
    """Every ``RetrierDecl`` in a parsed moto program (its components hold each other in lists and dicts)."""
    seen = set() if seen is None else seen
    if id(node) in seen or not hasattr(node, "__dict__"):
        return []
    seen.add(id(node))
    found = [node] if type(node).__name__ == "RetrierDecl" else []
    for value in vars(node).values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else [value]
        for item in items:
            found += _retriers(item, seen)
    return found


def test_moto_runs_the_jittered_retry() -> None:
    """The local emulator's interpreter parses JitterStrategy and MaxDelaySeconds (no documented exception needed):
    the definition as deployed parses, and the parsed retriers are fully jittered and capped."""
    from moto.stepfunctions.parser.asl.component.common.retry.jitter_strategy_decl import JitterStrategy
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    for resource in STATE_MACHINES.values():
        program, _ = AmazonStateLanguageParser.parse(_PLACEHOLDER.sub("1", _asl_text(resource)))
        found = _retriers(program)
        assert found and all(r.jitter_strategy.jitter_strategy == JitterStrategy.FULL for r in found)
        assert {r.max_delay_seconds.max_delays_seconds for r in found} == {60, 4}


_LAMBDA_SERVICE_ERRORS = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                          "Lambda.TooManyRequestsException"}


def _tasks(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every Task state, nested ones included."""
    return ((name, state) for name, state in _states(node) if state.get("Type") == "Task")


@pytest.mark.parametrize("logical_id", sorted(STATE_MACHINES))
def test_every_lambda_task_retries_the_lambda_services_transient_errors(logical_id: str) -> None:
    """AWS recommends it: an invoke can fail in Lambda itself (throttled, a service error) without the function
    having run; without a Retry such a blip would fail the document's approval or booking."""
    for name, state in _tasks(_asl(STATE_MACHINES[logical_id])):
        if ":lambda:" not in str(state.get("Resource")):
            continue
        retried = {error for rule in state.get("Retry", []) for error in rule["ErrorEquals"]
                   if rule.get("MaxAttempts", 3) > 0}
        assert retried >= _LAMBDA_SERVICE_ERRORS, f"{name} does not retry {sorted(_LAMBDA_SERVICE_ERRORS - retried)}"
        for rule in state.get("Retry", []):
            if set(rule["ErrorEquals"]) & _LAMBDA_SERVICE_ERRORS:
                assert rule.get("JitterStrategy") == "FULL" and float(rule.get("BackoffRate", 1)) > 1, (name, rule)
