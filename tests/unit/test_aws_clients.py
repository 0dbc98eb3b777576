"""Presigned S3 URLs name the bucket's regional endpoint in AWS (what the web app's CSP allows and what a new
bucket answers at once), and the emulator's address in the local stack."""

from __future__ import annotations

import urllib.parse

import pytest

from boekstuk.adapters.aws import AwsClients

BUCKET = "boekstuk-dev-documents-123456789012-eu-west-1"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)


def presigned(method: str) -> urllib.parse.SplitResult:
    s3 = AwsClients("eu-west-1").client("s3")
    return urllib.parse.urlsplit(s3.generate_presigned_url(method, Params={"Bucket": BUCKET, "Key": "uploads/a.pdf"},
                                                           ExpiresIn=900))


@pytest.mark.parametrize("method", ["put_object", "get_object"])
def test_in_aws_presigned_urls_name_the_regional_virtual_host(method: str) -> None:
    url = presigned(method)
    assert (url.scheme, url.netloc, url.path) == ("https", f"{BUCKET}.s3.eu-west-1.amazonaws.com", "/uploads/a.pdf")
    assert "X-Amz-Signature" in url.query


def test_in_the_local_stack_presigned_urls_name_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5123")
    url = presigned("put_object")
    assert (url.netloc, url.path) == ("127.0.0.1:5123", f"/{BUCKET}/uploads/a.pdf")


def test_textract_backs_off_adaptively_before_the_intake_gives_up() -> None:
    """Textract's request quotas are low (a few per second): its client waits for capacity and retries more
    often than the others before a document's read is left for Lambda's retry of the whole invocation."""
    config = AwsClients("eu-west-1").client("textract").meta.config
    assert config.retries["mode"] == "adaptive" and config.retries["total_max_attempts"] >= 6
