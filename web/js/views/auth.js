// Login and password reset.

import { ApiError, currentSession, login, request } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { FormErrors, alertBox, busyButton, field, holdOff } from "../forms.js";
import { navigate } from "../router.js";
import { focusTitle, pageTitle } from "../ui.js";

const OFFICE_CODE_PATTERN = "[A-Za-z0-9-]{3,30}";

/** Where to go after logging in: the `next` route when it is one of ours, else the start page. */
function nextRoute(query) {
  const next = query.get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

export function loginView(ctx) {
  if (currentSession() && !ctx.query.get("expired")) {
    navigate(nextRoute(ctx.query), { replace: true });
    return undefined;
  }
  const alert = alertBox();
  const news = alertBox("info");
  const errors = new FormErrors(alert);
  const officeCode = errors.register("office_code", field({ label: "Kantoorcode", name: "office_code", required: true,
    autocomplete: "organization", value: ctx.query.get("office") || "", attrs: { autocapitalize: "none", spellcheck: "false" } }));
  const username = errors.register("username", field({ label: "Gebruikersnaam", name: "username", required: true,
    autocomplete: "username", value: ctx.query.get("user") || "", attrs: { autocapitalize: "none", spellcheck: "false" } }));
  const password = errors.register("password", field({ label: "Wachtwoord", name: "password", type: "password",
    required: true, autocomplete: "current-password" }));
  const wait = h("p", { class: "hint", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Inloggen");
  const form = h("form", { class: "card narrow", novalidate: true, "aria-label": "Inloggen" },
    alert.el, news.el, officeCode.el, username.el, password.el, h("div", { class: "actions" }, submit), wait);
  if (ctx.query.get("expired")) news.show(h("p", {}, "Uw sessie is verlopen. Log opnieuw in om verder te gaan."));
  if (ctx.query.get("reset")) news.show(h("p", {}, "Uw wachtwoord is gewijzigd. Log in met het nieuwe wachtwoord."));
  if (ctx.query.get("loggedout")) news.show(h("p", {}, "U bent uitgelogd."));

  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    const missing = [[officeCode, "Vul uw kantoorcode in."], [username, "Vul uw gebruikersnaam in."],
      [password, "Vul uw wachtwoord in."]].filter(([f]) => !f.control.value.trim());
    for (const [f, message] of missing) f.setError(message);
    if (missing.length) {
      missing[0][0].control.focus();
      return;
    }
    try {
      await login(officeCode.control.value.trim().toLowerCase(), username.control.value.trim(), password.control.value);
      announce("Ingelogd");
      navigate(nextRoute(ctx.query), { replace: true });
    } catch (error) {
      errors.show(error);
      password.control.value = "";
      if (error instanceof ApiError && error.status === 429) holdOff(submit, error.retryAfter, wait);
    }
  }));

  replace(ctx.main,
    h("div", { class: "auth-page" },
      ...pageTitle(ctx, "Inloggen", "Log in met de kantoorcode, gebruikersnaam en het wachtwoord die u bij het activeren koos."),
      form,
      h("ul", { class: "link-list" },
        h("li", {}, h("a", { href: "#/password-reset" }, "Wachtwoord vergeten?")),
        h("li", {}, h("a", { href: "#/onboarding/signup" }, "Nog geen account? Meld u aan")))));
  focusTitle();
  return undefined;
}

export function passwordResetView(ctx) {
  const main = ctx.main;
  let office = ctx.query.get("office") || "";
  let user = ctx.query.get("user") || "";

  const askStep = () => {
    const alert = alertBox();
    const errors = new FormErrors(alert);
    const officeCode = errors.register("office_code", field({ label: "Kantoorcode", name: "office_code", required: true,
      value: office, autocomplete: "organization", attrs: { autocapitalize: "none", pattern: OFFICE_CODE_PATTERN } }));
    const username = errors.register("username", field({ label: "Gebruikersnaam", name: "username", required: true,
      value: user, autocomplete: "username", attrs: { autocapitalize: "none" } }));
    const wait = h("p", { class: "hint", role: "status" });
    const submit = h("button", { type: "submit", class: "primary" }, "Code versturen");
    // The e-mail's link leads here: whoever has the code already enters it without asking for another one.
    const haveCode = h("button", { type: "button", class: "secondary" }, "Ik heb al een code");
    const form = h("form", { class: "card narrow", novalidate: true, "aria-label": "Code aanvragen" },
      alert.el, officeCode.el, username.el, h("div", { class: "actions" }, submit, haveCode), wait);
    const filledIn = () => {
      errors.clear();
      office = officeCode.control.value.trim().toLowerCase();
      user = username.control.value.trim();
      if (!user) username.setError("Vul uw gebruikersnaam in.");
      if (!office) officeCode.setError("Vul uw kantoorcode in.");
      if (!user) username.control.focus();
      if (!office) officeCode.control.focus();
      return Boolean(office && user);
    };
    haveCode.addEventListener("click", () => {
      if (filledIn()) confirmStep({ sent: false });
    });
    form.addEventListener("submit", busyButton(submit, async () => {
      if (!filledIn()) return;
      try {
        await request("POST", "/v1/password-resets", { body: { office_code: office, username: user }, auth: false });
        confirmStep({ sent: true });
      } catch (error) {
        errors.show(error);
        if (error instanceof ApiError && error.status === 429) holdOff(submit, error.retryAfter, wait);
      }
    }));
    replace(main, h("div", { class: "auth-page" },
      ...pageTitle(ctx, "Wachtwoord vergeten",
        "Vul uw kantoorcode en gebruikersnaam in. Wij sturen een code van 6 cijfers naar het e-mailadres van die gebruiker."),
      form, h("p", {}, h("a", { href: "#/login" }, "Terug naar inloggen"))));
    focusTitle();
  };

  const confirmStep = ({ sent }) => {
    const alert = alertBox();
    const info = alertBox("info");
    const errors = new FormErrors(alert);
    const code = errors.register("code", field({ label: "Code uit de e-mail", name: "code", required: true,
      autocomplete: "one-time-code", inputmode: "numeric", attrs: { maxlength: "6", pattern: "[0-9]{6}" },
      hint: "De code is 30 minuten geldig." }));
    const password = errors.register("new_password", field({ label: "Nieuw wachtwoord", name: "new_password",
      type: "password", required: true, autocomplete: "new-password", hint: "Minstens 12 tekens." }));
    const repeat = field({ label: "Herhaal het nieuwe wachtwoord", name: "repeat", type: "password", required: true,
      autocomplete: "new-password" });
    const wait = h("p", { class: "hint", role: "status" });
    const submit = h("button", { type: "submit", class: "primary" }, "Wachtwoord wijzigen");
    const again = h("button", { type: "button", class: "link-button" }, "Nieuwe code aanvragen");
    again.addEventListener("click", () => askStep());
    if (sent) info.show(h("p", {}, "Als deze gebruiker bestaat, is er een code naar het e-mailadres van de gebruiker gestuurd."));
    const form = h("form", { class: "card narrow", novalidate: true, "aria-label": "Nieuw wachtwoord instellen" },
      info.el, alert.el, code.el, password.el, repeat.el, h("div", { class: "actions" }, submit, again), wait);
    form.addEventListener("submit", busyButton(submit, async () => {
      errors.clear();
      repeat.setError("");
      const value = code.control.value.replace(/\s/g, "");
      if (!/^\d{6}$/.test(value)) {
        code.setError("Vul de 6 cijfers uit de e-mail in.");
        code.control.focus();
        return;
      }
      if (password.control.value.length < 12) {
        password.setError("Gebruik minstens 12 tekens.");
        password.control.focus();
        return;
      }
      if (password.control.value !== repeat.control.value) {
        repeat.setError("De wachtwoorden zijn niet gelijk.");
        repeat.control.focus();
        return;
      }
      try {
        await request("POST", "/v1/password-resets/confirmation", { auth: false, body: {
          office_code: office, username: user, code: value, new_password: password.control.value } });
        navigate(`/login?reset=1&office=${encodeURIComponent(office)}&user=${encodeURIComponent(user)}`);
      } catch (error) {
        errors.show(error, { invalid_code: "code", weak_password: "new_password" });
        if (error instanceof ApiError && error.status === 429) {
          alert.show(h("p", {}, "Te veel foute codes: deze code is niet meer geldig. Vraag een nieuwe code aan."));
          code.control.value = "";
        }
      }
    }));
    replace(main, h("div", { class: "auth-page" },
      ...pageTitle(ctx, "Nieuw wachtwoord instellen", `Voor ${user} bij kantoor ${office}.`),
      form, h("p", {}, h("a", { href: "#/login" }, "Terug naar inloggen"))));
    focusTitle();
  };

  askStep();
  return undefined;
}
