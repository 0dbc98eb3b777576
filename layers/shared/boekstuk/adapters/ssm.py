"""Plain (non-secret) configuration the stack writes to SSM Parameter Store at deploy time."""

from __future__ import annotations

from typing import Any


def read_parameter(client: Any, name: str) -> str:
    """The value of a String parameter; the client's error when it does not exist (a deployment fault)."""
    return str(client.get_parameter(Name=name)["Parameter"]["Value"])
