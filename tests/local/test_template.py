"""template.py: the CloudFormation YAML loader, intrinsic functions and SAM events."""

from __future__ import annotations

from pathlib import Path

import pytest

from boekstuk_local.provision import handler_module
from boekstuk_local.schedules import next_fire, scheduled_event
from boekstuk_local.template import (
    NO_VALUE,
    Resolver,
    SamApp,
    TemplateError,
    UnresolvedReference,
    load_yaml,
    match_path,
)

from .conftest import TEMPLATE

SHORT_FORMS = """
A: !Ref Thing
B: !GetAtt Res.Arn
C: !GetAtt [Res, Attr.Nested]
D: !Sub "x-${Stage}"
E: !Sub ["${A}-${B}", {A: 1, B: !Ref Stage}]
F: !Join [",", [a, b]]
G: !If [Cond, one, two]
H: !Select [1, [a, b, c]]
I: !FindInMap [M, k1, k2]
J: !Equals [a, b]
K: !Not [!Condition Cond]
L: !Split [",", "a,b"]
N: !Base64 abc
O: !And [!Condition Cond, true]
P: !Or [!Condition Cond, false]
Q: !GetAZs ""
R: 2024-01-01
"""


def test_loader_turns_short_tags_into_long_form() -> None:
    data = load_yaml(SHORT_FORMS)
    assert data["A"] == {"Ref": "Thing"}
    assert data["B"] == {"Fn::GetAtt": ["Res", "Arn"]}
    assert data["C"] == {"Fn::GetAtt": ["Res", "Attr.Nested"]}
    assert data["D"] == {"Fn::Sub": "x-${Stage}"}
    assert data["E"] == {"Fn::Sub": ["${A}-${B}", {"A": 1, "B": {"Ref": "Stage"}}]}
    assert data["F"] == {"Fn::Join": [",", ["a", "b"]]}
    assert data["G"] == {"Fn::If": ["Cond", "one", "two"]}
    assert data["K"] == {"Fn::Not": [{"Condition": "Cond"}]}
    assert data["R"] == "2024-01-01"  # CloudFormation keeps dates as strings


def _resolver() -> Resolver:
    template = {
        "Parameters": {"Stage": {"Type": "String", "Default": "local"}, "Given": {"Type": "String"}},
        "Conditions": {"IsLocal": {"Fn::Equals": [{"Ref": "Stage"}, "local"]},
                       "IsProd": {"Fn::Not": [{"Condition": "IsLocal"}]}},
        "Mappings": {"M": {"local": {"Size": "3"}}},
    }
    resolver = Resolver(template, parameters={"Given": "g"})
    resolver.refs["Table"] = "tbl"
    resolver.attrs[("Table", "Arn")] = "arn:aws:dynamodb:eu-west-1:123456789012:table/tbl"
    return resolver


@pytest.mark.parametrize(("expr", "expected"), [
    ({"Ref": "Stage"}, "local"),
    ({"Ref": "Given"}, "g"),
    ({"Ref": "AWS::Region"}, "eu-west-1"),
    ({"Ref": "AWS::AccountId"}, "123456789012"),
    ({"Fn::GetAtt": ["Table", "Arn"]}, "arn:aws:dynamodb:eu-west-1:123456789012:table/tbl"),
    ({"Fn::GetAtt": "Table.Arn"}, "arn:aws:dynamodb:eu-west-1:123456789012:table/tbl"),
    ({"Fn::Sub": "${Table}-${AWS::Region}-${Table.Arn}"},
     "tbl-eu-west-1-arn:aws:dynamodb:eu-west-1:123456789012:table/tbl"),
    ({"Fn::Sub": ["${X}/${!Literal}/${Stage}", {"X": {"Ref": "Table"}}]}, "tbl/${Literal}/local"),
    ({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}, "a-local"),
    ({"Fn::Select": ["1", ["a", "b"]]}, "b"),
    ({"Fn::Split": [":", "a:b"]}, ["a", "b"]),
    ({"Fn::If": ["IsLocal", "l", "p"]}, "l"),
    ({"Fn::If": ["IsProd", "p", "l"]}, "l"),
    ({"Fn::FindInMap": ["M", {"Ref": "Stage"}, "Size"]}, "3"),
    ({"Fn::FindInMap": ["M", "prod", "Size", {"DefaultValue": "9"}]}, "9"),
    ({"Fn::Equals": ["a", "a"]}, True),
    ({"Fn::Not": [{"Fn::Equals": ["a", "a"]}]}, False),
    ({"Fn::And": [{"Condition": "IsLocal"}, {"Fn::Equals": [1, "1"]}]}, True),
    ({"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsLocal"}]}, True),
    ({"Fn::Base64": "hi"}, "aGk="),
    ({"Fn::ToJsonString": {"a": [1]}}, '{"a":[1]}'),
    ({"Fn::Length": [1, 2, 3]}, 3),
    ({"Fn::GetAZs": ""}, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
])
def test_intrinsics_resolve(expr: object, expected: object) -> None:
    assert _resolver().resolve(expr) == expected


def test_no_value_removes_the_property_and_list_entry() -> None:
    resolved = _resolver().resolve({"A": {"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}, "B": [
        1, {"Fn::If": ["IsProd", 2, {"Ref": "AWS::NoValue"}]}]})
    assert resolved == {"B": [1]}
    assert _resolver().resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_unknown_references_and_parameters_fail_loudly() -> None:
    with pytest.raises(UnresolvedReference):
        _resolver().resolve({"Ref": "Missing"})
    with pytest.raises(UnresolvedReference):
        _resolver().resolve({"Fn::GetAtt": ["Missing", "Arn"]})
    with pytest.raises(TemplateError):
        Resolver({"Parameters": {"NoDefault": {"Type": "String"}}})
    with pytest.raises(TemplateError):
        _resolver().resolve({"Fn::ImportValue": "x"})
    with pytest.raises(TemplateError, match="not one of"):
        Resolver({"Parameters": {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}}},
                 parameters={"Stage": "test"})


def test_parameter_types() -> None:
    template = {"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a, b"},
                               "Seconds": {"Type": "Number", "Default": 5}}}
    resolver = Resolver(template)
    assert resolver.resolve({"Ref": "Names"}) == ["a", "b"]
    assert resolver.resolve({"Fn::Sub": "${Seconds}s"}) == "5s"


def test_sam_app_parses_routes_triggers_schedules_and_globals() -> None:
    app = SamApp.load(TEMPLATE)
    assert "ProdOnlyBucket" not in app.resources  # Condition IsProd is false
    routes = {(r.method, r.path): r for r in app.routes}
    assert routes[("GET", "/v1/health")].auth_required is False
    item = routes[("GET", "/v1/items/{item_id}")]
    assert item.auth_required is True and item.function == "ApiFunction" and item.api == "Api"
    assert item.scopes == ("aws.cognito.signin.user.admin",)
    assert routes[("ANY", "/v1/files/{proxy+}")].auth_required is False
    # the literal path wins over the parameterised one, as in API Gateway
    route, params = app.route_for("GET", "/v1/items/special")  # type: ignore[misc]
    assert route.path == "/v1/items/special" and params == {}
    route, params = app.route_for("GET", "/v1/items/7")  # type: ignore[misc]
    assert params == {"item_id": "7"}
    assert app.route_for("DELETE", "/v1/items/7") is None
    assert app.path_exists("/v1/items/7")

    (trigger,) = app.s3_triggers
    assert (trigger.function, trigger.bucket, trigger.events, trigger.prefix) == (
        "S3Function", "DocumentsBucket", ("s3:ObjectCreated:*",), "inbox/")
    (schedule,) = app.schedules
    assert (schedule.function, schedule.expression) == ("ScheduledFunction", "rate(1 day)")

    task = app.functions["TaskFunction"]
    assert task.architectures == ["arm64"] and task.timeout == 10
    assert set(task.environment) >= {"TABLE_NAME", "TASK_ONLY"}  # Globals merged with the function's own
    api = app.apis["Api"]
    assert api.stage == "v1stage"
    assert api.gateway_responses["UNAUTHORIZED"].status == 401
    assert api.gateway_responses["UNAUTHORIZED"].headers["Content-Type"] == "application/problem+json"


def test_match_path_params_and_greedy_proxy() -> None:
    assert match_path("/v1/offices/{office}/users", "/v1/offices/devries/users") == {"office": "devries"}
    assert match_path("/v1/offices/{office}/users", "/v1/offices/devries") is None
    assert match_path("/v1/files/{proxy+}", "/v1/files/a/b/c.pdf") == {"proxy": "a/b/c.pdf"}
    assert match_path("/v1/health", "/v1/health/") == {}


def test_handler_module_is_named_from_the_shallowest_sys_path_root(tmp_path: Path) -> None:
    code = tmp_path / "functions" / "book"
    code.mkdir(parents=True)
    assert handler_module(code, "app.lambda_handler", [str(tmp_path)]) == ("functions.book.app", "lambda_handler")
    assert handler_module(code, "app.lambda_handler", [str(tmp_path / "functions"), str(tmp_path)]) == (
        "functions.book.app", "lambda_handler")
    with pytest.raises(TemplateError):
        handler_module(code, "app.lambda_handler", [str(tmp_path / "elsewhere")])


def test_schedule_expressions() -> None:
    import datetime as dt

    saturday = dt.datetime(2026, 11, 28, 21, 0, tzinfo=dt.UTC)
    assert next_fire("rate(1 day)", saturday) == saturday + dt.timedelta(days=1)
    assert next_fire("rate(5 minutes)", saturday) == saturday + dt.timedelta(minutes=5)
    assert next_fire("cron(0 3 * * ? *)", saturday) == dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)
    # EventBridge day-of-week 2 is Monday
    assert next_fire("cron(0 8 ? * 2 *)", saturday) == dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    # ScheduleExpressionTimezone: 03:00 in Amsterdam is 02:00 UTC in winter
    assert next_fire("cron(0 3 * * ? *)", saturday, "Europe/Amsterdam") == dt.datetime(
        2026, 11, 29, 2, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        next_fire("every day", saturday)
    app = SamApp.load(TEMPLATE)
    event = scheduled_event(app.schedules[0], region="eu-west-1", account_id="123456789012")
    assert event["detail-type"] == "Scheduled Event"


def test_http_api_events_are_refused_rather_than_served_with_the_wrong_payload_format() -> None:
    template = load_yaml("""
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Events:
        Get: {Type: HttpApi, Properties: {Path: /x, Method: GET}}
""")
    with pytest.raises(TemplateError, match="HttpApi"):
        SamApp(template)


def test_unsupported_event_types_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    template = load_yaml("""
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Events:
        Queue: {Type: SQS, Properties: {Queue: arn:aws:sqs:eu-west-1:123456789012:q}}
""")
    with caplog.at_level("WARNING"):
        app = SamApp(template)
    assert app.routes == [] and "Fn.Queue: SQS events are not wired up locally" in caplog.text
