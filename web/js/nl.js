// Every word the app shows, in Dutch: statuses, roles, error codes of the API, provenance, warnings, history.
// The API's own `detail` sentences are English; the app shows its own text for every code it knows and keeps
// the API's sentence only as a secondary line (marked lang="en").

export const STATUS = {
  received: "Ontvangen",
  recognizing: "Wordt herkend",
  awaiting_approval: "Te beoordelen",
  approved: "Goedgekeurd",
  booking: "Wordt geboekt",
  booked: "Geboekt",
  rejected: "Afgewezen",
  duplicate: "Dubbel",
  unreadable: "Onleesbaar",
  failed: "Boeken mislukt",
};

/** Statuses in which the system is still working on a document (the inbox keeps polling). */
export const IN_FLIGHT = new Set(["received", "recognizing", "approved", "booking"]);

export const KIND = { purchase_invoice: "Inkoopfactuur", receipt: "Kassabon", expense_claim: "Declaratie" };

export const ROLE = {
  sync_user: "Synchronisatiegebruiker (beheerder)",
  admin: "Beheerder",
  approver: "Goedkeurder",
  submitter: "Indiener",
};

export const PLAN = { trial: "Proefabonnement: 30 dagen gratis", premium: "Premium" };

export const BOOKING_STATUS = { pending: "Wacht", booking: "Wordt geboekt", booked: "Geboekt", failed: "Mislukt" };

export const VAT_KIND = { high: "hoog", low: "laag", zero: "0 %", reverse_charge: "verlegd", eu: "EU" };

export const RECOGNITION_FIELD = {
  supplier_name: "Naam leverancier",
  supplier_vat_id: "Btw-nummer leverancier",
  supplier_kvk: "KvK-nummer leverancier",
  supplier_iban: "IBAN leverancier",
  invoice_number: "Factuurnummer",
  invoice_date: "Factuurdatum",
  due_date: "Vervaldatum",
  currency: "Valuta",
  total_incl_vat: "Totaal incl. btw",
  total_excl_vat: "Totaal excl. btw",
  vat_total: "Btw-bedrag",
};

export const ENGINE = { local: "tekst en OCR (lokaal)", textract: "OCR (Textract)", ubl: "UBL-e-factuur", cii: "CII-e-factuur" };

const EVENT = {
  upload_requested: "Upload aangevraagd",
  received: "Ontvangen",
  recognizing: "Herkenning gestart",
  recognized: "Herkend",
  proposed: "Voorstel gemaakt",
  proposal_edited: "Voorstel gewijzigd",
  awaiting_approval: "Wacht op goedkeuring",
  approval_requested: "Goedkeuring gevraagd",
  approval_given: "Goedkeuring gegeven",
  auto_approved: "Automatisch goedgekeurd",
  approved: "Goedgekeurd",
  rejected: "Afgewezen",
  edited: "Voorstel gewijzigd",
  booking: "Boeken gestart",
  booked: "Geboekt",
  booking_failed: "Boeken mislukt",
  booking_retried: "Opnieuw boeken",
  duplicate: "Dubbel document",
  unreadable: "Onleesbaar",
  failed: "Mislukt",
};

export function eventLabel(event) {
  return EVENT[event] || STATUS[event] || event;
}

const WARNING = {
  duplicate_number: "Dit factuurnummer is al eerder ontvangen van deze leverancier",
  near_duplicate: "Lijkt sterk op een eerder document",
  master_data_unavailable: "De stamgegevens van het pakket waren niet bereikbaar",
  supplier_lookup_failed: "De leverancier kon niet in het pakket worden opgezocht",
  unknown_supplier: "Onbekende leverancier: wordt bij het boeken aangemaakt",
  missing_invoice_number: "Factuurnummer niet gevonden",
  missing_invoice_date: "Factuurdatum niet gevonden",
  foreign_currency: "Factuur in een andere valuta dan euro",
  totals_mismatch: "De bedragen tellen niet op tot het totaal",
  missing_total: "Totaalbedrag niet gevonden",
  missing_gl_account: "Kies een grootboekrekening",
  unknown_vat_rate: "Het pakket heeft geen btw-code voor dit tarief: kies de btw-code",
  missing_vat_code: "Kies een btw-code",
  low_confidence: "Onzeker herkend: controleer de gegevens",
  suspicious_content: "Het bestand bevat actieve of verborgen inhoud",
};

export function warningLabel(code) {
  return WARNING[code] || "Let op";
}

const MATCH_BY = { vat_id: "btw-nummer", kvk: "KvK-nummer", iban: "IBAN", name: "naam" };

/** Where a proposal field came from, in Dutch (the API gives short English phrases). */
export function provenanceLabel(text) {
  if (!text) return "";
  const simple = {
    recognised: "herkend op het document",
    history: "eerdere boekingen van deze leverancier",
    "supplier rule": "boekingsregel van de leverancier",
    "package default": "standaard van de leverancier in het pakket",
    "sum of lines": "som van de regels",
    "default (EUR)": "standaard (EUR)",
    "generated (receipt without number)": "gegenereerd (kassabon zonder nummer)",
    "receipt: paid on the invoice date": "kassabon: betaald op de factuurdatum",
    "new supplier (recognised)": "nieuwe leverancier, herkend op het document",
    "receipt from an unknown shop: generic creditor": "kassabon van een onbekende winkel: algemene crediteur",
    totals: "uit de totalen",
    "vat breakdown": "uit de btw-specificatie",
    manual: "handmatig gekozen",
  };
  if (simple[text]) return simple[text];
  let m = /^edited by (.+)$/.exec(text);
  if (m) return `gewijzigd door ${m[1]}`;
  m = /^(vat_id|kvk|iban|name) match(?: \((.+)\))?$/.exec(text);
  if (m) return `gevonden op ${MATCH_BY[m[1]]}${m[2] === "package" ? " in het pakket" : m[2] ? ` (${m[2]})` : ""}`;
  m = /^supplier payment term \((\d+) days\)$/.exec(text);
  if (m) return `betaaltermijn van de leverancier (${m[1]} dagen)`;
  m = /^recognised vat rate \((.+)\)$/.exec(text);
  if (m) return `herkend btw-tarief (${m[1]})`;
  m = /^(.+) \(new\)$/.exec(text);
  if (m) return `${provenanceLabel(m[1])} (nieuw)`;
  return text;
}

export const MATCH = {
  vat_id: "herkend op btw-nummer",
  kvk: "herkend op KvK-nummer",
  iban: "herkend op IBAN",
  name: "herkend op naam",
  new: "nieuwe leverancier",
  manual: "handmatig gekozen",
};

// --- error codes ---------------------------------------------------------------------------------------

/** Dutch text per API error code; `{wait}` becomes the Retry-After wait, `{codes}` the codes named. */
const ERROR = {
  validation_error: "Controleer de gemarkeerde velden.",
  plan_not_confirmed: "De bevestiging komt niet overeen met het gekozen abonnement. Kies hetzelfde abonnement nog een keer.",
  terms_not_accepted: "Accepteer de voorwaarden om verder te gaan.",
  invalid_confirmation_code: "Deze code klopt niet. Controleer de e-mail en probeer het opnieuw.",
  too_many_attempts: "Te veel pogingen. Probeer het over {wait} opnieuw.",
  confirmation_expired: "Deze code is verlopen (een code is 24 uur geldig). Vraag hieronder een nieuwe code aan.",
  signup_not_found: "Deze aanmelding bestaat niet (meer). Meld u opnieuw aan.",
  already_confirmed: "Deze aanmelding is al bevestigd. Ga verder met de activatielink uit de e-mail.",
  office_code_taken: "Deze kantoorcode is al in gebruik.",
  weak_password: "Dit wachtwoord is te zwak: gebruik minstens 12 tekens.",
  invalid_activation_token: "Deze activatielink is ongeldig. Gebruik de link uit de laatste e-mail.",
  already_activated: "Dit abonnement is al geactiveerd. Log in met uw kantoorcode en gebruikersnaam.",
  activation_expired: "Deze activatielink is verlopen (een link is 7 dagen geldig). Meld u opnieuw aan.",
  invalid_credentials: "Kantoorcode, gebruikersnaam of wachtwoord klopt niet.",
  invalid_code: "Deze code klopt niet of is verlopen. Vraag zo nodig een nieuwe code aan.",
  username_taken: "Deze gebruikersnaam bestaat al in dit kantoor.",
  not_an_admin: "Alleen beheerders van het kantoor mogen dit doen.",
  unknown_package: "Dit boekhoudpakket wordt niet ondersteund.",
  description_required: "Geef deze koppeling een omschrijving.",
  invalid_oauth_state: "De koppeling kon niet worden afgerond: de inloglink is verlopen of al gebruikt. Probeer het opnieuw.",
  connection_not_ready: "Deze koppeling is nog niet afgerond: log eerst in bij het pakket.",
  invalid_package_credentials: "Het pakket accepteert deze gegevens niet. Controleer ze en probeer het opnieuw.",
  package_unavailable: "Het pakket is nu niet bereikbaar. Er is niets opgeslagen; probeer het later opnieuw.",
  package_rate_limited: "Het pakket krijgt nu te veel verzoeken. Probeer het over {wait} opnieuw.",
  package_rejected: "Het pakket weigerde het verzoek.",
  package_refresh_too_early: "Het pakket vraagt even te wachten. Probeer het over {wait} opnieuw.",
  administration_access_denied: "De gekoppelde gebruiker van het pakket heeft geen toegang tot: {codes}.",
  too_many_administrations: "Kies maximaal 5 administraties per keer.",
  administration_already_linked: "Al toegevoegd: {codes}.",
  unknown_administration: "Het pakket kent deze administratie niet: {codes}.",
  unsupported_content_type: "Dit bestandstype wordt niet ondersteund. Gebruik PDF, JPEG, PNG, TIFF of een e-factuur (XML).",
  document_too_large: "Dit bestand is te groot (maximaal 20 MB).",
  invalid_status: "Dat kan niet in de huidige status van het document.",
  not_an_approver: "U mag over dit document niet beslissen: het goedkeuringsbeleid noemt u niet als goedkeurder.",
  already_decided: "U heeft over deze versie van het document al een besluit genomen.",
  proposal_changed: "Het voorstel is gewijzigd sinds u het opende. Hieronder staat de nieuwe versie: controleer die en keur opnieuw goed.",
  document_locked: "Dit document is geboekt en kan niet meer worden gewijzigd.",
  proposal_incomplete: "Het voorstel is niet compleet: elke regel heeft een grootboekrekening en een btw-code nodig.",
  booking_in_progress: "Dit document wordt op dit moment al geboekt.",
  unknown_supplier: "Deze leverancier bestaat niet in deze administratie.",
  not_found: "Niet gevonden. Misschien is het verwijderd, of hoort het bij een ander kantoor.",
  forbidden: "U heeft hiervoor geen rechten.",
  unauthorized: "Uw sessie is verlopen. Log opnieuw in.",
  session_expired: "Uw sessie is verlopen. Log opnieuw in.",
  conflict: "Dit botst met een andere wijziging. Laad de pagina opnieuw.",
  payload_too_large: "Het verzoek is te groot.",
  gateway_timeout: "Het duurde te lang. Probeer het opnieuw.",
  internal_error: "Er ging iets mis aan onze kant. Probeer het opnieuw.",
  network_error: "Geen verbinding met de server. Controleer de internetverbinding en probeer het opnieuw.",
  bad_request: "Het verzoek kon niet worden verwerkt.",
};

/** A wait in seconds as Dutch words: "45 seconden", "2 minuten en 5 seconden", "1 uur". */
export function waitWords(seconds) {
  const total = Math.max(1, Math.ceil(Number(seconds) || 0));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const parts = [];
  if (hours) parts.push(`${hours} uur`);
  if (minutes) parts.push(`${minutes} ${minutes === 1 ? "minuut" : "minuten"}`);
  if (secs && !hours) parts.push(`${secs} ${secs === 1 ? "seconde" : "seconden"}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} en ${parts.at(-1)}` : parts[0];
}

/** The Dutch sentence for an ApiError (or any error). */
export function errorMessage(error) {
  const code = error && error.code;
  let text = ERROR[code];
  if (!text) {
    const status = error && error.status;
    if (status >= 500) text = ERROR.internal_error;
    else if (status === 404) text = ERROR.not_found;
    else if (status === 403) text = ERROR.forbidden;
    else if (status === 429) text = ERROR.too_many_attempts;
    else text = "Dat lukte niet. Probeer het opnieuw.";
  }
  const wait = error && error.retryAfter ? waitWords(error.retryAfter) : "enige tijd";
  const codes = error && error.body && Array.isArray(error.body.codes) ? error.body.codes.join(", ") : "";
  return text.replace("{wait}", wait).replace("{codes}", codes || "een of meer administraties");
}

const FIELD_TEXT = [
  [/^lines\.\d+\.gl_account$/, "Deze grootboekrekening bestaat niet in het pakket."],
  [/^lines\.\d+\.vat_code$/, "Deze btw-code bestaat niet in het pakket."],
  [/^supplier(\.code)?$/, "Deze leverancier bestaat niet in deze administratie."],
  [/^supplier\.name$/, "Vul de naam van de nieuwe leverancier in."],
  [/^supplier\.vat_id$/, "Dit btw-nummer is niet geldig (bijvoorbeeld NL001234567B01)."],
  [/^supplier\.kvk$/, "Een KvK-nummer heeft 8 cijfers."],
  [/^supplier\.iban$/, "Dit IBAN is niet geldig: controleer het nummer."],
  [/^currency$/, "Geef een valutacode van drie letters, zoals EUR."],
  [/^office_code$/, "Gebruik 3 tot 30 tekens: kleine letters, cijfers en '-'."],
  [/^username$/, "Gebruik letters, cijfers, '.', '_' of '-' (maximaal 64 tekens)."],
  [/^email$/, "Vul een geldig e-mailadres in."],
  [/^codes$/, "Kies minstens één administratie."],
  [/^steps\.\d+\.approvers(\.\d+)?$/, "Deze gebruiker bestaat niet, of mag niet goedkeuren, of staat er twee keer in."],
  [/^steps\.\d+\.required$/, "Er zijn meer goedkeuringen vereist dan er goedkeurders zijn."],
  [/min_amount$|auto_approve_below$/, "Vul een bedrag van nul of meer in."],
  [/^gl_account$/, "Deze grootboekrekening bestaat niet in het pakket."],
  [/^vat_code$/, "Deze btw-code bestaat niet in het pakket."],
];

/** The API's English sentence about a field, recognised for a more precise Dutch one. */
const FIELD_SENTENCE = [
  [/already in this administration/i, () => "Deze factuur van deze leverancier staat al in de administratie."],
  [/add up to (-?[\d.]+), not to the total (-?[\d.]+)/,
    (m) => `De regels tellen op tot ${m[1].replace(".", ",")}, niet tot het totaal ${m[2].replace(".", ",")}.`],
  [/due date is before/i, () => "De vervaldatum ligt voor de factuurdatum."],
  [/more than a year after/i, () => "De vervaldatum ligt meer dan een jaar na de factuurdatum."],
  [/more than a year in the future/i, () => "De factuurdatum ligt meer dan een jaar in de toekomst."],
  [/negative/i, () => "Mag niet negatief zijn."],
];

/** One API field error ({field, message}) in Dutch. */
export function fieldMessage(field, message) {
  const english = String(message || "");
  if (/required/i.test(english)) return "Dit veld is verplicht.";
  for (const [pattern, text] of FIELD_SENTENCE) {
    const m = pattern.exec(english);
    if (m) return text(m);
  }
  const known = FIELD_TEXT.find(([pattern]) => pattern.test(field));
  if (known) return known[1];
  if (/date/.test(field)) return "Vul een geldige datum in.";
  if (/amount|total/.test(field) || /decimal|money/i.test(english)) {
    return "Vul een bedrag in met twee decimalen, bijvoorbeeld 121,00.";
  }
  if (/too long|at most/i.test(english)) return "Deze waarde is te lang.";
  if (/too short|at least/i.test(english)) return "Deze waarde is te kort.";
  return "Deze waarde is niet geldig.";
}

// --- formatting ----------------------------------------------------------------------------------------

const euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });

/** "1234.56" -> "€ 1.234,56" (other currencies with their code). */
export function money(amount, currency = "EUR") {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  if (!currency || currency === "EUR") return euro.format(value);
  try {
    return new Intl.NumberFormat("nl-NL", { style: "currency", currency }).format(value);
  } catch {
    return `${currency} ${value.toFixed(2)}`;
  }
}

/** "2024-03-01" -> "1 mrt 2024". */
export function date(value) {
  if (!value) return "—";
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00` : value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleDateString("nl-NL", { day: "numeric", month: "short", year: "numeric" });
}

/** A timestamp -> "1 mrt 2024 14:05". */
export function dateTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString("nl-NL", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** 0.98 -> "98 %". */
export function percent(value) {
  return `${Math.round(Number(value) * 100)} %`;
}

/** Parse a Dutch or English amount ("1.234,56", "1234.56", "121") to the API's "1234.56"; null when invalid. */
export function parseAmount(text) {
  let s = String(text ?? "").trim().replace(/[€\s]/g, "");
  if (!s) return null;
  if (s.includes(",")) s = s.replace(/\./g, "").replace(",", ".");
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(s)) return null;
  return Number(s).toFixed(2);
}

/** "1234.56" -> "1234,56" for an input field. */
export function amountInput(value) {
  if (value === null || value === undefined || value === "") return "";
  return Number(value).toFixed(2).replace(".", ",");
}
