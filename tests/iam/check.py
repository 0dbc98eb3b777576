"""Check recorded AWS calls against the roles: what was denied, and which grants were used (for coverage)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.iam.actions import UnknownOperation, requests_of
from tests.iam.policies import Grant, Resolved, decide, resolve, roles


@dataclass(frozen=True)
class Violation:
    """A call the principal's role would not allow in AWS."""

    principal: str
    call: str  # "sesv2.SendEmail"
    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.principal} called {self.call}: its role does not allow {self.action} on {self.resource}"


@dataclass
class Checker:
    """Evaluates calls (``lambda_hook.AwsCall``) and remembers which grants each principal used."""

    template: dict[str, Any] | None = None  # roles from this template instead of the stack's own (doctored tests)
    used: dict[str, dict[str, str]] = field(default_factory=dict)  # principal -> grant key -> an example request
    _resolved: dict[int, tuple[Any, dict[str, list[Resolved]]]] = field(default_factory=dict)

    def _grants(self, resolver: Any) -> dict[str, list[Resolved]]:
        cached = self._resolved.get(id(resolver))
        if cached is None or cached[0] is not resolver:
            expanded = roles(self.template if self.template is not None else resolver.template)
            cached = (resolver, {p: resolve(g, resolver) for p, g in expanded.grants.items()})
            self._resolved = {id(resolver): cached}  # one stack at a time; the previous one is gone
        return cached[1]

    def check(self, calls: Iterable[Any]) -> list[Violation]:
        """The violations among ``calls``; the grants that allowed the others are added to ``used``."""
        violations: list[Violation] = []
        for call in calls:
            name = f"{call.service}.{call.operation}" + (" (presigned URL)" if call.presigned else "")
            if call.resolver is None:
                violations.append(Violation(call.principal, name, "?", "no provisioned stack registered"))
                continue
            principal_grants = self._grants(call.resolver).get(call.principal)
            try:
                wanted = requests_of(call.service, call.operation, call.params,
                                     region=call.resolver.region, account=call.resolver.account_id)
            except UnknownOperation as exc:
                violations.append(Violation(call.principal, name, "?", str(exc)))
                continue
            self.used.setdefault(call.principal, {})
            for action, resource in wanted:
                allowed, grants = decide(action, resource, principal_grants or [])
                if not allowed:
                    violations.append(Violation(call.principal, name, action, resource))
                for grant in grants:
                    self.used[call.principal].setdefault(grant.key, f"{action} on {resource} ({name})")
        return violations

    def write(self, path: Path) -> None:
        """Save the used grants (one file per pytest process; the coverage test merges them)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.used, indent=1, sort_keys=True), encoding="utf-8")


def merge_used(directory: Path) -> dict[str, dict[str, str]]:
    """The used grants of every pytest process that wrote into ``directory``."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("used-*.json")):
        for principal, grants in json.loads(path.read_text(encoding="utf-8")).items():
            for key, example in grants.items():
                merged.setdefault(principal, {}).setdefault(key, example)
    return merged


@dataclass(frozen=True)
class Coverage:
    """Per principal: each grant and how it was used (an example request), exempted (the reason) or not."""

    rows: dict[str, list[tuple[Grant, str | None, str | None]]]  # principal -> (grant, used example, exemption)
    aws_managed: dict[str, list[str]]

    @property
    def unused(self) -> list[Grant]:
        """Allow grants nothing used and nothing exempts."""
        return [g for rows in self.rows.values() for g, example, exempt in rows if example is None and exempt is None]

    def report(self) -> str:
        """Markdown: granted vs used, per principal."""
        lines = ["# Granted vs used, per role", "",
                 "Recorded over the integration and end-to-end suites (tests/iam). `UNUSED` fails the test.", ""]
        for principal in sorted(self.rows):
            lines += [f"## {principal}", "", "| policy | action | resource | used by |", "|---|---|---|---|"]
            for grant, example, exempt in self.rows[principal]:
                resource = grant.resource if isinstance(grant.resource, str) else json.dumps(grant.resource)
                status = example or (f"exempt: {exempt}" if exempt else "**UNUSED**")
                lines.append(f"| {grant.source} | `{grant.action}` | `{resource}` | {status} |")
            for arn in self.aws_managed.get(principal, []):
                lines.append(f"| AWS managed | {arn} | | the Lambda/Step Functions runtime (logs, traces) |")
            lines.append("")
        return "\n".join(lines)


def coverage(template: dict[str, Any], used: dict[str, dict[str, str]],
             exemptions: dict[tuple[str, str], str]) -> Coverage:
    """Which of ``template``'s Allow grants ``used`` (``merge_used``) covers; ``exemptions`` maps
    ``(principal, action)`` to why a grant no local test can use is still needed (``action@text``: only the
    grants of that action whose resource mentions ``text``)."""
    expanded = roles(template)
    rows: dict[str, list[tuple[Grant, str | None, str | None]]] = {}
    for principal, grants in expanded.grants.items():
        rows[principal] = [(g, used.get(principal, {}).get(g.key), _exemption(exemptions, g))
                           for g in grants if g.effect == "Allow"]
    return Coverage(rows, expanded.aws_managed)


def _exemption(exemptions: dict[tuple[str, str], str], grant: Grant) -> str | None:
    if (grant.principal, grant.action) in exemptions:
        return exemptions[(grant.principal, grant.action)]
    resource = json.dumps(grant.resource)
    for (principal, key), reason in exemptions.items():
        action, _, text = key.partition("@")
        if principal == grant.principal and action == grant.action and text and text in resource:
            return reason
    return None
