#!/usr/bin/env python3
"""Smoke test of a deployed (or local) API: ``python scripts/smoke.py https://.../dev``.

Checks, with the standard library only: ``GET /v1/health`` answers 200 ``{"status": "ok"}`` (the function
reaches the table), ``GET /v1/openapi.json`` is the OpenAPI document, ``POST /v1/signups`` with a bad body
answers a 422 problem document, and a valid signup answers 201 (the code mail goes out through SES). The signup
goes to SES's mailbox simulator (``success+<random>@simulator.amazonses.com``), which accepts mail even while the
account is in the SES sandbox and costs no sender reputation; ``--email`` names another address.
Exits 1 naming each check that failed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.error
import urllib.request
from typing import Any

TIMEOUT = 30


def call(method: str, url: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    """One request: ``(status, headers, parsed JSON or text)``; HTTP errors are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the URL is the caller's
            status, headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, dict(error.headers), error.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, headers, json.loads(text) if text else None
    except ValueError:
        return status, headers, text


def signup_body(email: str) -> dict[str, Any]:
    """A valid step-1 signup (API.md)."""
    return {"company_name": "Rooktest B.V.", "contact_name": "Rook Test", "email": email, "phone": "+31 20 123 4567",
            "plan": "trial", "plan_confirmation": "trial", "accept_terms": True}


def checks(base: str, email: str) -> list[tuple[str, bool, str]]:
    """``(name, passed, detail)`` for each check."""
    out: list[tuple[str, bool, str]] = []
    status, _, body = call("GET", f"{base}/v1/health")
    out.append(("health", status == 200 and isinstance(body, dict) and body.get("status") == "ok", f"{status} {body}"))
    status, _, body = call("GET", f"{base}/v1/openapi.json")
    ok = status == 200 and isinstance(body, dict) and str(body.get("openapi", "")).startswith("3.")
    out.append(("openapi", ok and "/v1/signups" in body.get("paths", {}), f"{status}"))
    status, headers, body = call("POST", f"{base}/v1/signups", {"company_name": ""})
    ok = status == 422 and headers.get("Content-Type", headers.get("content-type", "")).startswith("application/problem+json")
    out.append(("signup refuses a bad body", ok and isinstance(body, dict) and bool(body.get("code")), f"{status} {body}"))
    status, _, body = call("POST", f"{base}/v1/signups", signup_body(email))
    out.append(("signup", status == 201 and isinstance(body, dict) and bool(body.get("signup_id")), f"{status} {body}"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the checks against the API base URL given; print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("api_url", help="the API's base URL (the stack output ApiUrl, or http://127.0.0.1:3000)")
    parser.add_argument("--email", default=f"success+smoke-{secrets.token_hex(4)}@simulator.amazonses.com")
    args = parser.parse_args(argv)
    results = checks(args.api_url.rstrip("/"), args.email)
    for name, passed, detail in results:
        print(f"{'ok  ' if passed else 'FAIL'} {name}" + ("" if passed else f": {detail}"))
    return 0 if all(passed for _, passed, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
