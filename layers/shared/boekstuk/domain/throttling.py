"""How much guessing and mailing the public endpoints allow: the numbers and the pure rules behind them.

Two kinds of limit, both kept as DynamoDB counters that expire (see ``ThrottleStore``):

- **Backoff per subject** (a login: office code + username): the first ``free_failures`` failures cost nothing;
  after that each failure makes the subject wait ``base * 2**(failures - free)`` seconds, at most ``cap``,
  before the next attempt is even checked. A success resets it; ``forget_after`` without a failure forgets it.
  Defaults: 5 free, then 1 s, 2 s, 4 s ... 15 min from the 15th failure on. So an attacker gets about 100
  guesses a day at one account (NIST SP 800-63B 5.2.2 asks for no more than 100 consecutive failures), while
  the owner, typing the right password once the wait is over, always gets in: a stranger can slow a user
  down, never lock them out for longer than ``cap`` at a time. The schedule is Cognito's own lockout (after
  n >= 5 failures 2**(n-5) s, cleared by 15 quiet minutes) and no attempt reaches Cognito before our wait is
  over, so Cognito's lockout has always lapsed by then and never refuses the right password on its own.
- **Windows per key** (a source address, an e-mail address): at most ``limit`` events per fixed window of
  ``window_seconds``; several windows apply together (e.g. per 15 minutes and per day).

A source is the caller's IP address as API Gateway saw it; an IPv6 address counts per /64 (one subscriber's
network), since its owner can pick any address in it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math

from pydantic import BaseModel, ConfigDict, Field

IPV6_SUBSCRIBER_PREFIX = 64
UNKNOWN_SOURCE = "unknown"


class Backoff(BaseModel):
    """Growing delays after repeated failures of one subject."""

    model_config = ConfigDict(frozen=True)

    free_failures: int = Field(default=5, ge=1)
    base_seconds: float = Field(default=1.0, gt=0)
    cap_seconds: float = Field(default=900.0, gt=0)
    forget_after_seconds: int = Field(default=24 * 3600, ge=60)
    in_flight_seconds: int = Field(default=30, ge=1)
    """How long a claimed attempt holds off the next one while its answer is pending: the API's 29 s timeout,
    so an attempt whose Lambda died releases the subject by itself."""

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row before the next attempt is checked."""
        if failures < self.free_failures:
            return 0.0
        exponent = failures - self.free_failures
        # Past the cap the exact power does not matter (and 2**huge would overflow a float).
        if exponent > 64:
            return self.cap_seconds
        return float(min(self.base_seconds * 2**exponent, self.cap_seconds))


class WindowLimit(BaseModel):
    """At most ``limit`` events per fixed window of ``window_seconds``."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(ge=1)
    window_seconds: int = Field(ge=1)

    def window_start(self, epoch: float) -> int:
        """The start (epoch seconds) of the window holding ``epoch``."""
        return int(epoch // self.window_seconds) * self.window_seconds

    def window_end(self, epoch: float) -> int:
        """The end (epoch seconds) of the window holding ``epoch``."""
        return self.window_start(epoch) + self.window_seconds


Windows = tuple[WindowLimit, ...]


def _minutes(limit: int, minutes: int) -> WindowLimit:
    return WindowLimit(limit=limit, window_seconds=minutes * 60)


class ThrottlePolicy(BaseModel):
    """Every limit of the public endpoints. The defaults are production's; tests give smaller numbers.

    Per source the numbers allow a whole office behind one address (NAT) its typos, not a spray: a source
    may fail 30 logins per 15 minutes and 200 a day, over all usernames together. Signup codes: at most 3 mails
    per address per hour and 10 a day (a victim's mailbox is not flooded), 30 per source per hour and 200 a day;
    wrong confirmation codes 30 per source per hour over all signups (each signup locks after 5 by itself).
    Password resets the same way: code mails per user (office code + username) and per source, wrong reset codes
    per source, and per user the growing waits of a login (each reset is void after 5 wrong codes by itself).
    Office-code checks (the activation wizard asks while someone types): 60 per source per 15 minutes and 300 a
    day, 100 per activation token per hour, so the check is no cheap way to list the offices.
    E-mail-in answers a sender why a message was not taken at most 3 times an hour and 10 times a day, so a forged
    sender address cannot turn the inbox into a mail cannon aimed at a stranger.
    """

    model_config = ConfigDict(frozen=True)

    login_user: Backoff = Backoff()
    login_source: Windows = (_minutes(30, 15), _minutes(200, 24 * 60))
    confirmation_source: Windows = (_minutes(30, 60),)
    signup_mail_address: Windows = (_minutes(3, 60), _minutes(10, 24 * 60))
    signup_mail_source: Windows = (_minutes(30, 60), _minutes(200, 24 * 60))
    reset_mail_user: Windows = (_minutes(3, 60), _minutes(10, 24 * 60))
    reset_mail_source: Windows = (_minutes(30, 60), _minutes(200, 24 * 60))
    reset_code_user: Backoff = Backoff()
    reset_code_source: Windows = (_minutes(30, 60),)
    office_code_check_source: Windows = (_minutes(60, 15), _minutes(300, 24 * 60))
    office_code_check_token: Windows = (_minutes(100, 60),)
    mail_reply_sender: Windows = (_minutes(3, 60), _minutes(10, 24 * 60))


class BackoffClaim(BaseModel):
    """The answer to "may this subject try now?": ``failures`` counts this attempt when it was allowed."""

    key: str
    allowed: bool
    failures: int = 0
    retry_after: int = 0


class WindowClaim(BaseModel):
    """One counted event in one window, or the refusal with the seconds until the window ends."""

    key: str
    window: WindowLimit
    window_start: int
    allowed: bool
    retry_after: int = 0


def retry_after_seconds(seconds: float) -> int:
    """Whole seconds for a ``Retry-After`` header: rounded up, at least 1 (0 would invite an instant retry)."""
    return max(1, math.ceil(seconds - 1e-9))


def source_key(source_ip: str | None) -> str:
    """The address a source is counted by: IPv4 as is, IPv6 per /64, anything unparsable as one bucket."""
    try:
        address = ipaddress.ip_address((source_ip or "").strip())
    except ValueError:
        return UNKNOWN_SOURCE
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_SUBSCRIBER_PREFIX), strict=False))
    return str(address)


def counter_key(scope: str, subject: str) -> str:
    """The stored key of a counter: the scope plus a hash, so usernames and addresses are not kept in plain text."""
    return f"{scope}#{hashlib.sha256(subject.encode()).hexdigest()[:40]}"
