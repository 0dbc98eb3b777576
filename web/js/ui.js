// Small shared pieces: headings, status badges, dialogs, loading and error states.

import { h, uid } from "./dom.js";
import { STATUS, errorMessage } from "./nl.js";
import { focusHeading } from "./router.js";

/** The screen's h1 (focused after navigation) with an optional lead paragraph. */
export function pageTitle(ctx, title, lead = null) {
  ctx.setTitle(title);
  return [h("h1", { tabindex: "-1" }, title), lead ? h("p", { class: "lead" }, lead) : null];
}

export function focusTitle() {
  focusHeading();
}

export function statusBadge(status) {
  return h("span", { class: ["badge", `status-${status}`], dataset: { status } }, STATUS[status] || status);
}

export function loading(text = "Laden…") {
  return h("p", { class: "loading", role: "status" }, text);
}

/** A failed load: the Dutch message and a retry button. */
export function loadError(error, retry) {
  return h("div", { class: "alert alert-error", role: "alert" },
    h("p", {}, errorMessage(error)),
    retry ? h("button", { type: "button", class: "secondary", on: { click: retry } }, "Opnieuw proberen") : null);
}

/**
 * A modal dialog (native <dialog>: focus stays inside while open, Escape closes it, focus returns to the
 * button that opened it). `build(close)` returns the body; resolves with what `close(value)` was given.
 */
export function openDialog(title, build, { wide = false } = {}) {
  const opener = document.activeElement;
  const titleId = uid("dialog-title");
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: ["dialog", wide ? "dialog-wide" : null], "aria-labelledby": titleId });
    let result;
    const close = (value) => {
      result = value;
      dialog.close();
    };
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && typeof opener.focus === "function" && document.contains(opener)) opener.focus();
      resolve(result);
    });
    dialog.append(
      h("div", { class: "dialog-head" },
        h("h2", { id: titleId }, title),
        h("button", { type: "button", class: "icon-button", "aria-label": "Sluiten", on: { click: () => close(undefined) } }, "×")),
      build(close));
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
}

/** A definition list from [label, value] pairs (values may be nodes). */
export function facts(pairs, className = "facts") {
  return h("dl", { class: className }, pairs.filter(Boolean).map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/** A back link styled as a link with a leading arrow. */
export function backLink(href, text) {
  return h("p", { class: "back" }, h("a", { href }, `← ${text}`));
}
