"""Each function's (and state machine's) role as SAM creates it, and IAM's decision on a request.

The template is translated offline with ``samtranslator`` (the library the SAM CLI transforms with), so
policy templates (``DynamoDBCrudPolicy``, ``SESCrudPolicy``, ``EventBridgePutEventsPolicy``...), inline
statements and ``!Ref`` managed policies expand exactly as CloudFormation would receive them. Intrinsics are
then resolved with the resolver of the stack that made the calls (``boekstuk_local.template.Resolver``).

Evaluation is IAM's for identity policies: an explicit Deny wins, else some Allow must match the action and
the resource (``*`` and ``?`` wildcards, actions case-insensitive). A statement with a ``Condition`` never
allows here (conservative: the test cannot know the request context) but always denies.
"""

from __future__ import annotations

import copy
import fcntl
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAM_POLICY_SOURCES = ("Policies",)
_PLACEHOLDER_URI = "s3://boekstuk-iam-test/placeholder"


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of one statement of a principal's role."""

    principal: str  # logical id of the function or state machine
    source: str  # "Policies[2] SESCrudPolicy", "ManagedPolicy WebAppUrlReadPolicy"
    statement: int
    effect: str
    action: str
    resource: Any  # as the translated template writes it (intrinsics unresolved)
    condition: str | None = None  # JSON of the statement's Condition

    @property
    def key(self) -> str:
        """Stable identity across processes (the coverage files use it)."""
        return json.dumps([self.principal, self.source, self.statement, self.action, self.resource], sort_keys=True)


@dataclass(frozen=True)
class Roles:
    """Every principal's grants, and the AWS managed policies attached (granted to the runtime, not the code)."""

    grants: dict[str, list[Grant]]
    aws_managed: dict[str, list[str]]


# samtranslator pins pydantic (~=2.13) below what the layer runs: installed with boekstuk it would change the
# generated OpenAPI document. So it lives in a venv of its own, made on first use, and translates out of process.
TRANSLATOR_VERSION = "1.115.0"
_ROOT = Path(__file__).resolve().parents[2]
_VENV = _ROOT / ".venv-iam"
_CACHE = _ROOT / "build" / "iam-translated"
_TRANSLATE = """
import json, sys
from samtranslator.translator.transform import transform

class NoManagedPolicies:  # this template names AWS managed policies by ARN only
    def load(self):
        return {}

request = json.load(sys.stdin)
json.dump(transform(request["template"], {"AWS::Region": request["region"]}, NoManagedPolicies()), sys.stdout)
"""


def _translator_python() -> Path:
    """The venv's python with samtranslator, created once (a lock: several pytest workers may ask at once)."""
    python = _VENV / "bin" / "python"
    marker = _VENV / f".samtranslator-{TRANSLATOR_VERSION}"
    if marker.exists():
        return python
    _ROOT.joinpath("build").mkdir(exist_ok=True)
    with open(_ROOT / "build" / ".venv-iam.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"aws-sam-translator=={TRANSLATOR_VERSION}"],
                           check=True)
            marker.touch()
    return python


def translate(template: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation template SAM makes of ``template`` (code locations replaced: only roles matter here)."""
    sam = copy.deepcopy(template)
    for resource in (sam.get("Resources") or {}).values():
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            if key in props:
                props[key] = _PLACEHOLDER_URI
    region = os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    request = json.dumps({"template": sam, "region": region}, sort_keys=True, default=str)
    cached = _CACHE / f"{hashlib.sha256((TRANSLATOR_VERSION + request).encode()).hexdigest()}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    done = subprocess.run([str(_translator_python()), "-c", _TRANSLATE], input=request, capture_output=True,
                          text=True, env={**os.environ, "AWS_DEFAULT_REGION": region}, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"samtranslator could not translate the template:\n{done.stderr}")
    _CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(done.stdout, encoding="utf-8")
    partial.replace(cached)  # atomic: another worker never reads half a file
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def roles(template: dict[str, Any]) -> Roles:
    """The grants of every function and state machine of ``template`` (cached per template content)."""
    text = json.dumps(template, sort_keys=True, default=str)
    return _roles(hashlib.sha256(text.encode()).hexdigest(), text)


@functools.lru_cache(maxsize=8)
def _roles(_digest: str, text: str) -> Roles:
    template = json.loads(text)
    cfn = translate(template)
    resources = cfn["Resources"]
    grants: dict[str, list[Grant]] = {}
    aws_managed: dict[str, list[str]] = {}
    for logical_id, res in (template.get("Resources") or {}).items():
        if res.get("Type") not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        props = resources.get(logical_id, {}).get("Properties") or {}
        role_ref = props.get("Role") or props.get("RoleArn")  # functions, state machines
        if not (isinstance(role_ref, dict) and "Fn::GetAtt" in role_ref):
            continue
        role_id = role_ref["Fn::GetAtt"][0]
        role = resources[role_id]["Properties"]
        sam_policies = (res.get("Properties") or {}).get("Policies") or []
        out: list[Grant] = []
        for policy in role.get("Policies") or []:
            name = str(policy.get("PolicyName", ""))
            index = int(re.sub(r"\D", "", name[len(role_id) + len("Policy"):]) or 0)
            label = f"Policies[{index}] {_sam_policy_label(sam_policies, index)}"
            out += _grants(logical_id, label, policy["PolicyDocument"])
        for arn in role.get("ManagedPolicyArns") or []:
            if isinstance(arn, dict) and "Ref" in arn and resources.get(arn["Ref"], {}).get("Type") == "AWS::IAM::ManagedPolicy":
                document = resources[arn["Ref"]]["Properties"]["PolicyDocument"]
                out += _grants(logical_id, f"ManagedPolicy {arn['Ref']}", document)
            else:
                aws_managed.setdefault(logical_id, []).append(json.dumps(arn))
        grants[logical_id] = out
    return Roles(grants, aws_managed)


def _sam_policy_label(policies: list[Any], index: int) -> str:
    if index >= len(policies):
        return "?"
    item = policies[index]
    if isinstance(item, dict):
        return next(iter(item), "?")
    return str(item)


def _grants(principal: str, source: str, document: dict[str, Any]) -> list[Grant]:
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    out = []
    for number, statement in enumerate(statements):
        if "NotAction" in statement or "NotResource" in statement:
            raise ValueError(f"{principal} {source}: NotAction/NotResource are not evaluated by the IAM test")
        actions = statement.get("Action") or []
        resources = statement.get("Resource") or []
        condition = json.dumps(statement["Condition"], sort_keys=True) if statement.get("Condition") else None
        for action in actions if isinstance(actions, list) else [actions]:
            for resource in resources if isinstance(resources, list) else [resources]:
                out.append(Grant(principal, source, number, str(statement.get("Effect", "Allow")), str(action),
                                 resource, condition))
    return out


def _pattern(text: str, *, case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{regex}$", 0 if case else re.IGNORECASE)


@dataclass(frozen=True)
class Resolved:
    """A grant with its resource resolved for one stack."""

    grant: Grant
    action: re.Pattern[str]
    resource: re.Pattern[str]


def resolve(grants: list[Grant], resolver: Any) -> list[Resolved]:
    """Resolve each grant's resource with ``resolver`` (the stack that made the calls)."""
    from boekstuk_local.template import UnresolvedReference

    out = []
    for grant in grants:
        try:
            resource = grant.resource if isinstance(grant.resource, str) else resolver.resolve(grant.resource)
        except UnresolvedReference:
            resource = "<not created locally>"  # names a resource the local stack does not create: matches nothing
        out.append(Resolved(grant, _pattern(grant.action, case=False), _pattern(str(resource), case=True)))
    return out


def decide(action: str, resource: str, grants: list[Resolved]) -> tuple[bool, list[Grant]]:
    """IAM's decision for one request: ``(allowed, the Allow grants that match)``."""
    allowing: list[Grant] = []
    for resolved in grants:
        if not (resolved.action.match(action) and resolved.resource.match(resource)):
            continue
        if resolved.grant.effect == "Deny":
            return False, []
        if resolved.grant.condition is None:
            allowing.append(resolved.grant)
    return bool(allowing), allowing
