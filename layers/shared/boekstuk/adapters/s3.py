"""The documents bucket: presigned uploads and downloads, size checks, bounded reads, write-once originals.

Conditional requests keep what was accepted from being replaced: an upload URL creates its object only when the
key is free (``If-None-Match: *``, signed into the URL), the intake reads exactly the object its event names
(the version id, else ``If-Match`` on the ETag), and an original is written once (``If-None-Match: *``).
The original is a put of the bytes the intake read, not a CopyObject: it is then exactly what was recognised
even if the upload key changed in between (and moto 5.2.5 ignores ``IfNoneMatch`` on CopyObject).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from botocore.exceptions import ClientError

from boekstuk.domain.errors import DocumentTooLarge, UnreadableDocument

_MISSING = ("404", "NoSuchKey", "NotFound")
_REPLACED = ("412", "PreconditionFailed", "NoSuchVersion")
# 409 ConditionalRequestConflict: another conditional write to the key is in flight; it exists (or will) either way.
_EXISTS = ("412", "PreconditionFailed", "409", "ConditionalRequestConflict")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3DocumentStorage:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def presigned_put(self, key: str, content_type: str, expires_in: int) -> tuple[str, dict[str, str]]:
        """A PUT URL bound to the content type and to a free key: the client must send both headers, and S3
        refuses (412) a second PUT to the URL once the first one stored its object."""
        url = self._client.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type,
                                  "IfNoneMatch": "*"},
            ExpiresIn=expires_in)
        return str(url), {"Content-Type": content_type, "If-None-Match": "*"}

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
            if _code(exc) in _MISSING:
                return None
            raise
        return int(head["ContentLength"])

    def read(self, key: str, max_bytes: int, *, version_id: str | None = None, etag: str | None = None) -> bytes:
        """The whole object, refusing one over ``max_bytes`` before reading its body.

        With ``version_id`` (a versioned bucket's event) or ``etag`` exactly that object: when the key holds
        another one by now, ``UnreadableDocument``. The size comes from the same response as the body, so a
        replacement between a HEAD and the GET cannot slip a larger object past the limit.
        """
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": key}
        if version_id:
            params["VersionId"] = version_id
        elif etag:
            params["IfMatch"] = etag
        try:
            response = self._client.get_object(**params)
        except ClientError as exc:
            code = _code(exc)
            if code in _REPLACED and (version_id or etag):
                raise UnreadableDocument("The uploaded file was replaced before it could be read; "
                                         "upload it again.") from exc
            if code in _MISSING:
                raise FileNotFoundError(key) from exc
            raise
        body = response["Body"]
        try:
            size = int(response.get("ContentLength", 0))
            if size > max_bytes:
                raise DocumentTooLarge(f"The file is {size} bytes; the limit is {max_bytes} bytes.")
            content: bytes = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(content) > max_bytes:
            raise DocumentTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
        return content

    def put_once(self, key: str, content: bytes, content_type: str | None) -> bool:
        """Create ``key`` with ``content``; False (nothing written) when the key exists already."""
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": key, "Body": content, "IfNoneMatch": "*"}
        if content_type:
            params["ContentType"] = content_type
        try:
            self._client.put_object(**params)
        except ClientError as exc:
            if _code(exc) in _EXISTS:
                return False
            raise
        return True
