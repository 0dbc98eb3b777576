// Review one document: the original (pdf.js / image / XML) with the recognised fields outlined, next to the
// booking proposal to correct (supplier, dates, lines with GL account and VAT code from the package's pick
// lists), then approve or reject; warnings, approvals, bookings and the history below.

import { ApiError, documentContent, office, request } from "../api.js";
import { announce, debounce, h, replace, uid } from "../dom.js";
import { FormErrors, alertBox, busyButton, field } from "../forms.js";
import {
  BOOKING_STATUS, ENGINE, IN_FLIGHT, KIND, MATCH, RECOGNITION_FIELD, STATUS, VAT_KIND, amountInput, dateTime,
  errorMessage, eventLabel, money, parseAmount, percent, provenanceLabel, warningLabel,
} from "../nl.js";
import { Poller } from "../poll.js";
import { administrations, glAccounts, me, suppliers, vatCodes } from "../store.js";
import { facts, focusTitle, loadError, loading, openDialog, pageTitle, statusBadge } from "../ui.js";
import { DocumentViewer } from "../viewer.js";

/** The recognised field whose outline belongs to a proposal field. */
const LOCATION_OF = {
  supplier: "supplier_name", invoice_number: "invoice_number", invoice_date: "invoice_date", due_date: "due_date",
  currency: "currency", total_incl_vat: "total_incl_vat",
};

const wide = () => window.matchMedia("(min-width: 1000px)").matches;
/** The 409s that mean the document is no longer what this screen shows. */
const MOVED_ON = new Set(["proposal_changed", "document_locked"]);

function lineFromProposal(line) {
  return {
    base: line, gl_account: line.gl_account || "", description: line.description || "",
    amount_excl_vat: amountInput(line.amount_excl_vat), vat_code: line.vat_code || "",
    vat_amount: amountInput(line.vat_amount), cost_centre: line.cost_centre || null,
  };
}

function draftFrom(proposal) {
  return {
    supplier: { mode: "keep", code: proposal.supplier.code, name: proposal.supplier.name,
      vat_id: proposal.supplier.vat_id || "", kvk: proposal.supplier.kvk || "", iban: proposal.supplier.iban || "" },
    invoice_number: proposal.invoice_number || "", invoice_date: proposal.invoice_date || "",
    due_date: proposal.due_date || "", currency: proposal.currency || "EUR", description: proposal.description || "",
    lines: (proposal.lines || []).map(lineFromProposal),
    total_incl_vat: amountInput(proposal.total_incl_vat),
  };
}

/** The supplier as PUT .../proposal takes it: as GET gave it, another of the administration, or a new one. */
function supplierBody(proposal, supplier) {
  if (supplier.mode === "existing") return { code: supplier.code };
  if (supplier.mode === "new") {
    const tidy = (value) => value.replace(/\s/g, "").toUpperCase() || null;
    return { code: null, name: supplier.name.trim(), vat_id: tidy(supplier.vat_id), kvk: tidy(supplier.kvk),
      iban: tidy(supplier.iban) };
  }
  return proposal.supplier;
}

/**
 * The body of PUT .../proposal: the proposal object as GET returned it with the draft's values in it (its
 * read-only parts, such as provenance, warnings and a line's vat_rate, go back as they came and are ignored).
 */
function editBody(proposal, draft) {
  return {
    ...proposal,
    supplier: supplierBody(proposal, draft.supplier),
    invoice_number: draft.invoice_number.trim(), invoice_date: draft.invoice_date || null,
    due_date: draft.due_date || null, currency: draft.currency.trim().toUpperCase() || "EUR",
    description: draft.description.trim() || null,
    lines: draft.lines.map((line) => ({
      ...(line.base || {}),
      gl_account: line.gl_account, description: line.description.trim(),
      amount_excl_vat: parseAmount(line.amount_excl_vat) ?? line.amount_excl_vat,
      vat_code: line.vat_code, vat_amount: parseAmount(line.vat_amount) ?? line.vat_amount,
      cost_centre: line.cost_centre || null,
    })),
    total_incl_vat: parseAmount(draft.total_incl_vat) ?? draft.total_incl_vat,
  };
}

export async function reviewView(ctx) {
  const documentId = ctx.params.id;
  replace(ctx.main, loading("Document laden…"));
  let doc;
  try {
    doc = await request("GET", office(`documents/${encodeURIComponent(documentId)}`), { signal: ctx.signal });
  } catch (error) {
    if (error && error.name === "AbortError") return undefined;
    replace(ctx.main, ...pageTitle(ctx, "Document"), loadError(error, () => reviewView(ctx)));
    focusTitle();
    return undefined;
  }
  const administrationId = doc.administration_id;
  const [admins, gl, vat, user] = await Promise.all([
    administrations().catch(() => []), glAccounts(administrationId).catch(() => null),
    vatCodes(administrationId).catch(() => null), me().catch(() => null)]);
  if (!ctx.isCurrent()) return undefined;
  const admin = admins.find((a) => a.administration_id === administrationId);

  // --- layout
  const badge = h("span", { class: "title-status" }, statusBadge(doc.status));
  const viewerBody = h("div", { class: "viewer" }, loading("Document laden…"));
  const viewer = new DocumentViewer(viewerBody);
  const viewerPane = h("section", { class: "viewer-pane", "aria-labelledby": "viewer-title" },
    h("h2", { id: "viewer-title", class: "visually-hidden" }, "Het document"),
    h("div", { class: "viewer-scroll" }, viewerBody));
  const notices = h("div", { class: "notices" });
  const formSlot = h("div", {});
  const decisionSlot = h("div", {});
  const infoSlot = h("div", {});
  const proposalPane = h("section", { class: "proposal-pane", "aria-labelledby": "proposal-title" },
    h("h2", { id: "proposal-title" }, "Boekingsvoorstel"), notices, formSlot, decisionSlot, infoSlot);
  replace(ctx.main,
    h("p", { class: "back" }, h("a", { href: `#/inbox/${encodeURIComponent(administrationId)}` },
      `← Inbox${admin ? ` ${admin.name}` : ""}`)),
    h("div", { class: "page-head review-head" },
      h("div", {}, ...pageTitle(ctx, doc.filename), h("p", { class: "lead" }, KIND[doc.kind] || doc.kind, " · ontvangen ",
        dateTime(doc.created_at))), badge),
    h("div", { class: "review" }, viewerPane, proposalPane));
  focusTitle();

  documentContent(documentId, ctx.signal)
    .then((blob) => (ctx.isCurrent() ? viewer.show(blob, doc.filename) : null))
    .then(() => viewer.setLocations(doc.recognition && doc.recognition.locations))
    .catch((error) => {
      if (error && error.name === "AbortError") return;
      replace(viewerBody, h("div", { class: "viewer-message", role: "alert" },
        h("p", {}, "Het document kon niet worden geladen."), h("p", {}, errorMessage(error))));
    });

  // --- state
  let draft = null;
  let savedBody = "";
  let form = null;
  let shown = null; // the proposal the form shows and edits
  let shownVersion = null; // its proposal_version: approving names it
  let decisionNotice = null; // why the last save or decision did not go through, shown with the decision buttons
  const dirty = () => Boolean(draft) && JSON.stringify(editBody(shown, draft)) !== savedBody;
  const editable = () => doc.status === "awaiting_approval" && Boolean(doc.proposal);

  const reload = async () => {
    const fresh = await request("GET", office(`documents/${encodeURIComponent(documentId)}`));
    const changed = JSON.stringify(fresh) !== JSON.stringify(doc);
    if (changed) {
      const statusChanged = fresh.status !== doc.status;
      doc = fresh;
      if (statusChanged) announce(`Status: ${STATUS[doc.status] || doc.status}`);
      render({ keepForm: dirty() });
      viewer.setLocations(doc.recognition && doc.recognition.locations);
    }
    return changed;
  };
  const poller = new Poller(async () => {
    const changed = await reload();
    return { changed, more: IN_FLIGHT.has(doc.status) };
  });

  // --- the proposal form
  function buildForm() {
    const proposal = doc.proposal;
    draft = draftFrom(proposal);
    savedBody = JSON.stringify(editBody(proposal, draft));
    shown = proposal;
    shownVersion = doc.proposal_version;
    const readOnly = !editable();
    const alert = alertBox();
    const saved = alertBox("success");
    const errors = new FormErrors(alert);
    const recognition = doc.recognition || {};
    const confidence = recognition.confidence || {};
    const provenance = proposal.provenance || {};

    /** Where a field's value came from, how sure recognition was, and a button to show it on the page. */
    const origin = (key) => {
      const recognised = LOCATION_OF[key];
      const parts = [];
      if (provenance[key]) parts.push(h("span", { class: "provenance", dataset: { provenance: key } }, `Bron: ${provenanceLabel(provenance[key])}`));
      if (recognised && confidence[recognised] !== undefined) {
        const value = Number(confidence[recognised]);
        parts.push(h("span", { class: ["confidence", value < 0.8 ? "low" : null] }, `zekerheid ${percent(value)}`));
      }
      const location = recognised && recognition.locations && recognition.locations[recognised];
      if (location) {
        parts.push(h("button", { type: "button", class: "link-button show-on-page", dataset: { field: recognised },
          on: { click: () => viewer.highlight(recognised, { scroll: wide() ? "pane" : "page" }) } },
        `Toon op pagina ${location.page}`));
      }
      return parts.length ? h("span", { class: "origin" }, parts) : "";
    };
    const track = (control, key, onInput) => {
      control.control.addEventListener("input", () => {
        onInput(control.control.value);
        control.setError("");
        update();
      });
      control.control.addEventListener("change", () => {
        onInput(control.control.value);
        update();
      });
      const recognised = LOCATION_OF[key];
      if (recognised) control.control.addEventListener("focus", () => viewer.highlight(recognised, { scroll: wide() ? "pane" : false }));
      if (readOnly) control.control.disabled = true;
      return control;
    };

    // supplier: the current one, another of the administration (searched), or a new one
    const supplierBlock = supplierPicker({ administrationId, draft, readOnly, current: proposal.supplier,
      origin: origin("supplier"), onChange: () => update(),
      onFocus: () => viewer.highlight("supplier_name", { scroll: wide() ? "pane" : false }) });
    errors.register("supplier.code", supplierBlock.control);
    for (const [name, control] of Object.entries(supplierBlock.newFields)) errors.register(`supplier.${name}`, control);
    errors.alias(/^supplier(\.|$)/, "supplier.code");

    const invoiceNumber = errors.register("invoice_number", track(field({ label: "Factuurnummer", name: "invoice_number",
      value: draft.invoice_number, hint: origin("invoice_number") }), "invoice_number", (v) => { draft.invoice_number = v; }));
    const invoiceDate = errors.register("invoice_date", track(field({ label: "Factuurdatum", name: "invoice_date", type: "date",
      value: draft.invoice_date, hint: origin("invoice_date") }), "invoice_date", (v) => { draft.invoice_date = v; }));
    const dueDate = errors.register("due_date", track(field({ label: "Vervaldatum", name: "due_date", type: "date",
      value: draft.due_date, hint: origin("due_date") }), "due_date", (v) => { draft.due_date = v; }));
    const currency = errors.register("currency", track(field({ label: "Valuta", name: "currency", value: draft.currency,
      attrs: { maxlength: "3", autocapitalize: "characters", spellcheck: "false" }, hint: origin("currency") }),
    "currency", (v) => { draft.currency = v; }));
    const description = errors.register("description", track(field({ label: "Omschrijving (optioneel)", name: "description",
      value: draft.description, hint: origin("description") }), "description", (v) => { draft.description = v; }));

    // lines
    const linesList = h("div", { class: "lines" });
    const linesError = h("p", { class: "field-error", hidden: true });
    errors.register("lines", { control: { focus: () => linesList.querySelector("select, input")?.focus() },
      setError: (message) => { linesError.hidden = !message; linesError.textContent = message || ""; } });
    errors.alias(/^lines\.\d+(\.|$)/, "lines"); // a line's part the form has no field for
    const glOptions = (value) => {
      const options = [{ value: "", label: "Kies een grootboekrekening…" }];
      for (const account of gl || []) options.push({ value: account.code, label: `${account.code} · ${account.name}` });
      if (value && !(gl || []).some((a) => a.code === value)) options.push({ value, label: `${value} (niet in het pakket)` });
      return options;
    };
    const vatOptions = (value) => {
      const options = [{ value: "", label: "Kies een btw-code…" }];
      for (const code of vat || []) {
        const rate = code.rate !== null && code.rate !== undefined ? `${code.rate} %` : VAT_KIND[code.kind] || code.kind;
        options.push({ value: code.code, label: `${code.code} · ${code.name} (${rate})` });
      }
      if (value && !(vat || []).some((c) => c.code === value)) options.push({ value, label: `${value} (niet in het pakket)` });
      return options;
    };
    const lineControls = [];
    const drawLines = () => {
      linesList.replaceChildren();
      lineControls.length = 0;
      draft.lines.forEach((line, index) => {
        const key = `lines.${index}`;
        const pkey = `lines[${index}]`;
        const lineOrigin = (name) => (provenance[`${pkey}.${name}`] ? h("span", { class: "provenance" },
          `Bron: ${provenanceLabel(provenance[`${pkey}.${name}`])}`) : "");
        const glControl = gl ? field({ label: "Grootboekrekening", name: `${key}.gl_account`, kind: "select",
          value: line.gl_account, options: glOptions(line.gl_account), hint: lineOrigin("gl_account") })
          : field({ label: "Grootboekrekening", name: `${key}.gl_account`, value: line.gl_account, hint: lineOrigin("gl_account") });
        const vatControl = vat ? field({ label: "Btw-code", name: `${key}.vat_code`, kind: "select", value: line.vat_code,
          options: vatOptions(line.vat_code), hint: lineOrigin("vat_code") })
          : field({ label: "Btw-code", name: `${key}.vat_code`, value: line.vat_code, hint: lineOrigin("vat_code") });
        const descriptionControl = field({ label: "Omschrijving", name: `${key}.description`, value: line.description,
          hint: lineOrigin("description") });
        const amountControl = field({ label: "Bedrag excl. btw", name: `${key}.amount_excl_vat`, value: line.amount_excl_vat,
          inputmode: "decimal", attrs: { autocomplete: "off" }, hint: lineOrigin("amount_excl_vat") });
        const vatAmountControl = field({ label: "Btw-bedrag", name: `${key}.vat_amount`, value: line.vat_amount,
          inputmode: "decimal", attrs: { autocomplete: "off" } });
        const controls = { gl_account: glControl, vat_code: vatControl, description: descriptionControl,
          amount_excl_vat: amountControl, vat_amount: vatAmountControl };
        for (const [name, control] of Object.entries(controls)) {
          errors.register(`${key}.${name}`, track(control, `${key}.${name}`, (v) => { line[name] = v; }));
        }
        const remove = h("button", { type: "button", class: "secondary small remove-line", disabled: readOnly || draft.lines.length < 2,
          "aria-label": `Regel ${index + 1} verwijderen` }, "Verwijderen");
        remove.addEventListener("click", () => {
          draft.lines.splice(index, 1);
          drawLines();
          update();
          linesList.querySelector("select, input")?.focus();
        });
        lineControls.push(controls);
        linesList.append(h("fieldset", { class: "line", dataset: { line: String(index) } },
          h("legend", {}, `Regel ${index + 1}`),
          h("div", { class: "line-grid" }, descriptionControl.el, glControl.el, amountControl.el, vatControl.el,
            vatAmountControl.el),
          readOnly ? null : h("div", { class: "line-actions" }, remove)));
      });
    };
    drawLines();
    const addLine = h("button", { type: "button", class: "secondary", hidden: readOnly }, "Regel toevoegen");
    addLine.addEventListener("click", () => {
      const last = draft.lines.at(-1);
      draft.lines.push({ gl_account: last ? last.gl_account : "", description: "", amount_excl_vat: "0,00",
        vat_code: last ? last.vat_code : "", vat_amount: "0,00", cost_centre: null });
      drawLines();
      update();
      const fields = linesList.querySelectorAll(".line:last-of-type input, .line:last-of-type select");
      if (fields.length) fields[0].focus();
    });

    const total = errors.register("total_incl_vat", track(field({ label: "Totaal incl. btw", name: "total_incl_vat",
      value: draft.total_incl_vat, inputmode: "decimal", hint: origin("total_incl_vat") }), "total_incl_vat",
    (v) => { draft.total_incl_vat = v; }));
    const sum = h("p", { class: "sum", role: "status" });

    const save = h("button", { type: "submit", class: "primary", hidden: readOnly }, "Wijzigingen opslaan");
    const undo = h("button", { type: "button", class: "secondary", hidden: readOnly }, "Wijzigingen ongedaan maken");
    const dirtyNote = h("p", { class: "hint", role: "status" });
    undo.addEventListener("click", () => {
      errors.clear();
      render({ keepForm: false });
      announce("Wijzigingen ongedaan gemaakt");
    });

    function update() {
      const lines = draft.lines.map((l) => [parseAmount(l.amount_excl_vat), parseAmount(l.vat_amount)]);
      const valid = lines.every(([a, b]) => a !== null && b !== null);
      const totalValue = parseAmount(draft.total_incl_vat);
      if (valid) {
        const cents = lines.reduce((acc, [a, b]) => acc + Math.round(Number(a) * 100) + Math.round(Number(b) * 100), 0);
        const off = totalValue !== null ? Math.round(Number(totalValue) * 100) - cents : 0;
        sum.textContent = `Regels samen: ${money(cents / 100, draft.currency || "EUR")}${off ? ` · verschil met het totaal: ${money(off / 100, draft.currency || "EUR")}` : " · klopt met het totaal"}`;
        sum.classList.toggle("mismatch", off !== 0);
      } else {
        sum.textContent = "Regels samen: vul geldige bedragen in.";
        sum.classList.add("mismatch");
      }
      const isDirty = dirty();
      save.disabled = !isDirty;
      undo.hidden = readOnly || !isDirty;
      dirtyNote.textContent = isDirty ? "Niet opgeslagen wijzigingen. Sla ze op voordat u goedkeurt." : "";
      document.dispatchEvent(new CustomEvent("proposal-dirty", { detail: isDirty }));
    }

    const formEl = h("form", { class: "proposal-form", novalidate: true, "aria-labelledby": "proposal-title",
      dataset: { testid: "proposal-form" } },
    alert.el, saved.el, supplierBlock.el,
    h("div", { class: "grid-2" }, invoiceNumber.el, currency.el, invoiceDate.el, dueDate.el),
    description.el,
    h("h3", {}, "Regels"), linesError, linesList, addLine,
    h("div", { class: "totals" }, total.el, sum),
    h("div", { class: "actions" }, save, undo), dirtyNote);

    formEl.addEventListener("submit", busyButton(save, async () => {
      errors.clear();
      saved.hide();
      // What the API cannot judge for us: missing and malformed values, in Dutch, before sending.
      let problem = false;
      const need = (control, ok, message) => {
        if (!ok) {
          control.setError(message);
          if (!problem) control.control.focus();
          problem = true;
        }
      };
      if (draft.supplier.mode === "new") need(supplierBlock.newFields.name, draft.supplier.name.trim(), "Vul de naam van de nieuwe leverancier in.");
      need(invoiceNumber, draft.invoice_number.trim(), "Vul het factuurnummer in.");
      need(invoiceDate, draft.invoice_date, "Vul de factuurdatum in.");
      draft.lines.forEach((line, index) => {
        const controls = lineControls[index];
        need(controls.gl_account, line.gl_account, "Kies een grootboekrekening.");
        need(controls.vat_code, line.vat_code, "Kies een btw-code.");
        need(controls.amount_excl_vat, parseAmount(line.amount_excl_vat) !== null, "Vul een bedrag in, bijvoorbeeld 100,00.");
        need(controls.vat_amount, parseAmount(line.vat_amount) !== null, "Vul een bedrag in, bijvoorbeeld 21,00.");
      });
      need(total, parseAmount(draft.total_incl_vat) !== null, "Vul het totaal in, bijvoorbeeld 121,00.");
      if (problem) return;
      try {
        await request("PUT", office(`documents/${encodeURIComponent(documentId)}/proposal`),
          { body: editBody(shown, draft) });
        doc = await request("GET", office(`documents/${encodeURIComponent(documentId)}`));
        decisionNotice = null;
        render({ keepForm: false });
        announce("Voorstel opgeslagen");
        form.saved.show(h("p", {}, "Het voorstel is opgeslagen."));
        form.saved.el.focus();
        poller.kick();
      } catch (error) {
        if (error instanceof ApiError && MOVED_ON.has(error.code)) movedOn(error.code);
        else errors.show(error, { unknown_supplier: "supplier.code" });
      }
    }));
    update();
    return { el: formEl, saved, errors };
  }

  // --- approve, reject, retry
  function decisions() {
    const panel = h("section", { class: "decide", "aria-labelledby": "decide-title" });
    const alert = alertBox();
    const title = h("h3", { id: "decide-title" }, "Besluit");
    if (doc.status === "awaiting_approval") {
      const approvers = (doc.approval && doc.approval.approvers) || [];
      const named = !user || !approvers.length || approvers.includes(user.username);
      const approve = h("button", { type: "button", class: "primary approve" }, "Goedkeuren");
      const reject = h("button", { type: "button", class: "danger reject" }, "Afwijzen");
      const note = h("p", { class: "hint" }, named ? "" : `Het goedkeuringsbeleid noemt ${approvers.join(", ")}; u staat daar niet bij.`);
      const sync = (event) => {
        const isDirty = event ? event.detail : dirty();
        approve.disabled = isDirty;
        reject.disabled = isDirty;
      };
      document.addEventListener("proposal-dirty", sync);
      cleanups.push(() => document.removeEventListener("proposal-dirty", sync));
      sync();
      approve.addEventListener("click", async () => {
        decisionNotice = null;
        const result = await decisionDialog("approve");
        if (result && result.refused) movedOn(result.refused);
        else if (result) afterDecision(result, "Goedgekeurd");
      });
      reject.addEventListener("click", async () => {
        decisionNotice = null;
        const result = await decisionDialog("reject");
        if (result && result.refused) movedOn(result.refused);
        else if (result) afterDecision(result, "Afgewezen");
      });
      replace(panel, title, alert.el, h("div", { class: "actions" }, approve, reject), note);
    } else if (doc.status === "failed") {
      const retry = h("button", { type: "button", class: "primary" }, "Opnieuw boeken");
      retry.addEventListener("click", busyButton(retry, async () => {
        alert.hide();
        try {
          await request("POST", office(`documents/${encodeURIComponent(documentId)}/retry-booking`), { body: {} });
          announce("Opnieuw boeken gestart");
          await reload();
          poller.kick();
        } catch (error) {
          alert.show(h("p", {}, errorMessage(error)));
          alert.el.focus();
        }
      }));
      replace(panel, title, alert.el, h("p", {}, "Het boeken is mislukt. Los de oorzaak op (zie hieronder) en probeer het opnieuw."),
        h("div", { class: "actions" }, retry));
    } else if (doc.status === "booked") {
      replace(panel, title, h("p", { class: "locked" }, "Geboekt. Dit document is vergrendeld: wijzigen, goedkeuren en afwijzen kan niet meer."));
    } else if (["received", "recognizing"].includes(doc.status)) {
      replace(panel, title, h("p", { role: "status" }, "Het document wordt herkend. Het voorstel verschijnt hier vanzelf."));
    } else if (["approved", "booking"].includes(doc.status)) {
      replace(panel, title, h("p", { role: "status" }, "Goedgekeurd: het document wordt in het pakket geboekt."));
    } else {
      replace(panel, title, h("p", {}, `Status: ${STATUS[doc.status] || doc.status}.`));
    }
    if (decisionNotice) {
      title.after(h("div", { class: "alert alert-warning", role: "alert", tabindex: "-1" }, h("p", {}, decisionNotice)));
    }
    return panel;
  }

  function decisionDialog(kind) {
    const approve = kind === "approve";
    return openDialog(approve ? "Document goedkeuren" : "Document afwijzen", (close) => {
      const alert = alertBox();
      const text = field({ label: approve ? "Opmerking (optioneel)" : "Reden van afwijzen", name: approve ? "comment" : "reason",
        kind: "textarea", required: !approve,
        hint: approve ? "Bijvoorbeeld waarom u een afwijking goedkeurt." : "De indiener ziet deze reden in de geschiedenis." });
      const confirm = h("button", { type: "submit", class: approve ? "primary" : "danger" }, approve ? "Goedkeuren" : "Afwijzen");
      const cancel = h("button", { type: "button", class: "secondary", on: { click: () => close(null) } }, "Annuleren");
      const formEl = h("form", { novalidate: true }, alert.el, text.el, h("div", { class: "actions" }, confirm, cancel));
      formEl.addEventListener("submit", busyButton(confirm, async () => {
        alert.hide();
        text.setError("");
        const value = text.control.value.trim();
        if (!approve && !value) {
          text.setError("Geef een reden: de indiener moet weten wat er niet klopt.");
          text.control.focus();
          return;
        }
        try {
          // Approving names the proposal version on the screen: changed since, the API refuses (proposal_changed).
          const body = approve ? { comment: value, proposal_version: shownVersion } : { reason: value };
          const result = await request("POST", office(`documents/${encodeURIComponent(documentId)}/${approve ? "approve" : "reject"}`),
            { body });
          close(result);
        } catch (error) {
          if (error instanceof ApiError && MOVED_ON.has(error.code)) {
            close({ refused: error.code });
            return;
          }
          alert.show(h("p", {}, errorMessage(error)));
          alert.el.focus();
        }
      }));
      return formEl;
    });
  }

  /**
   * A save or decision refused because the document moved on while this screen showed it (someone changed the
   * proposal, or it was booked): show it as it is now, and say why above the decision buttons.
   */
  async function movedOn(code) {
    decisionNotice = errorMessage(new ApiError({ status: 409, code }));
    try {
      doc = await request("GET", office(`documents/${encodeURIComponent(documentId)}`));
    } catch {
      // shown with the old proposal; the notice says to look again
    }
    render({ keepForm: false });
    viewer.setLocations(doc.recognition && doc.recognition.locations);
    announce(decisionNotice);
    const notice = decisionSlot.querySelector(".alert-warning");
    if (notice) notice.focus();
  }

  async function afterDecision(result, word) {
    announce(`${word}. Status: ${STATUS[result.status] || result.status}`);
    try {
      await reload();
    } catch {
      // the poller tries again
    }
    poller.kick();
  }

  // --- what happened: notices, warnings, approval, bookings, recognition, history
  function noticesFor() {
    const items = [];
    if (doc.error) {
      items.push(h("div", { class: "alert alert-error", role: "alert" },
        h("p", {}, doc.status === "unreadable" ? "Dit document kon niet worden gelezen." : "Er ging iets mis."),
        h("p", { class: "api-detail", lang: "en" }, doc.error)));
    }
    if (doc.status === "duplicate") {
      items.push(h("div", { class: "alert alert-warning", role: "status" },
        h("p", {}, "Dit document is al eerder ontvangen en wordt niet nog een keer geboekt."),
        doc.duplicate_of ? h("p", {}, h("a", { href: `#/documents/${encodeURIComponent(doc.duplicate_of)}` }, "Naar het eerdere document")) : null));
    }
    const warnings = (doc.proposal && doc.proposal.warnings) || [];
    if (warnings.length) {
      items.push(h("div", { class: "alert alert-warning warnings", dataset: { testid: "warnings" } },
        h("h3", {}, "Let op"),
        h("ul", {}, warnings.map((w) => h("li", { dataset: { code: w.code } }, h("strong", {}, warningLabel(w.code)),
          w.detail ? h("span", { class: "api-detail", lang: "en" }, w.detail) : null)))));
    }
    if (doc.proposal && doc.proposal.supplier_update && Object.keys(doc.proposal.supplier_update).length) {
      const update = doc.proposal.supplier_update;
      items.push(h("div", { class: "alert alert-info" }, h("p", {}, "Bij het boeken worden de gegevens van de leverancier bijgewerkt: ",
        Object.entries(update).map(([k, v]) => `${k === "iban" ? "IBAN" : k === "vat_id" ? "btw-nummer" : k} ${v}`).join(", "), ".")));
    }
    return items;
  }

  function information() {
    const parts = [];
    const approval = doc.approval;
    if (approval) {
      const decided = approval.decisions || [];
      parts.push(h("section", { class: "info-block", "aria-labelledby": "approval-title" },
        h("h3", { id: "approval-title" }, "Goedkeuring"),
        facts([
          ["Nodig", `${approval.required ?? 1} ${Number(approval.required) === 1 ? "goedkeuring" : "goedkeuringen"}`],
          ["Goedkeurders", (approval.approvers || []).join(", ") || "beheerders en goedkeurders"],
        ]),
        decided.length ? h("ul", { class: "decisions" }, decided.map((d) => h("li", { dataset: { decision: d.decision } },
          h("strong", {}, d.user), ` ${d.decision === "approved" ? "keurde goed" : "wees af"} op ${dateTime(d.at)}`,
          d.comment ? [": ", h("q", {}, d.comment)] : null))) : h("p", {}, "Nog geen besluiten.")));
    }
    const bookings = doc.bookings || [];
    parts.push(h("section", { class: "info-block", "aria-labelledby": "bookings-title", dataset: { testid: "bookings" } },
      h("h3", { id: "bookings-title" }, "Boekingen"),
      bookings.length ? h("table", { class: "compact" },
        h("caption", { class: "visually-hidden" }, "Boekingen in het pakket"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Pakket"), h("th", { scope: "col" }, "Status"),
          h("th", { scope: "col" }, "Boekstuknummer"), h("th", { scope: "col" }, "Geboekt op"))),
        h("tbody", {}, bookings.map((b) => [
          h("tr", { dataset: { booking: b.status } }, h("td", { "data-label": "Pakket" }, packageName(b.package)),
            h("td", { "data-label": "Status" }, BOOKING_STATUS[b.status] || b.status),
            h("td", { "data-label": "Boekstuknummer" }, b.entry_id || "—"),
            h("td", { "data-label": "Geboekt op" }, b.booked_at ? dateTime(b.booked_at) : "—")),
          b.error ? h("tr", { class: "booking-error" }, h("td", { colspan: "4" }, "Fout: ", h("span", { lang: "en" }, b.error))) : null,
        ]))) : h("p", {}, "Nog niet geboekt.")));
    const recognition = doc.recognition;
    if (recognition && recognition.fields) {
      const locations = recognition.locations || {};
      const rows = Object.entries(recognition.fields).filter(([, v]) => v !== null && v !== undefined && v !== "");
      parts.push(h("details", { class: "info-block" },
        h("summary", {}, `Herkende gegevens (${ENGINE[recognition.engine] || recognition.engine || "onbekend"})`),
        h("table", { class: "compact recognised" },
          h("caption", { class: "visually-hidden" }, "Herkende gegevens"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Gegeven"), h("th", { scope: "col" }, "Waarde"),
            h("th", { scope: "col" }, "Zekerheid"), h("th", { scope: "col" }, "Plaats"))),
          h("tbody", {}, rows.map(([name, value]) => h("tr", {},
            h("th", { scope: "row" }, RECOGNITION_FIELD[name] || name),
            h("td", { "data-label": "Waarde" }, String(value)),
            h("td", { "data-label": "Zekerheid" }, recognition.confidence && recognition.confidence[name] !== undefined ? percent(recognition.confidence[name]) : "—"),
            h("td", { "data-label": "Plaats" }, locations[name] ? h("button", { type: "button", class: "link-button",
              on: { click: () => viewer.highlight(name, { scroll: wide() ? "pane" : "page" }) } },
            `Pagina ${locations[name].page}`) : "—")))))));
    }
    const history = doc.history || [];
    parts.push(h("section", { class: "info-block", "aria-labelledby": "history-title" },
      h("h3", { id: "history-title" }, "Geschiedenis"),
      h("ol", { class: "history" }, history.map((item) => h("li", {},
        h("time", { datetime: item.at }, dateTime(item.at)), " ", h("strong", {}, eventLabel(item.event)),
        item.actor ? h("span", { class: "actor" }, ` · ${actorName(item.actor)}`) : null,
        item.detail ? h("span", { class: "api-detail", lang: "en" }, item.detail) : null)))));
    return parts;
  }

  const cleanups = [];
  function render({ keepForm }) {
    replace(badge, statusBadge(doc.status));
    replace(notices, ...noticesFor());
    if (!keepForm || !form) {
      if (!doc.proposal) {
        form = null;
        draft = null;
        replace(formSlot, h("p", { class: "note" }, IN_FLIGHT.has(doc.status) || doc.status === "received"
          ? "Het voorstel verschijnt zodra het document is herkend." : "Er is geen boekingsvoorstel voor dit document."));
      } else {
        form = buildForm();
        replace(formSlot, form.el);
      }
    }
    for (const cleanup of cleanups.splice(0)) cleanup();
    replace(decisionSlot, decisions());
    replace(infoSlot, ...information());
  }

  let packageNames = {};
  function packageName(id) {
    return packageNames[id] || id;
  }
  request("GET", "/v1/packages", { auth: false }).then((list) => {
    packageNames = Object.fromEntries(list.map((p) => [p.id, p.name]));
  }).catch(() => {});

  render({ keepForm: false });
  if (IN_FLIGHT.has(doc.status)) poller.kick();

  const beforeUnload = (event) => {
    if (dirty()) event.preventDefault();
  };
  window.addEventListener("beforeunload", beforeUnload);
  return () => {
    poller.stop();
    viewer.destroy();
    for (const cleanup of cleanups.splice(0)) cleanup();
    window.removeEventListener("beforeunload", beforeUnload);
  };
}

function actorName(actor) {
  if (actor === "system") return "systeem";
  if (actor === "workflow") return "werkstroom";
  if (actor === "s3") return "upload";
  const m = /^(api|user|mail):(.+)$/.exec(actor);
  if (m) return m[1] === "mail" ? `e-mail van ${m[2]}` : m[2];
  return actor;
}

/**
 * The supplier: keep the proposed one, pick another supplier of the administration (searched as you type,
 * an ARIA combobox), or enter a new one.
 */
function supplierPicker({ administrationId, draft, readOnly, current, origin, onChange, onFocus }) {
  const inputId = uid("supplier");
  const listId = uid("supplier-list");
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const input = h("input", { id: inputId, type: "text", role: "combobox", "aria-autocomplete": "list",
    "aria-expanded": "false", "aria-controls": listId, autocomplete: "off", spellcheck: "false",
    "aria-describedby": `${hintId} ${errorId}`, disabled: readOnly });
  input.value = current.name || "";
  const list = h("ul", { id: listId, role: "listbox", class: "combobox-list", hidden: true, "aria-label": "Leveranciers" });
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const chosen = h("p", { class: "hint", id: hintId });
  const newFields = h("div", { class: "new-supplier", hidden: true });
  const newName = field({ label: "Naam nieuwe leverancier", name: "supplier.name" });
  const newVat = field({ label: "Btw-nummer (optioneel)", name: "supplier.vat_id", attrs: { autocapitalize: "characters" } });
  const newKvk = field({ label: "KvK-nummer (optioneel)", name: "supplier.kvk", inputmode: "numeric" });
  const newIban = field({ label: "IBAN (optioneel)", name: "supplier.iban", attrs: { autocapitalize: "characters" } });
  newFields.append(newName.el, newVat.el, newKvk.el, newIban.el);
  const newControls = { name: newName, vat_id: newVat, kvk: newKvk, iban: newIban };
  for (const [key, control] of Object.entries(newControls)) {
    control.control.addEventListener("input", () => {
      draft.supplier[key] = control.control.value;
      control.setError("");
      onChange();
    });
  }
  const describe = () => {
    const s = draft.supplier;
    if (s.mode === "new") replace(chosen, "Nieuwe leverancier: wordt bij het boeken in het pakket aangemaakt.");
    else if (s.mode === "existing") replace(chosen, `Gekozen: ${s.name} (code ${s.code}). `);
    else replace(chosen, current.code ? `Code ${current.code} · ${MATCH[current.match] || current.match}. ` : `${MATCH[current.match] || current.match}. `, origin);
  };
  describe();
  let options = [];
  let activeIndex = -1;
  let searchSeq = 0;
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    activeIndex = -1;
  };
  const choose = (option) => {
    if (option.kind === "new") {
      draft.supplier = { mode: "new", code: null, name: option.name, vat_id: "", kvk: "", iban: "" };
      for (const control of Object.values(newControls)) {
        control.control.value = "";
        control.setError("");
      }
      newName.control.value = option.name;
      newFields.hidden = false;
    } else {
      const same = option.supplier.code === current.code;
      draft.supplier = { mode: same ? "keep" : "existing", code: option.supplier.code, name: option.supplier.name,
        vat_id: option.supplier.vat_id || "", kvk: option.supplier.kvk || "", iban: option.supplier.iban || "" };
      newFields.hidden = true;
      input.value = option.supplier.name;
    }
    setError("");
    close();
    describe();
    onChange();
    if (option.kind === "new") newName.control.focus();
  };
  const setActive = (index) => {
    activeIndex = index;
    [...list.children].forEach((item, i) => {
      item.setAttribute("aria-selected", String(i === index));
      item.classList.toggle("active", i === index);
    });
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const show = (found, query) => {
    options = found.map((supplier) => ({ kind: "supplier", supplier }));
    if (query.trim()) options.push({ kind: "new", name: query.trim() });
    list.replaceChildren(...options.map((option, index) => h("li", { role: "option", id: `${listId}-${index}`,
      "aria-selected": "false", class: option.kind === "new" ? "new-option" : null,
      dataset: option.kind === "supplier" ? { code: option.supplier.code } : { new: "true" },
      on: { mousedown: (event) => event.preventDefault(), click: () => choose(option) } },
    option.kind === "new" ? `Nieuwe leverancier: “${option.name}”`
      : [h("span", {}, option.supplier.name), h("span", { class: "option-meta" },
        [`code ${option.supplier.code}`, option.supplier.vat_id, option.supplier.iban].filter(Boolean).join(" · "))])));
    if (!options.length) list.append(h("li", { class: "empty", role: "presentation" }, "Geen leveranciers gevonden"));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(-1);
  };
  const search = debounce(async () => {
    const query = input.value.trim();
    const seq = ++searchSeq;
    try {
      const found = await suppliers(administrationId, query, { limit: 20 });
      if (seq === searchSeq && document.activeElement === input) show(found, query);
    } catch (error) {
      if (seq === searchSeq) {
        list.replaceChildren(h("li", { class: "empty", role: "presentation" }, errorMessage(error)));
        list.hidden = false;
      }
    }
  }, 250);
  input.addEventListener("input", () => {
    setError("");
    search();
  });
  input.addEventListener("focus", () => {
    onFocus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) search();
      else setActive(Math.min(options.length - 1, activeIndex + 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(Math.max(0, activeIndex - 1));
    } else if (event.key === "Enter" && !list.hidden && activeIndex >= 0) {
      event.preventDefault();
      choose(options[activeIndex]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener("blur", () => {
    setTimeout(close, 150);
    if (draft.supplier.mode !== "new" && input.value.trim() === "") input.value = draft.supplier.name;
  });
  const reset = h("button", { type: "button", class: "link-button", hidden: true }, "Terug naar de voorgestelde leverancier");
  reset.addEventListener("click", () => {
    draft.supplier = { mode: "keep", code: current.code, name: current.name, vat_id: current.vat_id || "",
      kvk: current.kvk || "", iban: current.iban || "" };
    input.value = current.name;
    newFields.hidden = true;
    setError("");
    for (const control of Object.values(newControls)) control.setError("");
    describe();
    onChange();
    input.focus();
  });
  const el = h("div", { class: "field supplier-field", dataset: { field: "supplier" } },
    h("label", { for: inputId }, "Leverancier"),
    h("div", { class: "combobox" }, input, list), chosen, error, newFields, readOnly ? null : reset);
  const observer = () => { reset.hidden = draft.supplier.mode === "keep"; };
  input.addEventListener("input", observer);
  el.addEventListener("click", observer);
  el.addEventListener("keyup", observer);
  function setError(message) {
    error.hidden = !message;
    error.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    el.classList.toggle("has-error", Boolean(message));
  }
  return { el, control: { control: input, setError }, newFields: newControls };
}
