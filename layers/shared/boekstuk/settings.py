"""Settings: the ONLY module that reads ``os.environ``.

Values come from the Lambda environment declared in template.yaml (``Globals.Function.Environment``); the local
stack sets the same variables pointing at the emulator and the simulators. Read once, on first use.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from boekstuk.domain.packages import PackageApp
from boekstuk.domain.throttling import ThrottlePolicy


class Settings(BaseModel):
    """Everything the composition root needs to pick and configure adapters."""

    table_name: str = "boekstuk"
    idempotency_table_name: str = "boekstuk-idempotency"
    documents_bucket: str = "boekstuk-documents"
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    state_machine_arn: str = ""
    sync_function_name: str = ""
    sender_email: str = "no-reply@boekstuk.local"
    inbox_domain: str = "inbox.boekstuk.example"  # e-mail-in addresses: <name>.<token>@<inbox_domain>
    api_base_url: str = ""  # empty: derived from each request (API Gateway domain and stage)
    web_app_url: str = ""  # empty: read from the SSM parameter below (AWS), or none (links point at the API)
    web_app_url_parameter: str = ""  # SSM parameter holding the web app's address (its CloudFront distribution)
    cloudfront_origin_secret: str = ""  # the header value by which CloudFront's requests to the API are known
    recognizer: Literal["local", "textract"] = "local"
    secrets_prefix: str = "boekstuk/"
    package_apps_secret: str = "boekstuk/package-apps"
    package_apps: list[PackageApp] = Field(default_factory=list)  # local stack: given inline as JSON
    local_mode: bool = False
    clock_offset_file: str = ""  # only the local stack sets it: its clock can be moved forward (adapters/clock.py)
    region: str = "eu-west-1"
    max_json_body_bytes: int = 64 * 1024
    throttling: ThrottlePolicy = ThrottlePolicy()  # production's limits; JSON in THROTTLING overrides fields

    @field_validator("package_apps", mode="before")
    @classmethod
    def _parse_json(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else []
        return value

    @field_validator("throttling", mode="before")
    @classmethod
    def _parse_json_object(cls, value: object) -> object:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value


_ENV_NAMES: dict[str, str] = {
    "table_name": "TABLE_NAME",
    "idempotency_table_name": "IDEMPOTENCY_TABLE_NAME",
    "documents_bucket": "DOCUMENTS_BUCKET",
    "user_pool_id": "USER_POOL_ID",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "sync_function_name": "SYNC_FUNCTION_NAME",
    "sender_email": "SENDER_EMAIL",
    "inbox_domain": "INBOX_DOMAIN",
    "api_base_url": "API_BASE_URL",
    "web_app_url": "WEB_APP_URL",
    "web_app_url_parameter": "WEB_APP_URL_PARAMETER",
    "cloudfront_origin_secret": "CLOUDFRONT_ORIGIN_SECRET",
    "recognizer": "RECOGNIZER",
    "secrets_prefix": "SECRETS_PREFIX",
    "package_apps_secret": "PACKAGE_APPS_SECRET",
    "package_apps": "PACKAGE_APPS",
    "local_mode": "BOEKSTUK_LOCAL",
    "clock_offset_file": "CLOCK_OFFSET_FILE",
    "region": "AWS_REGION",
    "throttling": "THROTTLING",
}


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (``os.environ`` by default); unset names keep defaults."""
    env = os.environ if environ is None else environ
    values = {field: env[name] for field, name in _ENV_NAMES.items() if env.get(name)}
    return Settings.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first call."""
    return settings_from_env()
