"""Composition root: reads settings once, picks adapters, builds the use cases on first use.

Nothing is built at import time, and nothing is imported that a function does not use: each use case, adapter
and shared collaborator is imported where it is built (the names below ``TYPE_CHECKING`` are for the type
checker only), so a function's cold start loads its own use cases and their domain, not every service's
(``bench/README.md``, "Cold starts"; ``tests/unit/test_cold_start_imports.py`` checks it). Handlers call one
use case of ``services()``: ``Services`` offers use cases only, never a repository, client or setting; what a
use case needs from the settings is handed to it here. Behind it ``Components`` builds the adapters and the
collaborators the use cases share; tests, benchmarks and the local stack reach them through ``components()``
(the test seam), handlers never. Tests call ``reset()`` after changing the environment.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from boekstuk.settings import Settings, get_settings

if TYPE_CHECKING:
    from boekstuk.adapters.cognito import CognitoIdentityProvider
    from boekstuk.adapters.dynamodb import DynamoOfficeRepository, DynamoTable
    from boekstuk.adapters.dynamodb_links import DynamoAdministrationRepository, DynamoConnectionRepository
    from boekstuk.adapters.dynamodb_proposals import DynamoProposalMemory
    from boekstuk.adapters.dynamodb_workflow import DynamoWorkflowStore
    from boekstuk.adapters.idempotency import IdempotentRunner
    from boekstuk.adapters.lambda_trigger import LambdaSyncTrigger
    from boekstuk.adapters.packages.gateway import RegistryPackageGateway
    from boekstuk.adapters.s3 import S3DocumentStorage
    from boekstuk.adapters.secrets import SecretsManagerStore
    from boekstuk.adapters.ses import SesMailer
    from boekstuk.adapters.stepfunctions import StepFunctionsWorkflow
    from boekstuk.ports import Clock, Recognizer
    from boekstuk.services.administrations import AdministrationService, SupplierService
    from boekstuk.services.approval_policies import ApprovalPolicies
    from boekstuk.services.approvals import Approvals
    from boekstuk.services.bookings import Bookings
    from boekstuk.services.connections import ConnectionService, PackageConnections
    from boekstuk.services.documents import DocumentIntake, DocumentService
    from boekstuk.services.events import PublishingDocuments, TransitionEvents
    from boekstuk.services.mail_in import MailIntake
    from boekstuk.services.onboarding import OnboardingService
    from boekstuk.services.password_resets import PasswordResetService
    from boekstuk.services.proposals import ProposalService, SupplierProvisioning
    from boekstuk.services.reminders import ApprovalReminders
    from boekstuk.services.sessions import SessionCheck, SessionService, UserService
    from boekstuk.services.throttling import Throttle


class Components:
    """The adapters and the collaborators the use cases share (repositories, storage, clients, the proposal
    service), built lazily from the settings and cached per instance. The inside of the composition root."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        from boekstuk.adapters.aws import AwsClients
        from boekstuk.adapters.clock import OffsetClock, SystemClock

        self.settings = settings
        # The local stack's clock can be moved forward (CLOCK_OFFSET_FILE); AWS runs on the system clock.
        self.clock: Clock = clock or (OffsetClock(Path(settings.clock_offset_file)) if settings.clock_offset_file
                                      else SystemClock())
        self.aws = AwsClients(settings.region)

    @cached_property
    def table(self) -> DynamoTable:
        """The single table."""
        from boekstuk.adapters.dynamodb import DynamoTable

        return DynamoTable(self.aws.dynamodb_table(self.settings.table_name))

    @cached_property
    def identity(self) -> CognitoIdentityProvider:
        """The Cognito user directory."""
        from boekstuk.adapters.cognito import CognitoIdentityProvider

        return CognitoIdentityProvider(
            self.aws.client("cognito-idp"), self.settings.user_pool_id, self.settings.user_pool_client_id
        )

    @cached_property
    def offices(self) -> DynamoOfficeRepository:
        """Offices, office codes and users."""
        from boekstuk.adapters.dynamodb import DynamoOfficeRepository

        return DynamoOfficeRepository(self.table)

    @cached_property
    def mailer(self) -> SesMailer:
        """Mail from the system's sender address."""
        from boekstuk.adapters.ses import SesMailer

        return SesMailer(self.aws.client("sesv2"), self.settings.sender_email)

    @cached_property
    def web_app_url(self) -> str:
        """The web app's address: configured (``WEB_APP_URL``), else the SSM parameter the stack writes with its
        CloudFront distribution's address (functions cannot be given that directly: template.yaml says why);
        empty when neither exists."""
        from boekstuk.adapters.ssm import read_parameter

        if self.settings.web_app_url or not self.settings.web_app_url_parameter:
            return self.settings.web_app_url
        return read_parameter(self.aws.client("ssm"), self.settings.web_app_url_parameter)

    @cached_property
    def public_base_url(self) -> str:
        """Where links in mails point: the web app, or the API until the web app exists."""
        return self.web_app_url or self.settings.api_base_url

    @cached_property
    def throttle(self) -> Throttle:
        """The counters that limit guessing (logins, codes) and signup mails."""
        from boekstuk.adapters.dynamodb import DynamoThrottleStore
        from boekstuk.services.throttling import Throttle

        return Throttle(DynamoThrottleStore(self.table), self.clock)

    @cached_property
    def secrets(self) -> SecretsManagerStore:
        """Package credentials and tokens."""
        from boekstuk.adapters.secrets import SecretsManagerStore

        return SecretsManagerStore(self.aws.client("secretsmanager"))

    @cached_property
    def package_gateway(self) -> RegistryPackageGateway:
        """Connectors for this system's registrations: inline in the local stack, from a secret on AWS."""
        from boekstuk.adapters.packages.gateway import RegistryPackageGateway
        from boekstuk.domain.packages import PackageApp

        apps = list(self.settings.package_apps)
        if not apps:
            stored = self.secrets.get(self.settings.package_apps_secret)
            apps = [PackageApp.model_validate(a) for a in stored.get("apps", [])]  # type: ignore[attr-defined]
        return RegistryPackageGateway({app.package: app for app in apps})

    @cached_property
    def connections(self) -> DynamoConnectionRepository:
        """Package connections (no secrets)."""
        from boekstuk.adapters.dynamodb_links import DynamoConnectionRepository

        return DynamoConnectionRepository(self.table)

    @cached_property
    def administrations(self) -> DynamoAdministrationRepository:
        """Linked administrations and their synced master data."""
        from boekstuk.adapters.dynamodb_links import DynamoAdministrationRepository

        return DynamoAdministrationRepository(self.table)

    @cached_property
    def package_connections(self) -> PackageConnections:
        """Opens connectors for stored connections; token refreshes take turns through a DynamoDB lease."""
        from boekstuk.adapters.dynamodb import DynamoRefreshLeases
        from boekstuk.services.connections import PackageConnections

        return PackageConnections(self.secrets, self.package_gateway, DynamoRefreshLeases(self.table))

    @cached_property
    def sync_trigger(self) -> LambdaSyncTrigger:
        """Starts supplier syncs."""
        from boekstuk.adapters.lambda_trigger import LambdaSyncTrigger

        return LambdaSyncTrigger(self.aws.client("lambda"), self.settings.sync_function_name)

    @cached_property
    def transition_events(self) -> TransitionEvents:
        """Document events onto EventBridge's default bus, from the outbox the document repository writes."""
        from boekstuk.adapters.dynamodb_events import DynamoEventOutbox
        from boekstuk.adapters.eventbridge import EventBridgePublisher
        from boekstuk.services.events import TransitionEvents

        return TransitionEvents(EventBridgePublisher(self.aws.client("events")), DynamoEventOutbox(self.table),
                                self.clock)

    @cached_property
    def documents(self) -> PublishingDocuments:
        """Documents and their history; every status change stored is published (``services.events``)."""
        from boekstuk.adapters.dynamodb_documents import DynamoDocumentRepository
        from boekstuk.services.events import PublishingDocuments

        return PublishingDocuments(DynamoDocumentRepository(self.table), self.transition_events)

    @cached_property
    def storage(self) -> S3DocumentStorage:
        """The documents bucket."""
        from boekstuk.adapters.s3 import S3DocumentStorage

        return S3DocumentStorage(self.aws.client("s3"), self.settings.documents_bucket)

    @cached_property
    def recognizer(self) -> Recognizer:
        """Textract in AWS, the local engines (text layer, RapidOCR) in the local stack.

        Either way files are parsed and rendered in a worker process with a memory limit and a deadline per
        document (one per process, shared): a decompression bomb ends there, not in this process.
        """
        from boekstuk.adapters.recognition.isolation import LOCAL_WORKER, TEXTRACT_WORKER, shared_worker

        if self.settings.recognizer == "textract":
            from boekstuk.adapters.recognition.chain import TextractRecognizer, s3_stager

            return TextractRecognizer(self.aws.client("textract"),
                                      stage_in_s3=s3_stager(self.aws.client("s3"), self.settings.documents_bucket),
                                      worker=shared_worker(TEXTRACT_WORKER))
        from boekstuk.adapters.recognition.chain import LocalRecognizer

        return LocalRecognizer(worker=shared_worker(LOCAL_WORKER))

    @cached_property
    def step_functions(self) -> StepFunctionsWorkflow:
        """The approval and booking state machine."""
        from boekstuk.adapters.stepfunctions import StepFunctionsWorkflow

        return StepFunctionsWorkflow(self.aws.client("stepfunctions"), self.settings.state_machine_arn)

    @cached_property
    def workflow_store(self) -> DynamoWorkflowStore:
        """Approval policies, parked approvals, decisions and booking claims."""
        from boekstuk.adapters.dynamodb_workflow import DynamoWorkflowStore

        return DynamoWorkflowStore(self.table)

    @cached_property
    def proposal_memory(self) -> DynamoProposalMemory:
        """Duplicate claims, booked history and provisioned creditors."""
        from boekstuk.adapters.dynamodb_proposals import DynamoProposalMemory

        return DynamoProposalMemory(self.table)

    @cached_property
    def proposals(self) -> ProposalService:
        """Booking proposals: propose, duplicates, edit, learn from bookings."""
        from boekstuk.services.proposals import ProposalService

        return ProposalService(self.administrations, self.connections, self.package_connections,
                               self.proposal_memory, self.clock)

    @cached_property
    def supplier_provisioning(self) -> SupplierProvisioning:
        """At booking: the proposal's new supplier created (or supplemented) exactly once."""
        from boekstuk.services.proposals import SupplierProvisioning

        return SupplierProvisioning(self.administrations, self.connections, self.package_connections,
                                    self.proposal_memory, self.clock)


class Services:
    """Every use case a handler calls, wired to its adapters. Properties build lazily and are cached per instance."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self._components = Components(settings, clock)

    def health_check(self) -> bool:
        """Whether the table answers (the one dependency every request needs)."""
        try:
            self._components.table.get("HEALTH", "HEALTH", consistent=False)
        except Exception:  # noqa: BLE001 - any failure means: not ready
            return False
        return True

    @cached_property
    def onboarding(self) -> OnboardingService:
        """Steps 1 and 2."""
        from boekstuk.adapters.dynamodb import DynamoSignupRepository
        from boekstuk.services.onboarding import OnboardingService

        c = self._components
        return OnboardingService(signups=DynamoSignupRepository(c.table), offices=c.offices, identity=c.identity,
                                 mailer=c.mailer, clock=c.clock, public_base_url=c.public_base_url,
                                 throttle=c.throttle, limits=c.settings.throttling)

    @cached_property
    def sessions(self) -> SessionService:
        """Login and refresh."""
        from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
        from boekstuk.services.sessions import SessionService

        c = self._components
        return SessionService(c.identity, DynamoSessionRegistry(c.table), c.throttle, c.settings.throttling, c.clock)

    @cached_property
    def session_check(self) -> SessionCheck:
        """Every authenticated request: is its session still open? (Only the table: no Cognito client.)"""
        from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
        from boekstuk.services.sessions import SessionCheck

        return SessionCheck(DynamoSessionRegistry(self._components.table))

    @cached_property
    def password_resets(self) -> PasswordResetService:
        """Password reset by an e-mailed code."""
        from boekstuk.adapters.clock import SystemTimer
        from boekstuk.adapters.dynamodb_resets import DynamoPasswordResets
        from boekstuk.adapters.dynamodb_sessions import DynamoSessionRegistry
        from boekstuk.services.password_resets import PasswordResetService

        c = self._components
        return PasswordResetService(offices=c.offices, resets=DynamoPasswordResets(c.table), identity=c.identity,
                                    sessions=DynamoSessionRegistry(c.table), mailer=c.mailer, clock=c.clock,
                                    timer=SystemTimer(), throttle=c.throttle, limits=c.settings.throttling,
                                    web_app_url=c.public_base_url)

    @cached_property
    def users(self) -> UserService:
        """Office users."""
        from boekstuk.services.sessions import UserService

        c = self._components
        return UserService(c.offices, c.identity, c.clock)

    @cached_property
    def connection_service(self) -> ConnectionService:
        """Step 3, and the OAuth callback back to the web app."""
        from boekstuk.services.connections import ConnectionService

        c = self._components
        return ConnectionService(c.connections, c.offices, c.secrets, c.package_gateway, c.clock,
                                 c.settings.secrets_prefix, web_app_url=c.web_app_url)

    @cached_property
    def administration_service(self) -> AdministrationService:
        """Step 4."""
        from boekstuk.services.administrations import AdministrationService

        c = self._components
        return AdministrationService(c.administrations, c.connections, c.offices, c.package_connections,
                                     c.sync_trigger, c.clock, inbox_domain=c.settings.inbox_domain)

    @cached_property
    def supplier_service(self) -> SupplierService:
        """Suppliers, master data, rules, sync."""
        from boekstuk.services.administrations import SupplierService

        c = self._components
        return SupplierService(c.administrations, c.connections, c.offices, c.package_connections, c.sync_trigger,
                               c.clock)

    @cached_property
    def document_service(self) -> DocumentService:
        """The documents API (proposal edits validated by the proposals, stored under the approval policy)."""
        from boekstuk.services.documents import DocumentService

        c = self._components
        return DocumentService(c.documents, c.storage, c.offices, c.administrations, c.clock, edits=self.approvals,
                               editor=c.proposals)

    @cached_property
    def intake(self) -> DocumentIntake:
        """What happens when a file lands in the bucket."""
        from boekstuk.services.documents import DocumentIntake

        c = self._components
        workflow = c.step_functions if c.settings.state_machine_arn else None
        return DocumentIntake(c.documents, c.storage, c.offices, c.administrations, c.recognizer, c.proposals,
                              workflow, c.clock)

    @cached_property
    def idempotent_intake(self) -> IdempotentRunner:
        """The intake, at most once per S3 object version."""
        from boekstuk.adapters.idempotency import IdempotentRunner
        from boekstuk.services.documents import S3Object

        def receive(record: dict[str, object]) -> dict[str, object]:
            version = record.get("version_id")
            document = self.intake.receive(S3Object(bucket=str(record["bucket"]), key=str(record["key"]),
                                                    size=int(str(record["size"])), etag=str(record["etag"]),
                                                    version_id=str(version) if version else None))
            if document is None:
                return {"status": "ignored"}
            return {"document_id": document.document_id, "status": document.status}

        c = self._components
        return IdempotentRunner(receive, c.settings.idempotency_table_name, c.aws.client("dynamodb"))

    @cached_property
    def mail_intake(self) -> MailIntake:
        """E-mail-in: a received message's documents into the intake, and replies that say why not."""
        from boekstuk.adapters.content_sniffer import BytesSniffer
        from boekstuk.services.mail_in import MailIntake

        c = self._components
        return MailIntake(c.storage, c.administrations, BytesSniffer(), c.mailer, c.throttle, c.settings.throttling,
                          inbox_domain=c.settings.inbox_domain, own_addresses=[c.settings.sender_email])

    @cached_property
    def idempotent_mail_intake(self) -> IdempotentRunner:
        """E-mail-in, at most once per received message (SES's asynchronous invocation is retried on failure)."""
        from boekstuk.adapters.idempotency import IdempotentRunner
        from boekstuk.services.mail_in import InboundMail

        def receive(record: dict[str, object]) -> dict[str, object]:
            return self.mail_intake.receive(InboundMail.model_validate(record)).model_dump(mode="json")

        c = self._components
        return IdempotentRunner(receive, c.settings.idempotency_table_name, c.aws.client("dynamodb"),
                                key="message_id")

    @cached_property
    def event_publishing(self) -> TransitionEvents:
        """The schedule that publishes the events a request could not (the outbox)."""
        return self._components.transition_events

    @cached_property
    def approval_policies(self) -> ApprovalPolicies:
        """Set and read an administration's approval policy."""
        from boekstuk.services.approval_policies import ApprovalPolicies

        c = self._components
        return ApprovalPolicies(store=c.workflow_store, offices=c.offices, administrations=c.administrations,
                                clock=c.clock)

    @cached_property
    def approvals(self) -> Approvals:
        """The RequestApproval task, approve/reject, and what an edit does to an approval under way."""
        from boekstuk.services.approvals import Approvals

        c = self._components
        return Approvals(documents=c.documents, store=c.workflow_store, offices=c.offices,
                         administrations=c.administrations, mailer=c.mailer, tasks=c.step_functions,
                         claims=c.proposals, clock=c.clock, link_base_url=c.public_base_url)

    @cached_property
    def approval_reminders(self) -> ApprovalReminders:
        """The reminder schedule: one digest per approver per working day for documents waiting over 48 hours."""
        from boekstuk.services.reminders import ApprovalReminders

        c = self._components
        return ApprovalReminders(documents=c.documents, store=c.workflow_store, log=c.workflow_store,
                                 offices=c.offices, mailer=c.mailer, clock=c.clock, link_base_url=c.public_base_url)

    @cached_property
    def bookings(self) -> Bookings:
        """The Book and RecordBookingFailure tasks, and retry-booking."""
        from boekstuk.services.bookings import Bookings

        c = self._components
        return Bookings(documents=c.documents, claims=c.workflow_store, offices=c.offices,
                        administrations=c.administrations, connections=c.connections,
                        packages=c.package_connections, storage=c.storage, restart=c.step_functions,
                        provisioning=c.supplier_provisioning, learner=c.proposals, clock=c.clock)


@lru_cache(maxsize=1)
def services() -> Services:
    """The process-wide services, built on first call (a warm Lambda reuses them)."""
    return Services(get_settings())


def components() -> Components:
    """Test seam: the adapters and shared collaborators behind ``services()`` (repositories, storage, clients,
    proposals, settings), for tests, benchmarks and the local stack. Handlers never call it: they call one use
    case of ``services()``."""
    return services()._components


def reset() -> None:
    """Forget settings and services (the local stack and tests call this after changing the environment)."""
    services.cache_clear()
    get_settings.cache_clear()
