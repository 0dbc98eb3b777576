"""IBANs between the system and the packages, checked by schwifty in this one place.

A package holds what its users typed: IBANs with spaces, in lower case, now and then with a wrong check
digit. What comes *from* a package (a supplier sync) is read with :func:`normalise_iban`: the compact
electronic form, or ``None`` with the reason logged, so one bad IBAN never stops a sync. What goes *to* a
package (a supplier write, a search key) is :func:`iban_for_package`: compact, and sent even when it fails
the checks, so the package refuses it in its own words rather than the system silently dropping what the
user gave. The IBAN itself is never logged.
"""

from __future__ import annotations

import logging

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

logger = logging.getLogger(__name__)


def _compact(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def normalise_iban(value: str | None, *, package: str = "", supplier: str = "") -> str | None:
    """``value`` as a valid compact IBAN (``NL91ABNA0417164300``), or ``None`` when empty or invalid (logged)."""
    compact = _compact(value)
    if not compact:
        return None
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException as exc:
        # The exception's class names the reason (InvalidChecksumDigits, InvalidLength, ...); its message may
        # quote the number, which stays out of the logs.
        logger.warning("package IBAN ignored: it is not a valid IBAN",
                       extra={"package": package, "supplier": supplier, "reason": type(exc).__name__})
        return None


def iban_for_package(value: str | None) -> str | None:
    """The IBAN to send to a package: compact and upper case (the package judges an invalid one); ``None`` if empty."""
    return _compact(value) or None


def bic_for(value: str | None) -> str | None:
    """The BIC schwifty's bank registry gives for a valid IBAN, when it knows the bank."""
    try:
        bic = IBAN(_compact(value)).bic
    except SchwiftyException:
        return None
    return str(bic) if bic is not None else None
