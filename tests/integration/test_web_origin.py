"""The API behind the web app's CloudFront distribution, as the handlers see it: the viewer's address counts
for the per-source limits only on requests CloudFront forwarded (its secret header); the documents bucket takes
uploads from the web app's origin only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boekstuk_local.testing import LocalAws
from tests.integration.conftest import PASSWORD, assert_problem, onboarded_office
from tests.throttling import throttling

WRONG = "wrong wrong wrong"
# CloudFront edges: what API Gateway sees as the peer of the requests they forward (one per test, so the per-source
# counters of one test never reach another).
EDGES = iter(f"203.0.113.{n}" for n in range(200, 250))


@pytest.fixture()
def strict(aws: LocalAws) -> Iterator[None]:
    with throttling(login_source=[{"limit": 2, "window_seconds": 900}]):
        yield


@pytest.fixture()
def edge() -> str:
    return next(EDGES)


def through_cloudfront(aws: LocalAws, office: str, edge: str, viewer: str, secret: str | None = None) -> tuple:
    headers = {"CloudFront-Viewer-Address": f"{viewer}:51234",
               "X-Boekstuk-Origin-Verify": secret or aws.environment["CLOUDFRONT_ORIGIN_SECRET"]}
    return aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "nobody", "password": WRONG},
                        headers=headers, source_ip=edge)


def test_viewers_behind_one_edge_are_counted_apart(aws: LocalAws, strict: None, edge: str) -> None:
    office, _ = onboarded_office(aws)
    for _ in range(2):
        assert_problem(through_cloudfront(aws, office, edge, "198.51.100.101"), 401, "invalid_credentials")
    assert_problem(through_cloudfront(aws, office, edge, "198.51.100.101"), 429, "too_many_attempts")
    # Another viewer at the same edge is not slowed down by the first.
    assert_problem(through_cloudfront(aws, office, edge, "198.51.100.102"), 401, "invalid_credentials")
    assert_problem(through_cloudfront(aws, office, edge, "2001:db8:1:2::7"), 401, "invalid_credentials")


def test_a_viewer_address_without_cloudfronts_secret_is_ignored(aws: LocalAws, strict: None, edge: str) -> None:
    office, _ = onboarded_office(aws)
    for n in range(2):  # called directly, naming a fresh viewer each time: still the caller's own address counts
        assert_problem(through_cloudfront(aws, office, edge, f"198.51.100.{110 + n}", secret="guess"), 401,
                       "invalid_credentials")
    assert_problem(through_cloudfront(aws, office, edge, "198.51.100.119", secret="guess"), 429, "too_many_attempts")


def test_uploads_are_allowed_from_the_web_apps_origin_only(aws: LocalAws) -> None:
    bucket = aws.environment["DOCUMENTS_BUCKET"]
    [rule] = aws.client("s3").get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rule["AllowedOrigins"] == [aws.environment["WEB_APP_URL"]]
    assert "PUT" in rule["AllowedMethods"]


def test_login_still_works_through_cloudfront(aws: LocalAws, edge: str) -> None:
    office, _ = onboarded_office(aws)
    status, _, _ = aws.api_call("POST", "/v1/sessions", {"office_code": office, "username": "sync",
                                                          "password": PASSWORD},
                                headers={"CloudFront-Viewer-Address": "198.51.100.120:443",
                                         "X-Boekstuk-Origin-Verify": aws.environment["CLOUDFRONT_ORIGIN_SECRET"]},
                                source_ip=edge)
    assert status == 200
