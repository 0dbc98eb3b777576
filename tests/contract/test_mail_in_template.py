"""template.yaml's e-mail-in resources agree with the code: SES stores each message where MailInFunction reads it,
the documents it writes reach the intake, SES may write and invoke (and only under mail/raw/, for our rule), and
the function may do exactly what its code does."""

from __future__ import annotations

from typing import Any

from boekstuk.domain.inbound_mail import MAILED_PREFIX, RAW_MAIL_PREFIX
from boekstuk_local.inbound_mail import receipt_rules
from boekstuk_local.provision import Provisioned
from boekstuk_local.template import SamApp
from boekstuk_local.testing import default_template, load_local_app


def app() -> SamApp:
    return load_local_app(default_template(), {"MailDomain": "boekstuk.nl"})


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return app().of_type(kind)


def test_the_receipt_rule_stores_the_raw_message_then_invokes_mail_in() -> None:
    loaded = app()
    [(_, rule)] = loaded.of_type("AWS::SES::ReceiptRule").items()
    assert set(rule["DependsOn"]) == {"DocumentsBucketPolicy", "MailInSesPermission"}
    [rule_spec] = receipt_rules(Provisioned(app=_resolved(loaded), region="eu-west-1", account_id="123456789012",
                                            endpoint_url=None))
    assert rule_spec.recipients == ["inbox.boekstuk.nl"] and rule_spec.scan
    assert rule_spec.bucket == "boekstuk-dev-documents-123456789012-eu-west-1"
    assert rule_spec.prefix == RAW_MAIL_PREFIX
    assert rule_spec.function_arn is not None and rule_spec.function_arn.endswith(":function:boekstuk-dev-mail-in")
    assert rule_spec.invocation_type == "Event" and rule_spec.extra_actions == []


def _resolved(loaded: SamApp) -> SamApp:
    """The local values provisioning would give the names the rule refers to."""
    r = loaded.resolver
    r.refs["DocumentsBucket"] = "boekstuk-dev-documents-123456789012-eu-west-1"
    r.refs["InboundMailRuleSet"] = "boekstuk-dev-inbound"
    r.attrs[("MailInFunction", "Arn")] = "arn:aws:lambda:eu-west-1:123456789012:function:boekstuk-dev-mail-in"
    return loaded


def test_documents_written_under_mail_in_reach_the_intake() -> None:
    prefixes = {t.prefix for t in app().s3_triggers if t.function == "ProcessInvoiceFunction"}
    assert MAILED_PREFIX in prefixes
    assert not any(t.prefix and t.prefix.startswith(RAW_MAIL_PREFIX) for t in app().s3_triggers)


def test_ses_may_write_only_raw_mail_and_only_for_our_rule() -> None:
    [policy] = [p for p in resources("AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == {"Ref": "DocumentsBucket"}]
    [statement] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                   if s.get("Principal") == {"Service": "ses.amazonaws.com"}]
    assert statement["Action"] == "s3:PutObject"
    assert statement["Resource"] == {"Fn::Sub": "${DocumentsBucket.Arn}/" + RAW_MAIL_PREFIX + "*"}
    condition = statement["Condition"]
    assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    rule_arn = condition["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    [permission] = resources("AWS::Lambda::Permission").values()
    props = permission["Properties"]
    assert (props["Principal"], props["FunctionName"], props["SourceAccount"]) == (
        "ses.amazonaws.com", {"Ref": "MailInFunction"}, {"Ref": "AWS::AccountId"})
    assert props["SourceArn"]["Fn::Sub"] == rule_arn
    rule_set = resources("AWS::SES::ReceiptRuleSet")["InboundMailRuleSet"]["Properties"]["RuleSetName"]["Fn::Sub"]
    rule = resources("AWS::SES::ReceiptRule")["InboundMailRule"]["Properties"]["Rule"]["Name"]["Fn::Sub"]
    assert rule_arn.endswith(f":receipt-rule-set/{rule_set}:receipt-rule/{rule}")


def test_mail_in_may_read_raw_mail_write_documents_and_reply_nothing_more() -> None:
    function = resources("AWS::Serverless::Function")["MailInFunction"]["Properties"]
    [policy] = function["Policies"]
    statements = {tuple(sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])):
                  s["Resource"] for s in policy["Statement"]}
    bucket = "arn:${AWS::Partition}:s3:::boekstuk-${Stage}-documents-${AWS::AccountId}-${AWS::Region}/"
    assert statements == {
        ("s3:GetObject",): {"Fn::Sub": bucket + RAW_MAIL_PREFIX + "*"},
        ("s3:PutObject",): {"Fn::Sub": bucket + MAILED_PREFIX + "*"},
        ("dynamodb:GetItem", "dynamodb:UpdateItem"): {"Fn::GetAtt": ["Table", "Arn"]},
        ("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"):
            {"Fn::GetAtt": ["IdempotencyTable", "Arn"]},
        ("ses:SendEmail",): {"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
                                        "${SenderEmail}"},
    }


def test_both_functions_that_name_inbox_addresses_agree_on_the_domain() -> None:
    functions = app().functions
    assert functions["MailInFunction"].environment["INBOX_DOMAIN"] == \
        functions["AddAdministrationsFunction"].environment["INBOX_DOMAIN"] == {"Fn::Sub": "inbox.${MailDomain}"}
