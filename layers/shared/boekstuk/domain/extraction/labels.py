"""Label vocabularies (NL, EN, DE, FR) as compiled patterns, grouped by what the value next to them means.

Patterns tolerate OCR text where spaces are missing (``Factuurnr2024``, ``TOTALINCL``): they start at a
non-letter boundary but need none at the end.
"""

from __future__ import annotations

import re


def _p(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-zÀ-ÿ])(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


NUMBER_WORD = r"(?:num\s?mer|number|numéro|numero|nr|no|num|n°|nº|#)"  # OCR splits "num mer"

INVOICE_NUMBER = _p(
    # OCR: "Factuunummer", "Factuumummer" (rn -> m), "Factuurnum mer", "Factuurmummer", "Factuumum"
    r"factu{1,2}[rm]?\s*-?\s*[nm]?u?\s*m\s*m?(?:er|u[mr]\b)",
    r"factuur\s*-?\s*" + NUMBER_WORD + r"\.?",
    r"(?:credit\s*-?\s*nota|creditfactuur|credit\s*note|gutschrift)\s*-?\s*" + NUMBER_WORD + r"\.?",
    r"invoice\s*" + NUMBER_WORD + r"\.?",
    r"inv\.?\s*(?:no|nr|#)\.?",
    r"bill\s*(?:no|nr|number|#)\.?",
    r"(?:receipt|document|doc|bon|beleg|transaction|trans|bill)\s*-?\s*(?:no|nr|number|num\s?mer|#)\.?",
    r"(?:kassa)?(?:bon|ticket)\s*-?\s*(?:no|nr|number|num\s?mer|#)\.?", r"transacti(?:e|on)\s*-?\s*(?:no|nr|num\s?mer|number|id|#)\.?",
    # A statement (utility bill, "jaarnota") is numbered as a "nota".
    r"(?:jaar|eind|voorschot|termijn|afrekenings?)?nota\s*-?\s*(?:num\s?mer|nr|no)\.?",
    # A restaurant's bill: "Rekening nr. T17-7126" (but never the bank account: "Rekening nr. NL56 SNSB ...").
    r"rekening\s*(?:nr|no)\.?(?=\s*:?\s*[A-Z]{0,3}-?\d)(?!\s*:?\s*[A-Z]{2}\d{2}\s?[A-Z]{4})",
    # Accountants and lawyers invoice by "declaratie".
    r"declaratie\s*-?\s*(?:num\s?mer|nr|no)\.?",
    # A receipt's number often has no number word: "Bon 058029", "Kassabon B230627-076", "Ticket 4711".
    r"(?:kassa)?bon\.?(?=\s*:?\s*[A-Z]{0,2}\s?\d)", r"ticket(?=\s*:?\s*\d)", r"transacti(?:e|on)(?=\s*:?\s*\d)",
    r"beleg(?=\s*:?\s*\d)", r"receipt(?=\s*:?\s*#?\s*\d)",
    r"rechnungs?\s*-?\s*" + NUMBER_WORD + r"\.?",
    r"[a-zäöüß]*rechnung\s*(?:\(\d+\))?\s*nr\.?",  # German compounds: Handels-, Miet-, Schlussrechnung (380) Nr.
    r"num[ée]ro\s*de\s*(?:la\s*)?facture",
    r"n[°º]\s*(?:de\s*)?facture",
    r"facture\s*n[°º]",
    r"facture\s*(?:num[ée]ro|no)",
    r"factuur(?=\s*:)",
    r"invoice(?=\s*:)",
)
"""Labels whose value is the invoice number."""

REFERRED_INVOICE = re.compile(
    r"(?i)(?:betreft|inzake|correctie\s*(?:op|van)|credit(?:ering)?\s*(?:op|voor|van)|oorspronkelijke?|originele?|"
    r"gecrediteerde|gerelateerde|referentie|original|related|corrected|corrects|against|zu[rm]|bezug\s*auf|"
    r"urspr[üu]ngliche|sur)\s*:?\s*$"
)
"""Words right before an invoice-number label that make it another document's number: the invoice a credit note
corrects ("Betreft factuur", "Originele factuur", "Credit op factuur"), never the document's own number."""

TITLE_NUMBER = _p(r"factuur", r"invoice", r"rechnung", r"facture", r"creditnota", r"credit\s*note", r"gutschrift")
"""Document titles that may be followed directly by the number (``Factuur 2024-001``)."""

INVOICE_DATE = _p(
    r"factuur\s*-?\s*datum", r"datum\s*factuur", r"invoice\s*date", r"date\s*of\s*issue", r"issue\s*date",
    r"date\s*issued", r"billing\s*date", r"rechnungs\s*-?\s*datum", r"belegdatum", r"ausstellungsdatum",
    r"date\s*de\s*(?:la\s*)?facture", r"date\s*d['’]\s*[ée]mission", r"date\s*de\s*facturation",
    r"credit\s*-?\s*nota\s*datum", r"bondatum", r"datum", r"date", r"dated", r"vom", r"du", r"le",
)
DUE_DATE = _p(
    r"verval\s*-?\s*datum", r"uiterste\s*betaal\s*-?\s*datum", r"te\s*betalen\s*v[oó]{2}r", r"betalen\s*v[oó]{2}r",
    r"betaal\s*-?\s*datum", r"due\s*date", r"payment\s*due", r"date\s*due", r"due\s*by", r"pay\s*by", r"due",
    r"f[äa]llig(?:keits\s*-?\s*datum|\s*am|\s*bis)?", r"zahlbar\s*bis", r"zahlungsziel", r"zahlungstermin",
    r"date\s*d['’]\s*[ée]ch[ée]ance", r"[ée]ch[ée]ance", r"date\s*limite\s*de\s*paiement", r"[àa]\s*payer\s*avant",
    r"payable\s*avant", r"zahlbar[^.\d]{0,40}?bis(?:\s*zum)?", r"(?:[üu]berweisen|bezahlen|zahlen)[^.\d]{0,30}?bis(?:\s*zum)?",
    r"bis\s*zum", r"uiterlijk(?:\s*op)?", r"vóór|voor\s*(?=\d)", r"v[oóò06]{2}r\s?(?=\d)",  # OCR: "v66r12/03/2023" (ó read as 6, spaces lost)
    # A direct debit's date is when the invoice is paid: "Wij schrijven het bedrag op of rond 17 november af".
    r"op\s*of\s*rond", r"afgeschreven\s*op", r"ge[ïi]ncasseerd\s*op", r"incasso\s*-?\s*datum", r"afschrijf\s*-?\s*datum", r"please\s*pay\s*(?:by|before)",
    r"remit\s*(?:until|by|before)", r"pay(?:able)?\s*(?:until|before)", r"wird\s*am", r"wordt\s*op",
)
OTHER_DATE = _p(
    r"order\s*-?\s*datum", r"besteldatum", r"lever\s*-?\s*datum", r"afleverdatum", r"order\s*date", r"delivery\s*date",
    r"ship(?:ping)?\s*date", r"liefer\s*-?\s*(?:und\s*leistungs\s*)?datum", r"leistungs\s*-?\s*datum", r"bestelldatum",
    r"date\s*de\s*livraison", r"date\s*de\s*commande", r"periode", r"period", r"zeitraum", r"p[ée]riode",
    r"geboortedatum", r"print\s*date", r"skonto[^.\d]{0,40}?bis", r"korting[^.\d]{0,40}?(?:voor|v[óo]{2}r)", r"vom\s*\d", r"bestellung\s*vom", r"auftrag\s*vom", r"geleverd", r"op\s+\d",
)
"""Dates that are not the invoice or due date (order, delivery, period, payment dates)."""

TOTAL_INCL_STRONG = _p(
    r"totaal\s*(?:incl(?:\.|usief)?|inclusief)\s*(?:btw)?", r"totaal\s*te\s*betalen", r"te\s*betalen", r"totaalbedrag",
    r"total\s*\(?\s*(?:incl(?:\.|uding|usive)?|inc\.?)\s*(?:of\s*)?(?:vat|tax|gst)?\)?", r"total\s*(?:amount\s*)?(?:due|payable)",
    r"amount\s*(?:due|payable)", r"balance\s*due", r"grand\s*total", r"rounded\s*total", r"total\s*rounded",
    r"nett?\s*total", r"total\s*sales\s*\(?incl", r"total\s*amount", r"invoice\s*total", r"total\s*\(?rm\)?",
    r"gesamt\s*-?\s*betrag", r"rechnungs\s*-?\s*betrag", r"zahl\s*-?\s*betrag", r"brutto\s*-?\s*betrag",
    r"zu\s*zahlen(?:der\s*betrag)?", r"gesamtsumme", r"endbetrag", r"summe\s*brutto", r"total\s*ttc",
    r"montant\s*ttc", r"net\s*[àa]\s*payer", r"somme\s*[àa]\s*payer", r"montant\s*[àa]\s*payer",
    r"total\s*[àa]\s*payer", r"rechnungs\s*-?\s*summe\s*brutto", r"(?:incl|inkl)(?:\.|usief|usive|usive)?\s*(?:btw|vat|ust|mwst|tax|gst|tva)",
    r"summe\s*(?:inkl|incl)", r"brutto",
)
TOTAL_INCL_WEAK = _p(r"totaal", r"total", r"totale", r"summe", r"gesamt", r"bedrag", r"amount", r"betrag", r"montant",
                     r"[ti1][o0u][ti1][a4][l1i](?![A-Za-z])")
"""The last pattern is TOTAL as OCR misreads receipt fonts (T as I, O as U or 0, L as I: "IUIAL", "T0TAL")."""
TOTAL_EXCL = _p(
    r"totaal\s*(?:excl(?:\.|usief)?|exclusief)\s*(?:btw)?", r"excl(?:\.|usief)?\s*btw", r"exclusief", r"subtotaal",
    r"sub\s*-?\s*totaal", r"netto\s*(?:bedrag|totaal)?", r"total\s*\(?\s*(?:excl(?:\.|uding|usive)?|ex\.?)\s*(?:of\s*)?(?:vat|tax|gst)?\)?",
    r"sub\s*-?\s*total", r"net\s*(?:amount|total)", r"total\s*net", r"total\s*before\s*tax", r"amount\s*excl",
    r"nettobetrag", r"summe\s*netto", r"gesamt\s*netto", r"netto\s*summe", r"zwischensumme", r"summe\s*positionen",
    r"gesamtbetrag\s*der\s*positionen", r"steuerbasisbetrag", r"total\s*ht", r"montant\s*(?:eur\s*)?ht", r"sous\s*-?\s*total",
    r"basis\s*bedrag", r"grondslag", r"rechnungs\s*-?\s*summe\s*netto", r"(?:rechnungs\s*-?\s*)?summe\s*ohne\s*(?:ust|mwst|steuer)",
    r"ohne\s*(?:ust|mwst|umsatzsteuer)", r"positions\s*-?\s*summe", r"(?:vat|tax|gst|sst)?\s*taxable(?:\s*amount)?",
    r"(?:excl|exkl|zzgl)(?:\.|usief|usive)?\s*(?:btw|vat|ust|mwst|tax|gst|tva)", r"netto",
)
VAT = _p(
    r"btw", r"b\.t\.w\.", r"bt\sw(?![a-z])",  # OCR splits a short header ("BT W")
    r"waarvan\s*btw",  # and glues a till's "Waarvan btw 21%"
    r"omzetbelasting", r"vat", r"v\.a\.t\.", r"tax", r"gst", r"sst", r"mwst", r"mehrwertsteuer",
    r"ust", r"umsatzsteuer", r"steuer", r"tva", r"taxe",
)
VAT_TOTAL = _p(r"totaal\s*btw", r"btw\s*-?\s*(?:sub\s*-?\s*)?totaal", r"sub\s*-?\s*totaal\s*btw", r"btw\s*-?\s*bedrag",
               r"(?:vat|tax)\s*sub\s*-?\s*total", r"total\s*(?:vat|tax|gst)", r"(?:vat|tax|gst)\s*(?:amount|total)",
               r"summe\s*(?:mwst|ust|steuer)", r"steuerbetrag", r"mwst\s*-?\s*betrag", r"ust\s*-?\s*betrag",
               r"montant\s*(?:de\s*la\s*)?tva", r"total\s*tva", r"tva\s*totale", r"included\s*in\s*(?:the\s*)?total")
NOT_TOTAL = _p(
    r"korting", r"discount", r"rabatt", r"remise", r"verzend", r"shipping", r"porto", r"versand", r"cash",
    r"change", r"wisselgeld", r"contant", r"tendered", r"rounding", r"afronding", r"ideal", r"rembours",
    r"afschrijving", r"betaald", r"paid", r"bezahlt", r"pay[ée]", r"voldaan", r"reeds", r"aanbetaling", r"deposit",
    r"anzahlung", r"voorschot", r"saldo\s*vorige", r"previous\s*balance", r"qty", r"quantity", r"aantal", r"menge",
    r"items?\s*count", r"total\s*(?:qty|quantity|items?|discount|savings)", r"you\s*saved", r"credit\s*card",
    r"visa", r"mastercard", r"master", r"debit", r"card", r"pin\b", r"tunai", r"prélèvement", r"pr[ée]l[èe]vement",
    r"thuiskopie", r"incasso", r"customer\s*(?:copy|points)", r"points", r"statiegeld", r"tax\s*invoice",
)
"""Labels of amounts that are never the invoice total (discounts, payments, change, quantities). The title
"Tax invoice" is here so that its "tax" does not label the amounts printed under it as VAT."""
PAID = _p(r"cash", r"tunai", r"tendered", r"contant", r"card", r"visa", r"mastercard", r"debit", r"pin\b")
"""Tender labels on a receipt (what the customer handed over): with the change, they give the total. Not
"paid"/"betaald", which on invoices name an advance already paid."""
CHANGE = _p(r"change", r"wisselgeld")
"""Change given back on a receipt."""

REVERSE_CHARGE = _p(
    r"btw\s*verlegd", r"verlegd", r"verleggingsregeling", r"reverse\s*-?\s*charge", r"vat\s*reverse",
    r"steuerschuldnerschaft\s*des\s*leistungsempf", r"reverse\s*charge", r"autoliquidation",
    r"intracommunautaire\s*levering", r"intra\s*-?\s*community\s*supply", r"innergemeinschaftliche\s*lieferung",
)

BUYER_HEADING = _p(
    r"factuur\s*-?\s*adres", r"factuur\s*aan", r"gefactureerd\s*aan", r"aflever\s*-?\s*adres", r"afnemer",
    r"klant(?:gegevens)?(?!\s*-?\s*(?:nummer|nr|no|number|id|code|referentie|ref))", r"debiteur(?!\s*-?\s*(?:nummer|nr))",
    r"inlener", r"opdrachtgever",  # who hires the staff, who commissions the work: the customer
    r"bill(?:ed)?\s*to", r"invoice\s*to", r"invoiced\s*to", r"sold\s*to", r"ship\s*to", r"deliver(?:y|ed)?\s*(?:to|address)",
    r"customer(?!\s*(?:no|nr|number|id|code|ref|service|copy|care))", r"buyer", r"recipient",
    r"rechnungs\s*-?\s*(?:empf[äa]nger|adresse|anschrift)", r"k[äa]ufer", r"leistungsempf[äa]nger", r"lieferanschrift",
    r"kunde(?!n\s*-?\s*(?:nummer|nr))", r"factur[ée]\s*[àa]", r"adresse\s*de\s*(?:facturation|livraison)",
    r"destinataire", r"client(?!\s*(?:no|nr|number|id|code|ref))", r"aan\s*:", r"to\s*:",
    r"attn\.?", r"attention", r"t\.\s?a\.\s?v\.?", r"z\.\s?h\.\s?d\.?", r"[àa]\s*l['’]\s*attention\s*de",
)
SUPPLIER_HEADING = _p(
    r"leverancier", r"verkoper", r"afzender", r"seller", r"supplier", r"vendor", r"sold\s*by", r"from\s*:",
    r"van\s*:", r"verk[äa]ufer", r"lieferant(?!en)", r"absender", r"rechnungssteller", r"fournisseur", r"vendeur",
    r"[ée]metteur", r"biller",
)
BUYER_HINT = _p(
    r"uw\b", r"your", r"klant", r"customer", r"afnemer", r"buyer", r"ihre?\b", r"kunden?", r"k[äa]ufer", r"votre",
    r"client", r"acheteur", r"debiteur", r"leistungsempf", r"inlener", r"opdrachtgever",
)
"""Words on an id's own line that say the id belongs to the buyer (``Uw BTW-nummer``, ``Customer VAT``)."""
BUYER_HINT_GLUED = re.compile(
    r"(?i)(?:btw|vat|kvk|id|nummer|nr)[-.]?(?:klant|afnemer|customer|buyer|inlener|opdrachtgever)|"
    r"(?<![a-z])uw(?:btw|b\.t\.w|kvk|vat)")
"""The same labels as OCR that drops spaces prints them ("Btw-idklant:", "Uwbtw-nummer:")."""

ACCOUNT_HOLDER = _p(
    r"t\.\s?n\.\s?v\.?", r"ten\s*name\s*van", r"rekening\s*-?\s*houder", r"account\s*(?:holder|name)", r"beneficiary",
    r"beg[üu]nstigter", r"konto\s*-?\s*inhaber", r"au\s*nom\s*de", r"titulaire",
)
"""Labels of the name a payment goes to ("over te maken op NL91... t.n.v. Groenlicht B.V.")."""
PAYMENT_WORDS = _p(
    r"iban", r"rekening", r"overmaken", r"over\s*te\s*maken", r"betalen", r"betaling", r"voldoen", r"storten",
    r"overschrijven", r"bank", r"pay", r"remit", r"transfer", r"[üu]berweis", r"zahl", r"virement", r"payer",
)
"""Words of a payment sentence: a name beside ``t.n.v.`` there is the account holder's, the party paid."""
ACCOUNT_HOLDER_END = re.compile(
    r"\s*(?:[,;(]|(?i:\bo\.?\s?v\.?\s?v\b|\bonder\s*vermelding|\bmet\s*vermelding|\bquoting|\bunter\s*angabe|"
    r"\bstating|\bbic\b|\biban\b|\bbinnen\b|\bwithin\b)|\bte\s+[A-Z]|\bin\s+[A-Z])"
)
"""Where the account holder's name ends: the reference to quote, the town, the next clause."""

LEGAL_FORM = re.compile(
    r"(?<![A-Za-z])(?:B\.?\s?V\.?|B\.\s?v\.|b\.\s?v\.|N\.?\s?V\.?|V\.?O\.?F\.?|V\.[o0]\.\s?F\.?|C\.?V\.?|Holding|Stichting|Vereniging|Coöperatie|"
    r"(?:GmbH|GMBH)(?:\s*&\s*Co\.?\s*KG)?|AG|UG|KG|OHG|e\.\s?K\.|GbR|mbH|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corp\.?|"
    r"Corporation|PLC|LLP|S\.?A\.?R\.?L\.?|S\.?A\.?S\.?|S\.A\.|EURL|(?i:sdn\.?\s?bhd)\.?|BHD\.?|S/B|"
    r"ENTERPRISE|TRADING|Co\.)(?![A-Za-z])",
)
"""Company legal forms: a line carrying one is probably a company name."""

DOCUMENT_TITLE = _p(
    r"factuur", r"invoice", r"tax\s*invoice", r"rechnung", r"handelsrechnung", r"facture", r"creditnota",
    r"credit\s*note", r"gutschrift", r"avoir", r"receipt", r"kassabon", r"kassenbon", r"quittung", r"re[çc]u",
    r"cash\s*bill", r"simplified", r"official", r"bon\b", r"pagina", r"page", r"seite",
)
CREDIT_NOTE = _p(
    r"credit\s*-?\s*nota", r"creditfactuur", r"credit\s*-?\s*note", r"credit\s*memo", r"gutschrift",
    r"rechnungskorrektur", r"stornorechnung", r"facture\s*d['’]\s*avoir", r"avoir", r"note\s*de\s*cr[ée]dit",
)
RECEIPT = _p(
    r"kassabon", r"kassaticket", r"kassenbon", r"kassenbeleg", r"quittung", r"receipt", r"re[çc]u",
    r"ticket\s*de\s*caisse", r"cash\s*(?:bill|sale|receipt)", r"kwitantie", r"bonnummer", r"wisselgeld", r"cashier",
    r"kassier", r"change\s*due", r"tunai",
    # Paid at the till, by card or in cash ("Betaald PIN", "Betaald Contactloos"): the sale is settled.
    r"betaald\s*(?:met\s*)?(?:pin|contant|contactloos|creditcard|maestro|v\s*-?\s*pay|bankpas|giro\s*card)\b",
    r"pinbetaling", r"pin\s*transactie",
)
INVOICE_WORDS = _p(r"factuur", r"invoice", r"rechnung", r"facture")
PAYMENT_TERM = re.compile(
    r"(?:binnen|within|innerhalb(?:\s*von)?|sous|net|netto|betaaltermijn|payment\s*terms?|zahlungsziel|"
    r"zahlbar\s*innerhalb)\s*:?\s*(\d{1,3})(?!\d|\s?%|[.,]\d)\s*(?:dagen|days|tage[n]?|jours|d\b)?",  # "Netto 21%": a rate
    re.IGNORECASE,
)
TABLE_HEADER_WORDS = {
    "description": _p(r"omschrijving", r"beschrijving", r"artikel", r"product", r"description", r"item", r"omschr",
                      r"bezeichnung", r"beschreibung", r"artikelbezeichnung", r"leistung", r"d[ée]signation",
                      r"libell[ée]", r"article", r"dienst"),
    "quantity": _p(r"aantal", r"aant\.?", r"qty", r"quantity", r"menge", r"anzahl", r"anz\.?", r"quantit[ée]", r"qt[ée]",
                   r"stuks", r"units?"),
    "unit_price": _p(r"stuksprijs", r"prijs\s*per\s*stuk", r"prijs", r"unit\s*price", r"price", r"rate",
                     r"einzelpreis", r"preis", r"prix\s*unitaire", r"p\.?u\.?", r"tarief"),
    "amount": _p(r"bedrag", r"totaal", r"amount", r"total", r"betrag", r"gesamt", r"montant", r"subtotaal"),
    "vat": _p(r"btw", r"vat", r"tax", r"mwst", r"ust", r"tva", r"gst"),
}
