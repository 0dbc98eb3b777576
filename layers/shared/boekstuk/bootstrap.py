"""Composition root: reads settings once, picks adapters, builds services on first use.

Nothing is built at import time. Handlers call ``services()``; tests either call ``reset()`` after changing
the environment or pass their own ``Services`` built from fakes.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from boekstuk.adapters.aws import AwsClients
from boekstuk.adapters.clock import SystemClock
from boekstuk.adapters.cognito import CognitoIdentityProvider
from boekstuk.adapters.dynamodb import DynamoLoginGuard, DynamoOfficeRepository, DynamoSignupRepository, DynamoTable
from boekstuk.adapters.ses import SesMailer
from boekstuk.ports import Clock
from boekstuk.services.onboarding import OnboardingService
from boekstuk.services.sessions import SessionService, UserService
from boekstuk.settings import Settings, get_settings


class Services:
    """Every use case, wired to its adapters. Properties build lazily and are cached per instance."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.aws = AwsClients(settings.region)

    def health_check(self) -> bool:
        """Whether the table answers (the one dependency every request needs)."""
        try:
            self.table.get("HEALTH", "HEALTH", consistent=False)
        except Exception:  # noqa: BLE001 - any failure means: not ready
            return False
        return True

    @cached_property
    def table(self) -> DynamoTable:
        """The single table."""
        return DynamoTable(self.aws.dynamodb_table(self.settings.table_name))

    @cached_property
    def identity(self) -> CognitoIdentityProvider:
        """The Cognito user directory."""
        return CognitoIdentityProvider(
            self.aws.client("cognito-idp"), self.settings.user_pool_id, self.settings.user_pool_client_id
        )

    @cached_property
    def offices(self) -> DynamoOfficeRepository:
        """Offices, office codes and users."""
        return DynamoOfficeRepository(self.table)

    @cached_property
    def onboarding(self) -> OnboardingService:
        """Steps 1 and 2."""
        return OnboardingService(
            signups=DynamoSignupRepository(self.table),
            offices=self.offices,
            identity=self.identity,
            mailer=SesMailer(self.aws.client("sesv2"), self.settings.sender_email),
            clock=self.clock,
            public_base_url=self.settings.web_app_url or self.settings.api_base_url,
        )

    @cached_property
    def sessions(self) -> SessionService:
        """Login and refresh."""
        return SessionService(self.identity, DynamoLoginGuard(self.table), self.clock)

    @cached_property
    def users(self) -> UserService:
        """Office users."""
        return UserService(self.offices, self.identity, self.clock)


@lru_cache(maxsize=1)
def services() -> Services:
    """The process-wide services, built on first call (a warm Lambda reuses them)."""
    return Services(get_settings())


def reset() -> None:
    """Forget settings and services (the local stack and tests call this after changing the environment)."""
    services.cache_clear()
    get_settings.cache_clear()
