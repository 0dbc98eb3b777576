"""The documents bucket adapter under moto: what S3 must refuse so that a kept original never changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from moto import mock_aws

from boekstuk.adapters.aws import AwsClients
from boekstuk.adapters.s3 import S3DocumentStorage
from boekstuk.domain import errors

BUCKET = "docs"


@pytest.fixture()
def s3() -> Iterator[Any]:
    with mock_aws():
        client = AwsClients("eu-west-1").client("s3")  # configured as the functions' client
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def test_an_original_is_written_once(s3: Any) -> None:
    storage = S3DocumentStorage(s3, BUCKET)
    assert storage.put_once("originals/o/a/d", b"first", "application/pdf")
    assert not storage.put_once("originals/o/a/d", b"second", "application/pdf")
    assert storage.read("originals/o/a/d", 100) == b"first"


def test_the_intake_reads_exactly_the_object_its_event_names(s3: Any) -> None:
    storage = S3DocumentStorage(s3, BUCKET)
    etag = s3.put_object(Bucket=BUCKET, Key="uploads/o/a/d/f.pdf", Body=b"first")["ETag"].strip('"')
    assert storage.read("uploads/o/a/d/f.pdf", 100, etag=etag) == b"first"
    s3.put_object(Bucket=BUCKET, Key="uploads/o/a/d/f.pdf", Body=b"replaced")
    with pytest.raises(errors.UnreadableDocument, match="replaced"):
        storage.read("uploads/o/a/d/f.pdf", 100, etag=etag)
    with pytest.raises(errors.DocumentTooLarge):
        storage.read("uploads/o/a/d/f.pdf", 5)


def test_an_upload_url_creates_its_object_only_once(s3: Any) -> None:
    storage = S3DocumentStorage(s3, BUCKET)
    url, headers = storage.presigned_put("uploads/o/a/d/f.pdf", "application/pdf", 900)
    assert headers == {"Content-Type": "application/pdf", "If-None-Match": "*"}
    assert "if-none-match" in url.lower()  # signed into the URL: a client cannot leave it out in AWS
    assert requests.put(url, data=b"first", headers=headers, timeout=10).status_code == 200
    assert requests.put(url, data=b"second", headers=headers, timeout=10).status_code == 412
    assert storage.read("uploads/o/a/d/f.pdf", 100) == b"first"
