// The document viewer: PDFs rendered with pdf.js (in its worker, no eval, no scripting), images as images, XML
// e-invoices as text. Recognised fields are outlined on their page from `recognition.locations`
// ({"field": {"page": 1, "box": [left, top, right, bottom]}} as fractions of the page), drawn over any rendering.

import { h, replace } from "./dom.js";
import { RECOGNITION_FIELD } from "./nl.js";

const PDFJS = "/vendor/pdfjs-dist/pdf.min.mjs";
const PDFJS_WORKER = "/vendor/pdfjs-dist/pdf.worker.min.mjs";
const STANDARD_FONTS = "/vendor/pdfjs-dist/standard_fonts/";
const MAX_PAGES = 50; // a longer PDF shows its first pages and offers the download for the rest
const MAX_XML_CHARS = 200_000;

let pdfjs = null;

async function loadPdfJs() {
  if (!pdfjs) {
    pdfjs = await import(PDFJS);
    pdfjs.GlobalWorkerOptions.workerSrc = PDFJS_WORKER;
  }
  return pdfjs;
}

/** What the bytes are, from their first bytes (the file name and the served type are not to be trusted). */
export async function sniff(blob) {
  const head = new Uint8Array(await blob.slice(0, 512).arrayBuffer());
  const starts = (...bytes) => bytes.every((b, i) => head[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46)) return "pdf";
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "png";
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head).replace(/^\uFEFF/, "").trimStart();
  if (text.startsWith("<")) return "xml";
  const pdfAt = new TextDecoder("latin1").decode(head).indexOf("%PDF-");
  if (pdfAt >= 0) return "pdf"; // PDF readers accept leading junk before the header, so does pdf.js
  return "unknown";
}

function fieldName(field) {
  return RECOGNITION_FIELD[field] || field.replace(/_/g, " ");
}

/**
 * A viewer over `container`. `show(blob, filename)` renders; `setLocations(locations)` (re)draws the outlines;
 * `highlight(field, {scroll})` emphasises one field's outline.
 */
export class DocumentViewer {
  constructor(container) {
    this.container = container;
    this.pages = []; // {number, frame, overlay}
    this.locations = {};
    this.objectUrls = [];
    this.pdf = null;
    this.task = null;
    this.active = null;
  }

  async show(blob, filename) {
    const kind = await sniff(blob);
    this.kind = kind;
    const download = this.download(blob, filename);
    if (kind === "pdf") await this.showPdf(blob, download);
    else if (kind === "png" || kind === "jpeg") this.showImage(blob, filename, download);
    else if (kind === "xml") await this.showXml(blob, download);
    else {
      replace(this.container, h("div", { class: "viewer-message" },
        h("p", {}, kind === "tiff" ? "Een TIFF-bestand kan de browser niet tonen. Download het origineel om het te bekijken."
          : "Dit bestand kan hier niet worden getoond."), download));
    }
    this.drawLocations();
    return kind;
  }

  download(blob, filename) {
    const url = URL.createObjectURL(blob);
    this.objectUrls.push(url);
    return h("a", { class: "download", href: url, download: filename || "document" }, "Origineel downloaden");
  }

  async showPdf(blob, download) {
    const status = h("p", { class: "loading", role: "status" }, "Document laden…");
    replace(this.container, status);
    const lib = await loadPdfJs();
    const data = new Uint8Array(await blob.arrayBuffer());
    const task = lib.getDocument({ data, isEvalSupported: false, enableXfa: false, standardFontDataUrl: STANDARD_FONTS,
      disableAutoFetch: true, stopAtErrors: false });
    this.task = task;
    let pdf;
    try {
      pdf = await task.promise;
    } catch {
      replace(this.container, h("div", { class: "viewer-message" },
        h("p", {}, "Deze PDF kan niet worden getoond (beschadigd of beveiligd)."), download));
      return;
    }
    this.pdf = pdf;
    const count = Math.min(pdf.numPages, MAX_PAGES);
    const pages = h("div", { class: "pages" });
    replace(this.container, h("div", { class: "viewer-toolbar" },
      h("span", {}, `${pdf.numPages} ${pdf.numPages === 1 ? "pagina" : "pagina's"}`), download), pages);
    for (let number = 1; number <= count; number += 1) {
      const page = await pdf.getPage(number);
      const base = page.getViewport({ scale: 1 });
      // Sharp on the screen it lands on: the pane's width times the pixel ratio, within reason.
      const width = Math.min(2000, Math.max(800, (this.container.clientWidth || 800) * (window.devicePixelRatio || 1)));
      const viewport = page.getViewport({ scale: width / base.width });
      const canvas = h("canvas", { class: "page-canvas", role: "img",
        "aria-label": `Pagina ${number} van ${pdf.numPages}`, dataset: { page: String(number) } });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      const overlay = h("div", { class: "highlights", "aria-hidden": "true" });
      const frame = h("div", { class: "page", dataset: { page: String(number) } }, canvas, overlay);
      frame.style.aspectRatio = `${viewport.width} / ${viewport.height}`;
      pages.append(frame);
      this.pages.push({ number, frame, overlay });
      await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
      frame.dataset.rendered = "true";
      this.drawLocations();
    }
    if (pdf.numPages > count) {
      pages.append(h("p", { class: "note" }, `Alleen de eerste ${count} pagina's worden getoond. Download het origineel voor de rest.`));
    }
  }

  showImage(blob, filename, download) {
    const url = URL.createObjectURL(blob);
    this.objectUrls.push(url);
    const overlay = h("div", { class: "highlights", "aria-hidden": "true" });
    const image = h("img", { class: "page-image", src: url, alt: `Het document ${filename || ""}`.trim() });
    const frame = h("div", { class: "page", dataset: { page: "1" } }, image, overlay);
    image.addEventListener("load", () => { frame.dataset.rendered = "true"; });
    replace(this.container, h("div", { class: "viewer-toolbar" }, h("span", {}, "Afbeelding"), download),
      h("div", { class: "pages" }, frame));
    this.pages.push({ number: 1, frame, overlay });
  }

  async showXml(blob, download) {
    let text = await blob.text();
    const cut = text.length > MAX_XML_CHARS;
    if (cut) text = text.slice(0, MAX_XML_CHARS);
    replace(this.container, h("div", { class: "viewer-toolbar" }, h("span", {}, "E-factuur (XML)"), download),
      h("p", { class: "note" }, "Een e-factuur heeft geen afbeelding: de gegevens komen rechtstreeks uit het bestand."),
      h("pre", { class: "xml", tabindex: "0", "aria-label": "Inhoud van de e-factuur" }, text, cut ? "\n…" : ""));
  }

  setLocations(locations) {
    this.locations = locations && typeof locations === "object" ? locations : {};
    this.drawLocations();
  }

  drawLocations() {
    for (const page of this.pages) {
      page.overlay.replaceChildren();
      for (const [field, location] of Object.entries(this.locations)) {
        if (!location || Number(location.page) !== page.number || !Array.isArray(location.box)) continue;
        const [left, top, right, bottom] = location.box.map(Number);
        if (![left, top, right, bottom].every((v) => Number.isFinite(v) && v >= 0 && v <= 1) || right <= left || bottom <= top) continue;
        // A box in the page's right half carries its label on its right edge: it would stick out of the page
        // (and make a phone's screen scroll sideways) otherwise.
        const box = h("div", { class: ["highlight", this.active === field ? "active" : null, left > 0.5 ? "end" : null],
          dataset: { field } },
          h("span", { class: "highlight-label" }, fieldName(field)));
        // CSSOM, not a style attribute: allowed by the Content-Security-Policy.
        box.style.left = `${left * 100}%`;
        box.style.top = `${top * 100}%`;
        box.style.width = `${(right - left) * 100}%`;
        box.style.height = `${(bottom - top) * 100}%`;
        page.overlay.append(box);
      }
    }
  }

  has(field) {
    return Boolean(this.locations[field]);
  }

  /**
   * Emphasise `field`'s outline. scroll "pane": bring it into view inside the viewer's own scroll area only (the
   * form the user types in stays where it is); "page": scroll the page to it (the phone's stacked layout).
   */
  highlight(field, { scroll = false } = {}) {
    this.active = field;
    let target = null;
    for (const box of this.container.querySelectorAll(".highlight")) {
      const on = box.dataset.field === field;
      box.classList.toggle("active", on);
      if (on) target = box;
    }
    if (!target || !scroll) return Boolean(target);
    const scroller = this.container.closest(".viewer-scroll");
    if (scroll === "pane" && scroller && scroller.scrollHeight > scroller.clientHeight + 1) {
      const box = target.getBoundingClientRect();
      const pane = scroller.getBoundingClientRect();
      if (box.top < pane.top || box.bottom > pane.bottom) {
        scroller.scrollBy({ top: box.top - pane.top - pane.height / 2 + box.height / 2, behavior: "smooth" });
      }
    } else if (scroll === "page") {
      target.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    return true;
  }

  destroy() {
    for (const url of this.objectUrls) URL.revokeObjectURL(url);
    this.objectUrls = [];
    // The loading task owns the document and its worker (pdf.js 6 has no destroy on the document itself).
    if (this.task) this.task.destroy();
    this.task = null;
    this.pdf = null;
  }
}
