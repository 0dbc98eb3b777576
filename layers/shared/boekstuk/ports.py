"""Ports: the Protocols services depend on. Adapters implement them; tests pass in-memory fakes.

Only ``typing.Protocol`` here: no behaviour, no imports from adapters. The domain types the Protocols name are
imported for the type checker only, so a service that needs one port does not load every domain module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # annotations only: importing a port does not load the domain models it names
    from boekstuk.domain.approvals import BookingClaim, PendingApproval, PolicyStep, StoredPolicy
    from boekstuk.domain.documents import BookedHistory, Decision, Document, HistoryEntry, Proposal
    from boekstuk.domain.events import DocumentEvent
    from boekstuk.domain.inbound_mail import Sniffed
    from boekstuk.domain.lifecycle import Transition
    from boekstuk.domain.links import (
        Administration,
        Connection,
        LedgerAccount,
        MasterData,
        OAuthState,
        PostingRule,
        Supplier,
        TaxCode,
    )
    from boekstuk.domain.onboarding import ActivationGrant, Office, OpenSession, SessionTokens, Signup, User
    from boekstuk.domain.packages import (
        Attachment,
        BookingResult,
        GLAccount,
        OAuthTokens,
        PackageAdministration,
        PackageSupplier,
        PurchaseBooking,
        SupplierDraft,
        VatCode,
    )
    from boekstuk.domain.password_resets import PasswordReset
    from boekstuk.domain.recognition import ReadingHints, Recognition
    from boekstuk.domain.throttling import Backoff, BackoffClaim, WindowClaim, WindowLimit


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...


# --- accounting packages -----------------------------------------------------------------------------


class AccountingPackage(Protocol):
    """One linked package account (one connection), as every connector exposes it.

    Every method raises only ``boekstuk.domain.errors`` package errors: ``InvalidPackageCredentials``,
    ``PackageUnavailable`` (down, 5xx, timeout), ``PackageRateLimited`` (after the connector's own
    back-off gave up), ``PackageAccessDenied`` (no rights in that administration) or
    ``PackageRejected`` (the package refused the request; its own message in ``detail``).
    """

    package_id: str

    def verify(self) -> None:
        """Prove the credentials work (log on / fetch a token); raise ``InvalidPackageCredentials`` if not."""
        ...

    def list_administrations(self) -> list[PackageAdministration]:
        """Every administration the linked user can see, with ``accessible`` telling whether it has rights."""
        ...

    def check_access(self, administration: str) -> bool:
        """Whether the linked user may read and book in ``administration`` (one cheap call inside it)."""
        ...

    def list_suppliers(self, administration: str) -> Iterator[PackageSupplier]:
        """All creditors, following the package's paging, with IBAN, KvK, VAT id, defaults and term."""
        ...

    def find_suppliers(
        self,
        administration: str,
        *,
        vat_id: str | None = None,
        kvk: str | None = None,
        iban: str | None = None,
        name: str | None = None,
    ) -> list[PackageSupplier]:
        """Look creditors up in the package itself (the synced cache may be behind)."""
        ...

    def create_supplier(self, administration: str, supplier: SupplierDraft) -> PackageSupplier:
        """Create a creditor; returns it with the code the package assigned."""
        ...

    def update_supplier(self, administration: str, code: str, supplement: SupplierDraft) -> PackageSupplier:
        """Add the non-empty fields of ``supplement`` to an existing creditor."""
        ...

    def list_gl_accounts(self, administration: str) -> list[GLAccount]:
        """The general-ledger accounts."""
        ...

    def list_vat_codes(self, administration: str) -> list[VatCode]:
        """The purchase VAT codes, each classified as high/low/zero/reverse_charge/eu."""
        ...

    def book_purchase(self, administration: str, booking: PurchaseBooking) -> BookingResult:
        """Post a purchase invoice (or credit note) with its lines, VAT and PDF attachment."""
        ...

    def find_booking(self, administration: str, supplier_code: str, invoice_number: str) -> BookingResult | None:
        """The entry already posted for this supplier's invoice number, if any (exactly-once booking).

        ``has_attachment`` on the result tells whether the package shows a document attached to that entry.
        """
        ...

    def attach_document(self, administration: str, entry: BookingResult, attachment: Attachment) -> None:
        """Attach the PDF to an entry posted earlier (one ``find_booking`` found without its document)."""
        ...


class TokenStore(Protocol):
    """Where one connection's OAuth tokens live, shared by every process that uses the connection.

    Refresh tokens rotate (Exact Online): when two Lambdas refresh the same connection at once, the package
    accepts only the first, and the loser's pair is dead. So a connector refreshes only inside
    ``refreshing()``, which holds the connection's refresh lease and yields the tokens stored *now*: when
    another process refreshed in the meantime, those are used instead of refreshing again.
    """

    def refreshing(self) -> AbstractContextManager[OAuthTokens | None]:
        """Hold the connection's refresh lease; yields the stored tokens (None when not stored)."""
        ...

    def save(self, tokens: OAuthTokens) -> None:
        """Store a new pair at once (the old refresh token may be dead already)."""
        ...


class RefreshLeases(Protocol):
    """Short exclusive leases across processes (DynamoDB conditional writes), one per connection."""

    def acquire(self, key: str, owner: str, seconds: float) -> bool:
        """Take the lease ``key`` for ``seconds`` unless another owner holds an unexpired one."""
        ...

    def release(self, key: str, owner: str) -> None:
        """Give the lease back (only when ``owner`` still holds it)."""
        ...


class OAuthFlow(Protocol):
    """The authorization-code flow of one OAuth2 package."""

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        """Where to send the user to log in at the package."""
        ...

    def exchange_code(self, code: str, redirect_uri: str) -> OAuthTokens:
        """Trade the code from the callback for tokens; ``InvalidPackageCredentials`` if refused."""
        ...

    def refresh(self, tokens: OAuthTokens) -> OAuthTokens:
        """Get a new access token (and the rotated refresh token)."""
        ...


# --- recognition -------------------------------------------------------------------------------------


class ContentSniffer(Protocol):
    def sniff(self, content: bytes, filename: str, declared_type: str | None) -> Sniffed:
        """What the bytes are (as the intake judges an upload) and whether the name or type claims a document."""
        ...


class Recognizer(Protocol):
    def recognize(self, content: bytes, filename: str, content_type: str | None = None,
                  hints: ReadingHints | None = None) -> Recognition:
        """Read one document. Raises ``UnreadableDocument`` with a clear reason when it cannot.

        ``hints``: the administration (the buyer) and its synced suppliers, to tell the parties apart.
        """
        ...


# --- onboarding --------------------------------------------------------------------------------------


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None:
        """Send a plain-text e-mail."""
        ...


class AutoReplier(Protocol):
    def send_auto_reply(self, to: str, subject: str, body: str, in_reply_to: str | None) -> None:
        """Send a plain-text automatic reply, marked ``Auto-Submitted: auto-replied`` (RFC 3834) so other
        automatic systems never answer it, threaded under ``in_reply_to`` (a Message-ID) when given."""
        ...


class IdentityProvider(Protocol):
    """The user directory (Cognito): it alone holds passwords."""

    def create_user(self, office_code: str, username: str, password: str, email: str | None) -> None:
        """Create a login; ``UsernameTaken`` if it exists, ``WeakPassword`` if the policy refuses it."""
        ...

    def delete_user(self, office_code: str, username: str) -> None:
        """Remove a login (compensation when the rest of a creation failed)."""
        ...

    def login(self, office_code: str, username: str, password: str) -> SessionTokens:
        """Tokens for a valid login; ``InvalidCredentials`` otherwise."""
        ...

    def refresh(self, refresh_token: str) -> SessionTokens:
        """A new access token; ``InvalidCredentials`` when the refresh token is not valid."""
        ...

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (and the access tokens it gave out); an unknown or dead one is no error."""
        ...

    def set_password(self, office_code: str, username: str, password: str) -> None:
        """A new permanent password; ``WeakPassword`` if the policy refuses it, ``InvalidCredentials`` if no
        such login exists."""
        ...

    def sign_out_everywhere(self, office_code: str, username: str) -> None:
        """Revoke every refresh token of the login, so no session from before survives."""
        ...


class SessionRegistry(Protocol):
    """The logins that have not ended. API Gateway's authorizer checks only a token's signature and expiry, so an
    access token outlives a logout or a password change unless each request asks here whether its session is open."""

    def open(self, session: OpenSession) -> None:
        """Record a new login."""
        ...

    def is_open(self, office_code: str, username: str, session_id: str) -> bool:
        """Whether that user's session is still open (strongly consistent: a session opened a moment ago counts)."""
        ...

    def holds(self, refresh_token_hash: str) -> bool:
        """Whether that refresh token belongs to a session that is open (strongly consistent)."""
        ...

    def close(self, refresh_token_hash: str) -> None:
        """End the session that refresh token belongs to; an unknown one is no error."""
        ...

    def close_all(self, office_code: str, username: str) -> int:
        """End every session of a user; how many there were."""
        ...


class PasswordResetRepository(Protocol):
    """Pending password resets, one per user (``PasswordReset.subject``), expired by the table's TTL."""

    def put(self, reset: PasswordReset) -> None:
        """Store a fresh reset, replacing the user's earlier one."""
        ...

    def get(self, subject: str) -> PasswordReset | None:
        """The user's pending reset (expired or voided ones included: the caller judges)."""
        ...

    def count_failed_attempt(self, subject: str, max_attempts: int) -> int:
        """Atomically add one wrong code (never beyond ``max_attempts``); returns the new count."""
        ...

    def consume(self, subject: str, code_hash: str, now: dt.datetime, max_attempts: int) -> bool:
        """Delete the reset if it still has this code, is unexpired and not void: True for exactly one caller."""
        ...


class Timer(Protocol):
    """Monotonic time and waiting, for answers whose duration must not depend on what was found."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SignupRepository(Protocol):
    def pending_by_email(self, email: str) -> Signup | None:
        """The signup of this e-mail that is still waiting for its confirmation code, if any."""
        ...

    def create(self, signup: Signup) -> None:
        """Store a new signup and make it the pending one of its e-mail."""
        ...

    def get(self, signup_id: str) -> Signup | None:
        """A signup by id."""
        ...

    def replace_code(self, signup_id: str, code_hash: str, expires_at: dt.datetime) -> None:
        """A fresh code (signing up again while pending): new hash, new expiry; the wrong-code count stays."""
        ...

    def count_failed_attempt(self, signup_id: str, max_attempts: int) -> int:
        """Atomically add one wrong attempt (never beyond ``max_attempts``); returns the new count."""
        ...

    def confirm(self, signup_id: str, grant: ActivationGrant) -> bool:
        """Mark confirmed and store the activation grant, only if still pending; False if it was not."""
        ...

    def grant_by_token_hash(self, token_hash: str) -> ActivationGrant | None:
        """The activation grant for a token."""
        ...


class OfficeRepository(Protocol):
    def office_codes_taken(self, codes: list[str]) -> set[str]:
        """Which of these office codes are already reserved (codes are never released)."""
        ...

    def activate(self, grant: ActivationGrant, office: Office, first_user: User) -> None:
        """In one transaction: consume the grant, reserve the office code, create office and first user.

        Raises ``AlreadyActivated`` when the grant was used, ``OfficeCodeTaken`` when the code is reserved.
        """
        ...

    def get_office(self, office_code: str) -> Office | None:
        """An office by its code."""
        ...

    def get_user(self, office_code: str, username: str) -> User | None:
        """A user of an office."""
        ...

    def add_user(self, user: User) -> None:
        """Add a user; ``UsernameTaken`` if the office already has this username."""
        ...

    def list_users(self, office_code: str) -> list[User]:
        """All users of an office."""
        ...


class ThrottleStore(Protocol):
    """Expiring counters that limit guessing and mailing (``boekstuk.domain.throttling``).

    Every claim is one atomic conditional write: simultaneous requests can never all slip through a limit.
    ``key`` is already scoped and hashed (``counter_key``); ``now`` comes from the caller's ``Clock``.
    """

    def claim_backoff(self, key: str, policy: Backoff, now: dt.datetime) -> BackoffClaim:
        """Count an attempt of ``key`` unless it must still wait; a refusal carries ``retry_after``."""
        ...

    def backoff_failed(self, claim: BackoffClaim, policy: Backoff, now: dt.datetime) -> None:
        """The claimed attempt failed: the next one waits ``policy.delay(claim.failures)`` from ``now``."""
        ...

    def backoff_released(self, claim: BackoffClaim, now: dt.datetime) -> None:
        """The claimed attempt was not a guess after all (e.g. the identity provider was down): uncount it."""
        ...

    def backoff_reset(self, key: str) -> None:
        """A success: forget the failures of ``key``."""
        ...

    def claim_window(self, key: str, window: WindowLimit, now: dt.datetime) -> WindowClaim:
        """Count one event of ``key`` in the window holding ``now`` unless it is full."""
        ...

    def refund_window(self, claim: WindowClaim) -> None:
        """Uncount an allowed claim (e.g. a successful login does not count against its source)."""
        ...


# --- packages, connections, administrations -----------------------------------------------------------



class SecretStore(Protocol):
    """Secrets (package credentials and tokens) - encrypted at rest, never logged, never in the table."""

    def put(self, name: str, value: dict[str, object]) -> None:
        """Create or overwrite a secret."""
        ...

    def get(self, name: str) -> dict[str, object]:
        """Read a secret; ``KeyError`` when it does not exist."""
        ...


class PackageGateway(Protocol):
    """Opens connectors for this system's registrations at the packages."""

    def open(
        self, package: str, credentials: dict[str, object], token_store: TokenStore | None = None,
        *, interactive: bool = False,
    ) -> AccountingPackage:
        """A connector for one connection's credentials; ``interactive`` caps waits while a person waits."""
        ...

    def oauth(self, package: str) -> OAuthFlow:
        """The OAuth2 flow of an OAuth package."""
        ...


class ConnectionRepository(Protocol):
    def add(self, connection: Connection) -> None:
        """Store a new connection."""
        ...

    def get(self, office_code: str, connection_id: str) -> Connection | None:
        """A connection of an office."""
        ...

    def for_office(self, office_code: str) -> list[Connection]:
        """All connections of an office."""
        ...

    def mark_verified(self, office_code: str, connection_id: str) -> None:
        """The package accepted the credentials / the OAuth callback completed."""
        ...

    def add_oauth_state(self, state: OAuthState) -> None:
        """Remember a pending authorization."""
        ...

    def consume_oauth_state(self, state_hash: str) -> OAuthState | None:
        """Atomically mark a state used and return it; ``None`` if unknown or already used."""
        ...


InboxAssignment = Literal["assigned", "address_taken", "already_assigned"]


class AdministrationRepository(Protocol):
    def link(self, administrations: list[Administration]) -> None:
        """Link all or none; ``AdministrationAlreadyLinked`` naming the codes already linked."""
        ...

    def linked_codes(self, office_code: str, connection_id: str) -> set[str]:
        """Package codes already linked through this connection."""
        ...

    def get(self, office_code: str, administration_id: str) -> Administration | None:
        """One linked administration of an office."""
        ...

    def for_office(self, office_code: str) -> list[Administration]:
        """All linked administrations of an office."""
        ...

    def list_all(self) -> list[Administration]:
        """Every linked administration of every office (the daily sync)."""
        ...

    def record_sync(self, administration: Administration, data: MasterData, at: dt.datetime) -> None:
        """Replace the administration's suppliers, GL accounts and VAT codes with ``data``."""
        ...

    def record_sync_error(self, administration: Administration, reason: str) -> None:
        """Remember why the last sync failed (the old data stays)."""
        ...

    def suppliers(self, administration_id: str) -> list[Supplier]:
        """The synced suppliers."""
        ...

    def gl_accounts(self, administration_id: str) -> list[LedgerAccount]:
        """The synced GL accounts."""
        ...

    def vat_codes(self, administration_id: str) -> list[TaxCode]:
        """The synced VAT codes."""
        ...

    def put_rule(self, administration_id: str, supplier_code: str, rule: PostingRule) -> None:
        """Save a posting rule for a supplier."""
        ...

    def delete_rule(self, administration_id: str, supplier_code: str) -> bool:
        """Remove a posting rule; False when there was none."""
        ...

    def rules(self, administration_id: str) -> dict[str, PostingRule]:
        """The posting rules by supplier code."""
        ...

    def assign_inbox(self, office_code: str, administration_id: str, local_part: str) -> InboxAssignment:
        """Give an administration that has no inbox address yet ``local_part`` (unique across the system; one
        transaction of conditional writes): ``assigned``, ``address_taken`` (another administration holds it) or
        ``already_assigned`` (the administration got one meanwhile, or does not exist)."""
        ...

    def find_by_inbox(self, local_part: str) -> Administration | None:
        """The administration whose inbox address has this local part."""
        ...


class SyncTrigger(Protocol):
    def request_sync(self, office_code: str, administration_id: str) -> None:
        """Start a supplier sync for one administration without waiting for it."""
        ...


# --- documents -----------------------------------------------------------------------------------------



class DocumentRepository(Protocol):
    """Documents and their history, every item under its office: no call reaches a document by id alone.

    Every write is a lifecycle ``Transition`` (``boekstuk.domain.lifecycle``): the document's new state and the
    step's one history entry, stored together. This is where a step becomes an event for others.
    """

    def create(self, transition: Transition) -> bool:
        """Store a new document with its first history entry; False (nothing written) when the office already
        has a document with this id."""
        ...

    def get(self, office_code: str, document_id: str) -> Document | None:
        """A document of an office."""
        ...

    def save(self, transition: Transition) -> None:
        """Overwrite the document's state with the step's outcome and append its history entry."""
        ...

    def save_if(self, transition: Transition, *, version: int) -> bool:
        """Like ``save``, only while the stored document still has the status the step left and
        ``proposal_version`` ``version``; False (nothing written) when it changed meanwhile."""
        ...

    def claim_upload(self, transition: Transition) -> Document | None:
        """Let the object the step names (the document's ``s3_key``, ``upload_etag`` and ``size``) fill the
        office's upload slot, once: the updated document, or None when the slot is not waiting for its upload at
        that key (used, or another key)."""
        ...

    def history(self, office_code: str, document_id: str) -> list[HistoryEntry]:
        """The document's history, oldest first."""
        ...

    def page(self, office_code: str, administration_id: str | None, status: str | None, limit: int,
             cursor: str | None) -> tuple[list[Document], str | None]:
        """A page of the office's documents, newest first, and the cursor of the next page."""
        ...

    def awaiting_approval(self, requested_before: dt.datetime) -> list[Document]:
        """Every office's documents still awaiting approval whose approvers were asked before ``requested_before``
        (an index Query, never a Scan: the reminder schedule)."""
        ...


class EventPublisher(Protocol):
    """The bus integrators listen on (EventBridge's default bus)."""

    def publish(self, events: Sequence[DocumentEvent]) -> list[DocumentEvent]:
        """Put the events on the bus, in batches the bus accepts, retrying what it refused; returns the events
        that could still not be published (empty: all were)."""
        ...


class EventOutbox(Protocol):
    """The events the document repository wrote with their transitions and that are not known to be published.

    The document repository writes an event into the outbox in the same transaction as the transition it
    describes, so no stored status change is without its event.
    """

    def pending(self, written_before: dt.datetime, limit: int) -> list[DocumentEvent]:
        """Events still in the outbox that were written before ``written_before``, oldest first per shard."""
        ...

    def done(self, events: Sequence[DocumentEvent]) -> None:
        """Take published events out of the outbox."""
        ...


class DocumentStorage(Protocol):
    """The documents bucket."""

    def presigned_put(self, key: str, content_type: str, expires_in: int) -> tuple[str, dict[str, str]]:
        """A URL (and the headers to send with it) to PUT one object; a PUT to a key that exists is refused."""
        ...

    def presigned_get(self, key: str, expires_in: int, filename: str, content_type: str) -> str:
        """A short-lived URL that downloads one object as an attachment named ``filename``, as ``content_type``."""
        ...

    def size(self, key: str) -> int | None:
        """The object's size, ``None`` when it does not exist."""
        ...

    def read(self, key: str, max_bytes: int, *, version_id: str | None = None, etag: str | None = None) -> bytes:
        """The object's bytes (refuses objects larger than ``max_bytes``). With ``version_id`` or ``etag``
        exactly that object: ``UnreadableDocument`` when the key holds another one by now."""
        ...

    def put_once(self, key: str, content: bytes, content_type: str | None) -> bool:
        """Write a new object; False (nothing written) when ``key`` exists already."""
        ...


class Proposer(Protocol):
    """Turns recognised data into a booking proposal (services/proposals.py implements it)."""

    def check_file_duplicate(self, document: Document) -> str | None:
        """The document id of an earlier upload of the same file in this administration, if any."""
        ...

    def propose(self, document: Document, recognition: Recognition) -> ProposalOutcomeLike:
        """The proposal, and the original when this is the same supplier + invoice number again."""
        ...

    def reading_hints(self, document: Document) -> ReadingHints | None:
        """What marks the parties on the document: its administration's own name and ids, its synced suppliers."""
        ...


class ProposalOutcomeLike(Protocol):
    @property
    def proposal(self) -> Proposal:
        """The proposal."""
        ...

    @property
    def duplicate_of(self) -> str | None:
        """The original document when this one is a duplicate."""
        ...


class Workflow(Protocol):
    def start(self, office_code: str, document_id: str) -> str:
        """Start the approval and booking workflow for a document; returns the execution id."""
        ...


class WorkflowRestart(Protocol):
    def start_again(self, office_code: str, document_id: str) -> str:
        """A new execution for a document that had one (retry-booking); returns its id."""
        ...


# --- booking proposals (additive) ----------------------------------------------------------------------



class PackageOpener(Protocol):
    """Opens a live connector for a stored connection (``services.connections.PackageConnections``)."""

    def open(self, connection: Connection) -> AccountingPackage:
        """A connector with the connection's current credentials."""
        ...


class ProposalMemory(Protocol):
    """What proposals remember per administration: duplicate claims, near-duplicate fingerprints, what each
    supplier was booked on, and the creditor provisioned for a document. Every claim is atomic."""

    def claim_file(self, administration_id: str, sha256: str, document_id: str) -> str | None:
        """Claim a file hash for ``document_id``; the other document's id when another already holds it."""
        ...

    def claim_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                      document_id: str) -> str | None:
        """Claim (supplier, invoice number) for ``document_id``; the holder's id when another holds it."""
        ...

    def release_file(self, administration_id: str, sha256: str, document_id: str) -> None:
        """Give up ``document_id``'s claim on a file hash (no-op when another document holds it)."""
        ...

    def release_invoice(self, administration_id: str, supplier_key: str, invoice_number: str,
                        document_id: str) -> None:
        """Give up ``document_id``'s claim on (supplier, invoice number) (no-op when another holds it)."""
        ...

    def remember_fingerprint(self, administration_id: str, supplier_key: str, invoice_date: str, amount: str,
                             document_id: str) -> list[str]:
        """Remember (supplier, date, amount) for ``document_id``; the other documents with the same one."""
        ...

    def record_booked(self, administration_id: str, history: BookedHistory) -> None:
        """Remember what a supplier was booked on (an older booking never replaces a newer one)."""
        ...

    def last_booked(self, administration_id: str, supplier_code: str) -> BookedHistory | None:
        """What this supplier was last booked on, if anything."""
        ...

    def provisioned_supplier(self, administration_id: str, key: str) -> str | None:
        """The creditor code created or chosen earlier under ``key`` (a document id or a supplier key)."""
        ...

    def remember_provisioned(self, administration_id: str, key: str, supplier_code: str) -> None:
        """Remember the creditor code for ``key`` (so a retry never creates a second creditor)."""
        ...

    def claim_creation(self, administration_id: str, supplier_key: str, document_id: str, at: dt.datetime,
                       stale_before: dt.datetime) -> str | None:
        """Claim the right to create the creditor ``supplier_key``; the holder's document id when another
        document holds a claim made at or after ``stale_before`` (an older claim is taken over)."""
        ...


# --- approval and booking workflow (additive) ------------------------------------------------------------



class PolicyStore(Protocol):
    """The administrations' approval policies. One store (``DynamoWorkflowStore``) keeps them with the parked
    approvals, the decisions and the booking claims; every record is keyed under its office."""

    def get_policy(self, office_code: str, administration_id: str) -> StoredPolicy | None:
        """The administration's approval policy, if one was set."""
        ...

    def put_policy(self, policy: StoredPolicy) -> None:
        """Set (replace) the administration's approval policy."""
        ...


class ApprovalStore(PolicyStore, Protocol):
    """The policies, parked task tokens and decisions: what approvals read and write."""

    def park(self, pending: PendingApproval) -> None:
        """Store the task token and the applicable steps (a newer request replaces an older one)."""
        ...

    def pending(self, office_code: str, document_id: str) -> PendingApproval | None:
        """The parked approval of a document."""
        ...

    def reapply(self, office_code: str, document_id: str, version: int, steps: list[PolicyStep] | None) -> bool:
        """The steps of proposal version ``version`` on the open parked approval; False when there is none open
        or it already holds a version as new."""
        ...

    def complete(self, office_code: str, document_id: str) -> PendingApproval | None:
        """Atomically mark the parked approval completed; only the one caller that did gets it back."""
        ...

    def add_decision(self, office_code: str, document_id: str, version: int, decision: Decision) -> None:
        """Record one person's decision on proposal version ``version``; ``AlreadyDecided`` if they decided on
        that version before."""
        ...

    def decisions(self, office_code: str, document_id: str, version: int) -> list[Decision]:
        """Every decision on proposal version ``version``, oldest first."""
        ...

    def claim_notification(self, office_code: str, document_id: str, version: int, username: str) -> bool:
        """Take the one right to mail ``username`` the request to approve proposal version ``version`` (a
        conditional write); False when it was taken before."""
        ...

    def release_notification(self, office_code: str, document_id: str, version: int, username: str) -> None:
        """Give the right back (the mail was not sent)."""
        ...


class ReminderLog(Protocol):
    """Which approvers got their reminder digest on which (Amsterdam) day."""

    def claim_reminder(self, office_code: str, username: str, day: dt.date) -> bool:
        """Take the one right to send ``username`` the digest of ``day`` (a conditional write); False when taken."""
        ...

    def release_reminder(self, office_code: str, username: str, day: dt.date) -> None:
        """Give the right back (the digest was not sent)."""
        ...


class BookingClaims(Protocol):
    """The exactly-once booking claims, one per (document, connection)."""

    def claim_booking(self, office_code: str, document_id: str, connection_id: str, owner: str,
                      at: dt.datetime) -> BookingClaim:
        """Take (or re-enter) the booking of (document, connection) for ``owner``.

        Returns the claim; when its status is ``booked`` nothing must be posted again. Raises
        ``BookingInProgress`` when another owner is booking it right now.
        """
        ...

    def mark_booked(self, office_code: str, document_id: str, connection_id: str, owner: str, entry_id: str,
                    at: dt.datetime) -> None:
        """The owner posted it (or found it posted): ``booked`` for good."""
        ...

    def mark_failed(self, office_code: str, document_id: str, connection_id: str, owner: str, reason: str,
                    at: dt.datetime) -> bool:
        """The owner gave up: ``failed``; False when ``owner`` does not hold the claim (nothing changed)."""
        ...

    def reopen(self, office_code: str, document_id: str, connection_id: str, at: dt.datetime) -> bool:
        """``failed`` (or never claimed) -> ``pending`` so a new execution may take it; False if not failed."""
        ...


class TaskTokens(Protocol):
    """Completes ``.waitForTaskToken`` tasks."""

    def succeed(self, task_token: str, output: dict[str, object]) -> None:
        """SendTaskSuccess."""
        ...

    def fail(self, task_token: str, error: str, cause: str) -> None:
        """SendTaskFailure (``error`` is what the ASL's Catch matches)."""
        ...
