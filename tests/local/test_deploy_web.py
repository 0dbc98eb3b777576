"""``boekstuk deploy-web``: the web app's files land in the stack's web bucket with the types browsers need,
files no longer in web/ are removed, and CloudFront's cache is invalidated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from boekstuk_local.cli import COMMANDS
from boekstuk_local.deploy_web import publish, stack_outputs


class Invalidations:
    def __init__(self) -> None:
        self.batches: list[tuple[str, dict[str, Any]]] = []

    def create_invalidation(self, DistributionId: str, InvalidationBatch: dict[str, Any]) -> None:  # noqa: N803
        self.batches.append((DistributionId, InvalidationBatch))


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket="web", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def test_files_are_uploaded_with_their_types_stale_ones_removed_and_the_cache_invalidated(s3: Any,
                                                                                           tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    for name, text in {"index.html": "<!doctype html>", "app.js": "x", "vendor/pdf.mjs": "y", "style.css": "z",
                       ".DS_Store": "junk"}.items():
        (tmp_path / name).write_text(text)
    s3.put_object(Bucket="web", Key="old.js", Body=b"gone")
    cloudfront = Invalidations()
    written = publish(tmp_path, "web", "E123", s3, cloudfront)
    assert written == ["app.js", "index.html", "style.css", "vendor/pdf.mjs"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="web")["Contents"]]
    assert sorted(keys) == written
    head = s3.head_object(Bucket="web", Key="vendor/pdf.mjs")
    assert head["ContentType"] == "text/javascript; charset=utf-8" and head["CacheControl"] == "no-cache"
    assert s3.head_object(Bucket="web", Key="index.html")["ContentType"] == "text/html; charset=utf-8"
    [(distribution, batch)] = cloudfront.batches
    assert distribution == "E123" and batch["Paths"] == {"Quantity": 1, "Items": ["/*"]}


def test_a_web_folder_without_index_html_is_refused(s3: Any, tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("x")
    with pytest.raises(FileNotFoundError):
        publish(tmp_path, "web", "E123", s3, Invalidations())


def test_the_stack_outputs_are_read_and_a_missing_one_named() -> None:
    class Stacks:
        def __init__(self, outputs: dict[str, str]) -> None:
            self.outputs = outputs

        def describe_stacks(self, StackName: str) -> dict[str, Any]:  # noqa: N803
            return {"Stacks": [{"Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in self.outputs.items()]}]}

    full = {"WebBucketName": "b", "WebDistributionId": "E1", "WebAppUrl": "https://d1.cloudfront.net", "ApiUrl": "x"}
    assert stack_outputs(Stacks(full), "boekstuk-dev")["WebDistributionId"] == "E1"
    with pytest.raises(KeyError, match="WebDistributionId"):
        stack_outputs(Stacks({"WebBucketName": "b", "WebAppUrl": "u"}), "boekstuk-dev")
    assert "deploy-web" in COMMANDS


def test_the_template_declares_the_outputs_the_command_reads() -> None:
    from boekstuk_local.deploy_web import OUTPUTS
    from boekstuk_local.paths import project_root
    from boekstuk_local.template import load_template_file

    outputs = load_template_file(project_root() / "template.yaml")["Outputs"]
    assert set(OUTPUTS) <= set(outputs)
