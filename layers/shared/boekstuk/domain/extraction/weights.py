"""Every score the field extractor gives a candidate, in one place, each with why it is what it is.

A candidate's score ranks it against the other candidates of its field; the winner's score, times the
engine's confidence in its words, is the field's ``confidence``. Scores are on one scale within a family
(1.0: as sure as a printed label makes us), so changing one changes which candidate wins: measure with
``bench/extractor_replay.py`` before and after.
"""

from __future__ import annotations

from decimal import Decimal

from boekstuk.domain.recognition import FIELD_NAMES

# --- all fields --------------------------------------------------------------------------------------------

WORD_CONFIDENCE_FLOOR = 0.5
"""The engine's word confidence lowers a field's confidence, never below half: OCR scores are not calibrated."""

# --- parties: identifiers ----------------------------------------------------------------------------------

IBAN = 0.97
"""An IBAN passed its check digits; only whose account it is can still be wrong."""
VAT_ID_LABELLED = 0.98
"""A VAT id with valid check digits right after a label ("BTW-id", "VAT no")."""
VAT_ID_UNLABELLED = 0.9
"""Valid check digits without a label: still an id, less surely the one asked for."""
VAT_ID_BAD_CHECK_DIGITS = 0.35
"""Right shape, wrong check digits (sample data, typos): kept only beside a VAT label, for a person to check."""
KVK = 0.9
"""Eight digits after a KvK label: there are no check digits to confirm them."""
KNOWN_SUPPLIER_ID = 0.995
"""A VAT id, IBAN or KvK of one of the administration's synced suppliers, printed on the page: whose it is, is known."""

# --- parties: names ----------------------------------------------------------------------------------------

NAME_WITH_LEGAL_FORM = 0.75
"""A cell ending in a legal form (B.V., GmbH, Ltd) names a company, though not necessarily the supplier."""
NAME_KNOWN_SUPPLIER = 1.5
"""A printed name that is (fuzzily) a synced supplier's: outranks every rule that reads a name from the page alone."""
NAME_KNOWN_BY_ID = 0.1
"""...and more so when that supplier's VAT id, IBAN or KvK is printed too."""
NAME_FROM_KNOWN_ID = 0.9
"""A synced supplier's name as the package has it, when its id is on the page but its name is not recognisably."""
NAME_AT_TOP = 0.1
"""Near the top of the first page: where the letterhead is."""
NAME_IN_FOOTER = 0.02
"""Low on the page: the footer repeats the supplier's registered name (a tie-breaker, not more)."""
NAME_IN_SUPPLIER_BLOCK = 0.15
"""Inside a block headed "Leverancier", "Seller", "Von": the page says whose name it is."""
NAME_NEAR_VAT_ID = 0.05
"""Within a few lines of the chosen VAT id: a footer prints the name beside its ids."""
NAME_ACCOUNT_HOLDER = 0.95
"""The name beside "t.n.v." in the payment sentence, with its legal form: the account the money goes to is the
supplier's."""
NAME_ACCOUNT_HOLDER_PERSON = 0.7
"""The same without a legal form ("Kontoinhaber: Max Mustermann"): often the owner of the firm named above, so
below a company name at the top, above a letterhead guess."""
NAME_TRADE_NAME_OF_HOLDER = 0.8
"""A letterhead cell with the surname of a person who holds the account ("Jan Bezemer Vertalingen" over "t.n.v.
J. Bezemer"): the sole trader's trade name, above the owner's own name."""
TYPE_SIZE_STEP = 1.4
"""Two neighbouring words whose heights differ by more than this factor are set in different type: not one cell."""
WORD_SPACE = 0.8
"""The widest gap between two words of one name, in line heights; a wider one is a column's edge."""
NAME_SPELLS_LETTERHEAD = 0.15
"""A legal name whose words are the letterhead printed without legal form ("HOEKSTRA" over "Hoekstra B.V.")."""
NAME_BESIDE_OWN_IDS = 0.1
"""On the same line as the supplier's chosen VAT id, KvK or IBAN: a footer that names the party it identifies."""
NAME_LABELLED_IN_SUPPLIER_BLOCK = 0.9
"""``Name: ...`` inside the supplier's block."""
NAME_REPEATED = 0.03
"""Per repetition of the same name (letterhead and footer), counted up to ``NAME_REPEATS_COUNTED`` times."""
NAME_REPEATS_COUNTED = 3
"""A name printed on every line of a table is not made likelier by the tenth copy."""
LETTERHEAD = 0.55
"""A name without legal form at the top of the page: only when no name with a legal form was found."""
LETTERHEAD_PER_RANK = 0.01
"""Each line lower down the letterhead: the firm's name comes first."""
LETTERHEAD_LARGEST_TYPE = 0.02
"""Printed in the largest type at the top; small, because stamps ("POSTED", "PAID") are large too."""
LETTERHEAD_SPELLS_DOMAIN = 0.15
"""What the document's e-mail or web domain spells (``Hoeks Bouw`` -> hoeksbouw.nl)."""
LETTERHEAD_SPELLED_OUT = 0.1
"""A logo's letters ("RAB") spelled out by a name printed elsewhere: that name, above any other letterhead cell."""
LETTERHEAD_SENDER_LINE = 0.05
"""The first part of a sender line ("Name · Street 1 · Town") above a window address: that is who sends it."""

# --- invoice number ----------------------------------------------------------------------------------------

NUMBER_AFTER_LABEL = 0.95
"""A number-like token right after "Factuurnummer", "Invoice no", "Rechnungsnummer"."""
NUMBER_AFTER_TITLE = 0.7
"""After the document's title ("Factuur 2024-001"): titles are followed by other things too."""
NUMBER_TITLE_THRESHOLD = 0.7
"""A labelled number scoring at least this is not second-guessed by a title."""
NUMBER_OWN_DOCUMENT_TYPE = 0.03
"""On a credit note, a number labelled as the credit note's ("Creditnotanummer", the title "Creditnota C24-7")
beats an invoice-number label: that one names the invoice it corrects."""
NUMBER_UNDER_TITLE = 0.75
"""``INVOICE`` as a heading with ``# 1042`` right under it: the number sign labels it."""
UNDER_LABEL_PENALTY = 0.05
"""A value in the cell under its label (a column header) is a little less sure than one beside it."""

# --- dates -------------------------------------------------------------------------------------------------

DATE_LABELLED = 0.95
"""A date after its label on the same line ("Factuurdatum: 1 maart 2024")."""
DATE_UNDER_LABEL = 0.85
"""A date under its label (a column header): tables put several dates in a row."""
DATE_UNLABELLED = 0.6
"""A date no label claims: the issue date, if no labelled one is found..."""
DATE_UNLABELLED_DEPTH = 0.2
"""...and less so the lower it is on the page (the issue date sits in the header)."""
DATE_BROKEN = 0.4
"""A date that lost a separator to OCR ("05 02-18"): a last resort."""
DUE_DATE_FROM_TERM = 0.6
"""Invoice date plus a printed payment term ("binnen 30 dagen"): computed, not printed."""

# --- totals ------------------------------------------------------------------------------------------------

TOTAL_INCL_STRONG = 1.0
"""After an unambiguous label ("Totaal incl. BTW", "Te betalen", "Amount due")."""
TOTAL_INCL_WEAK = 0.7
"""After a bare "Totaal"/"Total": also printed beside subtotals and per-rate totals."""
TOTAL_EXCL = 0.9
"""After "Subtotaal", "Totaal excl. BTW", "Netto"."""
VAT_TOTAL_LABELLED = 0.95
"""After "Totaal BTW", "BTW-bedrag", "VAT amount"."""
VAT_WORD = 0.7
"""After a bare "BTW"/"VAT" on a line without a rate: often the VAT total, sometimes a VAT number's line."""
LOW_ON_PAGE = 0.1
"""Incl. totals lose up to this much the higher they sit on the page: totals are printed at the bottom."""
LABEL_ABOVE_PENALTY = 0.1
"""An amount whose label is the column header above it, not beside it."""
SUMMARY_ROW = 1.0
"""An amount in the total row of a VAT specification table, placed by its column header."""
TENDERED = 0.5
"""Paid minus change on a receipt whose total line was lost: below any labelled total."""
VAT_AMOUNT_ONLY = 0.85
PRINTED_BASE_LINES = 6
"""How far (in lines, same page) a VAT amount's printed base is looked for (a till's VAT block is a few lines)."""
"""The amount of a VAT line printed without its base ("BTW 21%  € 124,61")."""
VAT_LINES_SUM = 0.9
"""The VAT lines' amounts added up, as a VAT total."""
VAT_LINES_BASE_SUM = 0.6
"""The VAT lines' bases added up, as a total excl. VAT (a base may be a line's subtotal)."""
TOTALS_PER_FIELD = 8
"""Distinct values tried per total: more only adds combinations that never win."""
TOTALS_ADD_UP = 3.0
"""incl = excl + VAT (to the cent): arithmetic that adds up outweighs any label."""
TOTALS_NO_VAT = 0.5
"""excl = incl with no VAT found: receipts and exempt invoices."""
TOTALS_INCL_BELOW_EXCL = 2.0
"""Taken off a combination whose total incl. VAT is below its total excl. VAT: that is no pair."""
TOTAL_CONFIDENCE_BASE = 0.55
"""A chosen total's confidence: this much for being chosen..."""
TOTAL_CONFIDENCE_PER_SCORE = 0.35
"""...plus this much times its label's score..."""
TOTALS_ADD_UP_CONFIDENCE = 0.1
"""...plus this when the three totals add up..."""
TOTAL_CONFIDENCE_CAP = 0.99
"""...and never quite certain: a printed sum can itself be wrong."""
TOTAL_COMPUTED = 0.6
"""A total computed from the other two."""
VAT_TOTAL_ZERO = 0.7
"""0.00 VAT on a reverse-charge or 0 % invoice: the page names the VAT and there is none to pay."""
TOLERANCE = Decimal("0.02")
"""Rounding two sums may differ by and still add up (per-line rounding of VAT)."""

# --- currency ----------------------------------------------------------------------------------------------

CURRENCY_PRINTED = 0.9
"""The currency printed most often with the amounts."""
CURRENCY_FROM_LANGUAGE = 0.7
"""No currency printed, but Dutch/German/French invoice words: euros."""
CURRENCY_FROM_EURO_IDS = 0.6
"""No currency printed; the supplier's VAT id or IBAN is of a euro country."""

# --- review ------------------------------------------------------------------------------------------------

REVIEW_BELOW = 0.6
"""A field read with less confidence is flagged for review in the proposal (``low_confidence`` naming the field):
an unlabelled date low on the page, a letterhead name without legal form, a VAT id with wrong check digits."""
REVIEW_THRESHOLDS: dict[str, float] = dict.fromkeys(FIELD_NAMES, REVIEW_BELOW)
"""The review threshold per key field, from the benchmark's calibration on the **tune** families only
(``bench/recognition.py``'s review table: the lowest of 0.6 / 0.7 / 0.8 / 0.9 / 0.95 at which the fields read at
least that surely are right 90 % of the time). Run of 2026-12-06 03:53 UTC: every key field is right 90 % of the
time or more from 0.6 up (supplier names at 0.6-0.7: 90.6 %, 0.7-0.8: 94.6 %; the run of 00:24 had them at 75 %
between 0.7 and 0.8 and flagged names below 0.8, before the supplier-name rules of that morning), so all keep
``REVIEW_BELOW``: tune, 6.2 % of names flagged and 98.8 % of the rest right; held out, only checked, 7.8 % flagged
and 95.2 % of the rest right. Re-derive after a change to the extractor's scores."""
