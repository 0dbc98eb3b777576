"""Password reset by an e-mailed code: the stored reset and its pure rules.

A user forgot their password: ``POST /v1/password-resets`` mails a 6-digit code valid 30 minutes, and
``POST /v1/password-resets/confirmation`` sets a new password with it. The answer never tells whether the user
exists: an unknown user gets a reset too (with a code nobody is sent), so every later answer is the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pydantic import BaseModel

RESET_CODE_TTL = dt.timedelta(minutes=30)
MAX_RESET_ATTEMPTS = 5


class PasswordReset(BaseModel):
    """One user's pending reset: only a hash of its code is kept, and how many wrong codes were tried."""

    subject: str
    code_hash: str
    expires_at: dt.datetime
    attempts: int = 0

    def usable(self, now: dt.datetime) -> bool:
        """Not expired and not voided by too many wrong codes."""
        return now < self.expires_at and self.attempts < MAX_RESET_ATTEMPTS


def reset_subject(office_code: str, username: str) -> str:
    """The key a user's reset is stored under: a hash, so the table holds no office codes or usernames."""
    return hashlib.sha256(f"{office_code}:{username}".encode()).hexdigest()
