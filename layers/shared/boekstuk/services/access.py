"""Who may do what in an office: every service checks the caller against the office's users."""

from __future__ import annotations

from boekstuk.domain import errors
from boekstuk.domain.onboarding import DECIDING_ROLES, User
from boekstuk.ports import OfficeRepository


def require_member(offices: OfficeRepository, office_code: str, username: str) -> User:
    """The caller, who must be a user of the office (a deleted user's token no longer works)."""
    user = offices.get_user(office_code, username)
    if user is None:
        raise errors.Unauthorized("This login no longer belongs to a user of the office.")
    return user


def require_admin(offices: OfficeRepository, office_code: str, username: str) -> User:
    """The caller, who must be an office admin (the synchronisation user is one)."""
    user = require_member(offices, office_code, username)
    if not user.is_admin:
        raise errors.NotAnAdmin()
    return user


def require_approver(offices: OfficeRepository, office_code: str, username: str, detail: str | None = None) -> User:
    """The caller, who must be an approver or an office admin: the bookkeeper's calls (docs/ROLES.md)."""
    user = require_member(offices, office_code, username)
    if user.role not in DECIDING_ROLES:
        raise errors.NotAnApprover(detail) if detail else errors.NotAnApprover()
    return user
