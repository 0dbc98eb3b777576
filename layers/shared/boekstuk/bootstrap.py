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
from boekstuk.adapters.dynamodb_links import DynamoAdministrationRepository, DynamoConnectionRepository
from boekstuk.adapters.lambda_trigger import LambdaSyncTrigger
from boekstuk.adapters.packages.gateway import RegistryPackageGateway
from boekstuk.adapters.secrets import SecretsManagerStore
from boekstuk.adapters.ses import SesMailer
from boekstuk.domain.packages import PackageApp
from boekstuk.ports import Clock
from boekstuk.services.administrations import AdministrationService, SupplierService
from boekstuk.services.connections import ConnectionService, PackageConnections
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

    @cached_property
    def secrets(self) -> SecretsManagerStore:
        """Package credentials and tokens."""
        return SecretsManagerStore(self.aws.client("secretsmanager"))

    @cached_property
    def package_gateway(self) -> RegistryPackageGateway:
        """Connectors for this system's registrations: inline in the local stack, from a secret on AWS."""
        apps = list(self.settings.package_apps)
        if not apps:
            stored = self.secrets.get(self.settings.package_apps_secret)
            apps = [PackageApp.model_validate(a) for a in stored.get("apps", [])]  # type: ignore[attr-defined]
        return RegistryPackageGateway({app.package: app for app in apps})

    @cached_property
    def connections(self) -> DynamoConnectionRepository:
        """Package connections (no secrets)."""
        return DynamoConnectionRepository(self.table)

    @cached_property
    def administrations(self) -> DynamoAdministrationRepository:
        """Linked administrations and their synced master data."""
        return DynamoAdministrationRepository(self.table)

    @cached_property
    def package_connections(self) -> PackageConnections:
        """Opens connectors for stored connections."""
        return PackageConnections(self.secrets, self.package_gateway)

    @cached_property
    def sync_trigger(self) -> LambdaSyncTrigger:
        """Starts supplier syncs."""
        return LambdaSyncTrigger(self.aws.client("lambda"), self.settings.sync_function_name)

    @cached_property
    def connection_service(self) -> ConnectionService:
        """Step 3."""
        return ConnectionService(self.connections, self.offices, self.secrets, self.package_gateway, self.clock,
                                 self.settings.secrets_prefix)

    @cached_property
    def administration_service(self) -> AdministrationService:
        """Step 4."""
        return AdministrationService(self.administrations, self.connections, self.offices, self.package_connections,
                                     self.sync_trigger, self.clock)

    @cached_property
    def supplier_service(self) -> SupplierService:
        """Suppliers, master data, rules, sync."""
        return SupplierService(self.administrations, self.connections, self.offices, self.package_connections,
                               self.sync_trigger, self.clock)


@lru_cache(maxsize=1)
def services() -> Services:
    """The process-wide services, built on first call (a warm Lambda reuses them)."""
    return Services(get_settings())


def reset() -> None:
    """Forget settings and services (the local stack and tests call this after changing the environment)."""
    services.cache_clear()
    get_settings.cache_clear()
