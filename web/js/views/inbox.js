// The inbox of one administration: upload (drag and drop, file picker, phone camera), the documents with their
// status, supplier, amount, invoice and due date, a status filter, and live status updates while the system works.

import { office, request } from "../api.js";
import { announce, h, replace, uid } from "../dom.js";
import { field } from "../forms.js";
import { IN_FLIGHT, KIND, STATUS, date, money } from "../nl.js";
import { Poller } from "../poll.js";
import { navigate } from "../router.js";
import { administrations, lastAdministration } from "../store.js";
import { focusTitle, loadError, loading, pageTitle, statusBadge } from "../ui.js";
import { enqueue, forget, onUpload, retry, uploadsFor } from "../uploads.js";

/** The start page: the inbox of the last used (or first) administration, or the way to add one. */
export async function homeView(ctx) {
  replace(ctx.main, loading());
  let list;
  try {
    list = await administrations({ fresh: true });
  } catch (error) {
    replace(ctx.main, ...pageTitle(ctx, "Inbox"), loadError(error, () => homeView(ctx)));
    return;
  }
  if (!ctx.isCurrent()) return;
  if (!list.length) {
    replace(ctx.main, ...pageTitle(ctx, "Welkom", "Er is nog geen administratie. Koppel uw boekhoudpakket en kies de administraties."),
      h("p", {}, h("a", { class: "button primary", href: "#/onboarding/package" }, "Boekhoudpakket koppelen")));
    focusTitle();
    return;
  }
  const last = lastAdministration();
  const target = list.find((a) => a.administration_id === last) || list[0];
  navigate(`/inbox/${encodeURIComponent(target.administration_id)}`, { replace: true });
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
}

const UPLOAD_STATE = {
  waiting: "Wacht op zijn beurt",
  slot: "Voorbereiden…",
  uploading: "Uploaden",
  done: "Geüpload: wordt herkend",
  error: "Mislukt",
};

function uploadRow(item) {
  const progressId = uid("progress");
  const progress = h("progress", { max: "100", value: String(item.progress), id: progressId,
    "aria-label": `Voortgang van ${item.name}` });
  const status = h("span", { class: "upload-status" });
  const retryButton = h("button", { type: "button", class: "secondary small", hidden: true,
    on: { click: () => retry(item) } }, "Opnieuw");
  const row = h("li", { class: "upload", dataset: { upload: String(item.id), state: item.state } },
    h("div", { class: "upload-head" }, h("span", { class: "upload-name" }, item.name),
      h("span", { class: "upload-size" }, formatSize(item.size))),
    progress, h("div", { class: "upload-foot" }, status, retryButton));
  let documentStatus = null;
  const update = () => {
    row.dataset.state = item.state;
    progress.value = item.state === "done" ? 100 : item.progress;
    progress.hidden = item.state === "error";
    const label = item.state === "uploading" ? `${UPLOAD_STATE.uploading} ${item.progress} %` : UPLOAD_STATE[item.state];
    if (item.state === "done" && documentStatus) {
      replace(status, "Geüpload · ", h("a", { href: `#/documents/${encodeURIComponent(item.documentId)}` },
        STATUS[documentStatus] || documentStatus));
    } else {
      status.textContent = item.state === "error" ? `${label}: ${item.message}` : label;
    }
    retryButton.hidden = item.state !== "error" || !item.contentType;
  };
  /** The document the upload became, as the list shows it now. */
  const setDocument = (doc) => {
    if (!doc || doc.status === documentStatus) return;
    documentStatus = doc.status;
    update();
  };
  update();
  return { row, update, setDocument, item };
}

export async function inboxView(ctx) {
  const administrationId = ctx.params.id;
  replace(ctx.main, loading());
  let admins;
  try {
    admins = await administrations();
  } catch (error) {
    replace(ctx.main, ...pageTitle(ctx, "Inbox"), loadError(error, () => inboxView(ctx)));
    return undefined;
  }
  const admin = admins.find((a) => a.administration_id === administrationId);
  if (!admin) {
    replace(ctx.main, ...pageTitle(ctx, "Inbox"), h("div", { class: "alert alert-error", role: "alert" },
      h("p", {}, "Deze administratie bestaat niet (meer) in uw kantoor."), h("p", {}, h("a", { href: "#/" }, "Naar het begin"))));
    focusTitle();
    return undefined;
  }
  lastAdministration(administrationId);
  let status = ctx.query.get("status") || "";
  if (status && !STATUS[status]) status = "";

  // --- the administration switcher and e-mail-in address
  const switcher = admins.length > 1 ? field({ label: "Administratie", name: "administration", kind: "select",
    value: administrationId, options: admins.map((a) => ({ value: a.administration_id, label: `${a.name} (${a.code})` })) }) : null;
  if (switcher) {
    switcher.control.addEventListener("change", () => navigate(`/inbox/${encodeURIComponent(switcher.control.value)}`));
  }
  const emailIn = admin.inbox_email ? h("p", { class: "inbox-email" }, "Documenten mailen naar: ",
    h("a", { href: `mailto:${admin.inbox_email}`, dataset: { testid: "inbox-email" } }, admin.inbox_email)) : null;

  // --- upload
  const kind = field({ label: "Soort document", name: "kind", kind: "select", value: "purchase_invoice",
    options: Object.entries(KIND).map(([value, label]) => ({ value, label })) });
  const pickerId = uid("files");
  const cameraId = uid("camera");
  const picker = h("input", { type: "file", id: pickerId, multiple: true, class: "visually-hidden",
    accept: "application/pdf,image/jpeg,image/png,image/tiff,.xml,application/xml,text/xml" });
  const camera = h("input", { type: "file", id: cameraId, class: "visually-hidden", accept: "image/*,application/pdf",
    capture: "environment" });
  const uploadList = h("ul", { class: "uploads", "aria-label": "Uploads" });
  const clearDone = h("button", { type: "button", class: "link-button", hidden: true }, "Voltooide uploads verbergen");
  clearDone.addEventListener("click", () => {
    for (const item of forget(administrationId)) {
      const view = rows.get(item.id);
      if (view) view.row.remove();
      rows.delete(item.id);
    }
    clearDone.hidden = true;
  });
  const rows = new Map();
  const addFiles = (files) => {
    const list = [...files];
    if (!list.length) return;
    enqueue(administrationId, list, kind.control.value);
    announce(`${list.length} ${list.length === 1 ? "bestand wordt" : "bestanden worden"} geüpload`);
  };
  picker.addEventListener("change", () => {
    addFiles(picker.files);
    picker.value = "";
  });
  camera.addEventListener("change", () => {
    addFiles(camera.files);
    camera.value = "";
  });
  const dropzone = h("div", { class: "dropzone", dataset: { testid: "dropzone" } },
    h("p", { class: "dropzone-text" }, "Sleep PDF's, foto's of e-facturen hierheen"),
    h("p", { class: "dropzone-or" }, "of"),
    h("div", { class: "dropzone-buttons" },
      h("span", { class: "file-button" }, picker, h("label", { for: pickerId, class: "button secondary" }, "Bestanden kiezen")),
      h("span", { class: "file-button camera" }, camera, h("label", { for: cameraId, class: "button secondary" }, "Foto maken"))),
    h("p", { class: "hint" }, "PDF, JPEG, PNG, TIFF of UBL/CII (XML), tot 20 MB per bestand. Meerdere tegelijk kan."));
  let depth = 0;
  dropzone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    depth += 1;
    dropzone.classList.add("dragging");
  });
  dropzone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  dropzone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) dropzone.classList.remove("dragging");
  });
  dropzone.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    dropzone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files) addFiles(event.dataTransfer.files);
  });
  for (const item of uploadsFor(administrationId)) {
    const view = uploadRow(item);
    rows.set(item.id, view);
    uploadList.append(view.row);
  }

  // --- the documents
  const filter = field({ label: "Status", name: "status", kind: "select", value: status,
    options: [{ value: "", label: "Alle statussen" }, ...Object.entries(STATUS).map(([value, label]) => ({ value, label }))] });
  const tableBody = h("tbody", {});
  const summary = h("p", { class: "list-summary", role: "status" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Meer laden");
  const listError = h("div", {});
  const table = h("table", { class: "documents", dataset: { testid: "documents" } },
    h("caption", { class: "visually-hidden" }, "Documenten"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Document"), h("th", { scope: "col" }, "Leverancier"),
      h("th", { scope: "col", class: "num" }, "Bedrag"), h("th", { scope: "col" }, "Factuurdatum"),
      h("th", { scope: "col" }, "Ontvangen"), h("th", { scope: "col" }, "Status"))),
    tableBody);
  let documents = [];
  let next = null;
  const known = new Map(); // document id -> status, for announcing changes

  const row = (doc) => h("tr", { dataset: { document: doc.document_id, status: doc.status } },
    h("td", { "data-label": "Document" },
      h("a", { href: `#/documents/${encodeURIComponent(doc.document_id)}`, class: "doc-link" }, doc.filename),
      h("span", { class: "kind" }, KIND[doc.kind] || doc.kind)),
    h("td", { "data-label": "Leverancier" }, doc.supplier || "—"),
    h("td", { "data-label": "Bedrag", class: "num" }, doc.total_incl_vat ? money(doc.total_incl_vat, doc.currency) : "—"),
    h("td", { "data-label": "Factuurdatum" }, doc.invoice_date ? [h("time", { datetime: doc.invoice_date }, date(doc.invoice_date)),
      doc.due_date ? h("span", { class: "due" }, "vervalt ", h("time", { datetime: doc.due_date }, date(doc.due_date))) : null] : "—"),
    h("td", { "data-label": "Ontvangen" }, date(doc.created_at)),
    h("td", { "data-label": "Status" }, statusBadge(doc.status)));

  const draw = () => {
    replace(tableBody, documents.map(row));
    table.hidden = !documents.length;
    const inFlight = documents.filter((d) => IN_FLIGHT.has(d.status)).length;
    summary.textContent = !documents.length
      ? (status ? `Geen documenten met status “${STATUS[status]}”.` : "Nog geen documenten. Voeg hierboven documenten toe.")
      : `${documents.length}${next ? "+" : ""} ${documents.length === 1 ? "document" : "documenten"}${inFlight ? `, ${inFlight} in behandeling` : ""}.`;
    more.hidden = !next;
    for (const view of rows.values()) {
      if (view.item.documentId) view.setDocument(documents.find((d) => d.document_id === view.item.documentId));
    }
    clearDone.hidden = !uploadsFor(administrationId).some((item) => item.state === "done");
  };

  const fetchPage = async (cursor, limit = 50) => request("GET", office("documents"), {
    query: { administration_id: administrationId, status, limit, next: cursor }, signal: ctx.signal });

  const reload = async () => {
    const page = await fetchPage(null, Math.min(200, Math.max(50, documents.length)));
    let changed = false;
    for (const doc of page.documents) {
      const before = known.get(doc.document_id);
      if (before !== doc.status) {
        changed = true;
        if (before) announce(`${doc.filename}: ${STATUS[doc.status] || doc.status}`);
        known.set(doc.document_id, doc.status);
      }
    }
    if (page.documents.length !== documents.length) changed = true;
    documents = page.documents;
    next = page.next || null;
    if (changed) draw();
    return changed;
  };

  // An upload is pending until its document shows up in the list (under a status filter it may never: then the
  // in-flight documents alone decide).
  const pendingUploads = () => !status && uploadsFor(administrationId).some((item) => item.state !== "error" &&
    (item.state !== "done" || !documents.some((d) => d.document_id === item.documentId)));
  const poller = new Poller(async () => {
    const changed = await reload();
    const more = documents.some((d) => IN_FLIGHT.has(d.status)) || pendingUploads();
    return { changed, more };
  });

  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await fetchPage(next);
      documents = documents.concat(page.documents);
      next = page.next || null;
      draw();
    } catch (error) {
      replace(listError, loadError(error));
    } finally {
      more.disabled = false;
    }
  });
  filter.control.addEventListener("change", async () => {
    status = filter.control.value;
    window.history.replaceState(null, "", `#/inbox/${encodeURIComponent(administrationId)}${status ? `?status=${status}` : ""}`);
    documents = [];
    try {
      await reload();
      draw();
      listError.replaceChildren();
      poller.kick();
    } catch (error) {
      replace(listError, loadError(error));
    }
  });

  const unsubscribe = onUpload((item) => {
    if (item.administrationId !== administrationId) return;
    let view = rows.get(item.id);
    if (!view) {
      view = uploadRow(item);
      rows.set(item.id, view);
      uploadList.append(view.row);
    }
    view.update();
    if (item.state === "done") clearDone.hidden = false;
    if (item.state === "done") {
      announce(`${item.name} is geüpload`);
      poller.kick();
    }
  });

  replace(ctx.main,
    h("div", { class: "page-head" },
      h("div", {}, ...pageTitle(ctx, "Inbox"), h("p", { class: "lead" }, `${admin.name} (${admin.code})`), emailIn),
      switcher ? switcher.el : null),
    h("section", { class: "card upload-card", "aria-labelledby": "upload-title" },
      h("h2", { id: "upload-title" }, "Documenten toevoegen"), kind.el, dropzone, uploadList, clearDone),
    h("section", { class: "documents-section", "aria-labelledby": "documents-title" },
      h("div", { class: "section-head" }, h("h2", { id: "documents-title" }, "Documenten"), filter.el),
      summary, listError, table, more));
  focusTitle();

  try {
    await reload();
    draw();
  } catch (error) {
    if (error && error.name === "AbortError") return () => {};
    replace(listError, loadError(error, () => poller.kick()));
  }
  poller.kick();
  return () => {
    poller.stop();
    unsubscribe();
  };
}
