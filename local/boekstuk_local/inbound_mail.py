"""``POST /_local/inbound-mail``: deliver a raw RFC 5322 / MIME message the way SES receiving would.

What happens is read from template.yaml's ``AWS::SES::ReceiptRule`` resources, so it cannot drift from the
deployment: the recipients (the message's To, Cc and Bcc, or the ``recipient`` query parameters standing in for the
SMTP envelope) are matched against each rule's ``Recipients``, the rule's S3 action stores the raw message under
its ``ObjectKeyPrefix`` + the message id in its bucket, and its Lambda action invokes the function with the event
SES sends (``Records[].ses.mail`` and ``.receipt``, every verdict ``PASS``), asynchronously when the action says
``Event``, as AWS does. A message no rule takes is refused, as SES refuses the recipient during the SMTP dialogue.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import email.utils
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from boekstuk_local.provision import Provisioned, client

MAX_INBOUND_MAIL_BYTES = 40 * 1024 * 1024  # SES receiving's limit, headers and encoding included


class NoReceiptRule(Exception):
    """No receipt rule takes mail for any of the recipients (SES answers 550 during SMTP)."""


@dataclass
class ReceiptRule:
    """One enabled rule of the template: who it takes mail for and its S3 and Lambda actions."""

    name: str
    recipients: list[str]
    bucket: str | None = None
    prefix: str = ""
    function_arn: str | None = None
    invocation_type: str = "Event"
    scan: bool = False
    extra_actions: list[str] = field(default_factory=list)

    def takes(self, address: str) -> bool:
        """SES's matching: no recipients means every address; an address matches itself, a domain every address
        at it, ``.domain`` every address at its subdomains (all case-insensitive)."""
        if not self.recipients:
            return True
        address = address.lower()
        host = address.rpartition("@")[2]
        for entry in (r.lower() for r in self.recipients):
            if ("@" in entry and address == entry) or host == entry or (entry.startswith(".") and host.endswith(entry)):
                return True
        return False


def receipt_rules(provisioned: Provisioned) -> list[ReceiptRule]:
    """The template's enabled receipt rules with their intrinsics resolved (bucket names, function ARNs)."""
    rules: list[ReceiptRule] = []
    for logical_id, resource in provisioned.app.of_type("AWS::SES::ReceiptRule").items():
        spec = provisioned.resolver.resolve((resource.get("Properties") or {}).get("Rule") or {})
        if str(spec.get("Enabled", True)).lower() == "false":
            continue
        rule = ReceiptRule(name=str(spec.get("Name") or logical_id), recipients=[str(r) for r in spec.get("Recipients") or []],
                           scan=str(spec.get("ScanEnabled", False)).lower() == "true")
        for action in spec.get("Actions") or []:
            if "S3Action" in action:
                rule.bucket = str(action["S3Action"]["BucketName"])
                rule.prefix = str(action["S3Action"].get("ObjectKeyPrefix") or "")
            elif "LambdaAction" in action:
                rule.function_arn = str(action["LambdaAction"]["FunctionArn"])
                rule.invocation_type = str(action["LambdaAction"].get("InvocationType") or "Event")
            else:
                rule.extra_actions.extend(action)
        rules.append(rule)
    return rules


def envelope(raw: bytes, recipients: list[str] | None = None) -> tuple[str, list[str], Any]:
    """``(return path, recipients, headers)`` as the sending server would give them in the SMTP envelope: the
    Return-Path header (``<>`` for a bounce) else the From address, and To, Cc and Bcc unless given."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    return_path = headers.get("Return-Path")
    if return_path is not None:
        sender = email.utils.parseaddr(str(return_path))[1]
    else:
        sender = email.utils.parseaddr(str(headers.get("From", "")))[1]
    if not recipients:
        fields = [str(v) for name in ("To", "Cc", "Bcc") for v in headers.get_all(name, [])]
        recipients = [address for _, address in email.utils.getaddresses(fields) if address]
    return sender, list(dict.fromkeys(recipients)), headers


def ses_event(message_id: str, raw_headers: Any, sender: str, destination: list[str], rule: ReceiptRule,
              now: dt.datetime) -> dict[str, Any]:
    """The event SES's Lambda action sends (docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event)."""
    def common(name: str) -> list[str]:
        return [str(v) for v in raw_headers.get_all(name, [])]

    stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    recipients = [r for r in destination if rule.takes(r)]
    verdict = {"status": "PASS"} if rule.scan else {"status": "DISABLED"}
    return {"Records": [{"eventSource": "aws:ses", "eventVersion": "1.0", "ses": {
        "mail": {
            "timestamp": stamp, "source": sender, "messageId": message_id, "destination": destination,
            "headersTruncated": False,
            "headers": [{"name": k, "value": str(v)} for k, v in raw_headers.items()],
            "commonHeaders": {"returnPath": sender, "from": common("From"), "to": common("To"), "cc": common("Cc"),
                              "date": str(raw_headers.get("Date", "")), "messageId": str(raw_headers.get("Message-ID", "")),
                              "subject": str(raw_headers.get("Subject", ""))},
        },
        "receipt": {
            "timestamp": stamp, "processingTimeMillis": 1, "recipients": recipients,
            "spamVerdict": verdict, "virusVerdict": verdict, "spfVerdict": verdict, "dkimVerdict": verdict,
            "dmarcVerdict": verdict, "dmarcPolicy": "none",
            "action": {"type": "Lambda", "functionArn": rule.function_arn, "invocationType": rule.invocation_type},
        },
    }}]}


def deliver(provisioned: Provisioned, raw: bytes, now: dt.datetime, recipients: list[str] | None = None) -> str:
    """Store and hand on ``raw`` as every matching receipt rule says; the SES message id."""
    sender, destination, headers = envelope(raw, recipients)
    rules = [rule for rule in receipt_rules(provisioned) if any(rule.takes(r) for r in destination)]
    if not rules:
        raise NoReceiptRule(f"no receipt rule of the template takes mail for {', '.join(destination) or 'nobody'}")
    message_id = uuid.uuid4().hex
    for rule in rules:
        if rule.bucket is not None:
            client("s3", provisioned.endpoint_url, provisioned.region).put_object(
                Bucket=rule.bucket, Key=f"{rule.prefix}{message_id}", Body=raw)
        if rule.function_arn is not None:
            client("lambda", provisioned.endpoint_url, provisioned.region).invoke(
                FunctionName=rule.function_arn.rsplit(":", 1)[-1], InvocationType=rule.invocation_type,
                Payload=json.dumps(ses_event(message_id, headers, sender, destination, rule, now)).encode())
    return message_id


__all__ = ["MAX_INBOUND_MAIL_BYTES", "NoReceiptRule", "ReceiptRule", "deliver", "envelope", "receipt_rules",
           "ses_event"]
