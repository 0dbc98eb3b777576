"""gateway.py through the in-process harness: routing, proxy events, the Cognito authorizer, problems."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from boekstuk_local.testing import LocalAws, local_aws

from .conftest import TEMPLATE

PASSWORD = "correct horse battery 1"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    """One harness for this module: these tests only read, or write rows no other test here reads."""
    with local_aws(TEMPLATE) as harness:
        yield harness


def _token(aws: LocalAws) -> str:
    return aws.access_token("anna", PASSWORD, {"custom:office_code": "devries"})


def test_public_route_without_token(aws: LocalAws) -> None:
    status, headers, body = aws.api_call("GET", "/v1/health")
    assert status == 200
    assert body["resource"] == "/v1/health" and body["claims"] is None
    assert headers["x-amzn-RequestId"] == body["request_id"]


def test_route_params_query_headers_and_claims(aws: LocalAws) -> None:
    status, headers, body = aws.api_call("GET", "/v1/items/42?a=1&a=2&b=3", token=_token(aws),
                                         headers={"X-Test": "hello"})
    assert status == 200, body
    assert body["resource"] == "/v1/items/{item_id}" and body["path"] == "/v1/items/42"
    assert body["path_params"] == {"item_id": "42"}
    assert body["query"] == {"a": "2", "b": "3"}  # API Gateway keeps the last value here
    assert body["multi_query"] == {"a": ["1", "2"], "b": ["3"]}
    assert body["header_x"] == "hello"
    assert body["claims"]["username"] == "anna" and body["claims"]["token_use"] == "access"
    assert body["function"] == "ApiFunction"
    assert headers["X-Multi"] == "a"  # multiValueHeaders are sent (dict() keeps the first)


def test_source_ip_is_the_peer_address_never_a_forwarded_for_header(aws: LocalAws) -> None:
    # API Gateway's identity.sourceIp is the address of the connection; throttling per source relies on it.
    _, _, body = aws.api_call("GET", "/v1/health", headers={"X-Forwarded-For": "203.0.113.1"},
                              source_ip="198.51.100.23")
    assert body["source_ip"] == "198.51.100.23"
    assert aws.api_call("GET", "/v1/health")[2]["source_ip"] == "127.0.0.1"


def test_literal_route_beats_parameter_and_greedy_proxy(aws: LocalAws) -> None:
    assert aws.api_call("GET", "/v1/items/special", token=_token(aws))[2]["resource"] == "/v1/items/special"
    status, _, body = aws.api_call("DELETE", "/v1/files/a/b/c.pdf")
    assert status == 200 and body["path_params"] == {"proxy": "a/b/c.pdf"} and body["method"] == "DELETE"


def test_bodies_text_and_binary(aws: LocalAws) -> None:
    _, _, body = aws.api_call("POST", "/v1/items", body={"name": "x"})
    assert body["body"] == '{"name": "x"}' and body["base64"] is False
    raw = b"\xff\xd8\xff\x00jpeg"
    _, _, body = aws.api_call("POST", "/v1/items", body=raw, headers={"Content-Type": "image/jpeg"})
    assert body["base64"] is True and base64.b64decode(body["body"]) == raw


def _assert_problem(result: tuple[int, dict[str, str], Any], status: int, code: str) -> None:
    got_status, headers, body = result
    assert got_status == status, body
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == status and body["code"] == code


def test_missing_token_is_401_problem(aws: LocalAws) -> None:
    _assert_problem(aws.api_call("GET", "/v1/items/42"), 401, "unauthorized")


def test_garbage_token_is_401_problem(aws: LocalAws) -> None:
    _assert_problem(aws.api_call("GET", "/v1/items/42", token="not-a-jwt"), 401, "unauthorized")


def _pool_model(aws: LocalAws) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    prov = aws.provisioned
    return cognitoidp_backends[prov.account_id][prov.region].user_pools[prov.user_pools["UserPool"]]


def test_expired_token_is_401_problem(aws: LocalAws) -> None:
    _token(aws)
    _, client_id = aws.provisioned.user_pool_clients["UserPoolClient"]
    expired, _ = _pool_model(aws).create_jwt(client_id, "anna", "access", expires_in=-60,
                                             extra_data={"scope": "aws.cognito.signin.user.admin"})
    result = aws.api_call("GET", "/v1/items/42", token=expired)
    _assert_problem(result, 401, "unauthorized")
    assert result[2]["detail"] == "The incoming token has expired"


def test_token_signed_with_another_key_is_401_problem(aws: LocalAws) -> None:
    valid = _token(aws)
    claims = jwt.decode(valid, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "dummy"})
    _assert_problem(aws.api_call("GET", "/v1/items/42", token=forged), 401, "unauthorized")
    unknown_kid = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "not-in-the-jwks"})
    _assert_problem(aws.api_call("GET", "/v1/items/42", token=unknown_kid), 401, "unauthorized")
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    _assert_problem(aws.api_call("GET", "/v1/items/42", token=unsigned), 401, "unauthorized")
    assert aws.api_call("GET", "/v1/items/42", token=valid)[0] == 200


def test_token_of_another_client_or_issuer_is_401(aws: LocalAws) -> None:
    _token(aws)
    pool = _pool_model(aws)
    foreign, _ = pool.create_jwt("some-other-client", "anna", "access",
                                 extra_data={"scope": "aws.cognito.signin.user.admin"})
    _assert_problem(aws.api_call("GET", "/v1/items/42", token=foreign), 401, "unauthorized")
    _, client_id = aws.provisioned.user_pool_clients["UserPoolClient"]
    claims = jwt.decode(pool.create_jwt(client_id, "anna", "access")[0], options={"verify_signature": False})
    assert claims["iss"].endswith(aws.provisioned.user_pools["UserPool"])


def test_id_token_is_refused_where_scopes_are_required(aws: LocalAws) -> None:
    _token(aws)
    id_token = aws.login("anna", PASSWORD)["IdToken"]
    _assert_problem(aws.api_call("GET", "/v1/items/42", token=id_token), 401, "unauthorized")


def test_unknown_route_and_wrong_method_are_404_problem(aws: LocalAws) -> None:
    _assert_problem(aws.api_call("GET", "/v1/nothing-here"), 404, "not_found")
    _assert_problem(aws.api_call("PATCH", "/v1/items/42", token=_token(aws)), 404, "not_found")


def test_oversized_body_is_413_problem(aws: LocalAws) -> None:
    result = aws.api_call("POST", "/v1/items", body=b"x" * (10 * 1024 * 1024 + 1),
                          headers={"Content-Type": "application/octet-stream"})
    _assert_problem(result, 413, "payload_too_large")


def test_handler_exception_is_502_problem(aws: LocalAws) -> None:
    _assert_problem(aws.api_call("GET", "/v1/files/x/boom"), 502, "internal_error")


def test_mail_endpoint_lists_ses_mail_with_links_and_codes(aws: LocalAws) -> None:
    ses = aws.client("sesv2")
    for to, code in (("anna@devries.nl", "483920"), ("piet@devries.nl", "111222")):
        ses.send_email(
            FromEmailAddress="noreply@boekstuk.test",
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": "Bevestig"}, "Body": {"Text": {
                "Data": f"Uw code is {code}. Of klik https://app.test/confirm?t=1234567890 ."}}}},
        )
    status, _, body = aws.api_call("GET", "/_local/mail?to=ANNA@devries.nl")
    assert status == 200
    (message,) = body["messages"]
    assert message["to"] == ["anna@devries.nl"] and message["subject"] == "Bevestig"
    assert message["codes"] == ["483920"]
    assert message["links"] == ["https://app.test/confirm?t=1234567890"]
    assert message["at"].endswith("Z")
    assert [m["subject"] for m in aws.api_call("GET", "/_local/mail?to=piet@devries.nl")[2]["messages"]] == [
        "Bevestig"]


@pytest.mark.parametrize("query", ["", "?to=", "?to=%20", "?from=anna@devries.nl"])
def test_mail_endpoint_lists_one_address_never_everyones_codes(aws: LocalAws, query: str) -> None:
    aws.client("sesv2").send_email(
        FromEmailAddress="noreply@boekstuk.test", Destination={"ToAddresses": ["anna@devries.nl"]},
        Content={"Simple": {"Subject": {"Data": "Code"}, "Body": {"Text": {"Data": "Uw code is 483920."}}}})
    answer = aws.api_call("GET", "/_local/mail" + query)
    _assert_problem(answer, 400, "recipient_required")
    assert "483920" not in str(answer[2]) and "to=" in answer[2]["detail"]
    page = aws.api_call("GET", "/_local/mail" + query, headers={"Accept": "text/html"})
    assert page[0] == 400 and "483920" not in str(page[2])


def test_raw_mail_is_parsed(aws: LocalAws) -> None:
    raw = ("From: noreply@boekstuk.test\r\nTo: jan@x.nl\r\nSubject: Welkom\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nCode 654321\r\n")
    aws.client("ses").send_raw_email(Source="noreply@boekstuk.test", Destinations=["jan@x.nl"],
                                     RawMessage={"Data": raw})
    (message,) = aws.mail("jan@x.nl")
    assert message.subject == "Welkom" and message.codes == ["654321"]


def test_schedule_endpoint_fires_the_function(aws: LocalAws) -> None:
    status, _, body = aws.api_call("POST", "/_local/schedules/ScheduledFunction")
    assert status == 200 and body == {"function": "ScheduledFunction", "result": {"ok": True}}
    items = aws.client("dynamodb").scan(TableName=aws.provisioned.tables["Table"])["Items"]
    assert [i["detail_type"]["S"] for i in items] == ["Scheduled Event"]
    _assert_problem(aws.api_call("POST", "/_local/schedules/ApiFunction"), 404, "not_found")
    assert aws.fire_schedule("ScheduledFunction") == {"ok": True}


def test_index_page_and_unknown_local_endpoint(aws: LocalAws) -> None:
    status, headers, body = aws.api_call("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "/v1/items/{item_id}" in body and "/_local/mail" in body
    _assert_problem(aws.api_call("GET", "/_local/nope"), 404, "not_found")


def test_simulator_entries_without_simulators_is_404(aws: LocalAws) -> None:
    _assert_problem(aws.api_call("GET", "/_local/packages/snelstart/administrations/1/entries"), 404, "not_found")


@pytest.mark.parametrize("prefix", ["Bearer ", ""])
def test_authorization_header_with_or_without_bearer(aws: LocalAws, prefix: str) -> None:
    token = _token(aws)
    status, _, _ = aws.api_call("GET", "/v1/items/1", headers={"Authorization": prefix + token})
    assert status == 200


def test_cors_preflight_from_the_api_cors_property(aws: LocalAws) -> None:
    status, headers, _ = aws.api_call("OPTIONS", "/v1/items/42", headers={"Origin": "http://localhost:5173"})
    assert status == 200  # answered by the gateway: no token needed, no function runs
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
    assert headers["Access-Control-Max-Age"] == "600"
    _assert_problem(aws.api_call("OPTIONS", "/v1/nothing"), 404, "not_found")


def test_mail_page_for_a_browser(aws: LocalAws) -> None:
    aws.client("sesv2").send_email(
        FromEmailAddress="noreply@boekstuk.test", Destination={"ToAddresses": ["browser@devries.nl"]},
        Content={"Simple": {"Subject": {"Data": "<Welkom>"}, "Body": {"Text": {"Data": "https://x.test/a"}}}})
    status, headers, body = aws.api_call("GET", "/_local/mail?to=browser@devries.nl",
                                         headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "&lt;Welkom&gt;" in body and '<a href="https://x.test/a">' in body
    status, headers, body = aws.api_call("GET", "/_local/mail?to=browser@devries.nl", headers={"Accept": "*/*"})
    assert headers["Content-Type"] == "application/json" and body["messages"][0]["subject"] == "<Welkom>"


def test_a_function_slower_than_the_integration_timeout_is_504_problem(aws: LocalAws) -> None:
    import importlib

    from werkzeug.test import Client

    from boekstuk_local.gateway import Gateway

    api = importlib.import_module(aws.provisioned.functions["ApiFunction"].module.rsplit(".", 1)[0])
    api.RELEASE.clear()
    client = Client(Gateway(aws.provisioned, integration_timeout=0.3))
    try:
        answer = client.get("/v1/files/x/slow")
        assert answer.status_code == 504 and answer.json["code"] == "gateway_timeout"
        assert answer.headers["Content-Type"] == "application/problem+json"
    finally:
        api.RELEASE.set()
    assert client.get("/v1/files/x/fast").status_code == 200
