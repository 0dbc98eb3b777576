// The onboarding wizard: 1 signup (plan chosen and confirmed) and the e-mailed code, 2 activation (office code
// availability while typing), 3 linking a package (credentials or its own login page), 4 choosing up to five
// administrations. Steps 3 and 4 are also used from the settings (another package, more administrations).

import { ApiError, appOrigin, login, office, request } from "../api.js";
import { announce, debounce, h, replace, uid } from "../dom.js";
import { FormErrors, alertBox, busyButton, field, holdOff } from "../forms.js";
import { PLAN, date, errorMessage } from "../nl.js";
import { navigate } from "../router.js";
import { focusTitle, loadError, loading, pageTitle } from "../ui.js";

const STATE_KEY = "boekstuk.onboarding";
const OAUTH_KEY = "boekstuk.oauth";
export const MAX_ADMINISTRATIONS = 5;

function state() {
  try {
    return JSON.parse(sessionStorage.getItem(STATE_KEY) || "{}") || {};
  } catch {
    return {};
  }
}

function saveState(patch) {
  const next = { ...state(), ...patch };
  sessionStorage.setItem(STATE_KEY, JSON.stringify(next));
  return next;
}

const STEPS = ["Aanmelden", "Activeren", "Pakket koppelen", "Administraties kiezen"];

/** The wizard's progress: an ordered list with the current step marked for assistive technology. */
function stepper(current) {
  return h("nav", { class: "stepper", "aria-label": "Stappen" },
    h("ol", {}, STEPS.map((label, index) => h("li", {
      class: [index < current ? "done" : null, index === current ? "current" : null],
      "aria-current": index === current ? "step" : null,
    }, h("span", { class: "step-number", "aria-hidden": "true" }, String(index + 1)),
    h("span", {}, label, index < current ? h("span", { class: "visually-hidden" }, " (klaar)") : null)))));
}

function wizardPage(ctx, step, title, lead, ...content) {
  replace(ctx.main, h("div", { class: "wizard" }, stepper(step), ...pageTitle(ctx, title, lead), ...content));
  focusTitle();
}

/** A radio group in a fieldset, registered like a field for errors. */
function radioGroup({ legend, name, options, value = "", hint = "" }) {
  const errorEl = h("p", { class: "field-error", hidden: true, id: uid(`${name}-error`) });
  const hintEl = hint ? h("p", { class: "hint", id: uid(`${name}-hint`) }, hint) : null;
  const inputs = [];
  const items = options.map((option) => {
    const id = uid(name);
    const input = h("input", { type: "radio", name, id, value: option.value, checked: option.value === value,
      "aria-describedby": [hintEl ? hintEl.id : null, errorEl.id].filter(Boolean).join(" ") });
    inputs.push(input);
    return h("div", { class: "choice" }, input,
      h("label", { for: id }, h("span", { class: "choice-title" }, option.label),
        option.hint ? h("span", { class: "choice-hint" }, option.hint) : null));
  });
  const el = h("fieldset", { class: "field choices", dataset: { field: name } },
    h("legend", {}, legend), hintEl, ...items, errorEl);
  return {
    el, inputs,
    control: { focus: () => (inputs.find((i) => i.checked) || inputs[0]).focus() },
    value: () => (inputs.find((i) => i.checked) || {}).value || "",
    setError(message) {
      errorEl.hidden = !message;
      errorEl.textContent = message || "";
      el.classList.toggle("has-error", Boolean(message));
      for (const input of inputs) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    },
  };
}

// --- step 1: signup and code -------------------------------------------------------------------------------

export function signupView(ctx) {
  const saved = state();
  const alert = alertBox();
  const errors = new FormErrors(alert);
  const company = errors.register("company_name", field({ label: "Bedrijfsnaam", name: "company_name", required: true,
    autocomplete: "organization", value: saved.company_name || "" }));
  const contact = errors.register("contact_name", field({ label: "Uw naam", name: "contact_name", required: true,
    autocomplete: "name", value: saved.contact_name || "" }));
  const email = errors.register("email", field({ label: "E-mailadres", name: "email", type: "email", required: true,
    autocomplete: "email", value: saved.email || "", hint: "Hier sturen wij de bevestigingscode naartoe." }));
  const phone = errors.register("phone", field({ label: "Telefoonnummer (optioneel)", name: "phone", type: "tel",
    autocomplete: "tel", value: saved.phone || "" }));
  const plan = errors.register("plan", radioGroup({ legend: "Abonnement", name: "plan", value: saved.plan || "",
    options: [
      { value: "trial", label: PLAN.trial, hint: "Alles proberen; daarna kiest u of u doorgaat." },
      { value: "premium", label: PLAN.premium, hint: "Direct het volledige abonnement." },
    ] }));
  const confirmPlan = errors.register("plan_confirmation", field({ label: "Bevestig uw abonnement", kind: "select",
    name: "plan_confirmation", required: true, value: "",
    hint: "Kies hetzelfde abonnement nog een keer: zo weten we zeker dat u het bewust kiest.",
    options: [{ value: "", label: "Kies het abonnement opnieuw…" }, { value: "trial", label: PLAN.trial },
      { value: "premium", label: PLAN.premium }] }));
  const terms = errors.register("accept_terms", field({ label: "Ik ga akkoord met de algemene voorwaarden en de verwerkersovereenkomst",
    name: "accept_terms", type: "checkbox", value: false }));
  const wait = h("p", { class: "hint", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Aanmelden");
  const form = h("form", { class: "card", novalidate: true, "aria-label": "Aanmelden" },
    alert.el, company.el, contact.el, email.el, phone.el, plan.el, confirmPlan.el, terms.el,
    h("div", { class: "actions" }, submit), wait);

  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    const body = {
      company_name: company.control.value.trim(), contact_name: contact.control.value.trim(),
      email: email.control.value.trim(), phone: phone.control.value.trim() || null,
      plan: plan.value(), plan_confirmation: confirmPlan.control.value, accept_terms: terms.control.checked,
    };
    const missing = [];
    if (!body.company_name) missing.push([company, "Vul de naam van uw bedrijf in."]);
    if (!body.contact_name) missing.push([contact, "Vul uw naam in."]);
    if (!body.email) missing.push([email, "Vul uw e-mailadres in."]);
    if (!body.plan) missing.push([plan, "Kies een abonnement."]);
    if (!body.plan_confirmation) missing.push([confirmPlan, "Kies het abonnement hier nog een keer."]);
    for (const [f, message] of missing) f.setError(message);
    if (missing.length) {
      missing[0][0].control.focus();
      return;
    }
    try {
      const answer = await request("POST", "/v1/signups", { body, auth: false });
      const { accept_terms: _terms, plan_confirmation: _confirmation, ...remember } = body;
      saveState({ ...remember, signup_id: answer.signup_id, activation_token: null });
      navigate("/onboarding/confirm");
    } catch (error) {
      errors.show(error, { plan_not_confirmed: "plan_confirmation", terms_not_accepted: "accept_terms" });
      if (error instanceof ApiError && error.status === 429) holdOff(submit, error.retryAfter, wait);
    }
  }));
  wizardPage(ctx, 0, "Aanmelden",
    "Meld uw bedrijf aan. U krijgt een code per e-mail; daarna kiest u uw kantoorcode en koppelt u uw boekhoudpakket.",
    form, h("p", {}, "Al een account? ", h("a", { href: "#/login" }, "Log in")));
}

export function confirmView(ctx) {
  const saved = state();
  if (!saved.signup_id) {
    navigate("/onboarding/signup", { replace: true });
    return;
  }
  const alert = alertBox();
  const info = alertBox("info");
  const errors = new FormErrors(alert);
  const code = errors.register("code", field({ label: "Bevestigingscode", name: "code", required: true,
    autocomplete: "one-time-code", inputmode: "numeric", attrs: { maxlength: "6", pattern: "[0-9]{6}" },
    hint: `De code van 6 cijfers uit de e-mail aan ${saved.email}. De code is 24 uur geldig.` }));
  const wait = h("p", { class: "hint", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Bevestigen");
  const resend = h("button", { type: "button", class: "secondary" }, "Stuur een nieuwe code");
  const form = h("form", { class: "card narrow", novalidate: true, "aria-label": "Code bevestigen" },
    info.el, alert.el, code.el, h("div", { class: "actions" }, submit, resend), wait);

  resend.addEventListener("click", busyButton(resend, async () => {
    errors.clear();
    info.hide();
    const { signup_id: _id, activation_token: _token, ...body } = saved;
    try {
      await request("POST", "/v1/signups", { auth: false,
        body: { ...body, plan_confirmation: body.plan, accept_terms: true } });
      info.show(h("p", {}, `Er is een nieuwe code gestuurd naar ${saved.email}.`));
      code.control.focus();
    } catch (error) {
      errors.show(error);
      if (error instanceof ApiError && error.status === 429) holdOff(resend, error.retryAfter, wait);
    }
  }));
  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    info.hide();
    const value = code.control.value.replace(/\s/g, "");
    if (!/^\d{6}$/.test(value)) {
      code.setError("Vul de 6 cijfers uit de e-mail in.");
      code.control.focus();
      return;
    }
    try {
      const answer = await request("POST", `/v1/signups/${encodeURIComponent(saved.signup_id)}/confirmation`,
        { body: { code: value }, auth: false });
      saveState({ activation_token: answer.activation_token });
      navigate("/onboarding/activate");
    } catch (error) {
      errors.show(error, { invalid_confirmation_code: "code", confirmation_expired: "code" });
      if (error instanceof ApiError && error.status === 429) {
        holdOff(submit, error.retryAfter, wait);
      }
      if (error instanceof ApiError && error.code === "signup_not_found") {
        alert.show(h("p", {}, errorMessage(error)), h("p", {}, h("a", { href: "#/onboarding/signup" }, "Opnieuw aanmelden")));
      }
    }
  }));
  wizardPage(ctx, 0, "Bevestig uw e-mailadres", `We hebben een code gestuurd naar ${saved.email}.`, form,
    h("p", {}, h("a", { href: "#/onboarding/signup" }, "E-mailadres of abonnement wijzigen")));
}

// --- step 2: activation --------------------------------------------------------------------------------------

const OFFICE_CODE = /^[a-z0-9-]{3,30}$/;

export function activateView(ctx) {
  const token = ctx.query.get("token") || state().activation_token;
  if (ctx.query.get("token")) saveState({ activation_token: ctx.query.get("token") });
  if (!token) {
    wizardPage(ctx, 1, "Activeren", null, h("div", { class: "alert alert-error", role: "alert" },
      h("p", {}, "Er is geen activatielink. Open de link uit de e-mail, of meld u aan."),
      h("p", {}, h("a", { href: "#/onboarding/signup" }, "Aanmelden"))));
    return;
  }
  const saved = state();
  const alert = alertBox();
  const errors = new FormErrors(alert);
  const suggested = (saved.company_name || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/\b(b\.?v\.?|v\.?o\.?f\.?|n\.?v\.?)\b/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30);
  const officeCode = errors.register("office_code", field({ label: "Kantoorcode", name: "office_code", required: true,
    value: suggested.length >= 3 ? suggested : "", autocomplete: "off",
    attrs: { autocapitalize: "none", spellcheck: "false", maxlength: "30" },
    hint: "3 tot 30 tekens: kleine letters, cijfers en '-'. Uniek, en later niet te wijzigen." }));
  const availability = h("div", { class: "availability", role: "status", "aria-live": "polite" });
  officeCode.el.insertBefore(availability, officeCode.errorEl);
  const username = errors.register("username", field({ label: "Gebruikersnaam", name: "username", required: true,
    value: "sync", autocomplete: "username", attrs: { autocapitalize: "none", spellcheck: "false" },
    hint: "Deze eerste gebruiker beheert het kantoor en de koppelingen met het pakket." }));
  const password = errors.register("password", field({ label: "Wachtwoord", name: "password", type: "password",
    required: true, autocomplete: "new-password", hint: "Minstens 12 tekens." }));
  const repeat = field({ label: "Herhaal het wachtwoord", name: "password_repeat", type: "password", required: true,
    autocomplete: "new-password" });
  const submit = h("button", { type: "submit", class: "primary" }, "Activeren");
  const form = h("form", { class: "card", novalidate: true, "aria-label": "Activeren" },
    alert.el, officeCode.el, username.el, password.el, repeat.el, h("div", { class: "actions" }, submit));

  const showSuggestions = (codes, heading) => {
    if (!codes || !codes.length) return null;
    return h("div", { class: "suggestions" }, h("span", {}, heading),
      codes.map((suggestion) => h("button", { type: "button", class: "chip", dataset: { suggestion },
        "aria-label": `Gebruik ${suggestion}`, on: { click: () => {
          officeCode.control.value = suggestion;
          officeCode.setError("");
          officeCode.control.focus();
          check();
        } } }, suggestion)));
  };

  let lastChecked = "";
  const runCheck = async () => {
    const value = officeCode.control.value.trim().toLowerCase();
    if (value === lastChecked) return;
    lastChecked = value;
    availability.replaceChildren();
    availability.className = "availability";
    if (!value) return;
    if (!OFFICE_CODE.test(value)) {
      availability.classList.add("bad");
      replace(availability, value.length < 3 ? "Te kort: minstens 3 tekens." : value.length > 30
        ? "Te lang: hoogstens 30 tekens." : "Alleen kleine letters, cijfers en '-' zijn toegestaan.");
      return;
    }
    replace(availability, "Beschikbaarheid controleren…");
    try {
      const answer = await request("POST", "/v1/office-code-checks", { auth: false,
        body: { activation_token: token, office_code: value } });
      if (officeCode.control.value.trim().toLowerCase() !== value) return;
      availability.classList.add(answer.available ? "good" : "bad");
      replace(availability,
        h("span", { dataset: { available: String(Boolean(answer.available)) } },
          answer.valid === false ? "Deze kantoorcode is niet geldig."
            : answer.available ? `✓ ${answer.office_code} is beschikbaar.` : `✗ ${answer.office_code} is al in gebruik.`),
        answer.available ? null : showSuggestions(answer.suggestions, "Vrij:"));
    } catch (error) {
      if (error instanceof ApiError && error.code === "validation_error") {
        availability.classList.add("bad");
        replace(availability, "Deze kantoorcode is niet geldig.");
      } else if (error instanceof ApiError && error.status === 429) {
        replace(availability, "");
        lastChecked = "";
      } else if (error instanceof ApiError && error.status !== 0) {
        replace(availability, errorMessage(error));
      } else {
        replace(availability, "");
        lastChecked = "";
      }
    }
  };
  const check = debounce(runCheck, 350);
  officeCode.control.addEventListener("input", () => {
    officeCode.setError("");
    check();
  });
  if (officeCode.control.value) runCheck();

  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    repeat.setError("");
    const body = { activation_token: token, office_code: officeCode.control.value.trim().toLowerCase(),
      username: username.control.value.trim(), password: password.control.value };
    if (!OFFICE_CODE.test(body.office_code)) {
      officeCode.setError("Gebruik 3 tot 30 tekens: kleine letters, cijfers en '-'.");
      officeCode.control.focus();
      return;
    }
    if (!body.username) {
      username.setError("Kies een gebruikersnaam.");
      username.control.focus();
      return;
    }
    if (body.password !== repeat.control.value) {
      repeat.setError("De wachtwoorden zijn niet gelijk.");
      repeat.control.focus();
      return;
    }
    try {
      const answer = await request("POST", "/v1/activations", { body, auth: false });
      saveState({ activation_token: null, office_code: answer.office_code, username: answer.username });
      let loggedIn = false;
      try {
        await login(answer.office_code, answer.username, body.password);
        loggedIn = true;
      } catch {
        loggedIn = false;
      }
      activatedPage(ctx, answer, loggedIn);
    } catch (error) {
      errors.show(error, { office_code_taken: "office_code", weak_password: "password" });
      if (error instanceof ApiError && error.code === "office_code_taken") {
        lastChecked = body.office_code;
        availability.className = "availability bad";
        replace(availability, showSuggestions(error.body.suggestions, "Deze zijn nog vrij:"));
      }
      if (error instanceof ApiError && ["already_activated", "activation_expired", "invalid_activation_token"].includes(error.code)) {
        alert.show(h("p", {}, errorMessage(error)), error.code === "already_activated"
          ? h("p", {}, h("a", { href: "#/login" }, "Naar inloggen"))
          : h("p", {}, h("a", { href: "#/onboarding/signup" }, "Opnieuw aanmelden")));
        alert.el.focus();
      }
    }
  }));
  wizardPage(ctx, 1, "Activeer uw abonnement",
    "Kies de kantoorcode waarmee iedereen van uw kantoor inlogt, en de eerste gebruiker.", form);
}

function activatedPage(ctx, answer, loggedIn) {
  wizardPage(ctx, 1, "Uw kantoor is actief", null,
    h("div", { class: "card" },
      h("p", {}, "Noteer deze gegevens: u logt er voortaan mee in, en wij e-mailen ze niet."),
      h("dl", { class: "facts big" },
        h("dt", {}, "Kantoorcode"), h("dd", { dataset: { testid: "office-code" } }, answer.office_code),
        h("dt", {}, "Gebruikersnaam"), h("dd", {}, answer.username),
        h("dt", {}, "Abonnement"), h("dd", {}, PLAN[answer.plan] || answer.plan),
        answer.trial_ends_at ? [h("dt", {}, "Proefperiode tot"), h("dd", {}, date(answer.trial_ends_at))] : null),
      h("div", { class: "actions" }, loggedIn
        ? h("a", { class: "button primary", href: "#/onboarding/package" }, "Verder: boekhoudpakket koppelen")
        : h("a", { class: "button primary", href: `#/login?next=${encodeURIComponent("/onboarding/package")}&office=${encodeURIComponent(answer.office_code)}&user=${encodeURIComponent(answer.username)}` }, "Inloggen"))));
}

// --- step 3: link a package ------------------------------------------------------------------------------------

let packagesCache = null;

export async function packages() {
  if (!packagesCache) packagesCache = request("GET", "/v1/packages", { auth: false }).catch((error) => {
    packagesCache = null;
    throw error;
  });
  return packagesCache;
}

/**
 * The package form: choose a package, then its credentials or its login page. `returnTo` says where the OAuth
 * round trip should continue ("onboarding" or "settings"); `onLinked(connection)` runs for credentials packages.
 */
export function packageForm({ returnTo, onLinked }) {
  const container = h("div", { class: "package-form" }, loading("Pakketten laden…"));
  packages().then((list) => {
    const alert = alertBox();
    const errors = new FormErrors(alert);
    const choice = errors.register("package", radioGroup({ legend: "Boekhoudpakket", name: "package",
      options: list.map((p) => ({ value: p.id, label: p.name,
        hint: p.auth === "oauth2" ? "U logt in bij het pakket zelf" : "Met een koppelsleutel of inloggegevens" })) }));
    const details = h("div", { class: "package-details" });
    const submit = h("button", { type: "submit", class: "primary", disabled: true }, "Koppelen");
    const form = h("form", { class: "card", novalidate: true, "aria-label": "Boekhoudpakket koppelen" },
      alert.el, choice.el, details, h("div", { class: "actions" }, submit));
    let description = null;
    let credentialFields = [];

    const showDetails = () => {
      const selected = list.find((p) => p.id === choice.value());
      errors.clear();
      details.replaceChildren();
      submit.disabled = !selected;
      if (!selected) return;
      errors.fields.delete("description");
      description = null;
      if (selected.asks_description) {
        description = errors.register("description", field({ label: "Omschrijving van deze koppeling", name: "description",
          required: true, value: `${selected.name} kantoor`,
          hint: "Zo herkent u de koppeling later, bijvoorbeeld als u meer dan één koppeling met dit pakket heeft." }));
        details.append(description.el);
      }
      credentialFields = [];
      if (selected.auth === "credentials") {
        for (const item of selected.credential_fields || []) {
          const control = errors.register(`credentials.${item.name}`, field({ label: item.label, name: item.name,
            type: item.secret ? "password" : "text", required: true, autocomplete: "off",
            attrs: { spellcheck: "false", autocapitalize: "none" } }));
          credentialFields.push([item.name, control]);
          details.append(control.el);
        }
        submit.textContent = "Koppelen";
      } else {
        details.append(h("p", { class: "note" },
          `U gaat naar de inlogpagina van ${selected.name}. Log daar in met de gebruiker die alle administraties mag zien, ook administraties die later komen. Daarna komt u hier terug.`));
        submit.textContent = `Inloggen bij ${selected.name}`;
      }
    };
    for (const input of choice.inputs) input.addEventListener("change", showDetails);

    form.addEventListener("submit", busyButton(submit, async () => {
      errors.clear();
      const selected = list.find((p) => p.id === choice.value());
      if (!selected) {
        choice.setError("Kies een boekhoudpakket.");
        return;
      }
      const body = { package: selected.id };
      if (description) {
        body.description = description.control.value.trim();
        if (!body.description) {
          description.setError("Geef deze koppeling een omschrijving.");
          description.control.focus();
          return;
        }
      }
      if (credentialFields.length) {
        body.credentials = {};
        const empty = credentialFields.filter(([, control]) => !control.control.value.trim());
        for (const [, control] of empty) control.setError("Dit veld is verplicht.");
        if (empty.length) {
          empty[0][1].control.focus();
          return;
        }
        for (const [name, control] of credentialFields) body.credentials[name] = control.control.value.trim();
      }
      try {
        const answer = await request("POST", office("connections"), { body });
        if (answer.status === "pending_authorization" && answer.authorize_url) {
          sessionStorage.setItem(OAUTH_KEY, JSON.stringify({ returnTo, connection_id: answer.connection_id,
            package: selected.id, app: appOrigin() }));
          announce(`Doorsturen naar ${selected.name}`);
          window.location.assign(answer.authorize_url);
          return;
        }
        for (const [, control] of credentialFields) control.control.value = "";
        onLinked(answer, selected);
      } catch (error) {
        const firstCredential = credentialFields.length ? `credentials.${credentialFields[0][0]}` : "package";
        errors.show(error, { description_required: "description", invalid_package_credentials: firstCredential,
          unknown_package: "package" });
      }
    }));
    replace(container, form);
  }).catch((error) => replace(container, loadError(error, () => replace(container, packageForm({ returnTo, onLinked })))));
  return container;
}

export function packageView(ctx) {
  wizardPage(ctx, 2, "Koppel uw boekhoudpakket",
    "boekstuk boekt goedgekeurde documenten in uw pakket en leest er leveranciers, grootboekrekeningen en btw-codes uit.",
    packageForm({ returnTo: "onboarding", onLinked: (connection) => {
      navigate(`/onboarding/administrations?connection_id=${encodeURIComponent(connection.connection_id)}`);
    } }));
}

/** Back from the package's login page: #/onboarding/connected?connection_id=...&status=verified|error&code=... */
export function connectedView(ctx) {
  let pending = {};
  try {
    pending = JSON.parse(sessionStorage.getItem(OAUTH_KEY) || "{}") || {};
  } catch {
    pending = {};
  }
  sessionStorage.removeItem(OAUTH_KEY);
  const connectionId = ctx.query.get("connection_id");
  const status = ctx.query.get("status");
  if (status === "verified" && connectionId) {
    announce("Het pakket is gekoppeld");
    const target = pending.returnTo === "settings"
      ? `/settings/connections/${encodeURIComponent(connectionId)}`
      : `/onboarding/administrations?connection_id=${encodeURIComponent(connectionId)}&linked=1`;
    navigate(target, { replace: true });
    return;
  }
  const code = ctx.query.get("code") || "";
  const message = code ? errorMessage(new ApiError({ status: 400, code })) : "De koppeling met het pakket is niet gelukt.";
  const retry = pending.returnTo === "settings" ? "#/settings/connections" : "#/onboarding/package";
  wizardPage(ctx, 2, "Koppelen niet gelukt", null,
    h("div", { class: "alert alert-error", role: "alert", dataset: { code } },
      h("p", {}, message), h("p", {}, h("a", { href: retry }, "Probeer het opnieuw"))));
}

// --- step 4: administrations ----------------------------------------------------------------------------------

/**
 * The administrations the linked package user can see, to add at most five at a time. Linked and inaccessible
 * ones are listed but cannot be chosen, with the reason. `onAdded(added)` runs after a successful add.
 */
export function administrationsForm(connectionId, { onAdded }) {
  const container = h("div", { class: "administrations-form" }, loading("Administraties ophalen uit het pakket…"));
  const load = async () => {
    replace(container, loading("Administraties ophalen uit het pakket…"));
    let list;
    try {
      list = (await request("GET", office(`connections/${encodeURIComponent(connectionId)}/administrations`))).administrations;
    } catch (error) {
      replace(container, loadError(error, load));
      return;
    }
    const alert = alertBox();
    const counter = h("p", { class: "counter", role: "status", "aria-live": "polite" });
    const boxes = [];
    const rows = list.map((item) => {
      const id = uid("administration");
      const reason = item.linked ? "Al toegevoegd" : !item.accessible
        ? "Geen toegang: de gekoppelde gebruiker van het pakket heeft geen rechten op deze administratie" : "";
      const reasonId = `${id}-reason`;
      const input = h("input", { type: "checkbox", id, value: item.code, disabled: Boolean(reason),
        "aria-describedby": reason ? reasonId : null, dataset: { code: item.code } });
      if (!reason) boxes.push(input);
      return h("li", { class: ["admin-choice", reason ? "unavailable" : null], dataset: { code: item.code } },
        input,
        h("label", { for: id }, h("span", { class: "choice-title" }, item.name), h("span", { class: "code" }, `Code ${item.code}`)),
        reason ? h("p", { class: "reason", id: reasonId }, reason) : null);
    });
    const submit = h("button", { type: "submit", class: "primary" }, "Toevoegen");
    const update = () => {
      const chosen = boxes.filter((b) => b.checked).length;
      counter.textContent = `${chosen} van maximaal ${MAX_ADMINISTRATIONS} gekozen`;
      for (const box of boxes) box.disabled = !box.checked && chosen >= MAX_ADMINISTRATIONS;
      submit.disabled = chosen === 0;
    };
    for (const box of boxes) box.addEventListener("change", update);
    update();
    const form = h("form", { class: "card", novalidate: true, "aria-label": "Administraties kiezen" },
      alert.el,
      h("fieldset", { class: "field" },
        h("legend", {}, "Administraties"),
        h("p", { class: "hint" }, `Kies er maximaal ${MAX_ADMINISTRATIONS} per keer; daarna kunt u er meer toevoegen.`),
        list.length ? h("ul", { class: "admin-list" }, rows) : h("p", {}, "Het pakket toont geen administraties voor deze gebruiker.")),
      counter, h("div", { class: "actions" }, submit));
    form.addEventListener("submit", busyButton(submit, async () => {
      alert.hide();
      for (const row of rows) row.classList.remove("has-error");
      const codes = boxes.filter((b) => b.checked).map((b) => b.value);
      if (!codes.length) {
        alert.show(h("p", {}, "Kies minstens één administratie."));
        alert.el.focus();
        return;
      }
      try {
        const answer = await request("POST", office(`connections/${encodeURIComponent(connectionId)}/administrations`),
          { body: { codes } });
        onAdded(answer.added);
      } catch (error) {
        const named = error instanceof ApiError && Array.isArray(error.body.codes) ? error.body.codes : [];
        for (const row of rows) if (named.includes(row.dataset.code)) row.classList.add("has-error");
        alert.show(h("p", {}, errorMessage(error)));
        alert.el.focus();
        if (error instanceof ApiError && error.code === "administration_already_linked") {
          setTimeout(load, 2500); // someone else linked them meanwhile: show the list as it is now
        }
      }
    }));
    replace(container, form);
  };
  load();
  return container;
}

export function administrationsView(ctx) {
  const connectionId = ctx.query.get("connection_id");
  if (!connectionId) {
    navigate("/onboarding/package", { replace: true });
    return;
  }
  const news = ctx.query.get("linked") ? h("div", { class: "alert alert-success", role: "status" },
    h("p", {}, "Het pakket is gekoppeld.")) : null;
  wizardPage(ctx, 3, "Kies uw administraties",
    "Documenten komen per administratie binnen. Voeg de administraties toe waarvoor boekstuk moet boeken.",
    news,
    administrationsForm(connectionId, { onAdded: (added) => doneView(ctx, added) }));
}

function doneView(ctx, added) {
  sessionStorage.removeItem(STATE_KEY);
  const first = added[0];
  replace(ctx.main, h("div", { class: "wizard" }, stepper(4),
    ...pageTitle(ctx, "Klaar: u kunt beginnen"),
    h("div", { class: "card" },
      h("p", {}, `Toegevoegd: ${added.map((a) => `${a.name} (${a.code})`).join(", ")}. De leveranciers worden nu uit het pakket opgehaald.`),
      h("div", { class: "actions" },
        first ? h("a", { class: "button primary", href: `#/inbox/${encodeURIComponent(first.administration_id)}` }, "Naar de inbox") : null,
        h("a", { class: "button secondary", href: "#/onboarding/package" }, "Nog een pakket koppelen"),
        h("a", { class: "button secondary", href: "#/settings/connections" }, "Koppelingen beheren")))));
  focusTitle();
}
