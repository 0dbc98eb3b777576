// Form controls with a label, a hint and an error slot wired with aria-describedby, and a registry that puts
// the API's per-field errors next to the fields they concern (anything unmatched goes to the form's alert).

import { ApiError } from "./api.js";
import { h, replace, uid } from "./dom.js";
import { errorMessage } from "./nl.js";

/**
 * A labelled control. kind: "input" (default), "select", "textarea". Returns {el, control, setError, setHint}.
 * options (select): [{value, label}] or strings.
 */
export function field({ label, name, kind = "input", type = "text", value = "", hint = "", options = [],
  required = false, autocomplete = null, inputmode = null, attrs = {}, visuallyHiddenLabel = false } = {}) {
  const id = uid(name || "field");
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  let control;
  if (kind === "select") {
    control = h("select", { id, name, required, ...attrs },
      options.map((option) => {
        const item = typeof option === "string" ? { value: option, label: option } : option;
        return h("option", { value: item.value, disabled: item.disabled || false }, item.label);
      }));
    control.value = value ?? "";
  } else if (kind === "textarea") {
    control = h("textarea", { id, name, required, rows: 3, ...attrs });
    control.value = value ?? "";
  } else {
    control = h("input", { id, name, type, required, autocomplete, inputmode, ...attrs });
    if (type === "checkbox" || type === "radio") control.checked = Boolean(value);
    else control.value = value ?? "";
  }
  const hintEl = h("p", { class: "hint", id: hintId, hidden: !hint }, hint);
  const errorEl = h("p", { class: "field-error", id: errorId, hidden: true });
  control.setAttribute("aria-describedby", `${hintId} ${errorId}`);
  // Labels are exactly the words given (outside checks find the login fields by them): no asterisks.
  const labelEl = h("label", { for: id, class: visuallyHiddenLabel ? "visually-hidden" : null }, label);
  const isCheck = type === "checkbox" || type === "radio";
  const el = h("div", { class: ["field", isCheck ? "field-check" : null], dataset: { field: name } },
    isCheck ? [control, labelEl] : [labelEl, control], hintEl, errorEl);
  const setError = (message) => {
    errorEl.hidden = !message;
    errorEl.textContent = message || "";
    if (message) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
    el.classList.toggle("has-error", Boolean(message));
  };
  const setHint = (text, tone = "") => {
    hintEl.hidden = !text;
    replace(hintEl, text || "");
    hintEl.className = `hint${tone ? ` hint-${tone}` : ""}`;
  };
  return { el, control, setError, setHint, hintEl, errorEl };
}

/** An alert box (role="alert" for errors, "status" for news). */
export function alertBox(tone = "error") {
  const el = h("div", { class: ["alert", `alert-${tone}`], role: tone === "error" ? "alert" : "status", hidden: true,
    tabindex: "-1" });
  return {
    el,
    show(...content) {
      replace(el, ...content);
      el.hidden = false;
    },
    hide() {
      el.hidden = true;
      el.replaceChildren();
    },
  };
}

/**
 * The errors of one form: register fields by their API path, then `showError(error)` puts each per-field
 * message next to its field, the code's Dutch sentence in the alert, and focuses the first field in error.
 */
export class FormErrors {
  constructor(alert) {
    this.alert = alert;
    this.fields = new Map();
    this.extra = [];
  }

  register(path, control) {
    this.fields.set(path, control);
    return control;
  }

  /** A field path (or predicate) the API may name that should land on an existing control. */
  alias(pattern, path) {
    this.extra.push([pattern, path]);
  }

  clear() {
    for (const control of this.fields.values()) control.setError("");
    this.alert.hide();
  }

  /** Show an ApiError (or any error). `byCode` maps an error code to the field it concerns. */
  show(error, byCode = {}) {
    this.clear();
    let first = null;
    const unmatched = [];
    const mark = (path, message) => {
      let target = this.fields.get(path);
      if (!target) {
        const alias = this.extra.find(([pattern]) => (pattern instanceof RegExp ? pattern.test(path) : pattern === path));
        if (alias) target = this.fields.get(alias[1]);
      }
      if (target) {
        target.setError(message);
        first = first || target;
      } else {
        unmatched.push(message);
      }
    };
    if (error instanceof ApiError) {
      for (const [path, message] of Object.entries(error.fieldErrors())) mark(path, message);
      const path = byCode[error.code];
      if (path && this.fields.get(path)) mark(path, errorMessage(error));
      else if (!(error.code === "validation_error" && error.errors.length && !unmatched.length)) {
        unmatched.unshift(errorMessage(error));
      }
    } else {
      unmatched.push(errorMessage(error));
    }
    if (unmatched.length) {
      const detail = error instanceof ApiError && error.detail && !["validation_error"].includes(error.code)
        ? h("span", { class: "api-detail", lang: "en" }, error.detail) : null;
      this.alert.show(h("p", {}, [...new Set(unmatched)].join(" ")), detail);
    }
    if (first) first.control.focus();
    else if (unmatched.length) this.alert.el.focus();
  }
}

/** A button that shows a busy state while `action` runs (and cannot be pressed twice). */
export function busyButton(button, action) {
  return async (event) => {
    if (event) event.preventDefault();
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      await action(event);
    } finally {
      button.removeAttribute("aria-busy");
      button.disabled = button.dataset.holdOff === "1"; // a 429's wait outlasts the request
    }
  };
}

/**
 * Disable `button` for the Retry-After wait of a 429 and count down in `note`, so nobody hammers the API.
 */
export function holdOff(button, seconds, note) {
  let left = Math.ceil(seconds || 0);
  if (left <= 0) return;
  button.disabled = true;
  button.dataset.holdOff = "1";
  const tick = () => {
    if (left <= 0) {
      delete button.dataset.holdOff;
      button.disabled = false;
      if (note) note.textContent = "";
      return;
    }
    if (note) note.textContent = `U kunt het over ${left} ${left === 1 ? "seconde" : "seconden"} opnieuw proberen.`;
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}
