// Settings: administrations (e-mail-in address, supplier sync), approval policy, supplier posting rules, users
// and roles, package connections (add a package, add administrations: the wizard's own steps).

import { office, request } from "../api.js";
import { announce, h, replace, uid } from "../dom.js";
import { FormErrors, alertBox, busyButton, field } from "../forms.js";
import { ROLE, VAT_KIND, amountInput, dateTime, errorMessage, parseAmount } from "../nl.js";
import { navigate } from "../router.js";
import { administrations, glAccounts, me, suppliers, users, vatCodes } from "../store.js";
import { backLink, focusTitle, loadError, loading, openDialog, pageTitle } from "../ui.js";
import { administrationsForm, packageForm, packages } from "./onboarding.js";

const TABS = [
  ["/settings/administrations", "Administraties"],
  ["/settings/users", "Gebruikers"],
  ["/settings/connections", "Koppelingen"],
];

function tabs(current) {
  return h("nav", { class: "tabs", "aria-label": "Instellingen" }, h("ul", {}, TABS.map(([path, label]) =>
    h("li", {}, h("a", { href: `#${path}`, "aria-current": current === path ? "page" : null }, label)))));
}

function settingsPage(ctx, tab, title, lead, ...content) {
  replace(ctx.main, h("p", { class: "section-label" }, "Instellingen"), tabs(tab), ...pageTitle(ctx, title, lead), ...content);
  focusTitle();
}

async function guarded(ctx, tab, title, load) {
  settingsPage(ctx, tab, title, null, loading());
  try {
    return await load();
  } catch (error) {
    if (error && error.name === "AbortError") return null;
    settingsPage(ctx, tab, title, null, loadError(error, () => guarded(ctx, tab, title, load)));
    return null;
  }
}

function packageLabel(list, id) {
  const found = (list || []).find((p) => p.id === id);
  return found ? found.name : id;
}

// --- administrations ----------------------------------------------------------------------------------------

export async function administrationsSettingsView(ctx) {
  const data = await guarded(ctx, "/settings/administrations", "Administraties", () =>
    Promise.all([administrations({ fresh: true }), packages().catch(() => [])]));
  if (!data || !ctx.isCurrent()) return;
  const [list, packageList] = data;
  const notice = alertBox("info");
  const rows = list.map((admin) => {
    const sync = h("button", { type: "button", class: "secondary small" }, "Leveranciers synchroniseren");
    sync.addEventListener("click", busyButton(sync, async () => {
      try {
        await request("POST", office(`administrations/${encodeURIComponent(admin.administration_id)}/supplier-sync`), { body: {} });
        notice.show(h("p", {}, `De leveranciers van ${admin.name} worden opgehaald.`));
      } catch (error) {
        notice.show(h("p", {}, errorMessage(error)));
      }
    }));
    const copy = admin.inbox_email ? h("button", { type: "button", class: "secondary small", "aria-label": `E-mailadres van ${admin.name} kopiëren` }, "Kopiëren") : null;
    if (copy) {
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(admin.inbox_email);
          announce("E-mailadres gekopieerd");
          copy.textContent = "Gekopieerd";
        } catch {
          announce("Kopiëren lukte niet; selecteer het adres en kopieer het zelf.");
        }
      });
    }
    return h("article", { class: "card admin-card", dataset: { administration: admin.administration_id } },
      h("h2", {}, `${admin.name} `, h("span", { class: "code" }, `(${admin.code})`)),
      h("dl", { class: "facts" },
        h("dt", {}, "Pakket"), h("dd", {}, packageLabel(packageList, admin.package)),
        h("dt", {}, "E-mail-in"), h("dd", {}, admin.inbox_email
          ? [h("span", { class: "inbox-address", dataset: { testid: "inbox-email" } }, admin.inbox_email), " ", copy]
          : "Nog niet beschikbaar"),
        h("dt", {}, "Leveranciers"), h("dd", {}, `${admin.suppliers.count}`, admin.suppliers.synced_at
          ? ` · bijgewerkt ${dateTime(admin.suppliers.synced_at)}` : " · nog niet opgehaald"),
        admin.sync_error ? [h("dt", {}, "Synchronisatie"), h("dd", { class: "error-text" }, "Mislukt: ",
          h("span", { lang: "en" }, admin.sync_error))] : null),
      h("div", { class: "actions" },
        h("a", { class: "button secondary", href: `#/inbox/${encodeURIComponent(admin.administration_id)}` }, "Inbox"),
        h("a", { class: "button secondary", href: `#/settings/approval/${encodeURIComponent(admin.administration_id)}` }, "Goedkeuringsbeleid"),
        h("a", { class: "button secondary", href: `#/settings/rules/${encodeURIComponent(admin.administration_id)}` }, "Boekingsregels"),
        sync));
  });
  settingsPage(ctx, "/settings/administrations", "Administraties",
    "Documenten mailen kan naar het eigen e-mailadres van elke administratie: elke bijlage wordt een document.",
    notice.el, rows.length ? rows : h("p", {}, "Nog geen administraties."),
    h("p", {}, h("a", { class: "button primary", href: "#/settings/connections" }, "Administraties toevoegen")));
}

// --- approval policy ------------------------------------------------------------------------------------------

export async function approvalSettingsView(ctx) {
  const administrationId = ctx.params.id;
  const base = office(`administrations/${encodeURIComponent(administrationId)}/approval-policy`);
  const data = await guarded(ctx, "/settings/administrations", "Goedkeuringsbeleid", () =>
    Promise.all([administrations(), request("GET", base), users(), me().catch(() => null)]));
  if (!data || !ctx.isCurrent()) return;
  const [admins, policy, userList, user] = data;
  const admin = admins.find((a) => a.administration_id === administrationId);
  const alert = alertBox();
  const saved = alertBox("success");
  const errors = new FormErrors(alert);
  const steps = (policy.steps || []).map((step) => ({ min_amount: amountInput(step.min_amount || "0"),
    approvers: [...(step.approvers || [])], required: step.required || 1 }));
  if (!steps.length) steps.push({ min_amount: "0,00", approvers: [], required: 1 });
  const auto = field({ label: "Automatisch goedkeuren onder (optioneel)", name: "auto_approve_below",
    value: policy.auto_approve_below ? amountInput(policy.auto_approve_below) : "", inputmode: "decimal",
    hint: "Documenten met een totaal onder dit bedrag worden zonder goedkeuring geboekt. Leeg: nooit." });
  errors.register("auto_approve_below", auto);
  const stepsList = h("div", { class: "steps" });
  const candidates = userList.filter((u) => u.role !== "submitter");

  const drawSteps = () => {
    stepsList.replaceChildren();
    for (const key of [...errors.fields.keys()]) if (key.startsWith("steps.")) errors.fields.delete(key);
    steps.forEach((step, index) => {
      const min = field({ label: "Vanaf bedrag (totaal incl. btw)", name: `steps.${index}.min_amount`, value: step.min_amount,
        inputmode: "decimal" });
      min.control.addEventListener("input", () => { step.min_amount = min.control.value; });
      errors.register(`steps.${index}.min_amount`, min);
      const required = field({ label: "Aantal goedkeuringen nodig", name: `steps.${index}.required`, type: "number",
        value: String(step.required), attrs: { min: "1", max: "10", step: "1" } });
      required.control.addEventListener("input", () => { step.required = Number(required.control.value) || 1; });
      errors.register(`steps.${index}.required`, required);
      const approversError = h("p", { class: "field-error", hidden: true });
      const approverBoxes = candidates.map((candidate) => {
        const id = uid("approver");
        const box = h("input", { type: "checkbox", id, value: candidate.username, checked: step.approvers.includes(candidate.username) });
        box.addEventListener("change", () => {
          step.approvers = candidates.filter((_, i) => approverBoxes[i].querySelector("input").checked).map((c) => c.username);
        });
        return h("div", { class: "choice" }, box, h("label", { for: id }, candidate.username,
          h("span", { class: "choice-hint" }, ROLE[candidate.role] || candidate.role)));
      });
      const approvers = h("fieldset", { class: "field" }, h("legend", {}, "Goedkeurders"), approverBoxes, approversError);
      const approversControl = { control: { focus: () => approvers.querySelector("input")?.focus() },
        setError: (message) => { approversError.hidden = !message; approversError.textContent = message || ""; } };
      errors.register(`steps.${index}.approvers`, approversControl);
      errors.alias(new RegExp(`^steps\\.${index}\\.approvers\\.\\d+$`), `steps.${index}.approvers`);
      const remove = h("button", { type: "button", class: "secondary small", disabled: steps.length < 2 },
        `Stap ${index + 1} verwijderen`);
      remove.addEventListener("click", () => {
        steps.splice(index, 1);
        drawSteps();
      });
      stepsList.append(h("fieldset", { class: "card step", dataset: { step: String(index) } },
        h("legend", {}, `Stap ${index + 1}`), h("div", { class: "grid-2" }, min.el, required.el), approvers,
        h("div", { class: "actions" }, remove)));
    });
  };
  drawSteps();
  const add = h("button", { type: "button", class: "secondary" }, "Stap toevoegen");
  add.addEventListener("click", () => {
    const last = steps.at(-1);
    steps.push({ min_amount: last ? amountInput(Number(parseAmount(last.min_amount) || 0) + 5000) : "0,00", approvers: [], required: 1 });
    drawSteps();
    stepsList.lastElementChild.querySelector("input").focus();
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Beleid opslaan");
  const form = h("form", { novalidate: true, "aria-label": "Goedkeuringsbeleid" }, alert.el, saved.el, stepsList, add, auto.el,
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    saved.hide();
    const body = { steps: [], auto_approve_below: null };
    let bad = false;
    steps.forEach((step, index) => {
      const amount = parseAmount(step.min_amount || "0");
      if (amount === null) {
        errors.fields.get(`steps.${index}.min_amount`).setError("Vul een bedrag in, bijvoorbeeld 5000,00.");
        bad = true;
      }
      if (!step.approvers.length) {
        errors.fields.get(`steps.${index}.approvers`).setError("Kies minstens één goedkeurder.");
        bad = true;
      }
      body.steps.push({ min_amount: amount ?? step.min_amount, approvers: step.approvers, required: step.required });
    });
    if (auto.control.value.trim()) {
      body.auto_approve_below = parseAmount(auto.control.value);
      if (body.auto_approve_below === null) {
        auto.setError("Vul een bedrag in, bijvoorbeeld 50,00.");
        bad = true;
      }
    }
    if (bad) return;
    try {
      await request("PUT", base, { body });
      if (defaultNote) defaultNote.hidden = true;
      saved.show(h("p", {}, "Het goedkeuringsbeleid is opgeslagen."));
      saved.el.focus();
    } catch (error) {
      errors.show(error);
    }
  }));
  const isAdmin = !user || user.is_admin;
  const defaultNote = policy.is_default
    ? h("p", { class: "note" }, "Er is nog geen beleid: nu is één goedkeuring nodig van een beheerder of goedkeurder.") : null;
  settingsPage(ctx, "/settings/administrations", "Goedkeuringsbeleid",
    `${admin ? `${admin.name} (${admin.code}). ` : ""}Stappen gelden voor documenten met een totaal vanaf hun bedrag, in volgorde.`,
    backLink("#/settings/administrations", "Administraties"),
    defaultNote,
    policy.updated_at ? h("p", { class: "hint" }, `Laatst gewijzigd ${dateTime(policy.updated_at)}${policy.updated_by ? ` door ${policy.updated_by}` : ""}.`) : null,
    isAdmin ? null : h("p", { class: "note" }, "Alleen beheerders kunnen het beleid wijzigen."),
    h("div", { class: "card" }, form));
}

// --- posting rules --------------------------------------------------------------------------------------------

export async function rulesSettingsView(ctx) {
  const administrationId = ctx.params.id;
  const data = await guarded(ctx, "/settings/administrations", "Boekingsregels", () =>
    Promise.all([administrations(), glAccounts(administrationId), vatCodes(administrationId)]));
  if (!data || !ctx.isCurrent()) return;
  const [admins, gl, vat] = data;
  const admin = admins.find((a) => a.administration_id === administrationId);
  const search = field({ label: "Zoek leverancier", name: "q", type: "search", hint: "Op naam, btw-nummer, KvK-nummer of IBAN." });
  const notice = alertBox("info");
  const body = h("div", {}, loading("Leveranciers laden…"));
  const glName = (code) => (gl.find((a) => a.code === code) || {}).name || "";
  const vatName = (code) => (vat.find((v) => v.code === code) || {}).name || "";

  const load = async () => {
    let list;
    try {
      list = await suppliers(administrationId, search.control.value.trim(), { limit: 100 });
    } catch (error) {
      replace(body, loadError(error, load));
      return;
    }
    if (!list.length) {
      replace(body, h("p", {}, search.control.value.trim() ? "Geen leveranciers gevonden." : "Nog geen leveranciers: synchroniseer ze onder Administraties."));
      return;
    }
    replace(body, h("table", { class: "rules" },
      h("caption", { class: "visually-hidden" }, "Leveranciers en hun boekingsregels"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Leverancier"), h("th", { scope: "col" }, "Boekingsregel"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Acties")))),
      h("tbody", {}, list.map((supplier) => {
        const edit = h("button", { type: "button", class: "secondary small", "aria-label": supplier.rule ? `Regel voor ${supplier.name} wijzigen` : `Regel maken voor ${supplier.name}` },
          supplier.rule ? "Wijzigen" : "Regel maken");
        edit.addEventListener("click", async () => {
          const result = await ruleDialog(administrationId, supplier, gl, vat);
          if (result) {
            notice.show(h("p", {}, result === "deleted" ? `De regel voor ${supplier.name} is verwijderd.` : `De regel voor ${supplier.name} is opgeslagen.`));
            load();
          }
        });
        const rule = supplier.rule;
        return h("tr", { dataset: { supplier: supplier.code } },
          h("td", { "data-label": "Leverancier" }, h("strong", {}, supplier.name), h("span", { class: "option-meta" },
            [`code ${supplier.code}`, supplier.vat_id].filter(Boolean).join(" · "))),
          h("td", { "data-label": "Boekingsregel" }, rule ? [
            h("span", {}, `${rule.gl_account} ${glName(rule.gl_account)}`),
            rule.vat_code ? h("span", { class: "option-meta" }, `btw ${rule.vat_code} ${vatName(rule.vat_code)}`) : null,
            rule.description_template ? h("span", { class: "option-meta" }, `omschrijving: ${rule.description_template}`) : null,
          ] : h("span", { class: "muted" }, supplier.default_gl_account ? `geen (standaard in het pakket: ${supplier.default_gl_account})` : "geen")),
          h("td", {}, edit));
      }))));
  };
  let timer = null;
  search.control.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  });
  settingsPage(ctx, "/settings/administrations", "Boekingsregels",
    `${admin ? `${admin.name} (${admin.code}). ` : ""}Een regel bepaalt grootboekrekening, btw-code en omschrijving voor elke factuur van die leverancier.`,
    backLink("#/settings/administrations", "Administraties"), notice.el, search.el, body);
  load();
  return () => clearTimeout(timer);
}

function ruleDialog(administrationId, supplier, gl, vat) {
  const path = office(`administrations/${encodeURIComponent(administrationId)}/suppliers/${encodeURIComponent(supplier.code)}/rule`);
  return openDialog(`Boekingsregel voor ${supplier.name}`, (close) => {
    const alert = alertBox();
    const errors = new FormErrors(alert);
    const rule = supplier.rule || {};
    const glField = errors.register("gl_account", field({ label: "Grootboekrekening", name: "gl_account", kind: "select",
      value: rule.gl_account || supplier.default_gl_account || "",
      options: [{ value: "", label: "Kies een grootboekrekening…" }, ...gl.map((a) => ({ value: a.code, label: `${a.code} · ${a.name}` }))] }));
    const vatField = errors.register("vat_code", field({ label: "Btw-code (optioneel)", name: "vat_code", kind: "select",
      value: rule.vat_code || "",
      options: [{ value: "", label: "Geen: uit de factuur" }, ...vat.map((v) => ({ value: v.code,
        label: `${v.code} · ${v.name} (${v.rate !== null && v.rate !== undefined ? `${v.rate} %` : VAT_KIND[v.kind] || v.kind})` }))] }));
    const template = errors.register("description_template", field({ label: "Omschrijving (optioneel)", name: "description_template",
      value: rule.description_template || "",
      hint: "Bijvoorbeeld: [supplier] [month-1] [year] wordt ‘KPN maart 2024’ (de maand vóór de factuurdatum)." }));
    const centre = errors.register("cost_centre", field({ label: "Kostenplaats (optioneel)", name: "cost_centre", value: rule.cost_centre || "" }));
    const submit = h("button", { type: "submit", class: "primary" }, "Opslaan");
    const remove = supplier.rule ? h("button", { type: "button", class: "danger" }, "Regel verwijderen") : null;
    const cancel = h("button", { type: "button", class: "secondary", on: { click: () => close(null) } }, "Annuleren");
    const form = h("form", { novalidate: true }, alert.el, glField.el, vatField.el, template.el, centre.el,
      h("div", { class: "actions" }, submit, remove, cancel));
    form.addEventListener("submit", busyButton(submit, async () => {
      errors.clear();
      if (!glField.control.value) {
        glField.setError("Kies een grootboekrekening.");
        glField.control.focus();
        return;
      }
      try {
        await request("PUT", path, { body: { gl_account: glField.control.value, vat_code: vatField.control.value || null,
          description_template: template.control.value.trim() || null, cost_centre: centre.control.value.trim() || null } });
        close("saved");
      } catch (error) {
        errors.show(error);
      }
    }));
    if (remove) {
      remove.addEventListener("click", busyButton(remove, async () => {
        try {
          await request("DELETE", path);
          close("deleted");
        } catch (error) {
          errors.show(error);
        }
      }));
    }
    return form;
  });
}

// --- users ------------------------------------------------------------------------------------------------------

export async function usersSettingsView(ctx) {
  const data = await guarded(ctx, "/settings/users", "Gebruikers", () => Promise.all([users({ fresh: true }), me().catch(() => null)]));
  if (!data || !ctx.isCurrent()) return;
  const [list, user] = data;
  const table = h("table", { class: "users", dataset: { testid: "users" } },
    h("caption", { class: "visually-hidden" }, "Gebruikers van het kantoor"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Gebruikersnaam"), h("th", { scope: "col" }, "E-mailadres"),
      h("th", { scope: "col" }, "Rol"), h("th", { scope: "col" }, "Sinds"))),
    h("tbody", {}, list.map((u) => h("tr", { dataset: { user: u.username } },
      h("td", { "data-label": "Gebruikersnaam" }, u.username, u.username === (user && user.username) ? h("span", { class: "muted" }, " (u)") : null),
      h("td", { "data-label": "E-mailadres" }, u.email || "—"),
      h("td", { "data-label": "Rol" }, ROLE[u.role] || u.role),
      h("td", { "data-label": "Sinds" }, dateTime(u.created_at))))));

  const alert = alertBox();
  const saved = alertBox("success");
  const errors = new FormErrors(alert);
  const username = errors.register("username", field({ label: "Gebruikersnaam", name: "username", autocomplete: "off",
    attrs: { autocapitalize: "none", spellcheck: "false" } }));
  const email = errors.register("email", field({ label: "E-mailadres", name: "email", type: "email", autocomplete: "off",
    hint: "Voor meldingen en het herstellen van het wachtwoord." }));
  const role = errors.register("role", field({ label: "Rol", name: "role", kind: "select", value: "approver",
    options: ["admin", "approver", "submitter"].map((r) => ({ value: r, label: ROLE[r] })),
    hint: "Beheerder: alles. Goedkeurder: documenten goedkeuren en afwijzen. Indiener: documenten toevoegen." }));
  const password = errors.register("password", field({ label: "Eerste wachtwoord", name: "password", type: "password",
    autocomplete: "new-password", hint: "Minstens 12 tekens. Geef het persoonlijk door; de gebruiker kan het herstellen via ‘Wachtwoord vergeten’." }));
  const submit = h("button", { type: "submit", class: "primary" }, "Gebruiker toevoegen");
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "add-user-title" },
    h("h2", { id: "add-user-title" }, "Gebruiker toevoegen"), alert.el, saved.el, username.el, email.el, role.el, password.el,
    h("div", { class: "actions" }, submit));
  form.addEventListener("submit", busyButton(submit, async () => {
    errors.clear();
    saved.hide();
    const body = { username: username.control.value.trim(), email: email.control.value.trim() || null,
      role: role.control.value, password: password.control.value };
    if (!body.username) {
      username.setError("Kies een gebruikersnaam.");
      username.control.focus();
      return;
    }
    if (body.password.length < 12) {
      password.setError("Gebruik minstens 12 tekens.");
      password.control.focus();
      return;
    }
    try {
      await request("POST", office("users"), { body });
      announce(`${body.username} is toegevoegd`);
      usersSettingsView(ctx).then(() => {
        const news = document.querySelector("#main .alert-success");
        if (news) {
          news.hidden = false;
          replace(news, h("p", {}, `${body.username} is toegevoegd als ${ROLE[body.role]}.`));
        }
      });
    } catch (error) {
      errors.show(error, { username_taken: "username", weak_password: "password" });
    }
  }));
  const isAdmin = !user || user.is_admin;
  settingsPage(ctx, "/settings/users", "Gebruikers", "Wie in dit kantoor mag inloggen, en met welke rol.",
    h("div", { class: "alert alert-success", role: "status", hidden: true, tabindex: "-1" }), table,
    isAdmin ? form : h("p", { class: "note" }, "Alleen beheerders kunnen gebruikers toevoegen."));
}

// --- connections ----------------------------------------------------------------------------------------------

export async function connectionsSettingsView(ctx) {
  const data = await guarded(ctx, "/settings/connections", "Koppelingen", () =>
    Promise.all([request("GET", office("connections")), packages().catch(() => []), administrations({ fresh: true })]));
  if (!data || !ctx.isCurrent()) return;
  const [{ connections }, packageList, admins] = data;
  const cards = connections.map((connection) => {
    const linked = admins.filter((a) => a.connection_id === connection.connection_id);
    return h("article", { class: "card connection", dataset: { connection: connection.connection_id } },
      h("h2", {}, packageLabel(packageList, connection.package), connection.description ? h("span", { class: "muted" }, ` · ${connection.description}`) : null),
      h("dl", { class: "facts" },
        h("dt", {}, "Status"), h("dd", {}, connection.status === "verified" ? "Gekoppeld" : "Wacht op inloggen bij het pakket"),
        h("dt", {}, "Sinds"), h("dd", {}, dateTime(connection.created_at)),
        h("dt", {}, "Administraties"), h("dd", {}, linked.length ? linked.map((a) => `${a.name} (${a.code})`).join(", ") : "nog geen")),
      h("div", { class: "actions" },
        connection.status === "verified"
          ? h("a", { class: "button secondary", href: `#/settings/connections/${encodeURIComponent(connection.connection_id)}` }, "Administraties toevoegen")
          : connection.authorize_url ? h("button", { type: "button", class: "primary", on: { click: () => {
            sessionStorage.setItem("boekstuk.oauth", JSON.stringify({ returnTo: "settings", connection_id: connection.connection_id }));
            window.location.assign(connection.authorize_url);
          } } }, "Inloggen afronden") : null));
  });
  const addSection = h("section", { class: "add-package", "aria-labelledby": "add-package-title" },
    h("h2", { id: "add-package-title" }, "Pakket koppelen"),
    h("p", {}, "Nog een pakket, of een tweede koppeling met hetzelfde pakket (bijvoorbeeld een andere gebruiker)."),
    packageForm({ returnTo: "settings", onLinked: (connection) => {
      announce("Het pakket is gekoppeld");
      navigate(`/settings/connections/${encodeURIComponent(connection.connection_id)}?linked=1`);
    } }));
  settingsPage(ctx, "/settings/connections", "Koppelingen", "De boekhoudpakketten waarin boekstuk boekt.",
    connections.length ? cards : h("p", {}, "Nog geen koppelingen."), addSection);
}

export async function connectionSettingsView(ctx) {
  const connectionId = ctx.params.id;
  const news = ctx.query.get("linked") ? h("div", { class: "alert alert-success", role: "status" }, h("p", {}, "Het pakket is gekoppeld.")) : null;
  settingsPage(ctx, "/settings/connections", "Administraties toevoegen",
    "Kies maximaal 5 administraties per keer uit wat de gekoppelde gebruiker van het pakket kan zien.",
    backLink("#/settings/connections", "Koppelingen"), news,
    administrationsForm(connectionId, { onAdded: (added) => {
      announce(`${added.length} administraties toegevoegd`);
      administrations({ fresh: true }).catch(() => {});
      settingsPage(ctx, "/settings/connections", "Administraties toegevoegd", null,
        h("div", { class: "card" }, h("ul", {}, added.map((a) => h("li", {}, h("a", { href: `#/inbox/${encodeURIComponent(a.administration_id)}` },
          `${a.name} (${a.code})`)))),
        h("div", { class: "actions" },
          h("a", { class: "button secondary", href: `#/settings/connections/${encodeURIComponent(connectionId)}` }, "Nog meer toevoegen"),
          h("a", { class: "button secondary", href: "#/settings/administrations" }, "Naar de administraties"))));
    } }));
}

export function settingsHome() {
  navigate("/settings/administrations", { replace: true });
}

