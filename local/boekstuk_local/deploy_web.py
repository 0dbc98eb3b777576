"""``boekstuk deploy-web --stack NAME``: put the web app's files (``web/``) in the stack's web bucket.

After ``sam deploy``: reads the stack's outputs (``WebBucketName``, ``WebDistributionId``, ``WebAppUrl``),
uploads every file with its content type and ``Cache-Control: no-cache`` (there is no build step, so file names
carry no hashes: browsers revalidate, cheaply, with the ETag), removes files that are no longer there, and
invalidates the distribution's cache. The web app needs no configuration: it calls the API at ``/v1`` on its own
origin, in AWS (CloudFront routes ``/v1/*`` to the API) as in the local stack.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import boto3

# Module scripts are refused under any other type (pdf.js ships .mjs); the rest as browsers expect them.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".ico": "image/x-icon", ".webp": "image/webp", ".woff2": "font/woff2", ".woff": "font/woff",
    ".ttf": "font/ttf", ".txt": "text/plain; charset=utf-8", ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
OUTPUTS = ("WebBucketName", "WebDistributionId", "WebAppUrl")


def content_type(path: Path) -> str:
    """The ``Content-Type`` a file is served with."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    """The outputs this command needs; ``KeyError`` naming one the stack lacks."""
    [described] = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    missing = [name for name in OUTPUTS if name not in outputs]
    if missing:
        raise KeyError(f"stack {stack} has no output {', '.join(missing)}: deploy template.yaml first")
    return outputs


def publish(web_dir: Path, bucket: str, distribution_id: str, s3: Any, cloudfront: Any) -> list[str]:
    """Upload ``web_dir`` to ``bucket``, delete what it no longer holds, invalidate; returns the keys written."""
    files = sorted(p for p in web_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not any(p.relative_to(web_dir).as_posix() == "index.html" for p in files):
        raise FileNotFoundError(f"{web_dir}/index.html is missing: it is the distribution's root object")
    written = []
    for path in files:
        key = path.relative_to(web_dir).as_posix()
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type(path),
                      CacheControl="no-cache")
        written.append(key)
    stale = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", []) if o["Key"] not in set(written)]
    for start in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
    cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"boekstuk-deploy-web-{time.time_ns()}"})
    return written


def main(argv: list[str]) -> int:
    """``boekstuk deploy-web --stack NAME [--region R] [--web-dir web]``."""
    from boekstuk_local.paths import project_root

    parser = argparse.ArgumentParser(prog="boekstuk deploy-web",
                                     description="Upload the web app to a deployed stack's bucket and refresh CloudFront.")
    parser.add_argument("--stack", required=True, help="the CloudFormation stack sam deploy created")
    parser.add_argument("--region", default=None, help="its region (default: the AWS configuration's)")
    parser.add_argument("--web-dir", default=None, help="the web app's files (default: web/ in the repository)")
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack)
    web_dir = Path(args.web_dir) if args.web_dir else project_root() / "web"
    written = publish(web_dir, outputs["WebBucketName"], outputs["WebDistributionId"], session.client("s3"),
                      session.client("cloudfront"))
    print(f"uploaded {len(written)} files; the web app: {outputs['WebAppUrl']}/")
    return 0
