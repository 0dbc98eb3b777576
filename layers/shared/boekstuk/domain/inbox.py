"""Each administration's own e-mail-in address: ``{name}.{token}@inbox.<mail domain>``.

The local part is the administration's name, readable (``bakkerij-de-vries``), and a random token of
``TOKEN_LENGTH`` base32 characters (40 bits) that makes it unguessable: knowing an administration's name is not
enough to send documents into it. Only the local part is stored (unique across the system, taken with a
conditional write); the domain is configuration, so the address follows the stack's mail domain.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

TOKEN_LENGTH = 8
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
MAX_NAME_PART = 30
_LEGAL_FORMS = re.compile(r"(?:^|\s)(?:b\.?\s?v\.?|n\.?\s?v\.?|v\.?\s?o\.?\s?f\.?|c\.?\s?v\.?|gmbh|ltd\.?|inc\.?)\s*$")
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
_LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?\.[a-z2-7]{8}$")


def new_token() -> str:
    """A fresh random token for a local part (``secrets``: unpredictable)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def name_part(name: str) -> str:
    """``Bakkerij De Vries B.V.`` -> ``bakkerij-de-vries``: ASCII, lower case, the legal form dropped, at most
    ``MAX_NAME_PART`` characters; ``administratie`` when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()
    ascii_name = _LEGAL_FORMS.sub("", ascii_name)
    slug = _NOT_ALLOWED.sub("-", ascii_name).strip("-")[:MAX_NAME_PART].strip("-")
    return slug or "administratie"


def local_part(name: str, token: str) -> str:
    """The local part of an administration's inbox address."""
    return f"{name_part(name)}.{token}"


def is_local_part(value: str) -> bool:
    """Whether ``value`` has the shape ``local_part`` makes (a cheap check before any lookup)."""
    return bool(_LOCAL_PART.match(value))


def address(local: str, domain: str) -> str:
    """The whole address."""
    return f"{local}@{domain}"


def inbox_local_part(recipient: str, domain: str) -> str | None:
    """The local part of ``recipient`` when it is an address at the inbox ``domain`` (case-insensitive, as mail
    servers treat addresses in practice), else ``None``."""
    local, at, host = recipient.strip().strip("<>").rpartition("@")
    if not at or host.lower().rstrip(".") != domain.lower():
        return None
    return local.lower()


__all__ = ["TOKEN_LENGTH", "address", "inbox_local_part", "is_local_part", "local_part", "name_part", "new_token"]
