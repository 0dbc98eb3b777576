// Uploads: for each file an upload slot (POST .../documents), then the bytes PUT to the presigned URL with
// exactly the headers the slot names, by XMLHttpRequest for its progress events. A few at a time; the queue
// outlives the inbox screen (switching filters or screens does not cancel an upload).

import { ApiError, office, request } from "./api.js";
import { errorMessage } from "./nl.js";

export const MAX_BYTES = 20 * 1024 * 1024;
const PARALLEL = 3;

const BY_EXTENSION = {
  pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", tif: "image/tiff",
  tiff: "image/tiff", xml: "application/xml",
};
const ACCEPTED = new Set(["application/pdf", "image/jpeg", "image/png", "image/tiff", "application/xml", "text/xml"]);

/** The content type the API is told: the browser's, else from the extension; null when unsupported. */
export function contentTypeOf(file) {
  const type = (file.type || "").toLowerCase();
  if (ACCEPTED.has(type)) return type === "text/xml" ? "application/xml" : type;
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  return BY_EXTENSION[extension] || null;
}

let nextId = 1;
const items = [];
const listeners = new Set();
let running = 0;

function emit(item) {
  for (const listener of listeners) listener(item);
}

/** Be told about every change to an upload (progress, status); returns the unsubscribe function. */
export function onUpload(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The uploads of one administration (this page session). */
export function uploadsFor(administrationId) {
  return items.filter((item) => item.administrationId === administrationId);
}

/** Drop the finished uploads of an administration from the list; returns them. */
export function forget(administrationId) {
  const done = items.filter((item) => item.administrationId === administrationId && item.state === "done");
  for (const item of done) items.splice(items.indexOf(item), 1);
  return done;
}

/** Queue files for upload into an administration as `kind`. */
export function enqueue(administrationId, files, kind) {
  const added = [];
  for (const file of files) {
    const item = { id: nextId++, administrationId, file, kind, name: file.name || "naamloos", size: file.size,
      state: "waiting", progress: 0, message: "", documentId: null, xhr: null };
    const type = contentTypeOf(file);
    if (!type) {
      Object.assign(item, { state: "error", message: errorMessage(new ApiError({ code: "unsupported_content_type" })) });
    } else if (file.size > MAX_BYTES) {
      Object.assign(item, { state: "error", message: errorMessage(new ApiError({ code: "document_too_large" })) });
    } else if (file.size === 0) {
      Object.assign(item, { state: "error", message: "Dit bestand is leeg." });
    }
    item.contentType = type;
    items.push(item);
    added.push(item);
    emit(item);
  }
  pump();
  return added;
}

/** Try a failed upload again (a new slot: the old one may have expired). */
export function retry(item) {
  if (item.state !== "error" || !item.contentType || item.size > MAX_BYTES || item.size === 0) return;
  Object.assign(item, { state: "waiting", progress: 0, message: "", documentId: null });
  emit(item);
  pump();
}

function pump() {
  while (running < PARALLEL) {
    const item = items.find((candidate) => candidate.state === "waiting");
    if (!item) return;
    running += 1;
    upload(item).finally(() => {
      running -= 1;
      pump();
    });
  }
}

async function upload(item) {
  item.state = "slot";
  emit(item);
  let slot;
  try {
    slot = await request("POST", office(`administrations/${encodeURIComponent(item.administrationId)}/documents`),
      { body: { filename: item.name, content_type: item.contentType, kind: item.kind } });
  } catch (error) {
    Object.assign(item, { state: "error", message: errorMessage(error) });
    emit(item);
    return;
  }
  item.documentId = slot.document_id;
  item.state = "uploading";
  emit(item);
  try {
    await put(item, slot.upload);
    Object.assign(item, { state: "done", progress: 100 });
  } catch (message) {
    Object.assign(item, { state: "error", message: String(message) });
  }
  emit(item);
}

function put(item, upload) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.open(upload.method || "PUT", upload.url);
    for (const [name, value] of Object.entries(upload.headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      item.progress = Math.min(99, Math.round((event.loaded / event.total) * 100));
      emit(item);
    });
    xhr.addEventListener("load", () => {
      item.xhr = null;
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else if (xhr.status === 403) reject("De uploadlink is verlopen. Probeer het opnieuw.");
      else if (xhr.status === 412) reject("Dit bestand is al geüpload.");
      else reject(`De upload is mislukt (${xhr.status}). Probeer het opnieuw.`);
    });
    xhr.addEventListener("error", () => {
      item.xhr = null;
      reject("De upload is mislukt: geen verbinding. Probeer het opnieuw.");
    });
    xhr.addEventListener("abort", () => {
      item.xhr = null;
      reject("De upload is afgebroken.");
    });
    xhr.send(item.file);
  });
}

/** Whether any upload is still running (leaving the page would lose it). */
export function busy() {
  return items.some((item) => ["waiting", "slot", "uploading"].includes(item.state));
}

window.addEventListener("beforeunload", (event) => {
  if (busy()) event.preventDefault();
});
