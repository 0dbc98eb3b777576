"""The documents bucket: presigned uploads and downloads, size checks, bounded reads."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.domain.errors import DocumentTooLarge


class S3DocumentStorage:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presigned_put(self, key: str, content_type: str, expires_in: int) -> tuple[str, dict[str, str]]:
        """A PUT URL bound to the content type; the client must send that header."""
        url = self._client.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
            ExpiresIn=expires_in)
        return str(url), {"Content-Type": content_type}

    def presigned_get(self, key: str, expires_in: int, filename: str, content_type: str) -> str:
        """A GET URL whose answer downloads the file under its name, as ``content_type``, never shown inline.

        The original is a stranger's file (a PDF with scripts, an HTML page dropped in the inbox): a browser
        must save it, not render it on a page of ours. S3 answers with the headers signed into the URL.
        """
        ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]", "_", filename) or "document"
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(filename)}"
        return str(self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key, "ResponseContentDisposition": disposition,
                                  "ResponseContentType": content_type},
            ExpiresIn=expires_in))

    def size(self, key: str) -> int | None:
        """ContentLength from HEAD, ``None`` for a missing object."""
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def read(self, key: str, max_bytes: int) -> bytes:
        """The whole object, refusing one over ``max_bytes`` before downloading it."""
        size = self.size(key)
        if size is None:
            raise FileNotFoundError(key)
        if size > max_bytes:
            raise DocumentTooLarge(f"The file is {size} bytes; the limit is {max_bytes} bytes.")
        body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read(max_bytes + 1)
        return body
