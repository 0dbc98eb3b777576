"""Every dev-set document through the system's own intake: half uploaded through the API (upload slot +
presigned PUT), half dropped into ``inbox/``; each must end with its recognition on GET .../documents/{id}.

Runs the whole template in-process (moto + simulators), like the integration tests. Reads ../shared/data/dev
(or --data DIR); prints one line per document and a summary by document type.

    python bench/devset_intake.py [--data ../shared/data/dev] [--limit N]
"""

from __future__ import annotations

import argparse
import collections
import json
import mimetypes
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from boekstuk_local import moto_patches  # noqa: E402
from boekstuk_local.testing import LocalAws, local_aws  # noqa: E402
from tests.integration.conftest import add_accessible, link, onboarded_office  # noqa: E402

CONTENT_TYPES = {".xml": "application/xml", ".pdf": "application/pdf", ".jpg": "image/jpeg",
                 ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff"}


def documents(data: Path) -> list[tuple[Path, str]]:
    """(file, doc_type) for every ground-truth line of every source."""
    found = []
    for truth in sorted(data.glob("*/ground_truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found.append((truth.parent / record["file"], record["doc_type"]))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "dev")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no dev set at {args.data}; nothing to do")
        return 0
    files = documents(args.data)[: args.limit or None]
    outcome: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    moto_patches.install()
    with local_aws(simulators=True) as aws:
        office, token = onboarded_office(aws)
        connection = link(aws, office, token, "snelstart")
        adm = add_accessible(aws, office, token, connection, 1)[0]["administration_id"]
        for n, (path, doc_type) in enumerate(files):
            started = time.perf_counter()
            content = path.read_bytes()
            content_type = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/pdf"
            document_id = send(aws, office, token, adm, path.name, content, content_type, via_api=n % 2 == 0)
            status, _, doc = aws.api_call("GET", f"/v1/offices/{office}/documents/{document_id}", token=token)
            # A byte-identical file is refused as a duplicate before recognition, naming its original.
            recognised = status == 200 and (doc.get("recognition") is not None or bool(doc.get("duplicate_of")))
            state = doc.get("status") if status == 200 else f"http {status}"
            outcome[doc_type]["recognised" if recognised else f"not recognised ({state})"] += 1
            fields = (doc.get("recognition") or {}).get("fields", {})
            print(f"{'ok ' if recognised else 'BAD'} {doc_type:14} {state:18} {time.perf_counter() - started:6.1f}s "
                  f"{path.relative_to(args.data)}  number={fields.get('invoice_number')} total={fields.get('total_incl_vat')}",
                  flush=True)
    print("\nby document type:")
    for doc_type, counts in sorted(outcome.items()):
        print(f"  {doc_type:14} " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 0 if all(set(c) == {"recognised"} for c in outcome.values()) else 1


def send(aws: LocalAws, office: str, token: str, adm: str, name: str, content: bytes, content_type: str,
         *, via_api: bool) -> str:
    """Upload through a slot and its presigned PUT, or drop into inbox/; returns the document id."""
    if via_api:
        status, _, slot = aws.api_call("POST", f"/v1/offices/{office}/administrations/{adm}/documents",
                                       {"filename": name, "content_type": content_type}, token=token)
        assert status == 201, slot
        answer = requests.put(slot["upload"]["url"], data=content, headers=slot["upload"]["headers"], timeout=300)
        assert answer.status_code == 200, answer.text
        return str(slot["document_id"])
    aws.client("s3").put_object(Bucket=aws.environment["DOCUMENTS_BUCKET"], Key=f"inbox/{office}/{adm}/{name}",
                                Body=content)
    _, _, page = aws.api_call("GET", f"/v1/offices/{office}/documents?administration_id={adm}&limit=1", token=token)
    return str(page["documents"][0]["document_id"])


if __name__ == "__main__":
    raise SystemExit(main())
